"""Two people (or two tabs) clicking at the same instant: nothing is duplicated or double-booked,
the loser is told why, and the database holds one truth afterwards."""

from __future__ import annotations

import html
from collections import Counter

import pytest
from racing import assert_pages_or_redirects, race
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from partnering.extensions import db
from partnering.meetings import operations as meeting_operations
from partnering.meetings.models import Meeting, MeetingRequest
from partnering.meetings.operations import send_request
from partnering.outbox.models import OutboxMessage
from partnering.scheduling import operations as scheduling
from partnering.scheduling.models import PublishJob
from partnering.scheduling.publishing import execute_publication


def test_crossing_requests_make_one_meeting_per_pair(scene):
    s = scene()
    pairs = [(s.person(), s.person()) for _ in range(3)]
    actions = []
    for a, b in pairs:
        for sender, recipient in ((a, b), (b, a)):
            for _ in range(5):
                visitor = s.visitor(sender)
                path = s.url(f"/meetings/request/{recipient.id}")
                actions.append(
                    lambda v=visitor, p=path: v.send(p, priority="1", message="Shall we meet?")
                )
    answers = race(actions)

    assert_pages_or_redirects(answers)
    meetings = s.active_meetings()
    assert Counter(m.participants_key for m in meetings) == {
        ",".join(str(i) for i in sorted((a.id, b.id))): 1 for a, b in pairs
    }
    pending = db.session.scalar(
        select(func.count())
        .select_from(MeetingRequest)
        .filter_by(event_id=s.event.id, status="pending")
    )
    assert pending == 0  # every pair's crossing requests became their one meeting
    s.assert_valid()


def test_one_request_accepted_by_many_tabs_makes_one_meeting(scene):
    s = scene()
    asker, asked = s.person(), s.person()
    request = send_request(asker, asked, message="Hello", priority=1)
    tabs = [s.visitor(asked) for _ in range(12)]
    path = s.url(f"/meetings/requests/{request.id}/accept")
    answers = race([lambda v=v: v.send(path) for v in tabs])

    assert_pages_or_redirects(answers)
    assert len(s.active_meetings()) == 1
    assert s.reload(request).status == "accepted"
    # The tabs that lost are told so, in words.
    told = [tabs[i].flashes(a) for i, a in enumerate(answers)]
    assert sum("You will meet" in t for t in told) == 1
    assert sum("This request was already accepted" in t for t in told) == len(tabs) - 1
    s.assert_valid()


def test_accepts_that_together_pass_a_personal_limit_stop_at_it(scene):
    s = scene()
    busy = s.person(max_meetings=2)
    requests = [send_request(s.person(), busy, message="Hi", priority=1) for _ in range(8)]
    tabs = [s.visitor(busy) for _ in requests]
    paths = [s.url(f"/meetings/requests/{r.id}/accept") for r in requests]
    answers = race([lambda v=v, p=p: v.send(p) for v, p in zip(tabs, paths, strict=True)])

    assert_pages_or_redirects(answers)
    assert s.active_meeting_counts()[busy.id] == 2
    told = [tabs[i].flashes(a) for i, a in enumerate(answers)]
    assert sum("You have reached your limit of 2 meetings" in t for t in told) == 6
    s.assert_valid()


def test_organiser_moves_into_one_cell_place_one_meeting(scene):
    s = scene(tables=4)
    organiser = s.person(role="organiser")
    meetings = [s.meeting(s.person(), s.person()) for _ in range(10)]
    slot, table = s.event.slots[3], s.event.tables[1]
    tabs = [s.visitor(organiser) for _ in meetings]
    cell = {"move-slot": slot.id, "move-table": table.id}
    paths = [s.url(f"/schedule/meetings/{m.id}/move") for m in meetings]
    answers = race([lambda v=v, p=p: v.send(p, **cell) for v, p in zip(tabs, paths, strict=True)])

    assert_pages_or_redirects(answers)
    in_cell = [m for m in s.active_meetings() if (m.slot_id, m.table_id) == (slot.id, table.id)]
    assert len(in_cell) == 1
    assert sum(m.slot_id is not None for m in s.active_meetings()) == 1
    told = [tabs[i].flashes(a) for i, a in enumerate(answers)]
    assert sum("Table already taken" in t for t in told) == len(tabs) - 1
    s.assert_valid()


def test_one_persons_meetings_moved_into_one_slot_leave_them_in_one(scene):
    s = scene(tables=6)
    organiser = s.person(role="organiser")
    popular = s.person()
    slots, tables = s.event.slots, s.event.tables
    meetings = [s.meeting(popular, s.person(), slot=slots[i], table=tables[i]) for i in range(5)]
    target = slots[8]
    tabs = [s.visitor(organiser) for _ in meetings]
    moves = [
        (s.url(f"/schedule/meetings/{m.id}/move"), {"move-slot": target.id, "move-table": t.id})
        for m, t in zip(meetings, tables, strict=False)
    ]
    answers = race(
        [lambda v=v, m=m: v.send(m[0], **m[1]) for v, m in zip(tabs, moves, strict=True)]
    )

    assert_pages_or_redirects(answers)
    at_target = [m for m in s.active_meetings() if m.slot_id == target.id]
    assert len(at_target) == 1
    s.assert_valid()


