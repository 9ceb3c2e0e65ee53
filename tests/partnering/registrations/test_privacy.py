"""What the event shows of its participants to whom: organisations on the public registration
page, email addresses, and consent to the event's privacy note."""

from flask import g

from partnering.events.models import DEFAULT_PRIVACY_NOTE
from partnering.extensions import db
from partnering.registrations.models import Participant
from tests.partnering.registrations.test_register import FORM, participants


def test_the_registration_page_lists_only_public_organisations(
    client, create_event, create_participant
):
    event = create_event()
    create_participant(event, organisation="Shown Bio")
    for organisation, status in [
        ("Pending Secret", "pending"),
        ("Rejected Secret", "rejected"),
        ("Unconfirmed Secret", "unconfirmed"),
    ]:
        create_participant(event, organisation=organisation, status=status)
    hidden = create_participant(event, organisation="Hidden Secret")
    hidden.show_profile = False
    db.session.commit()
    page = client.get("/e/osaka/register")
    assert b'value="Shown Bio"' in page.data
    assert b"Secret" not in page.data


def test_registration_needs_consent_to_the_privacy_note_and_stores_when(client, create_event):
    event = create_event(topics_text="Oncology\nDiagnostics")
    page = client.get("/e/osaka/register")
    assert DEFAULT_PRIVACY_NOTE[:40].encode() in page.data
    refused = client.post(
        "/e/osaka/register", data={k: v for k, v in FORM.items() if k != "consent"}
    )
    assert refused.status_code == 200 and b"Agree to the privacy note" in refused.data
    assert participants(event) == []
    client.post("/e/osaka/register", data=FORM)
    [participant] = participants(event)
    assert participant.privacy_consent_at is not None


def test_the_organisers_privacy_note_is_shown(client, create_event):
    create_event(privacy_note="Kobe Cluster keeps your data until March 2031.")
    assert b"Kobe Cluster keeps your data until March 2031." in client.get("/e/osaka/register").data


def test_emails_are_shown_to_people_with_an_accepted_meeting_only(
    client, auth, create_event, create_participant
):
    from partnering.meetings.models import Meeting

    event = create_event()
    me = create_participant(event, email="me@example.org")
    partner = create_participant(event, email="partner@example.org")
    stranger = create_participant(event, email="stranger@example.org")
    db.session.add(Meeting(event_id=event.id, participants=[me, partner]))
    db.session.commit()
    auth.login(me)
    assert b"partner@example.org" in client.get(f"/e/osaka/people/{partner.id}").data
    assert b"stranger@example.org" not in client.get(f"/e/osaka/people/{stranger.id}").data


def test_the_organiser_chooses_who_sees_emails(client, auth, create_event, create_participant):
    event = create_event()
    me = create_participant(event)
    other = create_participant(event, email="other@example.org")
    organiser = create_participant(event, role="organiser")
    auth.login(organiser)
    client.post(
        "/e/osaka/admin/settings",
        data={
            "name": event.name,
            "timezone": event.timezone,
            "slot_minutes": "30",
            "sessions_text": "\n".join(
                f"{s.day} {s.start:%H:%M}-{s.end:%H:%M}" for s in event.sessions
            ),
            "contact_visibility": "participants",
            "privacy_note": "Our note.",
        },
    )
    db.session.expire_all()
    assert (event.contact_visibility, event.privacy_note) == ("participants", "Our note.")
    g.pop("_login_user", None)
    auth.login(me)
    assert b"other@example.org" in client.get(f"/e/osaka/people/{other.id}").data
    event.contact_visibility = "organisers"
    db.session.commit()
    assert b"other@example.org" not in client.get(f"/e/osaka/people/{other.id}").data


def test_the_profile_page_offers_download_and_deletion(
    client, auth, create_event, create_participant
):
    me = create_participant(create_event())
    auth.login(me)
    page = client.get("/e/osaka/profile")
    assert b"/e/osaka/my-data.json" in page.data and b"/e/osaka/delete" in page.data
    assert db.session.get(Participant, me.id).status == "approved"
