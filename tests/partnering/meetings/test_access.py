"""A participant sees and acts only on their own requests and meetings."""

import pytest

from partnering.meetings.models import Meeting, MeetingRequest


@pytest.fixture
def three(create_event, create_participant):
    """A request from Ana to Jun, and Eve, who has nothing to do with it."""
    event = create_event()
    ana = create_participant(event, name="Ana Lima")
    jun = create_participant(event, name="Jun Park")
    eve = create_participant(event, name="Eve Intruder")
    return ana, jun, eve


def snapshot(rows):
    return (
        [(r.id, r.status, r.meeting_id) for r in rows.requests()],
        [(m.id, sorted(p.id for p in m.participants)) for m in rows.meetings()],
    )


@pytest.mark.parametrize("action", ["accept", "decline", "withdraw"])
def test_a_stranger_cannot_touch_a_request(action, three, send, rows, client, auth):
    ana, jun, eve = three
    request = send(ana, jun, message="Private note for Jun")
    before = snapshot(rows)
    auth.login(eve)
    assert client.post(f"/e/osaka/meetings/requests/{request.id}/{action}").status_code == 404
    assert snapshot(rows) == before


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_the_sender_cannot_answer_their_own_request(action, three, send, rows, client, auth):
    ana, jun, _ = three
    request = send(ana, jun)
    before = snapshot(rows)
    auth.login(ana)
    assert client.post(f"/e/osaka/meetings/requests/{request.id}/{action}").status_code == 404
    assert snapshot(rows) == before


def test_the_recipient_cannot_withdraw_the_request(three, send, rows, client, auth):
    ana, jun, _ = three
    request = send(ana, jun)
    auth.login(jun)
    assert client.post(f"/e/osaka/meetings/requests/{request.id}/withdraw").status_code == 404
    assert rows.get(MeetingRequest, request.id).status == "pending"


def test_nobody_sees_someone_elses_requests(three, send, client, auth):
    ana, jun, eve = three
    send(ana, jun, message="Private note for Jun")
    auth.login(eve)
    page = client.get("/e/osaka/meetings/")
    assert page.status_code == 200
    assert b"Private note for Jun" not in page.data and b"Ana Lima" not in page.data


def test_a_request_of_another_event_is_not_found(
    send, rows, client, auth, create_event, create_participant
):
    here = create_event()
    there = create_event(slug="other", name="Other")
    me = create_participant(here)
    other_me = create_participant(there, email=me.email)
    request = send(create_participant(there), other_me)
    auth.login(me)
    # Same account, but the URL names the event where the request does not belong.
    assert client.post(f"/e/osaka/meetings/requests/{request.id}/accept").status_code == 404
    assert rows.get(MeetingRequest, request.id).status == "pending"


def test_a_stranger_cannot_add_people_to_a_meeting(
    three, agreed, rows, client, auth, create_participant
):
    ana, jun, eve = three
    meeting = agreed(ana, jun)
    auth.login(eve)
    response = client.post(
        f"/e/osaka/meetings/{meeting.id}/colleagues", data={f"m{meeting.id}-colleague": eve.id}
    )
    assert response.status_code == 404
    assert [p.id for p in rows.get(Meeting, meeting.id).participants] == [ana.id, jun.id]


def test_meeting_pages_need_an_approved_registration(
    client, auth, create_event, create_participant
):
    event = create_event()
    auth.login(create_participant(event, status="pending"))
    assert client.get("/e/osaka/meetings/").status_code == 302
