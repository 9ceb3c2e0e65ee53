"""Unticking a slot that holds a meeting: the participant is shown the meeting and keeps or
frees it; nothing is saved until each such meeting has an answer, and no meeting is ever left
in a slot its participant is no longer available in."""

from __future__ import annotations

import email
import threading
from email import policy

import icalendar
import pytest

from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.outbox.models import OutboxMessage
from partnering.registrations import operations
from partnering.registrations.availability import HeldSlot, slot_groups
from partnering.registrations.models import Participant
from partnering.scheduling import operations as scheduling


@pytest.fixture
def scene(create_event, create_participant):
    """Aiko has two placed meetings: with Ben in the first slot, with Chloé in the second."""
    event = create_event()
    aiko = create_participant(event, name="Aiko Sato", organisation="Kobe Bio")
    ben = create_participant(event, name="Ben Okafor", organisation="Lagos Pharma")
    chloe = create_participant(event, name="Chloé Martin", organisation="Lyon Capital")
    first, second = event.slots[0], event.slots[1]
    with_ben = Meeting(
        event_id=event.id, participants=[aiko, ben], slot=first, table=event.tables[0]
    )
    with_chloe = Meeting(
        event_id=event.id, participants=[aiko, chloe], slot=second, table=event.tables[1]
    )
    db.session.add_all([with_ben, with_chloe])
    db.session.commit()
    return event, aiko, ben, chloe, with_ben, with_chloe


def _form(event, without: set[int], **decisions: str) -> dict:
    return {
        "session": [g.key for g in slot_groups(event)],
        "slot": [str(s.id) for s in event.slots if s.id not in without],
        **decisions,
    }


def _unavailable(participant) -> set[int]:
    db.session.expire_all()
    return {s.id for s in db.session.get(Participant, participant.id).unavailable_slots}


def _mails_to(address: str) -> list[OutboxMessage]:
    return list(db.session.execute(db.select(OutboxMessage).filter_by(recipient=address)).scalars())


def test_unticking_a_slot_with_a_meeting_shows_it_and_saves_nothing(client, auth, scene):
    event, aiko, ben, chloe, with_ben, _ = scene
    auth.login(aiko)
    page = client.post("/e/osaka/availability", data=_form(event, {with_ben.slot_id}))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "keep or free each one" in text
    held = text[text.index('id="held-meetings"') :]
    assert "Ben Okafor" in held and "Lagos Pharma" in held
    assert "09:00" in held and f"table {event.tables[0].name}" in held
    assert f'name="meeting-{with_ben.id}" value="keep"' in held
    assert "Chloé Martin" not in held, "only the meetings in unticked slots are asked about"
    assert _unavailable(aiko) == set()
    # The page keeps what was unticked, so answering loses nothing.
    assert text.count("data-slot-box checked") == len(event.slots) - 1


def test_keeping_the_meeting_keeps_its_slot_available(client, auth, scene):
    event, aiko, ben, chloe, with_ben, _ = scene
    other = event.slots[5]
    auth.login(aiko)
    data = _form(event, {with_ben.slot_id, other.id}, **{f"meeting-{with_ben.id}": "keep"})
    page = client.post("/e/osaka/availability", data=data, follow_redirects=True)
    assert "Kept: your meeting with Ben Okafor stays" in page.get_data(as_text=True)
    assert _unavailable(aiko) == {other.id}
    db.session.refresh(with_ben)
    assert with_ben.is_placed and with_ben.sequence == 0
    assert _mails_to(ben.email) == []


def test_freeing_the_meeting_unschedules_it_and_tells_the_other_side(client, auth, scene):
    event, aiko, ben, chloe, with_ben, _ = scene
    slot = with_ben.slot_id
    auth.login(aiko)
    data = _form(event, {slot}, **{f"meeting-{with_ben.id}": "free"})
    page = client.post("/e/osaka/availability", data=data, follow_redirects=True)
    assert "Freed: your meeting with Ben Okafor" in page.get_data(as_text=True)
    assert _unavailable(aiko) == {slot}
    db.session.refresh(with_ben)
    assert with_ben.is_active and not with_ben.is_placed and not with_ben.locked
    assert with_ben.sequence == 1
    [told] = _mails_to(ben.email)
    body = email.message_from_bytes(told.raw, policy=policy.default)
    text = next(p for p in body.walk() if p.get_content_type() == "text/plain").get_content()
    assert "Aiko Sato is no longer available" in text and "09:00" in text
    assert not any(p.get_content_type() == "text/calendar" for p in body.walk()), (
        "a meeting never published is in nobody's calendar"
    )
    assert _mails_to(aiko.email) == []


