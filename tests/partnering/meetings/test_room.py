"""Accepting is honest: before a request is sent or accepted, and beside an agreed meeting that
waits for a time, the person is told when the meeting cannot be scheduled (no common free slot
left, or agreed meetings already filling every free slot) and what would make room. They may go
ahead only after confirming; a reached meeting limit refuses outright."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
from flask import g

from partnering.events.models import Publication
from partnering.extensions import db
from partnering.meetings import operations
from partnering.meetings.models import Meeting, RequestStatus


def switch(auth, participant) -> None:
    """Log the client in as someone else; the test's app context forgets the previous user."""
    g.pop("_login_user", None)
    auth.login(participant)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def crowded(create_event, create_participant, agreed, send):
    """Marie is free in 10 of the 12 slots and has 10 agreed meetings waiting for a time, with
    a limit of 16; Jun asks her for a must-meet."""
    event = create_event(max_meetings=16)
    marie = create_participant(event, name="Marie Curie")
    jun = create_participant(event, name="Jun Park")
    marie.unavailable_slots = event.slots[10:]
    db.session.commit()
    for n in range(10):
        agreed(marie, create_participant(event, name=f"Guest {n:02d}"))
    request = send(jun, marie, priority=2)
    return marie, jun, request


def test_accepting_a_meeting_there_is_no_time_for_warns_and_asks_to_confirm(
    client, auth, rows, crowded
):
    marie, jun, request = crowded
    auth.login(marie)
    page = text_of(client.get("/e/osaka/meetings/"))
    assert (
        "Your agreed meetings already fill every free slot you have (10 free slots, "
        "10 meetings waiting for one): a new meeting cannot be scheduled." in page
    )
    assert "Make more of your time available, cancel or decline a meeting" in page
    assert "Accept anyway" in page and 'name="despite_no_room" value="yes"' in page

    # A plain accept (the page was opened before, or a form without the confirmation) is held.
    held = text_of(
        client.post(f"/e/osaka/meetings/requests/{request.id}/accept", follow_redirects=True)
    )
    assert "Not accepted yet. Your agreed meetings already fill every free slot" in held
    assert rows.get(type(request), request.id).status == RequestStatus.PENDING
    assert len(rows.meetings()) == 10

    client.post(f"/e/osaka/meetings/requests/{request.id}/accept", data={"despite_no_room": "yes"})
    assert rows.get(type(request), request.id).status == RequestStatus.ACCEPTED
    assert len(rows.meetings()) == 11

    # Both sides' pages now say why the meetings are not scheduled, instead of "not yet".
    mine = text_of(client.get("/e/osaka/meetings/"))
    assert mine.count("Cannot be scheduled yet.") == 11
    assert "You have 11 agreed meetings waiting for 10 free slots: not all of them can be" in mine
    switch(auth, jun)
    theirs = text_of(client.get("/e/osaka/meetings/"))
    assert (
        "Marie Curie has more agreed meetings waiting than free slots: not all of them can be "
        "scheduled. Ask Marie Curie or the organiser." in theirs
    )


def test_the_operation_itself_holds_an_unconfirmed_accept(crowded, rows):
    marie, jun, request = crowded
    with pytest.raises(operations.NeedsConfirmation, match="fill every free slot you have"):
        operations.accept_request(request)
    assert rows.get(type(request), request.id).is_pending
    meeting = operations.accept_request(rows.get(type(request), request.id), despite_no_room=True)
    assert {p.name for p in meeting.participants} == {"Marie Curie", "Jun Park"}


@pytest.fixture
def booked(create_event, create_participant):
    """A published schedule: Marie holds 09:00 (with Ana Lima) and 09:30 (with Karl Weber);
    Jun is available only at those two times."""
    event = create_event()
    marie = create_participant(event, name="Marie Curie")
    jun = create_participant(event, name="Jun Park")
    jun.unavailable_slots = event.slots[2:]
    now = datetime.now(UTC)
    for slot, table, name in zip(
        event.slots[:2], event.tables[:2], ("Ana Lima", "Karl Weber"), strict=True
    ):
        other = create_participant(event, name=name)
        db.session.add(
            Meeting(
                event_id=event.id,
                participants=[marie, other],
                slot=slot,
                table=table,
                published_at=now,
            )
        )
    event.schedule_state = Publication.FINAL
    db.session.commit()
    return marie, jun


def test_no_common_free_slot_names_the_slots_to_free(client, auth, rows, booked):
    marie, jun = booked
    auth.login(jun)
    form = text_of(client.get(f"/e/osaka/meetings/request/{marie.id}"))
    # Jun learns the times, not whom Marie meets.
    assert (
        "You and Marie Curie have no common free slot left: a new meeting cannot be scheduled. "
        "Free one of these slots: Thu 24 Jan 09:00 (Marie Curie is booked), "
        "Thu 24 Jan 09:30 (Marie Curie is booked); or ask the organiser." in form
    )
    assert "Ana Lima" not in form and "Send anyway" in form

    unticked = client.post(
        f"/e/osaka/meetings/request/{marie.id}",
        data={"priority": "2", "message": "Must talk about isotopes"},
    )
    assert unticked.status_code == 200
    page = text_of(unticked)
    assert "Tick this box to send the request anyway." in page
    assert "Must talk about isotopes" in page  # nothing typed is lost
    assert rows.requests() == []

    sent = client.post(
        f"/e/osaka/meetings/request/{marie.id}",
        data={"priority": "2", "message": "Must talk about isotopes", "despite_no_room": "y"},
    )
    assert sent.status_code == 302
    [request] = rows.requests()
    assert request.is_pending and request.priority == 2

    switch(auth, marie)
    incoming = text_of(client.get("/e/osaka/meetings/"))
    assert (
        "You and Jun Park have no common free slot left: a new meeting cannot be scheduled. "
        "Free one of these slots: Thu 24 Jan 09:00 (your meeting with Ana Lima), "
        "Thu 24 Jan 09:30 (your meeting with Karl Weber); or ask the organiser." in incoming
    )


def test_room_to_spare_asks_nothing(client, auth, rows, create_event, create_participant, send):
    event = create_event()
    marie = create_participant(event, name="Marie Curie")
    jun = create_participant(event, name="Jun Park")
    request = send(jun, marie)
    auth.login(marie)
    page = text_of(client.get("/e/osaka/meetings/"))
    assert "Accept anyway" not in page and "cannot be scheduled" not in page
    client.post(f"/e/osaka/meetings/requests/{request.id}/accept")
    assert rows.get(type(request), request.id).is_accepted


def test_a_reached_limit_is_said_on_the_request_and_accept_is_refused(
    client, auth, rows, create_event, create_participant, send, agreed
):
    event = create_event(max_meetings=1)
    marie = create_participant(event, name="Marie Curie")
    jun = create_participant(event, name="Jun Park")
    agreed(marie, create_participant(event))
    request = send(jun, marie)
    auth.login(marie)
    page = text_of(client.get("/e/osaka/meetings/"))
    assert "You have reached your limit of 1 meeting. You cannot accept it now" in page
    hidden_name = '<span class="visually-hidden"> the request from Jun Park</span>'
    assert f"disabled>Accept{hidden_name}</button>" in page
    client.post(f"/e/osaka/meetings/requests/{request.id}/accept", data={"despite_no_room": "yes"})
    assert rows.get(type(request), request.id).is_pending
