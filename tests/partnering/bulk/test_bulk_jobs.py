"""Bulk registration decisions and resending failed emails run as background jobs: the request
queues a job and returns; the job's page follows it; one job of a kind per event at a time,
enforced by the database; a job that dies leaves the event as it was, and run again it
finishes the action once."""

from __future__ import annotations

import html
from collections import Counter

import pytest
from sqlalchemy.exc import IntegrityError

from partnering.bulk import runner, tasks
from partnering.bulk.models import BulkJob
from partnering.bulk.operations import BulkRefused, start_decisions, start_resend_failed
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.outbox.models import OutboxMessage, OutboxStatus
from partnering.outbox.operations import queue_email
from partnering.registrations.models import Participant
from tests.bulk_jobs import Killed, consume, make_silent


def statuses(people) -> list[str]:
    db.session.expire_all()
    return [db.session.get(Participant, p.id).status for p in people]


def emails_to(event) -> Counter:
    return Counter(
        db.session.execute(
            db.select(OutboxMessage.recipient).filter_by(event_id=event.id)
        ).scalars()
    )


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def pending(organiser, create_participant):
    return [
        create_participant(organiser.event, name=f"Person {i}", status="pending") for i in range(5)
    ]


# --- decisions ---------------------------------------------------------------------------------


def test_the_request_queues_the_decisions_and_the_page_follows_them(
    client, as_organiser, pending, queue
):
    data = {"ids": [p.id for p in pending], "decision": "approved"}
    response = client.post("/e/osaka/admin/participants/decide", data=data)
    job = db.session.execute(db.select(BulkJob)).scalar_one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/e/osaka/jobs/{job.id}")
    assert job.status == "queued" and job.total == 5
    assert statuses(pending) == ["pending"] * 5  # nothing decided in the request

    page = text_of(client.get(f"/e/osaka/jobs/{job.id}"))
    assert "job-progress.js" in page and "Waiting to start" in page and "5 registrations" in page
    progress = client.get(f"/e/osaka/jobs/{job.id}/progress").get_json()
    assert progress["active"] and progress["label"] == "Waiting to start"

    listing = text_of(client.get("/e/osaka/admin/participants"))
    assert "Decisions about 5 registrations are being made by" in listing
    assert f'/e/osaka/jobs/{job.id}">job #{job.id}</a>' in listing
    again = client.post("/e/osaka/admin/participants/decide", data=data, follow_redirects=True)
    assert f"(#{job.id}) is already going" in text_of(again)
    assert db.session.scalar(db.select(db.func.count(BulkJob.id))) == 1

    consume(queue)
    assert statuses(pending) == ["approved"] * 5
    assert "being made by" not in text_of(client.get("/e/osaka/admin/participants"))
    assert emails_to(as_organiser.event) == Counter({p.email: 1 for p in pending})
    progress = client.get(f"/e/osaka/jobs/{job.id}/progress").get_json()
    assert not progress["active"] and progress["changed"] == 5
    page = text_of(client.get(f"/e/osaka/jobs/{job.id}"))
    assert "5 registrations approved." in page and "job-progress.js" not in page


def test_a_decision_about_one_person_is_made_in_the_request(client, as_organiser, pending, queue):
    data = {"ids": [pending[0].id], "decision": "rejected"}
    page = client.post("/e/osaka/admin/participants/decide", data=data, follow_redirects=True)
    assert "1 registration rejected" in text_of(page)
    assert statuses(pending[:2]) == ["rejected", "pending"]
    assert db.session.scalar(db.select(db.func.count(BulkJob.id))) == 0


