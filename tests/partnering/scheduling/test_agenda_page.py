"""The participant's agenda: visible once published, only their own meetings, cancelling
before the cut-off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from partnering.extensions import db
from partnering.meetings.models import MeetingRequest
from partnering.scheduling import operations


@pytest.fixture
def published(fair):
    run = operations.start_run(fair.event, None, time_limit=5)
    operations.apply_run(run, None)
    operations.publish(fair.event, "final")
    return fair


def test_nothing_shows_before_publication(client, auth, fair):
    run = operations.start_run(fair.event, None, time_limit=5)
    operations.apply_run(run, None)
    auth.login(fair.people[0])
    text = client.get("/e/fair/agenda/").get_data(as_text=True)
    assert "not published yet" in text and "Ben Okafor" not in text


def test_agenda_lists_only_my_meetings_with_time_table_counterpart_and_message(
    client, auth, published
):
    aiko, ben = published.people[0], published.people[1]
    meeting = published.meetings[0]
    db.session.add(
        MeetingRequest(
            event_id=published.event.id,
            sender_id=aiko.id,
            recipient_id=ben.id,
            message="Let us talk about antibodies",
            status="accepted",
            meeting_id=meeting.id,
        )
    )
    db.session.commit()
    auth.login(ben)
    text = client.get("/e/fair/agenda/").get_data(as_text=True)
    assert "Final" in text
    assert "Aiko Sato" in text and "Kobe Bio" in text and "Chloé Martin" in text
    assert "Let us talk about antibodies" in text
    assert f"Table {meeting.table.name}" in text
    assert published.event.local(meeting.slot.start).strftime("%H:%M") in text
    assert "Dmitri Ivanov" not in text and "Femi Adeyemi" not in text


def test_participant_cancels_before_the_cutoff(client, auth, published):
    aiko, meeting = published.people[0], published.meetings[0]
    auth.login(aiko)
    page = client.post(f"/e/fair/agenda/meetings/{meeting.id}/cancel", follow_redirects=True)
    assert "Meeting cancelled" in page.get_data(as_text=True)
    assert meeting.status == "cancelled" and meeting.cancelled_by_id == aiko.account_id
    assert meeting.sequence == 2  # placed once, then cancelled
    assert "cancelled" in client.get("/e/fair/agenda/").get_data(as_text=True).lower()


def test_participant_cannot_cancel_after_the_cutoff(client, auth, published):
    published.event.cancellation_cutoff = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    auth.login(published.people[0])
    meeting = published.meetings[0]
    page = client.post(f"/e/fair/agenda/meetings/{meeting.id}/cancel", follow_redirects=True)
    assert "deadline has passed" in page.get_data(as_text=True)
    assert meeting.status == "active"
    assert "Cancel this meeting" not in client.get("/e/fair/agenda/").get_data(as_text=True)


def test_organiser_cancels_after_the_cutoff(published):
    published.event.cancellation_cutoff = datetime.now(UTC) - timedelta(hours=1)
    meeting = published.meetings[0]
    operations.cancel_meeting(meeting, published.organiser.account, as_organiser=True)
    assert meeting.status == "cancelled"


def test_cannot_cancel_someone_elses_meeting(client, auth, published):
    dmitri_eva = published.meetings[3]
    auth.login(published.people[0])  # Aiko is not in it
    assert client.post(f"/e/fair/agenda/meetings/{dmitri_eva.id}/cancel").status_code == 404
    db.session.refresh(dmitri_eva)
    assert dmitri_eva.status == "active" and dmitri_eva.cancelled_at is None
