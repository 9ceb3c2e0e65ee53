"""Sending, accepting, declining and withdrawing requests through the pages."""

import logging

from partnering import create_app
from partnering.extensions import db
from partnering.meetings.models import MeetingRequest
from tests.keys import TEST_SECRET_KEY
from tests.logins import log_in

REQUEST = {"priority": "2", "message": "Your ADC platform fits our pipeline."}


def test_request_page_shows_the_form(client, auth, create_event, create_participant):
    event = create_event()
    me, other = create_participant(event), create_participant(event, name="Jun Park")
    auth.login(me)
    page = client.get(f"/e/osaka/meetings/request/{other.id}")
    assert page.status_code == 200
    assert b"Jun Park" in page.data and b"Must meet" in page.data and b"<textarea" in page.data


def test_sending_a_request_stores_it_and_tells_the_recipient(
    rows, client, auth, create_event, create_participant, caplog
):
    event = create_event()
    me = create_participant(event, name="Marie Curie")
    other = create_participant(event, name="Jun Park", email="jun@example.kr")
    auth.login(me)
    caplog.set_level(logging.INFO)
    response = client.post(f"/e/osaka/meetings/request/{other.id}", data=REQUEST)
    assert response.status_code == 302 and response.headers["Location"].endswith("/meetings/")
    [request] = rows.requests()
    assert (request.sender_id, request.recipient_id) == (me.id, other.id)
    assert request.status == "pending" and request.priority == 2
    assert request.message == REQUEST["message"]
    assert "Email to jun@example.kr" in caplog.text and "Marie Curie" in caplog.text
    assert rows.meetings() == []


def test_a_request_needs_a_message_and_a_priority(
    rows, client, auth, create_event, create_participant
):
    event = create_event()
    me, other = create_participant(event), create_participant(event)
    auth.login(me)
    page = client.post(f"/e/osaka/meetings/request/{other.id}", data={"priority": "7"})
    assert page.status_code == 200 and page.data.count(b'class="error"') == 2
    assert rows.requests() == []


def test_accepting_creates_the_meeting(
    rows, client, auth, send, create_event, create_participant, caplog
):
    event = create_event()
    sender = create_participant(event, email="sender@example.org")
    me = create_participant(event)
    request = send(sender, me, priority=2)
    auth.login(me)
    caplog.set_level(logging.INFO)
    assert client.post(f"/e/osaka/meetings/requests/{request.id}/accept").status_code == 302
    request = rows.get(MeetingRequest, request.id)
    [meeting] = rows.meetings()
    assert request.status == "accepted" and request.answered_at is not None
    assert request.meeting_id == meeting.id
    assert meeting.status == "active" and meeting.priority == 2
    assert {p.id for p in meeting.participants} == {sender.id, me.id}
    assert meeting.slot_id is None and meeting.table_id is None
    assert "Email to sender@example.org" in caplog.text


def test_declining(rows, client, auth, send, create_event, create_participant):
    event = create_event()
    sender, me = create_participant(event), create_participant(event)
    request = send(sender, me)
    auth.login(me)
    client.post(f"/e/osaka/meetings/requests/{request.id}/decline")
    assert rows.get(MeetingRequest, request.id).status == "declined"
    assert rows.meetings() == []


def test_withdrawing(rows, client, auth, send, create_event, create_participant):
    event = create_event()
    me, other = create_participant(event), create_participant(event)
    request = send(me, other)
    auth.login(me)
    client.post(f"/e/osaka/meetings/requests/{request.id}/withdraw")
    assert rows.get(MeetingRequest, request.id).status == "withdrawn"
    # A withdrawn request may be sent again.
    client.post(f"/e/osaka/meetings/request/{other.id}", data=REQUEST)
    assert [r.status for r in rows.requests()] == ["withdrawn", "pending"]


def test_answering_twice_is_refused(rows, client, auth, send, create_event, create_participant):
    event = create_event()
    sender, me = create_participant(event), create_participant(event)
    request = send(sender, me)
    auth.login(me)
    client.post(f"/e/osaka/meetings/requests/{request.id}/decline")
    page = client.post(f"/e/osaka/meetings/requests/{request.id}/accept", follow_redirects=True)
    assert b"already declined" in page.data
    assert rows.get(MeetingRequest, request.id).status == "declined" and rows.meetings() == []


def test_crossing_requests_become_one_meeting(
    rows, client, auth, send, create_event, create_participant
):
    event = create_event()
    me, other = create_participant(event), create_participant(event, name="Jun Park")
    theirs = send(other, me, priority=1)
    auth.login(me)
    page = client.get(f"/e/osaka/meetings/request/{other.id}")
    assert b"already asked to meet you" in page.data
    page = client.post(f"/e/osaka/meetings/request/{other.id}", data=REQUEST, follow_redirects=True)
    assert b"your meeting is agreed" in page.data
    [meeting] = rows.meetings()
    requests = rows.requests()
    assert [r.status for r in requests] == ["accepted", "accepted"]
    assert {r.meeting_id for r in requests} == {meeting.id}
    assert requests[0].id == theirs.id
    # The higher priority, plus one for asking each other.
    assert meeting.priority == 3
    assert {p.id for p in meeting.participants} == {me.id, other.id}


def test_accepting_checks_the_limits_again(
    rows, client, auth, send, agreed, create_event, create_participant
):
    event = create_event(max_meetings=1)
    sender, me, third = (create_participant(event) for _ in range(3))
    request = send(sender, me)
    agreed(sender, third)  # the sender reached the limit after sending
    auth.login(me)
    page = client.post(f"/e/osaka/meetings/requests/{request.id}/accept", follow_redirects=True)
    assert b"has reached their limit of 1 meeting" in page.data
    assert rows.get(MeetingRequest, request.id).status == "pending"
    assert len(rows.meetings()) == 1


def test_request_form_without_csrf_token_is_refused(database_url):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SERVER_NAME": "localhost",
        }
    )
    from partnering.auth.operations import get_or_create_account
    from partnering.events.operations import create_event
    from partnering.registrations.models import Participant

    with app.app_context():
        db.create_all()
        event = create_event(slug="osaka", name="Osaka")
        me, other = (
            Participant(
                event_id=event.id,
                account=get_or_create_account(f"{n}@example.org", n),
                status="approved",
                show_profile=True,
            )
            for n in ("me", "other")
        )
        db.session.add_all([me, other])
        db.session.commit()
        client = app.test_client()
        log_in(client, me.account_id)
        page = client.post(f"/e/osaka/meetings/request/{other.id}", data=REQUEST)
        assert page.status_code == 400
        assert db.session.execute(db.select(MeetingRequest)).first() is None
        db.session.remove()
        db.engine.dispose()