def test_a_participant_cancelling_while_the_organiser_moves(scene):
    s = scene(tables=6)
    organiser = s.person(role="organiser")
    slots, tables = s.event.slots, s.event.tables
    people = [(s.person(), s.person()) for _ in range(4)]
    meetings = [
        s.meeting(a, b, slot=slots[i], table=tables[i], published_at=None)
        for i, (a, b) in enumerate(people)
    ]
    actions = []
    for i, (meeting, (a, _)) in enumerate(zip(meetings, people, strict=True)):
        participant, boss = s.visitor(a), s.visitor(organiser)
        cancel = s.url(f"/agenda/meetings/{meeting.id}/cancel")
        move = s.url(f"/schedule/meetings/{meeting.id}/move")
        there = {"move-slot": slots[10].id, "move-table": tables[i].id}
        actions.append(lambda v=participant, p=cancel: v.send(p))
        actions.append(lambda v=boss, p=move, d=there: v.send(p, **d))
    answers = race(actions)

    assert_pages_or_redirects(answers)
    for meeting in meetings:
        # The cancellation always wins in the end: a participant's cancel is never undone.
        assert s.reload(meeting).status == "cancelled"
    s.assert_valid()


def test_applying_a_run_while_the_organiser_edits_by_hand(scene):
    s = scene(tables=3)
    organiser = s.person(role="organiser")
    people = [s.person() for _ in range(6)]
    meetings = [s.meeting(people[i], people[(i + 1) % 6]) for i in range(6)]
    run = scheduling.start_run(s.event, organiser.account, time_limit=1)
    run = s.reload(run)
    assert run.status == "done", run.error
    proposed = {a["meeting"]: (a["slot"], a["table"]) for a in run.result["assignments"]}
    # The hand edit puts an unplaced meeting in the cell the run gives to another meeting.
    first = meetings[0]
    slot_ref, table_ref = proposed[first.ref]
    slot = next(x for x in s.event.slots if x.ref == slot_ref)
    table = next(x for x in s.event.tables if x.ref == table_ref)
    other = s.meeting(s.person(), s.person())
    applier, editor = s.visitor(organiser), s.visitor(organiser)
    apply = s.url(f"/schedule/runs/{run.id}/apply")
    move = s.url(f"/schedule/meetings/{other.id}/move")
    cell = {"move-slot": slot.id, "move-table": table.id}
    answers = race([lambda: applier.send(apply), lambda: editor.send(move, **cell)])

    assert_pages_or_redirects(answers)
    in_cell = [m for m in s.active_meetings() if (m.slot_id, m.table_id) == (slot.id, table.id)]
    assert len(in_cell) == 1
    applied = s.reload(run).status == "applied"
    assert in_cell[0].id == (first.id if applied else other.id)
    s.assert_valid()


def test_publishing_twice_at_once_announces_once(scene):
    s = scene(tables=3)
    organiser = s.person(role="organiser")
    people = [s.person() for _ in range(4)]
    slots, tables = s.event.slots, s.event.tables
    s.meeting(people[0], people[1], slot=slots[0], table=tables[0])
    s.meeting(people[2], people[3], slot=slots[0], table=tables[1])
    tabs = [s.visitor(organiser) for _ in range(4)]
    answers = race([lambda v=v: v.send(s.url("/schedule/publish"), state="final") for v in tabs])

    assert_pages_or_redirects(answers)
    # Each tab either queued a publication or was told one was going (one at a time: a tab
    # may queue the next once the first has ended, when jobs run inline).
    jobs = db.session.scalars(select(PublishJob).where(PublishJob.event_id == s.event.id)).all()
    told = [tabs[i].flashes(a) for i, a in enumerate(answers)]
    refused = sum("A publication (#" in t and "already going" in t for t in told)
    assert refused == len(tabs) - len(jobs)
    for job in jobs:  # what the job consumer does, where the server has none
        if job.status == "queued":
            execute_publication(job.id)
    db.session.expire_all()
    assert all(j.status == "done" for j in jobs)
    assert sorted(j.newly_published for j in jobs) == [0] * (len(jobs) - 1) + [2]
    assert all(m.published_at is not None for m in s.active_meetings())
    agendas = db.session.execute(
        select(OutboxMessage.recipient, func.count())
        .where(OutboxMessage.event_id == s.event.id)
        .group_by(OutboxMessage.recipient)
    ).all()
    assert {recipient: n for recipient, n in agendas} == {p.account.email: 1 for p in people}
    s.assert_valid()


IN_PROCESS = pytest.mark.parametrize("live", ["threaded"], indirect=True)
"""For tests that reach into the server's process (no HTTP, or a patched operation)."""


@IN_PROCESS
def test_the_database_refuses_what_a_lock_would_miss(scene):
    """Written behind the operations' back, a duplicate meeting is still refused."""
    s = scene()
    a, b = s.person(), s.person()
    s.meeting(a, b)
    with pytest.raises(IntegrityError):
        s.meeting(b, a)
    db.session.rollback()
    assert len(s.active_meetings()) == 1
    every = select(func.count()).select_from(Meeting).filter_by(event_id=s.event.id)
    assert db.session.scalar(every) == 1


@IN_PROCESS
def test_without_the_locks_the_database_still_refuses_and_the_loser_sees_a_page(scene, monkeypatch):
    monkeypatch.setattr(meeting_operations, "lock_for_writing", lambda *rows: None)
    s = scene()
    a, b = s.person(), s.person()
    actions = []
    for sender, recipient in ((a, b), (b, a)) * 4:
        visitor, path = s.visitor(sender), s.url(f"/meetings/request/{recipient.id}")
        actions.append(lambda v=visitor, p=path: v.send(p, priority="2", message="Meet?"))
    answers = race(actions)

    assert {x.status for x in answers} <= {200, 302, 409}
    for refused in (x for x in answers if x.status == 409):
        assert "nothing of yours was saved" in html.unescape(refused.text)
    # Without the locks two crossing requests may both stay pending (the locks turn them into
    # a meeting); what the database guarantees on its own is that no pair meets twice.
    assert len(s.active_meetings()) <= 1
    s.assert_valid()
