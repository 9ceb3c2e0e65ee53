from partnering.extensions import db
from partnering.registrations.availability import slot_groups
from partnering.registrations.models import Participant


def unavailable_ids(participant):
    db.session.expire_all()
    return {s.id for s in db.session.get(Participant, participant.id).unavailable_slots}


def test_everyone_is_available_everywhere_by_default(
    client, auth, create_event, create_participant
):
    event = create_event()
    auth.login(create_participant(event))
    page = client.get("/e/osaka/availability")
    assert page.status_code == 200
    assert page.data.count(b'name="slot"') == len(event.slots) == 12
    assert page.data.count(b"data-slot-box checked") == 12
    assert page.data.count(b'name="session"') == 2
    assert b"09:00" in page.data  # in the event's timezone


def test_unticking_a_session_makes_all_its_slots_unavailable(
    client, auth, create_event, create_participant
):
    event = create_event()
    me = create_participant(event)
    auth.login(me)
    morning, afternoon = slot_groups(event)
    data = {"session": [afternoon.key], "slot": [str(s.id) for s in event.slots]}
    assert client.post("/e/osaka/availability", data=data).status_code == 302
    assert unavailable_ids(me) == {s.id for s in morning.slots}


def test_single_slots_can_be_unticked(client, auth, create_event, create_participant):
    event = create_event()
    me = create_participant(event)
    auth.login(me)
    groups = slot_groups(event)
    skipped = event.slots[1]
    data = {
        "session": [g.key for g in groups],
        "slot": [str(s.id) for s in event.slots if s.id != skipped.id],
    }
    client.post("/e/osaka/availability", data=data)
    assert unavailable_ids(me) == {skipped.id}


def test_slots_of_another_event_are_ignored(client, auth, create_event, create_participant):
    event = create_event()
    other = create_event(slug="other", name="Other")
    me = create_participant(event)
    auth.login(me)
    groups = slot_groups(event)
    data = {
        "session": [g.key for g in groups] + [g.key for g in slot_groups(other)],
        "slot": [str(s.id) for s in event.slots + other.slots],
    }
    client.post("/e/osaka/availability", data=data)
    assert unavailable_ids(me) == set()
    client.post("/e/osaka/availability", data={"session": [], "slot": []})
    assert unavailable_ids(me) == {s.id for s in event.slots}


def test_unavailable_for_everything_is_warned(client, auth, create_event, create_participant):
    event = create_event()
    auth.login(create_participant(event))
    page = client.post("/e/osaka/availability", data={}, follow_redirects=True)
    assert b"unavailable for the whole event" in page.data


def test_an_event_without_sessions_says_so(client, auth, create_event, create_participant):
    event = create_event()
    for slot in list(event.slots):
        db.session.delete(slot)
    db.session.commit()
    auth.login(create_participant(event))
    assert b"No meeting times yet" in client.get("/e/osaka/availability").data
