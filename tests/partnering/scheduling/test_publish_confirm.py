"""Publishing goes through a confirm page: it says what will be sent to whom, shows one
participant's email exactly as the publication queues it, and sends nothing until confirmed.
The form defaults to the schedule's current state."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

from partnering.agenda.models import Announcement
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.outbox.models import OutboxMessage
from partnering.scheduling import operations
from partnering.scheduling.models import PublishJob


@pytest.fixture
def scheduled(fair):
    run = operations.start_run(fair.event, None, time_limit=5)
    operations.apply_run(run, None)
    return fair


def count(model, **filters) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).filter_by(**filters))


def nothing_changed(event) -> None:
    assert count(OutboxMessage) == 0
    assert count(Announcement) == 0
    assert count(PublishJob) == 0
    db.session.expire_all()
    assert event.schedule_state == "unpublished"
    assert all(
        m.published_at is None and m.announced_sequence is None
        for m in db.session.execute(db.select(Meeting)).scalars()
    )


def number(page: str, element_id: str) -> int:
    start = page.index(f'id="{element_id}">') + len(f'id="{element_id}">')
    return int(page[start : page.index("<", start)])


def test_the_overview_asks_for_confirmation_and_the_confirm_page_counts_without_sending(
    client, auth, scheduled
):
    auth.login(scheduled.organiser)
    overview = client.get("/e/fair/schedule/").get_data(as_text=True)
    assert 'action="/e/fair/schedule/publish/confirm"' in overview
    assert 'method="get"' in overview

    page = client.get("/e/fair/schedule/publish/confirm?state=final").get_data(as_text=True)
    assert "Publish the schedule as final?" in page
    assert number(page, "count-first-agendas") == 6
    assert number(page, "count-agendas-again") == 0
    assert number(page, "count-updates") == 0
    assert number(page, "count-emails") == 6
    assert number(page, "count-meetings-new") == 7
    nothing_changed(scheduled.event)


def test_the_preview_is_exactly_the_email_the_publication_queues(client, auth, scheduled):
    auth.login(scheduled.organiser)
    aiko = scheduled.people[0]
    page = client.get(
        f"/e/fair/schedule/publish/confirm?state=final&participant={aiko.id}"
    ).get_data(as_text=True)
    nothing_changed(scheduled.event)
    assert "Your agenda for" in page and "agenda.ics" in page

    client.post("/e/fair/schedule/publish", data={"state": "final"})
    sent = db.session.execute(db.select(OutboxMessage).filter_by(recipient=aiko.email)).scalar_one()
    text = message_from_bytes(sent.raw, policy=policy.default).get_body(("plain",)).get_content()
    # The page shows the text HTML-escaped; every line of the real email is on it.
    from markupsafe import escape

    for line in text.strip().splitlines():
        assert str(escape(line.strip())) in page
    assert "Ben Okafor" in text  # one of Aiko's meetings, in both


def test_a_participant_of_another_event_is_404_and_one_getting_no_mail_shows_no_email(
    client, auth, scheduled, create_event, create_participant
):
    other = create_participant(create_event(slug="other"), name="Zed Elsewhere")
    auth.login(scheduled.organiser)
    foreign = client.get(f"/e/fair/schedule/publish/confirm?state=final&participant={other.id}")
    assert foreign.status_code == 404
    page = client.get(
        f"/e/fair/schedule/publish/confirm?state=final&participant={scheduled.organiser.id}"
    ).get_data(as_text=True)
    assert "email-text" not in page  # the organiser has no meeting: no email to show
    nothing_changed(scheduled.event)


def test_the_participant_is_found_by_part_of_the_name_not_from_a_list_of_everyone(
    client, auth, scheduled
):
    auth.login(scheduled.organiser)
    first = client.get("/e/fair/schedule/publish/confirm?state=final").get_data(as_text=True)
    assert "<option" not in first and 'list="who-suggestions"' in first
    assert "6 participants get an email" in first
    by_name = client.get("/e/fair/schedule/publish/confirm?state=final&who=aiko").get_data(
        as_text=True
    )
    assert "Hello Aiko Sato," in by_name and 'value="Aiko Sato"' in by_name
    several = client.get("/e/fair/schedule/publish/confirm?state=final&who=o").get_data(
        as_text=True
    )
    assert "names contain “o”: pick one" in several and "email-text" not in several
    nobody = client.get("/e/fair/schedule/publish/confirm?state=final&who=zed").get_data(
        as_text=True
    )
    assert "No approved participant's name contains “zed”" in nobody
    nothing_changed(scheduled.event)


def test_after_a_final_publish_the_form_defaults_to_final_and_counts_only_changes(
    client, auth, scheduled
):
    operations.publish(scheduled.event, "final")
    auth.login(scheduled.organiser)
    overview = client.get("/e/fair/schedule/").get_data(as_text=True)
    assert '<option selected value="final">' in overview
    assert '<option selected value="preliminary">' not in overview

    # Move one published meeting by hand: its two participants get an update.
    meeting = (
        db.session.execute(
            db.select(Meeting).filter(Meeting.slot_id.is_not(None)).order_by(Meeting.id)
        )
        .scalars()
        .first()
    )
    placed = db.session.execute(db.select(Meeting).filter(Meeting.slot_id.is_not(None))).scalars()
    taken = {(m.slot_id, m.table_id) for m in placed}
    busy = {
        m.slot_id
        for m in db.session.execute(db.select(Meeting)).scalars()
        if set(m.participants) & set(meeting.participants)
    }
    slot, table = next(
        (s, t)
        for s in scheduled.event.slots
        for t in scheduled.event.tables
        if s.id not in busy and (s.id, t.id) not in taken
    )
    operations.move_meeting(scheduled.event, meeting, slot, table)
    emails_before = count(OutboxMessage)

    page = client.get("/e/fair/schedule/publish/confirm").get_data(as_text=True)
    assert "Publish the schedule as final?" in page  # the default is the current state
    assert number(page, "count-first-agendas") == 0
    assert number(page, "count-agendas-again") == 0
    assert number(page, "count-updates") == 2
    assert number(page, "count-meetings-changed") == 1
    assert number(page, "count-meetings-new") == 0
    assert number(page, "count-emails") == 2
    assert count(OutboxMessage) == emails_before
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).published_at is None

    preliminary = client.get("/e/fair/schedule/publish/confirm?state=preliminary")
    assert number(preliminary.get_data(as_text=True), "count-agendas-again") == 6


def test_a_bad_state_or_nothing_placed_goes_back_with_the_reason(client, auth, fair):
    auth.login(fair.organiser)
    page = client.get("/e/fair/schedule/publish/confirm?state=final", follow_redirects=True)
    assert "run the scheduler first" in page.get_data(as_text=True)
    page = client.get("/e/fair/schedule/publish/confirm?state=draft", follow_redirects=True)
    assert "Publish the schedule as preliminary or final." in page.get_data(as_text=True)


def test_a_change_after_the_confirm_page_was_shown_asks_to_look_again(client, auth, scheduled):
    auth.login(scheduled.organiser)
    page = client.get("/e/fair/schedule/publish/confirm?state=final").get_data(as_text=True)
    seen = re.search(r'name="seen" type="hidden" value="([^"]*)"', page).group(1)

    # Meanwhile a meeting leaves the schedule: the counts are no longer those confirmed.
    meeting = (
        db.session.execute(
            db.select(Meeting).filter(Meeting.slot_id.is_not(None)).order_by(Meeting.id)
        )
        .scalars()
        .first()
    )
    operations.unschedule_meeting(scheduled.event, meeting)

    answer = client.post("/e/fair/schedule/publish", data={"state": "final", "seen": seen})
    assert answer.headers["Location"].endswith("/e/fair/schedule/publish/confirm?state=final")
    assert count(PublishJob) == 0 and count(OutboxMessage) == 0
    again = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "The schedule changed since you looked" in again
    assert number(again, "count-meetings-new") == 6

    seen = re.search(r'name="seen" type="hidden" value="([^"]*)"', again).group(1)
    client.post("/e/fair/schedule/publish", data={"state": "final", "seen": seen})
    assert count(PublishJob) == 1  # confirmed as it is now: published (inline in tests)
