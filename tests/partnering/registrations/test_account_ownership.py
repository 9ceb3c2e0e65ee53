"""An account belongs to whoever owns its address: registering an address that has an account,
without being logged in as it, changes nothing the owner did not confirm."""

import re
from email import message_from_bytes, policy
from urllib.parse import urlsplit

from flask import g

from partnering.auth.models import Account
from partnering.extensions import db
from partnering.outbox.models import OutboxMessage
from partnering.registrations.models import Participant

FORM = {
    "email": "marie.curie@example.fr",
    "name": "Someone Else",
    "organisation": "Impostor Ltd",
    "organisation_type": "sme",
    "country": "Nowhere",
    "offer": "Fake offer",
    "show_profile": "y",
    "consent": "y",
}


def as_someone_else(auth, who=None):
    """Log in as `who` (or out): the test shares its app context, and so Flask-Login's cached
    user in g, with the requests it makes."""
    g.pop("_login_user", None)
    if who is None:
        auth.logout()
    else:
        auth.login(who)


def registration_of(event, email):
    db.session.expire_all()
    return db.session.execute(
        db.select(Participant)
        .join(Participant.account)
        .where(Participant.event_id == event.id, Account.email == email)
    ).scalar_one_or_none()


def last_link_to(email):
    """The path of the last link emailed to `email`."""
    message = (
        db.session.execute(
            db.select(OutboxMessage).filter_by(recipient=email).order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .first()
    )
    body = message_from_bytes(message.raw, policy=policy.default).get_body(("plain",))
    url = re.search(r"https?://\S+/login/\S+", body.get_content())[0]
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}", message


def test_a_registration_for_someone_elses_address_does_not_count_until_confirmed(
    client, auth, create_event, create_participant
):
    osaka = create_event()
    owner = create_participant(
        create_event(slug="bio", name="Bio Day"), name="Marie Curie", email=FORM["email"]
    )
    page = client.post("/e/osaka/register", data=FORM, follow_redirects=True)
    assert b"Check your inbox" in page.data
    registration = registration_of(osaka, FORM["email"])
    assert registration.status == "unconfirmed"
    assert registration.account.name == "Marie Curie"  # the account is untouched
    # Not a registration for the organiser, nor for the other participants.
    organiser = create_participant(osaka, role="organiser")
    as_someone_else(auth, organiser)
    listing = client.get("/e/osaka/admin/participants")
    assert b"marie.curie@example.fr" not in listing.data and b"Impostor" not in listing.data
    client.post(
        "/e/osaka/admin/participants/decide",
        data={"ids": [registration.id], "decision": "approved"},
    )
    assert registration_of(osaka, FORM["email"]).status == "unconfirmed"
    response = client.get(f"/e/osaka/people/{registration.id}")
    assert response.status_code == 404, response.headers.get("Location")
    # The owner was emailed a link that leads them to confirm.
    link, message = last_link_to(FORM["email"])
    assert message.event_id is None  # the organisers' outbox does not show it either
    as_someone_else(auth)
    client.post(link)
    confirm = client.get("/e/osaka/register/confirm")
    assert confirm.status_code == 200 and b"Impostor Ltd" in confirm.data
    assert owner.account_id == registration.account_id


def test_the_owner_confirms_and_the_registration_counts(client, create_event, create_participant):
    osaka = create_event()
    create_participant(create_event(slug="bio"), name="Marie Curie", email=FORM["email"])
    client.post("/e/osaka/register", data=dict(FORM, name="Marie Curie"))
    link, _ = last_link_to(FORM["email"])
    client.post(link)
    refused = client.post("/e/osaka/register/confirm", data={})  # no consent: nothing happens
    assert refused.status_code == 200
    assert registration_of(osaka, FORM["email"]).status == "unconfirmed"
    client.post("/e/osaka/register/confirm", data={"consent": "y"})
    confirmed = registration_of(osaka, FORM["email"])
    assert confirmed.status == "pending" and confirmed.privacy_consent_at is not None


def test_the_owner_discards_a_registration_they_did_not_make(
    client, create_event, create_participant
):
    osaka = create_event()
    create_participant(create_event(slug="bio"), name="Marie Curie", email=FORM["email"])
    client.post("/e/osaka/register", data=FORM)
    link, _ = last_link_to(FORM["email"])
    client.post(link)
    client.post("/e/osaka/register/discard")
    assert registration_of(osaka, FORM["email"]) is None
    assert client.get("/e/osaka/profile").headers["Location"].endswith("/e/osaka/register")


def test_every_address_gets_the_same_answer(client, create_event, create_participant):
    osaka = create_event()
    create_participant(create_event(slug="bio"), email="known@example.org")
    create_participant(osaka, email="registered@example.org")

    def answer(email):
        page = client.post("/e/osaka/register", data=dict(FORM, email=email), follow_redirects=True)
        return re.search(rb'class="flash[^"]*"[^>]*>([^<]*)<', page.data)[1]

    new, known, registered = (
        answer(e) for e in ("new@example.org", "known@example.org", "registered@example.org")
    )
    assert new == known == registered and b"Check your inbox" in new
    assert registration_of(osaka, "new@example.org").status == "pending"
    assert registration_of(osaka, "known@example.org").status == "unconfirmed"
    assert registration_of(osaka, "registered@example.org").status == "approved"


def test_the_whole_answer_is_the_same_whoever_owns_the_address(
    client, create_event, create_participant
):
    """Status, redirect and the page it leads to, byte for byte, and one email to the address
    each time: for a new address, one with an account elsewhere, one registered here (approved,
    pending, rejected, invited by the organisers, or deleted)."""
    osaka = create_event()
    create_participant(create_event(slug="bio"), email="elsewhere@example.org")
    for status in ("approved", "pending", "rejected", "invited", "deleted"):
        create_participant(osaka, email=f"{status}@example.org", status=status)
    addresses = [
        "new@example.org",
        "elsewhere@example.org",
        *(f"{s}@example.org" for s in ("approved", "pending", "rejected", "invited", "deleted")),
    ]

    def answer(email):
        response = client.post("/e/osaka/register", data=dict(FORM, email=email))
        page = client.get(response.headers["Location"])
        return response.status_code, response.headers["Location"], page.status_code, page.data

    answers = {email: answer(email) for email in addresses}
    first = answers["new@example.org"]
    assert b"Check your inbox" in first[3]
    assert all(other == first for other in answers.values())
    for email in addresses:
        sent = db.session.execute(db.select(OutboxMessage).filter_by(recipient=email)).scalars()
        assert len(list(sent)) == 1, email
