"""Calendar feeds stop for participants who no longer take part, and a participant who
deletes their registration takes their data with them: requests withdrawn, meetings cancelled
with a CANCEL to the other side, profile erased, feed gone."""

import json

from flask import g

from partnering.agenda.models import FeedToken
from partnering.auth.models import Account
from partnering.extensions import db
from partnering.meetings.models import MeetingRequest
from partnering.outbox.models import OutboxMessage
from partnering.registrations.models import Organisation, Participant
from tests.partnering.agenda.test_feeds import feed_path


def test_the_feed_stops_when_the_participant_is_rejected(client, auth, published):
    path = feed_path(client, auth, published.marc)
    assert client.get(path).status_code == 200
    published.marc.status = "rejected"
    db.session.commit()
    assert client.get(path).status_code == 404


def test_deleting_a_registration(client, auth, published, send_pending):
    aiko, marc, jun = published.aiko, published.marc, published.jun
    path = feed_path(client, auth, aiko)
    asked_by_jun = send_pending(jun, aiko)
    asked_marc = send_pending(aiko, marc)
    before = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))
    page = client.get("/e/osaka/delete")
    assert page.status_code == 200 and b"cannot be undone" in page.data
    client.post("/e/osaka/delete", data={})  # not ticked: nothing happens
    assert db.session.get(Participant, aiko.id).status == "approved"
    response = client.post("/e/osaka/delete", data={"sure": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    gone = db.session.get(Participant, aiko.id)
    assert gone.status == "deleted" and not gone.show_profile
    assert (gone.offer, gone.description, gone.topics_text, gone.organisation) == ("", "", "", None)
    assert db.session.execute(db.select(Organisation).filter_by(name="Kobe Bio")).first() is None
    for request in (asked_by_jun, asked_marc):
        assert db.session.get(MeetingRequest, request.id).status == "withdrawn"
    assert {m.status for m in (published.first, published.second)} == {"cancelled"}
    # The other side of each published meeting gets a CANCEL for their calendar.
    cancels = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.id > before, OutboxMessage.kind == "cancel")
    ).scalars()
    assert {m.recipient for m in cancels} >= {"marc@example.fr", "jun@example.kr"}
    # Aiko took part in no other event: the account is nobody's now, and logged out.
    account = db.session.get(Account, aiko.account_id)
    assert account.name == "Deleted participant" and "aiko" not in account.email
    assert (
        db.session.execute(db.select(FeedToken).filter_by(participant_id=aiko.id)).first() is None
    )
    assert client.get(path).status_code == 404
    g.pop("_login_user", None)
    auth.login(marc)
    assert client.get(f"/e/osaka/people/{aiko.id}").status_code == 404


def test_a_deleted_registration_keeps_an_account_other_events_use(
    client, auth, published, create_event, create_participant
):
    aiko = published.aiko
    create_participant(create_event(slug="kobe"), email="aiko@example.jp")
    auth.login(aiko)
    client.post("/e/osaka/delete", data={"sure": "y"})
    db.session.expire_all()
    assert db.session.get(Participant, aiko.id).status == "deleted"
    account = db.session.get(Account, aiko.account_id)
    assert account.name == "Aiko Tanaka" and account.email == "aiko@example.jp"
    # They may register again for the same event, starting afresh.
    g.pop("_login_user", None)
    auth.login(aiko)
    client.post(
        "/e/osaka/register",
        data={
            "name": "Aiko Tanaka",
            "organisation": "Kobe Bio",
            "organisation_type": "sme",
            "country": "Japan",
            "consent": "y",
        },
    )
    db.session.expire_all()
    assert db.session.get(Participant, aiko.id).status == "pending"


def test_an_organiser_cannot_delete_their_registration(client, auth, published):
    auth.login(published.organiser)
    page = client.post("/e/osaka/delete", data={"sure": "y"}, follow_redirects=True)
    assert b"Organisers cannot delete" in page.data
    assert db.session.get(Participant, published.organiser.id).status == "approved"


def test_a_participant_downloads_their_data(client, auth, published, send_pending):
    send_pending(published.jun, published.aiko, message="About your assays")
    auth.login(published.aiko)
    response = client.get("/e/osaka/my-data.json")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"] == {
        "email": "aiko@example.jp",
        "name": "Aiko Tanaka",
        "created_at": data["account"]["created_at"],
    }
    assert data["profile"]["organisation"] == "Kobe Bio"
    assert [m["with"][0]["name"] for m in data["meetings"]] == ["Marc Dubois", "Jun Park"]
    assert {(r["direction"], r["message"]) for r in data["meeting_requests"]} >= {
        ("received", "About your assays")
    }
    assert data["calendar_subscription"] is False
