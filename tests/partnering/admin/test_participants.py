from partnering.extensions import db
from partnering.outbox.models import OutboxMessage
from partnering.registrations.models import Participant


def reload(participant):
    db.session.expire_all()
    return db.session.get(Participant, participant.id)


def test_list_searches_name_email_and_organisation(client, as_organiser, create_participant):
    event = as_organiser.event
    create_participant(event, name="Aiko Tanaka", organisation="Takeda")
    create_participant(event, name="Bruno Costa", email="bruno@biolab.br")
    create_participant(event, name="Chen Wei", organisation="Fudan")
    for query, expected in [("tanaka", "Aiko"), ("biolab", "Bruno"), ("FUDAN", "Chen")]:
        page = client.get("/e/osaka/admin/participants", query_string={"q": query}).data
        names = {n for n in ("Aiko", "Bruno", "Chen") if f"{n} ".encode() in page}
        assert names == {expected}, query


def test_list_filters_by_status_type_country_and_role(client, as_organiser, create_participant):
    event = as_organiser.event
    pending = create_participant(event, name="Pending Person", status="pending")
    create_participant(event, name="Approved Person")
    page = client.get("/e/osaka/admin/participants", query_string={"status": "pending"}).data
    assert b"Pending Person" in page and b"Approved Person" not in page
    org = create_participant(event, name="Investor Ines", organisation="Fund").organisation
    org.kind, org.country = "investor", "France"
    db.session.commit()
    by_kind = client.get("/e/osaka/admin/participants", query_string={"kind": "investor"}).data
    assert b"Investor Ines" in by_kind and b"Pending Person" not in by_kind
    by_country = client.get("/e/osaka/admin/participants", query_string={"country": "France"})
    assert b"Investor Ines" in by_country.data and b"Approved Person" not in by_country.data
    by_role = client.get("/e/osaka/admin/participants", query_string={"role": "organiser"}).data
    assert b"Olivia Organiser" in by_role and b"Investor Ines" not in by_role
    assert pending.status == "pending"


def test_unknown_filter_values_are_ignored(client, as_organiser):
    page = client.get("/e/osaka/admin/participants", query_string={"status": "bogus"})
    assert page.status_code == 200 and b"Olivia Organiser" in page.data


def test_list_is_paginated(client, as_organiser, create_participant):
    event = as_organiser.event
    for n in range(60):
        create_participant(event, name=f"Zed {n:02d}")
    first = client.get("/e/osaka/admin/participants").data
    second = client.get("/e/osaka/admin/participants", query_string={"page": 2}).data
    assert b"Page 1 of 2" in first and b"Zed 00" in first and b"Zed 59" not in first
    assert b"Zed 59" in second and b"Zed 00" not in second


def test_empty_list_says_what_to_do(client, auth, create_event, create_participant, site_admin):
    create_event()
    auth.login(site_admin)
    page = client.get("/e/osaka/admin/participants").data
    assert b"No registrations yet" in page and b"Import participants" in page


def test_approving_one_registration_emails_the_person(client, as_organiser, create_participant):
    person = create_participant(as_organiser.event, name="Aiko Tanaka", status="pending")
    response = client.post(
        "/e/osaka/admin/participants/decide", data={"ids": person.id, "decision": "approved"}
    )
    assert response.status_code == 302
    assert reload(person).status == "approved"
    sent = db.session.execute(db.select(OutboxMessage)).scalars().all()
    assert [(m.recipient, m.subject) for m in sent] == [
        (person.email, "Osaka Partnering Day: registration approved")
    ]


def test_bulk_rejection_changes_only_ticked_registrations_of_this_event(
    client, as_organiser, create_event, create_participant
):
    event = as_organiser.event
    a = create_participant(event, status="pending")
    b = create_participant(event, status="pending")
    untouched = create_participant(event, status="pending")
    elsewhere = create_participant(create_event(slug="kobe"), status="pending")
    data = {"ids": [a.id, b.id, elsewhere.id], "decision": "rejected"}
    page = client.post("/e/osaka/admin/participants/decide", data=data, follow_redirects=True)
    assert b"2 registrations rejected" in page.data
    assert [reload(p).status for p in (a, b, untouched, elsewhere)] == [
        "rejected",
        "rejected",
        "pending",
        "pending",
    ]


