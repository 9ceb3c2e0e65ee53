"""Table changes are counted once (`scheduler.metrics.table_changes`): on random schedules the
count agrees with the definition written from scratch, and the figures every report reads
(run pages, the command line, the benchmark) carry that count."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.metrics import figures, table_changes
from scheduler.problem import Assignment, Problem, Schedule
from tests.scheduler.test_gap_count import problems


def brute_force_table_changes(problem: Problem, assignments: list[Assignment]) -> int:
    """The definition: per person and calendar day, walk their meetings in time order and
    count each step to a different table than the meeting before."""
    slot = problem.slot_by_id
    meeting = problem.meeting_by_id
    changes = 0
    for person in problem.participants:
        mine = [a for a in assignments if person.id in meeting[a.meeting].participants]
        for day in {slot[a.slot].start.date() for a in mine}:
            walk = sorted(
                (a for a in mine if slot[a.slot].start.date() == day),
                key=lambda a: slot[a.slot].start,
            )
            steps = zip(walk, walk[1:], strict=False)
            changes += sum(1 for a, b in steps if a.table != b.table)
    return changes


@st.composite
def schedules(draw):
    """A problem and a valid placement of some of its meetings: nobody is in two meetings at
    once, and tables are drawn freely (several meetings may share one; the count ignores it)."""
    problem = draw(problems(most_meetings=12))
    busy: set[tuple[str, str]] = set()
    assignments = []
    for m in problem.meetings:
        if not draw(st.booleans()):
            continue  # unscheduled
        s = draw(st.sampled_from(problem.slots)).id
        if any((p, s) in busy for p in m.participants):
            continue
        busy.update((p, s) for p in m.participants)
        table = draw(st.sampled_from(problem.tables)).id
        assignments.append(Assignment(m.id, s, table))
    return problem, draw(st.permutations(assignments))


@settings(max_examples=200, deadline=None)
@given(schedules())
def test_the_count_agrees_with_the_definition(case):
    problem, assignments = case
    assert table_changes(problem, assignments) == brute_force_table_changes(problem, assignments)


@settings(max_examples=100, deadline=None)
@given(schedules())
def test_the_figures_carry_the_count(case):
    problem, assignments = case
    schedule = Schedule(tuple(assignments))
    assert figures(problem, schedule).table_changes == table_changes(problem, assignments)


@settings(max_examples=100, deadline=None)
@given(schedules(), st.data())
def test_unknown_and_repeated_assignments_do_not_count(case, data):
    """A schedule file may name a meeting twice or a slot the problem lacks: only each known
    meeting's first assignment counts, as everywhere else."""
    problem, assignments = case
    repeated = [
        Assignment(a.meeting, a.slot, data.draw(st.sampled_from(problem.tables)).id)
        for a in assignments
    ]
    unknown = [Assignment("no-such-meeting", problem.slots[0].id, problem.tables[0].id)]
    noisy = assignments + repeated + unknown
    assert table_changes(problem, noisy) == brute_force_table_changes(problem, assignments)
