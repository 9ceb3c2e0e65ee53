from partnering.extensions import db
from partnering.registrations.models import Participant

PROFILE = {
    "name": "Aiko Tanaka",
    "organisation": "Kansai Therapeutics",
    "organisation_type": "pharma",
    "country": "Japan",
    "job_title": "Head of licensing",
    "topics": ["Vaccines"],
    "offer": "Late-stage assets",
    "seek": "European start-ups",
    "description": "",
    "show_profile": "y",
}


def reload(participant):
    db.session.expire_all()
    return db.session.get(Participant, participant.id)


def test_profile_page_shows_the_current_profile(client, auth, create_event, create_participant):
    event = create_event(topics_text="Vaccines\nOncology")
    me = create_participant(event, name="Aiko Tanaka", organisation="Kansai", offer="Antibodies")
    auth.login(me)
    page = client.get("/e/osaka/profile")
    assert page.status_code == 200
    assert b'value="Aiko Tanaka"' in page.data and b"Antibodies" in page.data


def test_saving_the_profile_updates_it(client, auth, create_event, create_participant):
    event = create_event(topics_text="Vaccines\nOncology")
    me = create_participant(event)
    me.show_profile = False
    db.session.commit()
    auth.login(me)
    assert client.post("/e/osaka/profile", data=PROFILE).status_code == 302
    me = reload(me)
    assert me.name == "Aiko Tanaka" and me.job_title == "Head of licensing"
    assert me.organisation.name == "Kansai Therapeutics" and me.organisation.kind == "pharma"
    assert me.topics == ["Vaccines"] and me.show_profile is True


def test_a_pending_registration_may_edit_its_profile(
    client, auth, create_event, create_participant
):
    event = create_event(topics_text="Vaccines")
    me = create_participant(event, status="pending")
    auth.login(me)
    assert client.get("/e/osaka/profile").status_code == 200
    client.post("/e/osaka/profile", data=PROFILE)
    assert reload(me).offer == "Late-stage assets"


def test_bad_profile_is_refused_next_to_the_field(client, auth, create_event, create_participant):
    event = create_event()
    me = create_participant(event, name="Before")
    auth.login(me)
    page = client.post("/e/osaka/profile", data=dict(PROFILE, name="", topics=[]))
    assert page.status_code == 200 and b'class="error"' in page.data
    assert reload(me).name == "Before"


def test_shared_organisation_details_change_only_for_a_sole_member(
    client, auth, create_event, create_participant
):
    event = create_event(topics_text="Vaccines")
    me = create_participant(event, organisation="Kansai Therapeutics")
    create_participant(event, organisation="Kansai Therapeutics")
    auth.login(me)
    client.post("/e/osaka/profile", data=dict(PROFILE, organisation_type="investor"))
    assert reload(me).organisation.kind == "sme"  # as the colleagues' registration said


def test_profile_needs_a_login(client, create_event):
    create_event()
    assert client.get("/e/osaka/profile").headers["Location"].startswith("/login")


def test_profile_needs_a_registration_for_this_event(
    client, auth, create_event, create_participant
):
    create_event()
    auth.login(create_participant(create_event(slug="other", name="Other")))
    assert client.get("/e/osaka/profile").headers["Location"].endswith("/e/osaka/register")
