"""The organiser arranges a meeting between two or more participants: only times when all of
them are free, with a free table, are offered; placing it checks every hard rule again; the
participants are told by email."""

from __future__ import annotations

import html
import re

import pytest

from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.outbox.models import OutboxMessage
from partnering.scheduling import operations
from partnering.scheduling.edits import EditRefused


@pytest.fixture
def scheduled(fair):
    run = operations.start_run(fair.event, None, time_limit=5)
    operations.apply_run(run, None)
    return fair


def offered(page: str) -> set[tuple[int, int]]:
    return {(int(s), int(t)) for s, t in re.findall(r'<option[^>]*value="(\d+)-(\d+)"', page)}


def busy_slots(*people) -> set[int]:
    ids = {p.id for p in people}
    return {
        m.slot_id
        for m in db.session.execute(db.select(Meeting).filter_by(status="active")).scalars()
        if m.slot_id and ids & {p.id for p in m.participants}
    }


def test_only_common_free_times_with_a_free_table_are_offered(client, auth, scheduled):
    aiko, _, _, dmitri, _, femi = scheduled.people
    dmitri.unavailable_slots.append(scheduled.event.slots[-1])
    db.session.commit()
    auth.login(scheduled.organiser)
    page = client.get(
        "/e/fair/schedule/new-meeting",
        query_string={"people": [aiko.id, dmitri.id, femi.id]},
    ).get_data(as_text=True)
    places = offered(page)
    assert places
    blocked = busy_slots(aiko, dmitri, femi) | {scheduled.event.slots[-1].id}
    assert not {slot for slot, _ in places} & blocked
    taken = {
        (m.slot_id, m.table_id)
        for m in db.session.execute(db.select(Meeting)).scalars()
        if m.slot_id
    }
    assert not places & taken
    free_slots = {s.id for s in scheduled.event.slots} - blocked
    assert {slot for slot, _ in places} == free_slots  # four tables: never all taken here


def test_the_organiser_creates_and_places_a_meeting_of_three_and_they_are_told(
    client, auth, scheduled
):
    aiko, _, _, dmitri, _, femi = scheduled.people
    auth.login(scheduled.organiser)
    page = client.get(
        "/e/fair/schedule/new-meeting", query_string={"people": [aiko.id, dmitri.id, femi.id]}
    ).get_data(as_text=True)
    slot_id, table_id = sorted(offered(page))[0]
    answer = client.post(
        "/e/fair/schedule/new-meeting",
        data={"people": [aiko.id, dmitri.id, femi.id], "place": f"{slot_id}-{table_id}"},
    )
    assert answer.status_code == 302
    meeting = db.session.execute(
        db.select(Meeting).order_by(Meeting.id.desc()).limit(1)
    ).scalar_one()
    assert answer.headers["Location"].endswith(f"/e/fair/schedule/meetings/{meeting.id}")
    assert {p.id for p in meeting.participants} == {aiko.id, dmitri.id, femi.id}
    assert (meeting.slot_id, meeting.table_id) == (slot_id, table_id)
    assert meeting.locked and meeting.is_active and meeting.published_at is None
    emails = list(db.session.execute(db.select(OutboxMessage).filter_by(kind="notice")).scalars())
    assert sorted(e.recipient for e in emails) == sorted(p.email for p in (aiko, dmitri, femi))
    to_aiko = next(e for e in emails if e.recipient == aiko.email)
    assert "Dmitri Ivanov" in to_aiko.subject and "Femi Adeyemi" in to_aiko.subject


def test_a_time_one_of_them_is_busy_is_refused_and_nothing_is_written(client, auth, scheduled):
    aiko, dmitri = scheduled.people[0], scheduled.people[3]
    meetings_before = db.session.scalar(db.select(db.func.count(Meeting.id)))
    busy = next(iter(busy_slots(aiko)))
    free_table = next(
        t.id
        for t in scheduled.event.tables
        if not db.session.execute(db.select(Meeting).filter_by(slot_id=busy, table_id=t.id)).first()
    )
    auth.login(scheduled.organiser)
    answer = client.post(
        "/e/fair/schedule/new-meeting",
        data={"people": [aiko.id, dmitri.id], "place": f"{busy}-{free_table}"},
    )
    assert answer.status_code == 400
    assert "no longer free for them" in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Meeting.id))) == meetings_before
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0

    # The rules are the schedule's own, also when the operation is called directly.
    with pytest.raises(EditRefused, match="Double-booked participant: Aiko Sato"):
        operations.arrange_meeting(
            scheduled.event,
            [aiko, dmitri],
            db.session.get(type(scheduled.event.slots[0]), busy),
            db.session.get(type(scheduled.event.tables[0]), free_table),
        )
    assert db.session.scalar(db.select(db.func.count(Meeting.id))) == meetings_before


