import re

from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest


def listed_names(page):
    """Names shown as profile links on a directory page."""
    return sorted(re.findall(rb'/people/\d+">([^<]+)</a>', page.data))


def with_org(participant, kind="sme", country=""):
    participant.organisation.kind = kind
    participant.organisation.country = country
    db.session.commit()
    return participant


def test_directory_lists_approved_consenting_others_only(
    client, auth, create_event, create_participant
):
    event = create_event()
    me = create_participant(event, name="Me Myself")
    create_participant(event, name="Visible Person")
    create_participant(event, name="Pending Person", status="pending")
    hidden = create_participant(event, name="Hidden Person")
    hidden.show_profile = False
    db.session.commit()
    create_participant(create_event(slug="other", name="Other"), name="Elsewhere Person")
    auth.login(me)
    page = client.get("/e/osaka/people")
    assert page.status_code == 200
    assert listed_names(page) == [b"Visible Person"]


def test_directory_search_and_filters(client, auth, create_event, create_participant):
    event = create_event(topics_text="Oncology\nOncology imaging\nVaccines")
    me = create_participant(event)
    with_org(create_participant(event, name="Ana Lima", organisation="Bio Rio"), "sme", "Brazil")
    with_org(
        create_participant(
            event, name="Jun Park", organisation="Seoul Pharma", topics_text="Oncology imaging"
        ),
        "pharma",
        "Korea",
    )
    with_org(
        create_participant(
            event,
            name="Karl Weber",
            organisation="Berlin Capital",
            seek="oncology start-ups",
            topics_text="Vaccines\nOncology",
        ),
        "investor",
        "Germany",
    )
    auth.login(me)
    # Words are searched in topics too: Jun Park's "Oncology imaging", Karl Weber's offer.
    assert listed_names(client.get("/e/osaka/people?q=oncology")) == [b"Jun Park", b"Karl Weber"]
    assert listed_names(client.get("/e/osaka/people?q=seoul")) == [b"Jun Park"]
    assert listed_names(client.get("/e/osaka/people?country=Brazil")) == [b"Ana Lima"]
    assert listed_names(client.get("/e/osaka/people?kind=investor")) == [b"Karl Weber"]
    # A topic matches whole topics only: "Oncology" is not "Oncology imaging".
    assert listed_names(client.get("/e/osaka/people?topic=Oncology")) == [b"Karl Weber"]
    assert listed_names(client.get("/e/osaka/people?q=50%25")) == []
    empty = client.get("/e/osaka/people?q=nobody+here")
    assert b"Nobody matches" in empty.data


def test_directory_is_paginated(client, auth, create_event, create_participant):
    event = create_event()
    me = create_participant(event, name="Aaa First")
    for n in range(30):
        create_participant(event, name=f"Person {n:02d}")
    auth.login(me)
    first = client.get("/e/osaka/people")
    second = client.get("/e/osaka/people?page=2")
    assert len(listed_names(first)) == 24 and len(listed_names(second)) == 6
    assert b"Page 1 of 2" in first.data
    assert not set(listed_names(first)) & set(listed_names(second))


def test_empty_directory_says_what_to_do(client, auth, create_event, create_participant):
    event = create_event()
    auth.login(create_participant(event))
    assert b"No other participants yet" in client.get("/e/osaka/people").data


def test_directory_needs_an_approved_registration(client, auth, create_event, create_participant):
    event = create_event()
    auth.login(create_participant(event, status="pending"))
    response = client.get("/e/osaka/people")
    assert response.status_code == 302 and response.headers["Location"].endswith("/e/osaka/")


def test_profile_page_offers_a_request(client, auth, create_event, create_participant):
    event = create_event()
    me = create_participant(event)
    other = create_participant(event, name="Jun Park", organisation="Seoul Pharma", offer="ADCs")
    auth.login(me)
    page = client.get(f"/e/osaka/people/{other.id}")
    assert page.status_code == 200 and b"ADCs" in page.data
    assert f"/meetings/request/{other.id}".encode() in page.data


def test_profile_page_says_why_a_request_is_not_possible(
    client, auth, create_event, create_participant
):
    event = create_event()
    me = create_participant(event, organisation="Bio Rio")
    colleague = create_participant(event, name="Ana Lima", organisation="Bio Rio")
    auth.login(me)
    page = client.get(f"/e/osaka/people/{colleague.id}")
    assert b"is from your own organisation" in page.data
    assert f"/meetings/request/{colleague.id}".encode() not in page.data


def test_hidden_and_foreign_profiles_are_not_found(client, auth, create_event, create_participant):
    event = create_event()
    me = create_participant(event)
    hidden = create_participant(event)
    hidden.show_profile = False
    db.session.commit()
    elsewhere = create_participant(create_event(slug="other", name="Other"))
    auth.login(me)
    assert client.get(f"/e/osaka/people/{hidden.id}").status_code == 404
    assert client.get(f"/e/osaka/people/{elsewhere.id}").status_code == 404
    assert client.get("/e/osaka/people/999999").status_code == 404


def test_a_hidden_profile_is_shown_to_people_in_contact_with_them(
    client, auth, create_event, create_participant
):
    event = create_event()
    me = create_participant(event)
    asked_me, meets_me = create_participant(event), create_participant(event)
    for person in (asked_me, meets_me):
        person.show_profile = False
    db.session.add(MeetingRequest(event_id=event.id, sender_id=asked_me.id, recipient_id=me.id))
    db.session.add(Meeting(event_id=event.id, participants=[me, meets_me]))
    db.session.commit()
    auth.login(me)
    assert client.get(f"/e/osaka/people/{asked_me.id}").status_code == 200
    assert client.get(f"/e/osaka/people/{meets_me.id}").status_code == 200


def test_search_finds_people_by_topic_organisation_and_name(
    client, auth, create_event, create_participant
):
    event = create_event(topics_text="Digital health\nVaccines\nMedical devices")
    me = create_participant(event)
    create_participant(
        event, name="Ana Lima", organisation="Bio Rio", topics_text="Vaccines\nDigital health"
    )
    create_participant(
        event, name="Jun Park", organisation="Seoul Pharma", topics_text="Digital health"
    )
    create_participant(
        event, name="Karl Weber", organisation="Health Capital", topics_text="Medical devices"
    )
    create_participant(
        event, name="Femi Adeyemi", organisation="Lagos Labs", topics_text="Vaccines"
    )
    auth.login(me)

    by_topic = client.get("/e/osaka/people?q=digital+health")
    assert listed_names(by_topic) == [b"Ana Lima", b"Jun Park"]
    assert b"2 people match your search" in by_topic.data
    assert listed_names(client.get("/e/osaka/people?q=DIGITAL")) == [b"Ana Lima", b"Jun Park"]
    # "health" is in two topics and in one organisation's name.
    assert listed_names(client.get("/e/osaka/people?q=health")) == [
        b"Ana Lima",
        b"Jun Park",
        b"Karl Weber",
    ]
    by_organisation = client.get("/e/osaka/people?q=lagos")
    assert listed_names(by_organisation) == [b"Femi Adeyemi"]
    assert b"1 person matches your search" in by_organisation.data
    assert listed_names(client.get("/e/osaka/people?q=seoul+pharma")) == [b"Jun Park"]
    assert listed_names(client.get("/e/osaka/people?q=weber")) == [b"Karl Weber"]
    # Every word must match somewhere: a topic word and a name together narrow the search.
    assert listed_names(client.get("/e/osaka/people?q=vaccines+femi")) == [b"Femi Adeyemi"]