def test_deciding_with_nothing_ticked_says_so(client, as_organiser):
    page = client.post(
        "/e/osaka/admin/participants/decide",
        data={"decision": "approved"},
        follow_redirects=True,
    )
    assert b"Tick at least one participant" in page.data


def test_organisers_are_never_rejected_in_bulk(client, as_organiser):
    data = {"ids": as_organiser.id, "decision": "rejected"}
    client.post("/e/osaka/admin/participants/decide", data=data)
    assert reload(as_organiser).status == "approved"


def test_participants_cannot_decide(client, auth, create_event, create_participant):
    event = create_event()
    me = create_participant(event)
    other = create_participant(event, status="pending")
    auth.login(me)
    assert client.get("/e/osaka/admin/participants").status_code == 403
    data = {"ids": other.id, "decision": "approved"}
    assert client.post("/e/osaka/admin/participants/decide", data=data).status_code == 403
    assert reload(other).status == "pending"


def test_organiser_sets_booth_limit_and_role(client, as_organiser, create_participant):
    event = as_organiser.event
    person = create_participant(event, name="Aiko Tanaka", status="pending")
    booth = event.tables[2]
    page = client.get(f"/e/osaka/admin/participants/{person.id}")
    assert page.status_code == 200 and b"Aiko Tanaka" in page.data
    data = {"booth": str(booth.id), "max_meetings": "6", "role": "organiser"}
    assert client.post(f"/e/osaka/admin/participants/{person.id}", data=data).status_code == 302
    person = reload(person)
    assert (person.booth_table_id, person.max_meetings, person.role) == (booth.id, 6, "organiser")
    assert person.status == "approved"
    data = {"booth": "", "max_meetings": "", "role": "participant"}
    client.post(f"/e/osaka/admin/participants/{person.id}", data=data)
    person = reload(person)
    assert (person.booth_table_id, person.max_meetings, person.role) == (None, None, "participant")


def test_booth_of_another_organisation_is_refused(client, as_organiser, create_participant):
    event = as_organiser.event
    booth = event.tables[0]
    create_participant(event, name="Aiko Tanaka", organisation="Takeda", booth_table_id=booth.id)
    colleague = create_participant(event, name="Kenji Sato", organisation="Takeda")
    rival = create_participant(event, name="Bruno Costa", organisation="BioLab")
    data = {"booth": str(booth.id), "max_meetings": "", "role": "participant"}
    page = client.post(f"/e/osaka/admin/participants/{rival.id}", data=data, follow_redirects=True)
    assert b"T01 is already the booth of Aiko Tanaka" in page.data
    assert reload(rival).booth_table_id is None
    client.post(f"/e/osaka/admin/participants/{colleague.id}", data=data)
    assert reload(colleague).booth_table_id == booth.id


def test_the_only_organiser_cannot_step_down(client, as_organiser):
    data = {"booth": "", "max_meetings": "", "role": "participant"}
    page = client.post(
        f"/e/osaka/admin/participants/{as_organiser.id}", data=data, follow_redirects=True
    )
    assert b"the only organiser" in page.data
    assert reload(as_organiser).is_organiser


def test_a_table_of_another_event_is_not_a_valid_booth(
    client, as_organiser, create_event, create_participant
):
    person = create_participant(as_organiser.event)
    other_table = create_event(slug="kobe").tables[0]
    data = {"booth": str(other_table.id), "max_meetings": "", "role": "participant"}
    page = client.post(f"/e/osaka/admin/participants/{person.id}", data=data)
    assert page.status_code == 200 and b"Not a valid choice" in page.data
    assert reload(person).booth_table_id is None


def test_a_participant_of_another_event_is_404(
    client, as_organiser, create_event, create_participant
):
    elsewhere = create_participant(create_event(slug="kobe"))
    assert client.get(f"/e/osaka/admin/participants/{elsewhere.id}").status_code == 404
    data = {"booth": "", "max_meetings": "3", "role": "participant"}
    assert client.post(f"/e/osaka/admin/participants/{elsewhere.id}", data=data).status_code == 404
    assert reload(elsewhere).max_meetings is None


def test_bad_limit_is_shown_next_to_the_field(client, as_organiser, create_participant):
    person = create_participant(as_organiser.event)
    data = {"booth": "", "max_meetings": "-2", "role": "participant"}
    page = client.post(f"/e/osaka/admin/participants/{person.id}", data=data)
    assert page.status_code == 200 and b"Number must be between 0 and 1000" in page.data