def test_one_person_or_people_who_meet_already_are_refused(client, auth, scheduled):
    aiko, ben = scheduled.people[0], scheduled.people[1]
    auth.login(scheduled.organiser)
    page = client.get("/e/fair/schedule/new-meeting", query_string={"people": [aiko.id]}).get_data(
        as_text=True
    )
    assert "Choose at least two different participants." in page and not offered(page)

    page = client.get(
        "/e/fair/schedule/new-meeting", query_string={"people": [aiko.id, ben.id]}
    ).get_data(as_text=True)
    slot_id, table_id = sorted(offered(page))[0]
    answer = client.post(
        "/e/fair/schedule/new-meeting",
        data={"people": [aiko.id, ben.id], "place": f"{slot_id}-{table_id}"},
    )
    assert answer.status_code == 400
    assert "They have a meeting together already" in answer.get_data(as_text=True)


def test_participants_of_another_event_are_not_offered(
    client, auth, scheduled, create_event, create_participant
):
    stranger = create_participant(create_event(slug="other"), name="Zed Elsewhere")
    auth.login(scheduled.organiser)
    page = client.get("/e/fair/schedule/new-meeting?who=zed").get_data(as_text=True)
    assert "No approved participant's name contains “zed”" in page
    assert "Zed Elsewhere" not in page
    answer = client.post(
        "/e/fair/schedule/new-meeting",
        data={"people": [scheduled.people[0].id, stranger.id], "place": "1-1"},
    )
    assert answer.status_code == 404
    foreign = client.get(
        "/e/fair/schedule/new-meeting",
        query_string={"people": [scheduled.people[0].id, stranger.id]},
    )
    assert foreign.status_code == 404
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_people_are_added_by_part_of_their_name_and_no_page_lists_everyone(
    client, auth, scheduled, create_participant
):
    aiko, ben = scheduled.people[0], scheduled.people[1]
    create_participant(scheduled.event, name="Quentin Pending", status="pending")
    auth.login(scheduled.organiser)
    empty = client.get("/e/fair/schedule/new-meeting").get_data(as_text=True)
    assert "Nobody chosen yet." in empty
    assert not any(p.name in empty for p in scheduled.people)  # no list of every name
    assert 'list="who-suggestions"' in empty and "name-suggestions.js" in empty

    one = html.unescape(
        client.get("/e/fair/schedule/new-meeting", query_string={"who": "aiko sato"}).get_data(
            as_text=True
        )
    )
    assert "Aiko Sato (Kobe Bio)" in one and f'name="people" value="{aiko.id}"' in one
    assert "Choose at least two different participants." in one and not offered(one)

    several = html.unescape(
        client.get(
            "/e/fair/schedule/new-meeting", query_string={"people": [aiko.id], "who": "o"}
        ).get_data(as_text=True)
    )
    assert "names contain “o”: pick one" in several
    assert f"people={aiko.id}&amp;people={ben.id}" in several or (
        f"people={aiko.id}&people={ben.id}" in several
    )
    assert "Quentin Pending" not in client.get(
        "/e/fair/schedule/new-meeting", query_string={"who": "quentin"}
    ).get_data(as_text=True)

    two = client.get(
        "/e/fair/schedule/new-meeting", query_string={"people": [aiko.id], "who": "Ben Okafor"}
    ).get_data(as_text=True)
    assert offered(two)  # both chosen: their common free times are offered
    assert f"people={aiko.id}" in html.unescape(two)  # Ben's Remove link keeps Aiko


def test_an_unapproved_participant_cannot_be_given_a_meeting(
    client, auth, scheduled, create_participant
):
    quentin = create_participant(scheduled.event, name="Quentin Pending", status="pending")
    aiko = scheduled.people[0]
    auth.login(scheduled.organiser)
    page = client.get(
        "/e/fair/schedule/new-meeting", query_string={"people": [aiko.id, quentin.id]}
    ).get_data(as_text=True)
    assert "not approved: Quentin Pending" in page and not offered(page)
    answer = client.post(
        "/e/fair/schedule/new-meeting",
        data={"people": [aiko.id, quentin.id], "place": "1-1"},
    )
    assert answer.status_code == 400
    assert "not approved: Quentin Pending" in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0
