import logging
from datetime import UTC, datetime

from partnering import create_app
from partnering.auth.models import Account
from partnering.extensions import db
from partnering.registrations.models import Organisation, Participant
from tests.keys import TEST_SECRET_KEY

FORM = {
    "email": "marie.curie@example.fr",
    "name": "Marie Curie",
    "organisation": "Radium Bio",
    "organisation_type": "sme",
    "country": "France",
    "job_title": "CEO",
    "topics": ["Oncology", "Diagnostics"],
    "offer": "Radiotherapy platform",
    "seek": "Pharma partners",
    "description": "Spin-off of the Institut Curie.",
    "show_profile": "y",
    "consent": "y",
}


def participants(event):
    db.session.expire_all()
    return list(db.session.execute(db.select(Participant).filter_by(event_id=event.id)).scalars())


def test_registration_creates_a_pending_participant_and_sends_a_login_link(
    client, create_event, caplog
):
    event = create_event(topics_text="Oncology\nDiagnostics\nVaccines")
    caplog.set_level(logging.INFO)
    response = client.post("/e/osaka/register", data=FORM)
    assert response.status_code == 302
    [participant] = participants(event)
    assert participant.status == "pending" and participant.role == "participant"
    assert participant.email == "marie.curie@example.fr" and participant.name == "Marie Curie"
    assert participant.organisation.name == "Radium Bio"
    assert participant.organisation.kind == "sme" and participant.organisation.country == "France"
    assert participant.topics == ["Oncology", "Diagnostics"]
    assert participant.show_profile is True
    assert "marie.curie@example.fr" in caplog.text and "/login/" in caplog.text


def test_registration_form_lists_the_event_topics(client, create_event):
    create_event(topics_text="Oncology\nVaccines")
    page = client.get("/e/osaka/register")
    assert page.status_code == 200
    assert b'value="Oncology"' in page.data and b'value="Vaccines"' in page.data


def test_missing_fields_are_shown_next_to_them_and_nothing_is_stored(client, create_event):
    event = create_event()
    data = dict(FORM, name="", email="not-an-email", organisation_type="", topics=[])
    page = client.post("/e/osaka/register", data=data)
    assert page.status_code == 200
    assert page.data.count(b'class="error"') >= 3
    assert participants(event) == []
    assert db.session.execute(db.select(Account)).first() is None


def test_a_topic_outside_the_event_list_is_refused(client, create_event):
    event = create_event(topics_text="Oncology")
    page = client.post("/e/osaka/register", data=dict(FORM, topics=["Astrology"]))
    assert page.status_code == 200 and b'class="error"' in page.data
    assert participants(event) == []


def test_registration_is_refused_after_the_deadline(client, create_event):
    event = create_event(registration_deadline=datetime(2020, 1, 1, tzinfo=UTC))
    assert b"Registration has closed" in client.get("/e/osaka/register").data
    client.post("/e/osaka/register", data=FORM)
    assert participants(event) == []


def test_a_logged_in_person_reuses_their_account(
    client, auth, create_event, create_participant, caplog
):
    first = create_event(slug="bio", name="Bio Day")
    create_event(topics_text="Oncology\nDiagnostics")
    someone = create_participant(first, name="Aiko Tanaka", email="aiko@example.jp")
    auth.login(someone)
    caplog.set_level(logging.INFO)
    form = {k: v for k, v in FORM.items() if k != "email"}
    response = client.post("/e/osaka/register", data=dict(form, name="Aiko Tanaka"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Account)) == 1
    mine = db.session.execute(
        db.select(Participant).filter_by(account_id=someone.account_id)
    ).scalars()
    assert sorted(p.event.slug for p in mine) == ["bio", "osaka"]
    assert "/login/" not in caplog.text  # already logged in: no link needed


def test_registering_twice_creates_nothing_and_sends_a_login_link(
    client, create_event, create_participant, caplog
):
    event = create_event(topics_text="Oncology\nDiagnostics")
    create_participant(event, name="Marie Curie", email="marie.curie@example.fr")
    caplog.set_level(logging.INFO)
    page = client.post("/e/osaka/register", data=FORM, follow_redirects=True)
    # The same answer as for a new address: the form tells nobody who is registered.
    assert b"Check your inbox" in page.data and b"already registered" not in page.data
    assert len(participants(event)) == 1
    assert "/login/" in caplog.text


def test_an_existing_organisation_is_reused_whatever_the_case(
    client, create_event, create_participant
):
    event = create_event(topics_text="Oncology\nDiagnostics")
    colleague = create_participant(event, organisation="Radium Bio")
    client.post("/e/osaka/register", data=dict(FORM, organisation="radium bio", country="Japan"))
    organisations = db.session.execute(db.select(Organisation)).scalars().all()
    assert len(organisations) == 1
    newcomer = next(p for p in participants(event) if p.id != colleague.id)
    assert newcomer.organisation_id == colleague.organisation_id
    # A newcomer does not rewrite what colleagues said about their organisation.
    assert organisations[0].kind == "sme" and organisations[0].country == ""


def test_registered_person_is_sent_to_their_profile(client, auth, create_event, create_participant):
    event = create_event()
    auth.login(create_participant(event))
    response = client.get("/e/osaka/register")
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile")


def test_registration_without_csrf_token_is_refused(database_url, ctx):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        db.create_all()
        from partnering.events.operations import create_event

        create_event(slug="osaka", name="Osaka")
        db.session.commit()
        page = app.test_client().post("/e/osaka/register", data=FORM)
        assert page.status_code == 400
        assert db.session.execute(db.select(Participant)).first() is None
        db.session.remove()
        db.engine.dispose()


def test_registering_someone_elses_address_does_not_rename_their_account(
    client, create_event, create_participant, caplog
):
    create_event(topics_text="Oncology\nDiagnostics")
    create_participant(
        create_event(slug="bio", name="Bio Day"), name="Marie Curie", email=FORM["email"]
    )
    caplog.set_level(logging.INFO)
    client.post("/e/osaka/register", data=dict(FORM, name="Someone Else"))
    db.session.expire_all()
    account = db.session.execute(db.select(Account).filter_by(email=FORM["email"])).scalar_one()
    assert account.name == "Marie Curie"
    # The address's owner gets the login link, not whoever typed it.
    assert f"Email to {FORM['email']}" in caplog.text