def test_freeing_a_published_meeting_sends_both_a_cancel_with_a_higher_sequence(
    client, auth, scene
):
    event, aiko, ben, chloe, with_ben, with_chloe = scene
    scheduling.publish(event, "final")
    db.session.refresh(with_ben)
    announced = with_ben.announced_sequence
    assert announced is not None
    auth.login(aiko)
    client.post(
        "/e/osaka/availability",
        data=_form(event, {with_ben.slot_id}, **{f"meeting-{with_ben.id}": "free"}),
    )
    db.session.refresh(with_ben)
    assert not with_ben.is_placed and with_ben.published_at is None
    for person in (aiko, ben):
        [cancel] = [m for m in _mails_to(person.email) if m.kind == "cancel"]
        parts = email.message_from_bytes(cancel.raw).walk()
        ics = next(p for p in parts if p.get_content_type() == "text/calendar")
        calendar = icalendar.Calendar.from_ical(ics.get_payload(decode=True))
        assert calendar["METHOD"] == "CANCEL"
        [entry] = calendar.walk("VEVENT")
        assert str(entry["UID"]) == with_ben.uid
        assert int(entry["SEQUENCE"]) > announced
    assert with_ben.announced_sequence == with_ben.sequence
    # The next publication does not cancel it a second time.
    scheduling.publish(event, "final")
    assert len([m for m in _mails_to(ben.email) if m.kind == "cancel"]) == 1


def test_answers_for_meetings_not_in_an_unticked_slot_change_nothing(client, auth, scene):
    event, aiko, ben, chloe, with_ben, with_chloe = scene
    auth.login(aiko)
    data = _form(
        event,
        {with_ben.slot_id},
        **{f"meeting-{with_chloe.id}": "free", f"meeting-{with_ben.id}": "<script>"},
    )
    page = client.post("/e/osaka/availability", data=data)
    assert page.status_code == 200 and "keep or free each one" in page.get_data(as_text=True)
    db.session.refresh(with_chloe)
    db.session.refresh(with_ben)
    assert with_chloe.is_placed and with_ben.is_placed
    assert _unavailable(aiko) == set()


def test_someone_elses_meeting_cannot_be_freed_through_ones_form(client, auth, scene):
    event, aiko, ben, chloe, with_ben, with_chloe = scene
    auth.login(ben)
    data = _form(event, set(), **{f"meeting-{with_chloe.id}": "free"})
    assert client.post("/e/osaka/availability", data=data).status_code == 302
    db.session.refresh(with_chloe)
    assert with_chloe.is_placed


def _invariant_holds(event) -> None:
    """No active meeting sits in a slot one of its participants is unavailable in."""
    db.session.expire_all()
    for meeting in db.session.execute(db.select(Meeting).filter_by(event_id=event.id)).scalars():
        if meeting.is_active and meeting.slot_id is not None:
            for person in meeting.participants:
                assert meeting.slot_id not in {s.id for s in person.unavailable_slots}


def _in_threads(app, actions) -> list:
    """Run each action in its own thread and app context, released together."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def go(i):
        with app.app_context():
            barrier.wait()
            try:
                outcomes[i] = actions[i]()
            except Exception as error:  # noqa: BLE001 - judged by the test
                outcomes[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_two_tabs_keeping_and_freeing_at_once_leave_no_silent_conflict(app, scene):
    event, aiko, ben, chloe, with_ben, _ = scene
    slot_ids = [s.id for s in event.slots]
    unticked = with_ben.slot_id
    meeting_id, aiko_id = with_ben.id, aiko.id

    def tab(decision: HeldSlot):
        def submit():
            me = db.session.get(Participant, aiko_id)
            wanted = [s for s in slot_ids if s != unticked]
            return operations.set_availability(me, wanted, {meeting_id: decision})

        return submit

    outcomes = _in_threads(app, [tab(HeldSlot.FREE), tab(HeldSlot.KEEP)])
    assert all(isinstance(o, operations.AvailabilitySaved) for o in outcomes), outcomes
    _invariant_holds(event)


def test_a_slot_unticked_while_the_organiser_places_a_meeting_there(app, scene):
    """The organiser moves Aiko's meeting with Chloé into a slot at the very moment Aiko
    unticks it: one of them is refused (or asked), never both written."""
    event, aiko, ben, chloe, with_ben, with_chloe = scene
    target = event.slots[4]
    ids = dict(aiko=aiko.id, meeting=with_chloe.id, slot=target.id, table=event.tables[2].id)
    slot_ids = [s.id for s in event.slots]

    def untick():
        me = db.session.get(Participant, ids["aiko"])
        return operations.set_availability(me, [s for s in slot_ids if s != ids["slot"]])

    def move():
        return scheduling.move_meeting(
            db.session.get(Event, event.id),
            db.session.get(Meeting, ids["meeting"]),
            db.session.get(Slot, ids["slot"]),
            db.session.get(Table, ids["table"]),
        )

    outcomes = _in_threads(app, [untick, move])
    _invariant_holds(event)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1, outcomes
