"""An organiser's CSV import never takes over an account used elsewhere: no renaming, no
rewritten profile, and no approved participant without the address owner's consent."""

from partnering.auth.models import Account
from partnering.extensions import db
from partnering.outbox.models import OutboxMessage
from partnering.registrations.models import Participant
from tests.partnering.admin.test_participant_csv import MAPPING, participants_of, upload

ROWS = (
    "Full name;E-mail;Company;Type;Country;Interests;About;Stand\n"
    "Evil Name;marie@example.fr;Evil Corp;pharma;Japan;;Rewritten profile;T01\n"
)


def run_import(client, text=ROWS):
    token = upload(client, text)
    return client.post(
        "/e/osaka/admin/participants/import/columns",
        query_string={"upload": token},
        data=dict(MAPPING, upload=token),
        follow_redirects=True,
    )


def test_importing_an_address_used_in_another_event_invites_it(
    client, as_organiser, create_event, create_participant
):
    kobe = create_event(slug="kobe", name="Kobe Day")
    elsewhere = create_participant(
        kobe, name="Marie Curie", email="marie@example.fr", description="My own words"
    )
    page = run_import(client)
    assert b"1 invited" in page.data
    db.session.expire_all()
    account = db.session.get(Account, elsewhere.account_id)
    assert account.name == "Marie Curie"  # not renamed by another event's organiser
    assert db.session.get(Participant, elsewhere.id).description == "My own words"
    invited = participants_of(as_organiser.event)["marie@example.fr"]
    assert invited.status == "invited" and not invited.is_approved
    # They are asked, by email, to confirm.
    [invitation] = db.session.execute(
        db.select(OutboxMessage).filter_by(recipient="marie@example.fr")
    ).scalars()
    assert "you are invited" in invitation.subject
    # The organiser cannot approve them past their owner.
    client.post(
        "/e/osaka/admin/participants/decide", data={"ids": [invited.id], "decision": "approved"}
    )
    assert participants_of(as_organiser.event)["marie@example.fr"].status == "invited"


def test_an_invited_owner_confirms_and_takes_part(
    client, auth, as_organiser, create_event, create_participant
):
    elsewhere = create_participant(create_event(slug="kobe"), email="marie@example.fr")
    run_import(client)
    from flask import g

    g.pop("_login_user", None)
    auth.login(elsewhere)
    assert client.get("/e/osaka/profile").headers["Location"].endswith("/register/confirm")
    client.post("/e/osaka/register/confirm", data={"consent": "y"})
    assert participants_of(as_organiser.event)["marie@example.fr"].status == "approved"


def test_an_organiser_cannot_make_an_unconfirmed_person_organiser(
    client, as_organiser, create_participant
):
    someone = create_participant(as_organiser.event, status="invited")
    client.post(
        f"/e/osaka/admin/participants/{someone.id}", data={"booth": "", "role": "organiser"}
    )
    db.session.expire_all()
    assert db.session.get(Participant, someone.id).role == "participant"
