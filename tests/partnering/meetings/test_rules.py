"""Every reason a request is not possible is shown before the form, and enforced on sending."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from partnering.extensions import db
from partnering.meetings import rules

REQUEST = {"priority": "1", "message": "Shall we meet?"}


def deadline_passed(event, me, other, make):
    event.request_deadline = datetime(2020, 1, 1, tzinfo=UTC)


def my_limit_reached(event, me, other, make):
    me.max_meetings = 1
    make.agreed(me, make.person(event))


def their_limit_reached(event, me, other, make):
    event.max_meetings = 1
    make.agreed(other, make.person(event))


def too_many_pending(event, me, other, make):
    event.max_pending_requests = 2
    make.send(me, make.person(event))
    make.send(me, make.person(event))


def already_requested(event, me, other, make):
    make.send(me, other)


def already_meeting(event, me, other, make):
    make.agreed(me, other)


def declined_before(event, me, other, make):
    make.send(me, other, status="declined")


def same_organisation(event, me, other, make):
    colleague = make.person(event, organisation="Bio Rio")
    me.organisation_id = other.organisation_id = colleague.organisation_id


def no_common_time(event, me, other, make):
    me.unavailable_slots = event.slots[:6]
    other.unavailable_slots = event.slots[6:]


SCENARIOS = [
    (deadline_passed, "The deadline for meeting requests has passed."),
    (my_limit_reached, "You have reached your limit of 1 meeting."),
    (their_limit_reached, "Jun Park has reached their limit of 1 meeting."),
    (too_many_pending, "You have 2 requests waiting for an answer"),
    (already_requested, "You already asked Jun Park; their answer is pending."),
    (already_meeting, "You already have a meeting with Jun Park."),
    (declined_before, "Jun Park declined your request."),
    (same_organisation, "Jun Park is from your own organisation."),
    (no_common_time, "You and Jun Park have no meeting time in common."),
]


@pytest.mark.parametrize(("arrange", "reason"), SCENARIOS, ids=[s[0].__name__ for s in SCENARIOS])
def test_reason_is_shown_before_the_form_and_nothing_is_sent(
    arrange, reason, rows, client, auth, send, agreed, create_event, create_participant
):
    event = create_event()
    me = create_participant(event, name="Marie Curie")
    other = create_participant(event, name="Jun Park")
    arrange(event, me, other, SimpleNamespace(send=send, agreed=agreed, person=create_participant))
    db.session.commit()
    requests_before = [(r.id, r.status) for r in rows.requests()]
    meetings_before = len(rows.meetings())
    auth.login(me)

    profile = client.get(f"/e/osaka/people/{other.id}").get_data(as_text=True)
    assert reason in profile.replace("&#39;", "'")
    assert f"/meetings/request/{other.id}" not in profile
    form_page = client.get(f"/e/osaka/meetings/request/{other.id}").get_data(as_text=True)
    assert reason in form_page.replace("&#39;", "'") and "<textarea" not in form_page

    client.post(f"/e/osaka/meetings/request/{other.id}", data=REQUEST)
    assert [(r.id, r.status) for r in rows.requests()] == requests_before
    assert len(rows.meetings()) == meetings_before


def test_no_request_to_oneself_or_to_an_unapproved_person(create_event, create_participant):
    event = create_event()
    me = create_participant(event)
    pending = create_participant(event, name="Jun Park", status="pending")
    assert rules.send_refusal(me, me) == "This is your own profile."
    assert rules.send_refusal(me, pending) == "Jun Park's registration is not approved."
    waiting = create_participant(event, status="pending")
    assert "waiting for the organiser's approval" in rules.send_refusal(waiting, me)


def test_organisers_see_why_an_unapproved_person_cannot_be_asked(
    client, auth, create_event, create_participant
):
    event = create_event()
    organiser = create_participant(event, role="organiser")
    pending = create_participant(event, name="Jun Park", status="pending")
    auth.login(organiser)
    page = client.get(f"/e/osaka/people/{pending.id}").get_data(as_text=True)
    assert "Jun Park&#39;s registration is not approved." in page


def test_a_crossing_request_is_allowed_despite_the_pending_limit(
    send, create_event, create_participant
):
    event = create_event(max_pending_requests=1)
    me, other = create_participant(event), create_participant(event)
    send(me, create_participant(event))
    send(other, me)
    assert rules.send_refusal(me, other) is None


def test_an_event_without_slots_yet_does_not_block_requests(create_event, create_participant):
    event = create_event()
    for slot in list(event.slots):
        db.session.delete(slot)
    db.session.commit()
    me, other = create_participant(event), create_participant(event)
    assert rules.send_refusal(me, other) is None
