from datetime import date, time

import pytest

from partnering.events.operations import (
    EventEditRefused,
    SessionSpec,
    TableEdit,
    add_tables,
    replace_sessions,
    update_tables,
)
from partnering.extensions import db
from partnering.meetings.models import Meeting

DAY = date(2030, 1, 24)


def local_starts(event):
    return [event.local(slot.start).strftime("%H:%M") for slot in event.slots]


def place_meeting(event, a, b, slot=None, table=None, status="active"):
    meeting = Meeting(event_id=event.id, participants=[a, b], slot=slot, table=table)
    meeting.status = status
    db.session.add(meeting)
    db.session.commit()
    return meeting


def test_slots_follow_the_sessions_in_event_time(create_event):
    event = create_event(tables=0)
    replace_sessions(event, [SessionSpec(DAY, time(9), time(10, 45))], slot_minutes=30)
    db.session.commit()
    # 10:30-11:00 would overrun the session: left unused.
    assert local_starts(event) == ["09:00", "09:30", "10:00"]
    assert [s.start for s in event.sessions] == [time(9)]


def test_kept_slots_keep_their_identity_and_availability(create_event, create_participant):
    event = create_event(tables=1)
    nine = event.slots[0]
    person = create_participant(event)
    person.unavailable_slots.append(nine)
    db.session.commit()
    nine_id = nine.id
    replace_sessions(event, [SessionSpec(DAY, time(9), time(12))], slot_minutes=60)
    db.session.commit()
    assert local_starts(event) == ["09:00", "10:00", "11:00"]
    assert event.slots[0].id == nine_id
    assert (event.slots[0].end - event.slots[0].start).seconds == 3600
    db.session.refresh(person)
    assert [s.id for s in person.unavailable_slots] == [nine_id]


def test_removing_a_slot_with_a_meeting_is_refused_and_names_it(create_event, create_participant):
    event = create_event()
    a = create_participant(event, name="Aiko Tanaka")
    b = create_participant(event, name="Bruno Costa")
    slot = next(s for s in event.slots if event.local(s.start).hour == 14)
    place_meeting(event, a, b, slot=slot, table=event.tables[0])
    before = local_starts(event)
    with pytest.raises(EventEditRefused) as refused:
        replace_sessions(event, [SessionSpec(DAY, time(9), time(12))])
    assert "Aiko Tanaka & Bruno Costa" in str(refused.value)
    assert "14:00" in str(refused.value)
    db.session.rollback()
    assert local_starts(event) == before
    assert event.slot_minutes == 30


def test_cancelled_meetings_do_not_block_and_lose_only_their_slot(create_event, create_participant):
    event = create_event()
    a, b = create_participant(event), create_participant(event)
    slot = next(s for s in event.slots if event.local(s.start).hour == 14)
    meeting = place_meeting(event, a, b, slot=slot, status="cancelled")
    replace_sessions(event, [SessionSpec(DAY, time(9), time(12))])
    db.session.commit()
    db.session.refresh(meeting)
    assert meeting.slot_id is None and meeting.status == "cancelled"
    assert all(event.local(s.start).hour < 12 for s in event.slots)


def test_shorter_slots_that_keep_the_meeting_start_are_allowed(create_event, create_participant):
    event = create_event()
    a, b = create_participant(event), create_participant(event)
    ten = next(s for s in event.slots if event.local(s.start).strftime("%H:%M") == "10:00")
    meeting = place_meeting(event, a, b, slot=ten)
    replace_sessions(
        event,
        [SessionSpec(DAY, time(9), time(12)), SessionSpec(DAY, time(14), time(17))],
        slot_minutes=20,
    )
    db.session.commit()
    db.session.refresh(meeting)
    assert meeting.slot_id == ten.id
    assert len(event.slots) == 18


def test_tables_are_renamed_hidden_and_added_without_name_clashes(create_event):
    event = create_event(tables=2)
    t1, t2 = event.tables
    update_tables(
        event,
        [TableEdit(t1.id, "T03", 6, hidden=True), TableEdit(t2.id, "T02", 4, False)],
        add=2,
        add_seats=2,
    )
    db.session.commit()
    assert [(t.name, t.seats, t.hidden) for t in event.tables] == [
        ("T03", 6, True),
        ("T02", 4, False),
        ("T04", 2, False),
        ("T05", 2, False),
    ]


def test_removing_a_table_with_a_meeting_is_refused(create_event, create_participant):
    event = create_event(tables=2)
    a = create_participant(event, name="Aiko Tanaka")
    b = create_participant(event, name="Bruno Costa")
    table = event.tables[1]
    place_meeting(event, a, b, slot=event.slots[0], table=table)
    with pytest.raises(EventEditRefused, match="Aiko Tanaka & Bruno Costa"):
        update_tables(event, [TableEdit(table.id, table.name, 4, False, remove=True)])
    db.session.rollback()
    assert len(event.tables) == 2


def test_removing_a_booth_is_refused(create_event, create_participant):
    event = create_event(tables=2)
    booth = event.tables[0]
    create_participant(event, name="Aiko Tanaka", booth_table_id=booth.id)
    with pytest.raises(EventEditRefused, match="Aiko Tanaka at T01"):
        update_tables(event, [TableEdit(booth.id, "T01", 4, False, remove=True)])


def test_removing_a_free_table_deletes_it(create_event):
    event = create_event(tables=2)
    table = event.tables[0]
    update_tables(event, [TableEdit(table.id, table.name, None, False, remove=True)])
    db.session.commit()
    assert [t.name for t in event.tables] == ["T02"]


def test_duplicate_table_names_are_refused(create_event):
    event = create_event(tables=2)
    t1, t2 = event.tables
    with pytest.raises(EventEditRefused, match="T02 repeated"):
        update_tables(event, [TableEdit(t1.id, "T02", None, False)])


def test_add_tables_numbers_after_existing(create_event):
    event = create_event(tables=3)
    added = add_tables(event, 2, seats=4)
    assert [t.name for t in added] == ["T04", "T05"]
