from collections import Counter
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from scheduler import Assignment, Schedule, problem_from_dict, problem_to_dict
from scheduler.check import check_fixed
from scheduler.generate import OVER_REQUESTED, bio, generate, large, osaka, replan


@pytest.fixture(scope="module")
def event():
    return osaka(seed=7)


def organisation_type(organisation: str) -> str:
    return organisation.split("-")[1]


def test_same_seed_same_event_other_seed_other_event(event):
    assert osaka(seed=7) == event
    assert osaka(seed=8) != event


def test_osaka_has_the_promised_size(event):
    assert len(event.participants) == 150
    assert len(event.tables) == 40
    assert len(event.days) == 2
    assert len(event.meetings) == 800
    assert event.timezone == "Asia/Tokyo"


def test_slots_are_half_hours_in_two_sessions_a_day(event):
    tz = ZoneInfo(event.timezone)
    for slot in event.slots:
        start, end = slot.start.astimezone(tz), slot.end.astimezone(tz)
        assert (end - start).total_seconds() == 30 * 60
        in_morning = time(9) <= start.time() and end.time() <= time(12, 30)
        in_afternoon = time(14) <= start.time() and end.time() <= time(18)
        assert in_morning or in_afternoon
    assert len(event.slots) == 2 * (7 + 8)


def test_organisations_have_one_to_three_people_and_never_meet_themselves(event):
    sizes = Counter(p.organisation for p in event.participants)
    assert set(sizes.values()) <= {1, 2, 3}
    assert {1, 2, 3} <= set(sizes.values())
    organisation = {p.id: p.organisation for p in event.participants}
    for m in event.meetings:
        orgs = Counter(organisation[pid] for pid in m.participants)
        assert len(orgs) == 2, f"{m.id} is not between two organisations"


def test_about_fifteen_percent_are_group_meetings_with_a_colleague(event):
    organisation = {p.id: p.organisation for p in event.participants}
    groups = [m for m in event.meetings if len(m.participants) > 2]
    assert 0.10 <= len(groups) / len(event.meetings) <= 0.20
    for m in groups:
        counts = Counter(organisation[pid] for pid in m.participants)
        assert sorted(counts.values()) == [1, 2]


def test_a_third_are_there_only_part_of_the_time(event):
    every_slot = {s.id for s in event.slots}
    part_time = [p for p in event.participants if p.available != every_slot]
    assert len(part_time) == 50
    for p in part_time:
        assert p.available, f"{p.id} is never available"


def test_some_booths_each_held_by_one_person(event):
    holders = [p for p in event.participants if p.booth]
    assert 2 <= len(holders) <= 10
    assert len({p.booth for p in holders}) == len(holders)
    assert {p.booth for p in holders} <= set(event.table_by_id)


def test_pharma_and_investors_are_asked_far_beyond_what_they_accept(event):
    load = Counter(pid for m in event.meetings for pid in m.participants)
    asked, accepted, others_asked, others_accepted = 0, 0, 0, 0
    for p in event.participants:
        if organisation_type(p.organisation) in OVER_REQUESTED:
            asked += load[p.id]
            accepted += p.max_meetings
        else:
            others_asked += load[p.id]
            others_accepted += p.max_meetings
    assert asked >= 1.5 * accepted
    assert others_asked <= others_accepted


def test_priorities_one_to_three_all_present(event):
    assert {m.priority for m in event.meetings} == {1, 2, 3}


def test_no_pair_is_drawn_twice(event):
    pairs = [frozenset(m.participants) for m in event.meetings]
    assert len(set(pairs)) == len(pairs)


def test_round_trips_through_the_problem_format(event):
    assert problem_from_dict(problem_to_dict(event)) == event


def test_any_size_and_days():
    small = generate(participants=12, days=1, seed=3, meetings=20)
    assert len(small.participants) == 12
    assert len(small.days) == 1
    assert len(small.meetings) == 20
    assert problem_from_dict(problem_to_dict(small)) == small


def test_large_and_bio_presets_have_the_benchmark_sizes():
    big = large()
    assert (len(big.participants), len(big.days)) == (2000, 3)
    assert 12_000 <= len(big.meetings) <= 14_000
    biggest = bio()
    assert (len(biggest.participants), len(biggest.days), len(biggest.tables)) == (18_000, 3, 1500)
    assert 40_000 <= len(biggest.meetings) <= 50_000


def test_replanned_osaka_publishes_the_early_requests_and_keeps_the_late_ones_free(event):
    replanned = replan(event, fixed_share=0.7)
    fixed = [m for m in replanned.meetings if m.fixed]
    assert abs(len(fixed) / len(replanned.meetings) - 0.7) < 0.01
    assert all(m.fixed.table for m in fixed)
    assert check_fixed(replanned) == []
    # The published meetings come first in request order, the new ones are the tail.
    order = [m.id for m in event.meetings]
    free = [m.id for m in replanned.meetings if not m.fixed]
    assert free == order[len(order) - len(free) :]
    assert max(order.index(m.id) for m in fixed) < order.index(free[0])


def test_replan_fixes_meetings_where_the_published_schedule_put_them():
    problem = generate(participants=20, days=1, seed=5, meetings=30)

    def first_only(early):  # a schedule that places only the first meeting of what it gets
        first = early.meetings[0]
        return Schedule((Assignment(first.id, early.possible_slots(first)[0], "T0001"),))

    replanned = replan(problem, fixed_share=0.1, publish=first_only)
    first = problem.meetings[0]
    assert [m.id for m in replanned.meetings if m.fixed] == [first.id]
    assert replanned.meetings[0].fixed.slot == problem.possible_slots(first)[0]
    assert len(replanned.meetings) == 10  # 1 published = 10 %, plus the 9 last requests
    assert replanned.meetings[1:] == problem.meetings[-9:]