def test_the_database_refuses_a_second_active_job_of_a_kind_for_an_event(organiser, pending):
    event = organiser.event
    db.session.add(BulkJob(event_id=event.id, kind="decide", params={}))
    db.session.commit()
    db.session.add(BulkJob(event_id=event.id, kind="resend_failed", params={}))
    db.session.commit()  # another kind may run meanwhile
    db.session.add(BulkJob(event_id=event.id, kind="decide", params={}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(BulkJob(event_id=event.id, kind="decide", params={}, status="done"))
    db.session.commit()  # ended jobs do not count


def test_a_job_that_dies_leaves_the_event_as_it_was_and_the_next_consumer_finishes_it(
    app, organiser, pending, queue, monkeypatch
):
    job = start_decisions(organiser.event, None, [p.id for p in pending], "approved")
    real, calls = runner.apply_decisions, []

    def dies_after_the_work(*args, **kwargs):
        calls.append(1)
        real(*args, **kwargs)  # every person changed and emailed in the session ...
        raise Killed  # ... and the worker dies before the commit

    with monkeypatch.context() as patch:
        patch.setattr(runner, "apply_decisions", dies_after_the_work)
        with pytest.raises(Killed):
            queue.execute(queue.dequeue())
    db.session.rollback()  # the dead process's connection goes, and its transaction with it
    assert calls == [1]
    assert statuses(pending) == ["pending"] * 5 and not emails_to(organiser.event)
    db.session.refresh(job)
    assert job.status == "running"

    make_silent(app, job)
    tasks.take_over_silent_bulk_jobs.call_local()  # a consumer's periodic round
    db.session.refresh(job)
    assert job.status == "done" and job.changed == 5
    assert statuses(pending) == ["approved"] * 5
    assert emails_to(organiser.event) == Counter({p.email: 1 for p in pending})


def test_with_no_consumer_a_dead_job_is_failed_and_changed_nothing(
    app, client, as_organiser, pending, queue
):
    job = start_decisions(as_organiser.event, None, [p.id for p in pending], "rejected")
    make_silent(app, job)  # nobody took it; no consumer beat in the queue either
    page = text_of(client.get(f"/e/osaka/jobs/{job.id}"))
    assert "failed: The worker stopped or never started" in page
    assert statuses(pending) == ["pending"] * 5
    again = start_decisions(as_organiser.event, None, [p.id for p in pending], "rejected")
    assert again.id != job.id  # the failed job holds the event no more


def test_a_refused_rejection_fails_the_job_with_the_reason_and_changes_nobody(
    client, as_organiser, pending
):
    event = as_organiser.event
    a, b = pending[:2]
    db.session.add(
        Meeting(event_id=event.id, participants=[a, b], slot=event.slots[0], table=event.tables[0])
    )
    db.session.execute(
        db.update(Participant).where(Participant.id.in_([a.id, b.id])).values(status="approved")
    )
    db.session.commit()
    data = {"ids": [p.id for p in pending], "decision": "rejected"}
    page = text_of(
        client.post("/e/osaka/admin/participants/decide", data=data, follow_redirects=True)
    )
    assert "failed: These people have scheduled meetings" in page and "Person 0 & Person 1" in page
    assert statuses(pending) == ["approved", "approved", "pending", "pending", "pending"]


def test_an_unknown_decision_is_refused_before_a_job_is_made(organiser, pending):
    with pytest.raises(BulkRefused, match="Unknown decision"):
        start_decisions(organiser.event, None, [p.id for p in pending], "banished")
    assert db.session.scalar(db.select(db.func.count(BulkJob.id))) == 0


def test_another_events_job_is_not_found(
    client, auth, organiser, pending, create_event, create_participant
):
    job = start_decisions(organiser.event, None, [p.id for p in pending], "approved")
    other = create_event(slug="other")
    auth.login(create_participant(other, role="organiser"))
    assert client.get(f"/e/other/jobs/{job.id}").status_code == 404
    assert client.get(f"/e/other/jobs/{job.id}/progress").status_code == 404


# --- resending failed emails -------------------------------------------------------------------


def failed_email(event, to: str, *, built: bool = True) -> OutboxMessage:
    row = queue_email(to, "Agenda", "Hi", event_id=event.id)
    row.status, row.attempts, row.last_error = "failed", 8, "SMTPServerDisconnected: gone"
    if not built:
        row.raw = b""
    db.session.commit()
    return row


def test_resending_failed_emails_is_a_job_that_queues_each_again_once(client, as_organiser, queue):
    event = as_organiser.event
    failed = [failed_email(event, f"p{i}@example.org") for i in range(3)]
    unbuilt = failed_email(event, "odd@example.org", built=False)
    page = text_of(client.get("/e/osaka/outbox/"))
    assert "Resend all 4 failed emails" in page

    response = client.post("/e/osaka/outbox/resend-failed")
    job = db.session.execute(db.select(BulkJob)).scalar_one()
    assert response.headers["Location"].endswith(f"/e/osaka/jobs/{job.id}")
    outbox = text_of(client.get("/e/osaka/outbox/"))
    assert f'queued again by <a href="/e/osaka/jobs/{job.id}">job #{job.id}</a>' in outbox
    assert "Resend all" not in outbox
    again = client.post("/e/osaka/outbox/resend-failed")  # an old page's button
    assert again.status_code == 302
    assert f"(#{job.id}) is already going" in text_of(client.get(again.headers["Location"]))

    consume(queue)
    db.session.expire_all()
    # Queued again, then delivered by the sender the job woke (to the log: no mail server).
    statuses = [db.session.get(OutboxMessage, m.id).status for m in failed]
    assert statuses == [OutboxStatus.LOGGED] * 3
    assert db.session.get(OutboxMessage, unbuilt.id).status == OutboxStatus.FAILED
    page = text_of(client.get(f"/e/osaka/jobs/{job.id}"))
    assert "3 emails queued again. 1 email could not be built and stay failed" in page
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 4  # no copies


def test_resending_with_nothing_failed_is_refused(client, as_organiser):
    page = client.post("/e/osaka/outbox/resend-failed", follow_redirects=True)
    assert "No email of this event has failed" in text_of(page)
    with pytest.raises(BulkRefused):
        start_resend_failed(as_organiser.event, None, 0)
