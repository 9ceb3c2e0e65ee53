"""The organiser lets people in: a participant's login link to copy or to email (and from the
command line), and the invitation of imported participants, once each, through the outbox."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
from flask import g

from partnering.admin.operations import import_participants
from partnering.admin.participant_csv import ParticipantRow
from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.outbox.models import OutboxMessage
from partnering.registrations.models import Invitation, Participant

LINK = re.compile(r"http://localhost/login/[A-Za-z0-9_.-]+(?:\?next=[^\s\"<]+)?")


def links_in(text: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in LINK.findall(text)]


def emails_to(address: str) -> list[OutboxMessage]:
    return list(db.session.execute(db.select(OutboxMessage).filter_by(recipient=address)).scalars())


def body(message: OutboxMessage) -> str:
    parsed = message_from_bytes(message.raw, policy=policy.default)
    return parsed.get_body(("plain",)).get_content()


def logs_in_as(app, link: str, name: str) -> bool:
    """A fresh browser follows the link, confirms, and lands on the event logged in."""
    browser = app.test_client()
    path = link.removeprefix("http://localhost")
    assert browser.get(path).status_code == 200
    landed = browser.post(path, follow_redirects=True)
    g.pop("_login_user", None)  # the requests share the test's app context: forget that login
    return landed.status_code == 200 and name in landed.get_data(as_text=True)


@pytest.fixture
def aiko(create_participant, organiser):
    return create_participant(organiser.event, name="Aiko Tanaka", email="aiko@example.jp")


def test_the_organiser_shows_a_login_link_to_copy_and_it_logs_the_participant_in(
    app, client, as_organiser, aiko
):
    page = client.get(f"/e/osaka/admin/participants/{aiko.id}").get_data(as_text=True)
    assert "Show a login link to copy" in page and not links_in(page)  # not on a mere visit

    shown = client.post(f"/e/osaka/admin/participants/{aiko.id}/login-link")
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    [link] = links_in(page)
    assert 'data-copy="login-link-value"' in page and "works once, for 24 hours" in page
    assert emails_to(aiko.email) == []  # shown, not sent
    assert logs_in_as(app, link, "Aiko Tanaka")
    assert "/e/osaka/" in link  # it leads to the event


def test_the_organiser_emails_a_login_link_through_the_outbox(app, client, as_organiser, aiko):
    answer = client.post(
        f"/e/osaka/admin/participants/{aiko.id}/login-link/email", follow_redirects=True
    )
    assert "A login link is on its way to aiko@example.jp" in answer.get_data(as_text=True)
    [email] = emails_to(aiko.email)
    assert email.kind == "login" and email.subject == "Osaka Partnering Day: your login link"
    [link] = links_in(body(email))
    assert logs_in_as(app, link, "Aiko Tanaka")


def test_an_emailed_link_reaches_a_real_mail_server(client, as_organiser, aiko, smtp_server):
    client.post(f"/e/osaka/admin/participants/{aiko.id}/login-link/email")
    # HUEY_IMMEDIATE: the request's end woke the sender, which delivered it.
    [raw] = smtp_server.inbox.messages
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["To"] == "aiko@example.jp"
    assert links_in(parsed.get_body(("plain",)).get_content())
    assert emails_to(aiko.email)[0].status == "sent"


def test_no_login_link_for_an_organiser_or_an_administrator(
    client, as_organiser, create_participant, create_event, aiko
):
    colleague = create_participant(as_organiser.event, name="Oscar Org", role="organiser")
    elsewhere = create_participant(create_event(slug="kobe"), email=aiko.email, role="organiser")
    assert elsewhere.account_id == aiko.account_id  # Aiko organises another event
    for person in (colleague, aiko):
        page = client.post(
            f"/e/osaka/admin/participants/{person.id}/login-link", follow_redirects=True
        ).get_data(as_text=True)
        assert "their login link is not given out" in page and not links_in(page)
        client.post(f"/e/osaka/admin/participants/{person.id}/login-link/email")
        assert emails_to(person.email) == []


def test_participants_of_another_event_and_non_organisers_get_nothing(
    client, auth, organiser, create_participant, create_event, aiko
):
    stranger = create_participant(create_event(slug="kobe"), name="Kenji Kobe")
    auth.login(organiser)
    assert client.post(f"/e/osaka/admin/participants/{stranger.id}/login-link").status_code == 404
    g.pop("_login_user", None)  # the requests share the test's app context
    auth.login(aiko)
    assert client.post(f"/e/osaka/admin/participants/{aiko.id}/login-link").status_code == 403
    assert client.post("/e/osaka/admin/invitations").status_code == 403
    assert emails_to(aiko.email) == [] and emails_to(stranger.email) == []


# --- the command -----------------------------------------------------------------------------


def test_the_command_prints_a_working_link_or_sends_it(app, runner, aiko):
    printed = runner.invoke(args=["event", "login-link", "osaka", "AIKO@example.jp"])
    assert printed.exit_code == 0, printed.output
    assert "Login link of Aiko Tanaka (works once, for 24 h):" in printed.output
    [link] = links_in(printed.output)
    assert logs_in_as(app, link, "Aiko")
    assert emails_to(aiko.email) == []

    sent = runner.invoke(args=["event", "login-link", "osaka", "aiko@example.jp", "--send"])
    assert sent.exit_code == 0 and "Queued a login link for aiko@example.jp" in sent.output
    assert len(emails_to(aiko.email)) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere", "aiko@example.jp"], "no event with slug 'nowhere'"),
        (["osaka", "nobody@example.jp"], "no participant of 'osaka' has the address"),
        (["osaka", "olivia@example.org"], "their login link is not given out"),
    ],
)
def test_the_command_says_what_is_wrong_in_one_line(runner, organiser, aiko, args, message):
    organiser.account.email = "olivia@example.org"
    db.session.commit()
    result = runner.invoke(args=["event", "login-link", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output


# --- invitations of imported participants ------------------------------------------------------


def imported(event, *names: str) -> list[Participant]:
    rows = [
        ParticipantRow(line=i + 2, name=name, email=f"{name.split()[0].lower()}@import.example")
        for i, name in enumerate(names)
    ]
    import_participants(event, rows)
    return [
        db.session.execute(
            db.select(Participant).join(Participant.account).filter_by(email=row.email)
        ).scalar_one()
        for row in rows
    ]


def test_invite_emails_each_imported_participant_once_and_shows_when(
    app, client, as_organiser, create_participant
):
    event = as_organiser.event
    ben, chika = imported(event, "Ben Bauer", "Chika Chiba")
    registered = create_participant(event, name="Dana Self", privacy_consent_at=utcnow())

    page = client.get("/e/osaka/admin/invitations").get_data(as_text=True)
    assert "Ben Bauer" in page and "Chika Chiba" in page and "Dana Self" not in page
    assert "0 of 2 invited; 2 not yet." in page and "Invite 2 not yet invited" in page

    answer = client.post("/e/osaka/admin/invitations", follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "2 participants are invited" in page
    assert "2 of 2 invited; 0 not yet." in page and "by Olivia Organiser" in page
    for person in (ben, chika):
        [email] = emails_to(person.email)
        assert email.subject == "Osaka Partnering Day: you are registered"
        [link] = links_in(body(email))
        assert logs_in_as(app, link, person.name)
    assert emails_to(registered.email) == []

    # Pressed again (or by a second organiser): nobody is emailed twice.
    again = client.post("/e/osaka/admin/invitations", follow_redirects=True)
    assert "Everyone imported was invited already" in again.get_data(as_text=True)
    assert len(emails_to(ben.email)) == 1 and len(emails_to(chika.email)) == 1

    # Someone imported later is the only one invited next.
    [emi] = imported(event, "Emi Endo")
    client.post("/e/osaka/admin/invitations")
    assert len(emails_to(emi.email)) == 1 and len(emails_to(ben.email)) == 1


def test_the_database_keeps_one_invitation_per_participant(as_organiser):
    from sqlalchemy.exc import IntegrityError

    [ben] = imported(as_organiser.event, "Ben Bauer")
    db.session.add(Invitation(participant_id=ben.id))
    db.session.commit()
    db.session.add(Invitation(participant_id=ben.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
