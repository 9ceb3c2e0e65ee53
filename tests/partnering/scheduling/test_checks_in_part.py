"""The organiser's pages judge part of an event with the same rules as the whole.

The grid checks the meetings it shows on the part of the event around them
(`problem_around`), and the charts count each participant's scheduled meetings in SQL. On
random small events full of broken rules (absences, exceeded limits, booths and seats,
allowed slots, hidden tables, people no longer approved, trios), both must agree with the solver's
check and figures on the whole event.
"""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations

import pytest

from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.scheduling.charts import scheduled_per_participant
from partnering.scheduling.grid import conflicts_now
from partnering.scheduling.placement import EventRows, current_schedule
from partnering.scheduling.problem import problem_for_event
from scheduler import figures


def hostile_event(seed, create_event, create_participant, create_meeting):
    """Eight people, five tables, twenty meetings placed at random in the first six slots (so
    rules break: absences, limits, booths, seats, allowed slots; the database itself refuses
    double bookings), some of them unplaced, cancelled or of people not approved."""
    rng = random.Random(seed)
    event = create_event(slug=f"hostile-{seed}", tables=5, max_meetings=rng.choice([None, 6]))
    slots, tables = event.slots, event.tables
    tables[0].hidden = rng.random() < 0.5
    tables[1].seats = 2
    people = [
        create_participant(
            event,
            organisation=f"Org {n % 3}",
            status="approved" if n or rng.random() < 0.5 else "rejected",
            max_meetings=rng.choice([None, None, 2, 4]),
        )
        for n in range(8)
    ]
    people[1].booth_table_id = tables[2].id
    people[2].booth_table_id = rng.choice([tables[2].id, tables[3].id])
    for person in people:
        person.unavailable_slots = rng.sample(slots, rng.randrange(0, 8))
    groups = [*combinations(people, 2), *rng.sample(list(combinations(people, 3)), 8)]
    busy, taken = set(), set()  # the database refuses double bookings itself
    for members in rng.sample(groups, 20):
        meeting = create_meeting(event, *members, priority=rng.choice([1, 2, 3]))
        slot, table = rng.choice(slots[:6]).id, rng.choice(tables).id
        free = not any((p.id, slot) in busy for p in members) and (slot, table) not in taken
        if free and rng.random() < 0.85:
            meeting.slot_id, meeting.table_id = slot, table
            meeting.locked = rng.random() < 0.3
            busy.update((p.id, slot) for p in members)
            taken.add((slot, table))
        if rng.random() < 0.2:
            meeting.allowed_slots = rng.sample(slots, 3)
        if rng.random() < 0.1:
            meeting.status = "cancelled"
    db.session.commit()
    return event


@pytest.mark.parametrize("seed", range(12))
def test_the_grid_finds_for_a_part_what_the_whole_check_finds(
    seed, create_event, create_participant, create_meeting
):
    event = hostile_event(seed, create_event, create_participant, create_meeting)
    rows = EventRows(event)
    whole = conflicts_now(event, rows)
    assert whole, "the random event breaks some rule"
    placed = db.select(Meeting.id).filter(
        Meeting.event_id == event.id, Meeting.slot_id.is_not(None)
    )
    rng = random.Random(seed)
    for table in event.tables:
        for slots in (event.slots[:3], event.slots[3:6], rng.sample(event.slots, 4)):
            part = placed.filter(
                Meeting.table_id == table.id, Meeting.slot_id.in_([s.id for s in slots])
            )
            shown = {
                m.ref for m in db.session.scalars(db.select(Meeting).filter(Meeting.id.in_(part)))
            }
            found = conflicts_now(event, rows, part)
            assert set(found) <= shown
            assert found == {ref: whole[ref] for ref in shown if ref in whole}


@pytest.mark.parametrize("seed", range(12))
def test_the_charts_count_scheduled_meetings_as_the_figures_do(
    seed, create_event, create_participant, create_meeting
):
    event = hostile_event(seed, create_event, create_participant, create_meeting)
    problem = problem_for_event(event)
    served = figures(problem, current_schedule(problem, EventRows(event)))
    assert scheduled_per_participant(event) == Counter(served.scheduled_by_participant.values())
