"""Agenda emails, received by a real SMTP server: PUBLISH on publication, REQUEST when a
published meeting moves, CANCEL when it is cancelled (RFC 5546 property rules)."""

from email import message_from_bytes, policy

import icalendar
import pytest
import vobject

from partnering.extensions import db
from partnering.outbox.sender import deliver_due
from partnering.scheduling import operations


@pytest.fixture
def inbox(app, smtp_server):
    """Send what the outbox holds, then read what the server received, by recipient."""

    def read() -> dict[str, list]:
        deliver_due()
        received: dict[str, list] = {}
        for raw in smtp_server.inbox.messages:
            message = message_from_bytes(raw, policy=policy.default)
            received.setdefault(message["To"], []).append(message)
        smtp_server.inbox.messages.clear()
        return received

    read()  # what earlier steps queued is not this test's concern
    return read


def calendar_part(message):
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    data = part.get_content()
    data = data.encode() if isinstance(data, str) else data
    vobject.readOne(data.decode())  # a second parser accepts it
    return part.get_param("method"), icalendar.Calendar.from_ical(data)


def test_publishing_emails_each_participant_their_agenda(unpublished, smtp_server):
    fixture = unpublished
    operations.publish(fixture.event, "preliminary")
    deliver_due()
    received = {}
    for raw in smtp_server.inbox.messages:
        message = message_from_bytes(raw, policy=policy.default)
        received[message["To"]] = message
    assert set(received) == {"aiko@example.jp", "marc@example.fr", "jun@example.kr"}
    message = received["aiko@example.jp"]
    assert message["Subject"] == "Your agenda for Osaka Partnering Day"
    text = message.get_body(("plain",)).get_content()
    assert "preliminary" in text and "10:00–10:30, Table T01: Marc Dubois (Lyon Pharma)" in text
    assert "Marc Dubois" in message.get_body(("html",)).get_content()
    method, calendar = calendar_part(message)
    assert method == "PUBLISH" and str(calendar["method"]) == "PUBLISH"
    vevents = calendar.walk("VEVENT")
    assert {str(e["uid"]) for e in vevents} == {fixture.first.uid, fixture.second.uid}
    for vevent in vevents:  # RFC 5546 PUBLISH: ORGANIZER, no ATTENDEE
        assert "ORGANIZER" in vevent and "ATTENDEE" not in vevent
        assert {"DTSTAMP", "DTSTART", "SUMMARY", "UID", "SEQUENCE"} <= set(vevent)


def test_republishing_without_change_sends_nothing_new(published, inbox):
    operations.publish(published.event, "final")
    assert inbox() == {}


def test_going_final_sends_everyone_their_agenda_again(published, inbox):
    operations.publish(published.event, "preliminary")
    assert set(inbox()) == {"aiko@example.jp", "marc@example.fr", "jun@example.kr"}


def test_a_moved_meeting_sends_a_request_to_its_people(published, inbox):
    event, meeting = published.event, published.first
    announced = meeting.sequence
    operations.move_meeting(event, meeting, event.slots[7], event.tables[2])
    operations.publish(event, "final")
    received = inbox()
    assert set(received) == {"aiko@example.jp", "marc@example.fr"}
    [message] = received["marc@example.fr"]
    assert message["Subject"].strip().startswith("Changed: your meeting with Aiko Tanaka is now")
    method, calendar = calendar_part(message)
    assert method == "REQUEST" and str(calendar["method"]) == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["uid"]) == meeting.uid
    assert vevent.decoded("sequence") > announced
    assert str(vevent["organizer"]).startswith("mailto:")
    attendees = vevent["attendee"]
    assert sorted(str(a) for a in attendees) == ["mailto:aiko@example.jp", "mailto:marc@example.fr"]
    assert all(a.params["RSVP"] == "FALSE" for a in attendees)


def test_a_cancelled_meeting_sends_a_cancel(published, inbox):
    meeting = published.second
    operations.cancel_meeting(meeting, published.jun.account, as_organiser=False)
    received = inbox()
    assert set(received) == {"aiko@example.jp", "jun@example.kr"}
    [message] = received["aiko@example.jp"]
    assert message["Subject"].strip().startswith("Cancelled: your meeting with Jun Park")
    method, calendar = calendar_part(message)
    assert method == "CANCEL" and str(calendar["method"]) == "CANCEL"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["uid"]) == meeting.uid and str(vevent["status"]) == "CANCELLED"
    assert vevent.decoded("sequence") == meeting.sequence
    assert len(vevent["attendee"]) == 2 and "ORGANIZER" in vevent


def test_a_meeting_taken_out_of_the_schedule_is_cancelled_in_calendars(published, inbox):
    event, meeting = published.event, published.second
    operations.unschedule_meeting(event, meeting)
    operations.publish(event, "final")
    received = inbox()
    [message] = received["jun@example.kr"]
    method, calendar = calendar_part(message)
    [vevent] = calendar.walk("VEVENT")
    assert method == "CANCEL" and str(vevent["uid"]) == meeting.uid
    assert "no longer in the schedule" in message.get_body(("plain",)).get_content()
    db.session.refresh(meeting)
    assert meeting.announced_sequence == meeting.sequence
