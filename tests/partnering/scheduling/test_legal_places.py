"""Where a picked meeting may go on the grid: the places offered are exactly the moves the
move operation accepts (property-style, on seeded random events with every kind of rule and
schedules that already break some), and the JSON endpoint the grid asks."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from partnering.extensions import db
from partnering.scheduling import operations
from partnering.scheduling.edits import EditRefused
from partnering.scheduling.grid import legal_cells, slots_by_day
from partnering.scheduling.operations import ScheduleRefused
from partnering.scheduling.placement import EventRows, current_placement, schedule_from_placement
from partnering.scheduling.problem import problem_for_event
from scheduler import check


@pytest.fixture
def random_event(create_event, create_participant, create_meeting):
    """A one-day event of 4 slots and 3 tables (one seats 2, one is a booth), 7 people with
    random unavailability and limits, 9 meetings (one of three people, some with allowed
    slots), placed at random: double bookings never (the database refuses them), everything
    else allowed, so the schedule may already break rules before any move."""

    def build(seed: int):
        rng = random.Random(seed)
        event = create_event(slug=f"rand{seed}", tables=3, slot_minutes=90)
        slots, tables = event.slots, event.tables
        tables[0].seats = 2
        people = [create_participant(event, name=f"Person {seed}-{i}") for i in range(7)]
        people[0].booth_table_id = tables[2].id
        for person in people:
            person.unavailable_slots = rng.sample(slots, rng.randint(0, 2))
            person.max_meetings = rng.choice([None, None, 2, 3])
        meetings, groups = [], set()
        while len(meetings) < 9:
            group = frozenset(rng.sample(people, 3 if not meetings else 2))
            if group in groups:
                continue  # two people agree one meeting
            groups.add(group)
            meeting = create_meeting(event, *sorted(group, key=lambda p: p.id))
            if rng.random() < 0.25:
                meeting.allowed_slots = rng.sample(slots, 2)
            meetings.append(meeting)
        db.session.commit()
        busy: set[tuple[int, int]] = set()
        taken: set[tuple[int, int]] = set()
        for meeting in meetings:
            if rng.random() < 0.3:
                continue  # left unscheduled
            free = [
                (s, t)
                for s in slots
                for t in tables
                if (s.id, t.id) not in taken
                and not any((p.id, s.id) in busy for p in meeting.participants)
            ]
            if not free:
                continue
            slot, table = rng.choice(free)
            meeting.slot, meeting.table = slot, table
            taken.add((slot.id, table.id))
            busy.update((p.id, slot.id) for p in meeting.participants)
            db.session.commit()
        return event, meetings

    return build


def _accepted(event, meeting, slot, table) -> bool:
    """Whether the move operation takes the move; undone at once when it does."""
    before = (meeting.slot, meeting.table, meeting.locked, meeting.sequence)
    try:
        operations.move_meeting(event, meeting, slot, table)
    except (EditRefused, ScheduleRefused):
        db.session.rollback()
        return False
    meeting.slot, meeting.table = None, None
    db.session.flush()
    meeting.slot, meeting.table, meeting.locked, meeting.sequence = before
    db.session.commit()
    return True


def _introduced_by_whole_check(event, meeting, slot, table) -> list:
    """The independent verdict: the whole schedule checked before and after the move."""
    rows = EventRows(event)
    problem = problem_for_event(event)
    released = replace(
        problem,
        meetings=tuple(
            replace(m, fixed=None) if m.id == meeting.ref else m for m in problem.meetings
        ),
    )
    before = current_placement(released, rows)
    after = {**before, meeting.ref: (slot.ref, table.ref)}
    known = {
        (v.rule, v.message) for v in check(released, schedule_from_placement(released, before))
    }
    return [
        v
        for v in check(released, schedule_from_placement(released, after))
        if (v.rule, v.message) not in known
    ]


@pytest.mark.parametrize("seed", range(3))
def test_every_place_offered_is_accepted_and_every_other_refused(random_event, seed):
    event, meetings = random_event(seed)
    day = next(iter(slots_by_day(event)))
    offered_anywhere = refused_anywhere = 0
    for meeting in meetings:
        offered = set(legal_cells(event, meeting, day).cells)
        for slot in event.slots:
            for table in event.tables:
                if (meeting.slot_id, meeting.table_id) == (slot.id, table.id):
                    assert (slot.id, table.id) not in offered, "its own place is not a move"
                    continue
                legal = (slot.id, table.id) in offered
                whole = _introduced_by_whole_check(event, meeting, slot, table)
                assert legal == (not whole), (meeting.ref, slot.ref, table.ref, whole)
                assert legal == _accepted(event, meeting, slot, table), (
                    meeting.ref,
                    slot.ref,
                    table.ref,
                )
                offered_anywhere += legal
                refused_anywhere += not legal
    assert offered_anywhere and refused_anywhere, "the random event exercises both answers"


@pytest.fixture
def scheduled(fair):
    """The fair with meeting i in slot i at the first table."""
    for i, meeting in enumerate(fair.meetings):
        meeting.slot, meeting.table = fair.event.slots[i], fair.event.tables[0]
    db.session.commit()
    return fair


def test_a_taken_person_or_table_is_never_offered(scheduled):
    event = scheduled.event
    aiko_ben, aiko_chloe = scheduled.meetings[0], scheduled.meetings[1]
    offered = set(legal_cells(event, aiko_ben).cells)
    # Aiko meets Chloé in slot 1: no table of slot 1 is offered for Aiko & Ben.
    assert not {(aiko_chloe.slot_id, t.id) for t in event.tables} & offered
    # The first table is taken in slots 0-6; a free table at those times may be offered.
    assert not {(s.id, event.tables[0].id) for s in event.slots[:7]} & offered
    assert (event.slots[8].id, event.tables[1].id) in offered


def test_the_endpoint_answers_the_cells_of_the_day_and_a_count_per_day(
    client, auth, scheduled, create_event
):
    auth.login(scheduled.organiser)
    meeting = scheduled.meetings[0]
    day = next(iter(slots_by_day(scheduled.event)))
    answer = client.get(f"/e/fair/schedule/meetings/{meeting.id}/places?day={day}").get_json()
    expected = legal_cells(scheduled.event, meeting, day)
    assert answer["meeting"] == meeting.id and answer["day"] == day.isoformat()
    assert sorted(map(tuple, answer["cells"])) == sorted(expected.cells)
    assert answer["days"] == [
        {"day": day.isoformat(), "label": day.strftime("%a %d %b"), "places": len(expected.cells)}
    ]
    assert answer["reason"] == ""


def test_a_cancelled_meeting_has_no_place_and_says_why(client, auth, scheduled):
    auth.login(scheduled.organiser)
    meeting = scheduled.meetings[0]
    operations.cancel_meeting(meeting, scheduled.organiser.account, as_organiser=True)
    answer = client.get(f"/e/fair/schedule/meetings/{meeting.id}/places").get_json()
    assert answer["cells"] == [] and "cancelled" in answer["reason"]


def test_a_meeting_of_another_event_is_not_found(client, auth, scheduled, create_event):
    other = create_event(slug="other")
    auth.login(scheduled.organiser)
    meeting = scheduled.meetings[0]
    assert other.id != meeting.event_id
    assert client.get(f"/e/other/schedule/meetings/{meeting.id}/places").status_code in (403, 404)
