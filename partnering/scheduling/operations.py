"""The writes of scheduling, one function per action: start, cancel, apply and reject runs;
publish (the work is partnering.scheduling.publishing's); hand edits (move, swap, lock,
unschedule); cancel a meeting.

Each first locks the event (or the run) it reads (partnering.locks), so two organisers, or an
organiser and a participant, clicking at the same instant are judged one after the other. Then it
validates and raises `ScheduleRefused` (or `edits.EditRefused` for a hand edit that breaks a hard
rule) with a message for the person before writing anything, and commits once. A
meeting's `sequence` goes up whenever its time, table or status changes (calendars rely on it),
and its `published_at` is cleared when its place changes: participants see the new place once
the organiser publishes again.

Over 400 lines for a reason: runs, publication and hand edits share one way of moving meetings
(`_place`, `_move_all`: the sequence, the publication mark and the unique indexes' order) and
one refusal (`ScheduleRefused`), and views, other domains' operations and tests call them all
as `operations.<action>`; split, the pieces would import each other's private helpers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from partnering import clock
from partnering.agenda.notify import announce_cancellation, announce_release
from partnering.auth.models import Account
from partnering.db_types import utcnow
from partnering.events.models import Event, Publication, Slot, Table
from partnering.extensions import db
from partnering.jobs import enqueue, jobs_running
from partnering.locks import lock_for_writing
from partnering.meetings.integrity import participants_key
from partnering.meetings.models import Meeting, MeetingStatus
from partnering.meetings.notify import meeting_arranged
from partnering.registrations.models import Participant
from partnering.scheduling.edits import EditRefused, check_edit, describe
from partnering.scheduling.models import (
    ACTIVE_STATUSES,
    PublishJob,
    PublishStatus,
    RunStatus,
    ScheduleRun,
)
from partnering.scheduling.placement import (
    EventRows,
    Place,
    current_placement,
    refresh_placement_statistics,
    schedule_from_placement,
)
from partnering.scheduling.publish_workers import ForkedWorkers
from partnering.scheduling.publishing import (
    PublishRefused,
    create_publication,
    execute_publication,
    share_emails,
)
from partnering.scheduling.runs import CANCELLED, repairable_problem
from partnering.scheduling.tasks import publish_schedule, run_schedule
from scheduler import check, schedule_from_dict

MIN_TIME_LIMIT, MAX_TIME_LIMIT = 1, 3600


class ScheduleRefused(Exception):
    """An action the rules do not allow; the message says why, for the person."""


# --- runs ------------------------------------------------------------------------------------


def active_run(event: Event) -> ScheduleRun | None:
    """The run that holds the event, if any. Runs whose worker is gone are failed on the way
    (see `end_if_abandoned`), so a dead worker never holds the event for long."""
    while True:
        run = (
            db.session.execute(
                db.select(ScheduleRun)
                .filter(ScheduleRun.event_id == event.id, ScheduleRun.status.in_(ACTIVE_STATUSES))
                .order_by(ScheduleRun.id.desc())
            )
            .scalars()
            .first()
        )
        if run is None:
            return None
        if not end_if_abandoned(run):
            if run.is_active:
                return run
            continue  # it ended meanwhile: look again
        # Failing it committed, which ended any lock the caller held: the caller decides what
        # follows under the event's lock all the same.
        lock_for_writing(event)


def _silent_after() -> timedelta:
    return timedelta(seconds=current_app.config["RUN_SILENT_AFTER"])


def end_if_abandoned(run: ScheduleRun) -> bool:
    """Fail a run whose worker is gone; True when it was failed now.

    Gone means: running, with no heartbeat for RUN_SILENT_AFTER seconds (its consumer was
    killed, or its machine stopped); or queued for that long while no job consumer is alive
    (nothing will take it: failing it frees the event, and a consumer that starts later finds
    the run ended and skips it). A queued run that waits behind other jobs of a living
    consumer is left waiting. The run is read again under its write lock, so a job that
    reported in the meantime keeps it."""
    if _abandoned(run) is None:
        return False
    lock_for_writing(run)
    error = _abandoned(run)
    if error is None:
        return False
    run.status, run.error, run.finished_at = RunStatus.FAILED, error, utcnow()
    run.phase = run.status
    db.session.commit()
    return True


def _abandoned(run: ScheduleRun) -> str | None:
    """Why the run's worker is presumed gone, or None while it may still be working."""
    if not run.is_active:
        return None
    silent_after = _silent_after()
    cutoff, seconds = utcnow() - silent_after, round(silent_after.total_seconds())
    if run.is_running:
        if run.heartbeat_at is not None and run.heartbeat_at >= cutoff:
            return None
        return (
            f"The worker stopped: it gave no sign of life for {seconds} s (its job consumer "
            "was stopped or its machine went down). The current schedule is unchanged; run "
            "the scheduler again."
        )
    if run.created_at >= cutoff or jobs_running():
        return None
    return (
        f"The worker stopped or never started: no job consumer took this run in {seconds} s. "
        "Start one (`flask --app partnering serve` or `huey_consumer partnering.jobs.huey`) "
        "and run the scheduler again; the current schedule is unchanged."
    )


def create_run(
    event: Event,
    account: Account | None,
    *,
    time_limit: int,
    keep_published: bool = True,
    replan_from: datetime | None = None,
    absent_cutoff: datetime | None = None,
) -> ScheduleRun:
    """A queued run for the event, not yet handed to a worker (a re-plan from `replan_from`
    when given). While the event is under way every run is a re-plan from now (without a
    check-in cut-off): meetings that started or are over are not the scheduler's to move. An
    event that is over (an old event, a benchmark imported with past dates) is run whole."""
    lock_for_writing(event)
    if replan_from is None:
        now = clock.now()
        started = [slot.start <= now for slot in event.slots]
        if any(started) and not all(started):
            replan_from = now
    going = active_run(event)
    if going is not None:
        raise ScheduleRefused(
            f"A scheduler run (#{going.id}) is already going for this event: wait for it to "
            "finish or cancel it."
        )
    if not event.slots or not event.tables:
        raise ScheduleRefused("Add meeting sessions and tables to the event before scheduling.")
    if not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
        raise ScheduleRefused(
            f"The time limit must be between {MIN_TIME_LIMIT} and {MAX_TIME_LIMIT} seconds."
        )
    run = ScheduleRun(
        event=event,
        created_by=account,
        time_limit=time_limit,
        keep_published=keep_published,
        replan_from=replan_from,
        absent_cutoff=absent_cutoff,
    )
    db.session.add(run)
    db.session.commit()
    return run


def start_run(
    event: Event, account: Account | None, *, time_limit: int, keep_published: bool = True
) -> ScheduleRun:
    """Queue a scheduler run for the event (run inline under HUEY_IMMEDIATE)."""
    run = create_run(event, account, time_limit=time_limit, keep_published=keep_published)
    enqueue(run_schedule, run.id)
    return run


def start_replan(
    event: Event, account: Account | None, *, time_limit: int, absent_cutoff: datetime | None
) -> ScheduleRun:
    """Queue a re-plan of the rest of the event from now (partnering.scheduling.replan): the
    slots that started are frozen, no-shows released, and with `absent_cutoff` the meetings of
    whoever had not checked in by then released for the rest of that day."""
    now = clock.now()
    starts = [s.start for s in event.slots]
    if not any(start <= now for start in starts):
        raise ScheduleRefused(
            "The event has not started yet: there is nothing to freeze. Run the scheduler."
        )
    if all(start <= now for start in starts):
        raise ScheduleRefused("Every slot of the event has started: nothing is left to re-plan.")
    if absent_cutoff is not None and absent_cutoff > now:
        raise ScheduleRefused(
            f"The check-in cut-off ({event.local(absent_cutoff):%H:%M}) is later than now "
            f"({event.local(now):%H:%M}): choose a time that has passed."
        )
    run = create_run(
        event, account, time_limit=time_limit, replan_from=now, absent_cutoff=absent_cutoff
    )
    enqueue(run_schedule, run.id)
    return run


def cancel_run(run: ScheduleRun) -> str:
    """Stop a queued or running run. A running job stops its search at its next progress
    report and keeps the best schedule found so far as a draft; a queued run, or one whose
    worker has gone silent, is marked cancelled at once. Returns what happens, for the person."""
    lock_for_writing(run)
    if not run.is_active:
        raise ScheduleRefused(f"This run is {run.status_label.lower()}: there is nothing to stop.")
    silent = run.heartbeat_at is None or utcnow() - run.heartbeat_at > _silent_after()
    stopping = not (run.status == RunStatus.QUEUED or silent)
    if not stopping:
        run.status, run.finished_at, run.error = RunStatus.CANCELLED, utcnow(), CANCELLED
    run.cancel_requested = True
    db.session.commit()
    if stopping:
        return "Stopping the search: the best schedule found so far becomes a draft to review."
    return CANCELLED


def _decide(run: ScheduleRun, account: Account | None, status: RunStatus) -> None:
    run.status, run.decided_at, run.decided_by = status, utcnow(), account


def apply_run(run: ScheduleRun, account: Account | None) -> int:
    """Make a finished run's result the event's schedule, in one transaction; returns how many
    meetings changed place. Refused when the event changed since in a way that breaks a rule."""
    changed = place_run(run, account)
    db.session.commit()
    refresh_placement_statistics()
    return changed


def place_run(run: ScheduleRun, account: Account | None) -> int:
    """`apply_run` without the commit: the apply job commits it together with its own result.
    Asked again once applied, it is refused (the run is no longer a draft) and changes nothing."""
    lock_for_writing(run.event, run)
    if not run.is_draft:
        raise ScheduleRefused(f"Only a finished draft can be applied; this run is {run.status}.")
    event = run.event
    rows = EventRows(event)
    # Fixed meetings in conflict were released for the run: its result may move them.
    problem, _ = repairable_problem(run)
    solved = {m["id"] for m in run.problem["meetings"]}
    proposed = {a.meeting: (a.slot, a.table) for a in schedule_from_dict(run.result).assignments}
    placement = current_placement(problem, rows)
    for meeting_id in problem.meeting_by_id:
        if meeting_id in solved:
            if meeting_id in proposed:
                placement[meeting_id] = proposed[meeting_id]
            else:
                placement.pop(meeting_id, None)
    violations = check(problem, schedule_from_placement(problem, placement))
    if violations:
        reasons = "; ".join(describe(v, problem, rows) for v in violations[:3])
        raise ScheduleRefused(
            f"The event changed since this run and its result no longer fits ({reasons}). "
            "Run the scheduler again."
        )
    changes = {
        rows.meetings[meeting_id]: placement.get(meeting_id)
        for meeting_id in problem.meeting_by_id
        if rows.place_of(rows.meetings[meeting_id]) != placement.get(meeting_id)
    }
    _move_all(rows, changes)
    _decide(run, account, RunStatus.APPLIED)
    return len(changes)


def reject_run(run: ScheduleRun, account: Account | None) -> None:
    lock_for_writing(run)
    if not run.is_draft:
        raise ScheduleRefused(f"Only a finished draft can be rejected; this run is {run.status}.")
    _decide(run, account, RunStatus.REJECTED)
    db.session.commit()


def _place(meeting: Meeting, rows: EventRows, place: Place | None) -> None:
    if place is None:
        meeting.slot, meeting.table = None, None
    else:
        meeting.slot, meeting.table = rows.slots[place[0]], rows.tables[place[1]]
    meeting.sequence += 1
    meeting.published_at = None


def _move_all(rows: EventRows, changes: dict[Meeting, Place | None]) -> None:
    """Give meetings new places. Their old places are freed first: the unique indexes check each
    row as it is written, and meetings that trade places would otherwise meet in between."""
    for meeting in changes:
        meeting.slot, meeting.table = None, None
    db.session.flush()
    for meeting, place in changes.items():
        _place(meeting, rows, place)


# --- publishing ------------------------------------------------------------------------------


def start_publication(
    event: Event, account: Account | None, state: Publication | str
) -> PublishJob:
    """Queue a publication of the event's schedule (run inline under HUEY_IMMEDIATE)."""
    try:
        job = create_publication(event, account, state)
    except PublishRefused as refused:
        raise ScheduleRefused(str(refused)) from None
    enqueue(publish_schedule, job.id)
    return job


def publish(
    event: Event, state: Publication | str, account: Account | None = None, *, workers: int = 1
) -> PublishJob:
    """Publish here, to the end: the database part, then every email queued, by this process
    and on PostgreSQL `workers - 1` more (publish_workers). Returns the finished job (its
    `newly_published`); refused like `start_publication`, or when the job fails (its error)."""
    try:
        job = create_publication(event, account, state)
    except PublishRefused as refused:
        raise ScheduleRefused(str(refused)) from None
    others = ForkedWorkers(workers)
    execute_publication(job.id, share=others)
    others.join()
    db.session.refresh(job)
    if job.status == PublishStatus.RUNNING:  # a worker died: what it held is left
        share_emails(job.id)
        db.session.refresh(job)
    if not job.is_done:
        raise ScheduleRefused(job.error)
    return job


# --- hand edits ------------------------------------------------------------------------------


def _editable(meeting: Meeting, event: Event) -> None:
    if meeting.event_id != event.id:
        raise ScheduleRefused("This meeting belongs to another event.")
    if not meeting.is_active:
        raise ScheduleRefused("This meeting was cancelled; it cannot be placed.")


def move_meeting(event: Event, meeting: Meeting, slot: Slot, table: Table) -> None:
    """Put a meeting at a slot and table (placing it if it was unscheduled). A meeting placed by
    hand is locked, so later runs keep it there."""
    lock_for_writing(event)
    _editable(meeting, event)
    if slot.event_id != event.id or table.event_id != event.id:
        raise ScheduleRefused("Choose a slot and a table of this event.")
    if meeting.slot_id == slot.id and meeting.table_id == table.id:
        raise ScheduleRefused("The meeting is already there.")
    rows = EventRows(event)
    check_edit(event, rows, {meeting: (slot.ref, table.ref)})
    _move_all(rows, {meeting: (slot.ref, table.ref)})
    meeting.locked = True
    db.session.commit()


def swap_meetings(event: Event, first: Meeting, second: Meeting) -> None:
    """Exchange the places of two scheduled meetings; both are locked afterwards."""
    lock_for_writing(event)
    for meeting in (first, second):
        _editable(meeting, event)
        if not meeting.is_placed:
            raise ScheduleRefused("Only two scheduled meetings can be swapped.")
    if first.id == second.id:
        raise ScheduleRefused("Choose two different meetings to swap.")
    rows = EventRows(event)
    first_place, second_place = rows.place_of(first), rows.place_of(second)
    check_edit(event, rows, {first: second_place, second: first_place})
    _move_all(rows, {first: second_place, second: first_place})
    first.locked = second.locked = True
    db.session.commit()


def set_locked(event: Event, meeting: Meeting, locked: bool) -> None:
    lock_for_writing(event)
    _editable(meeting, event)
    if locked and not meeting.is_placed:
        raise ScheduleRefused("Only a scheduled meeting can be locked in place.")
    meeting.locked = locked
    db.session.commit()


def unschedule_meeting(event: Event, meeting: Meeting) -> None:
    """Take a meeting out of the schedule (it stays agreed; a later run may place it again)."""
    lock_for_writing(event)
    _editable(meeting, event)
    if not meeting.is_placed:
        raise ScheduleRefused("This meeting is not scheduled.")
    _place(meeting, EventRows(event), None)
    meeting.locked = False
    db.session.commit()


def arrange_meeting(event: Event, people: list[Participant], slot: Slot, table: Table) -> Meeting:
    """The organiser's own meeting between two or more approved participants, placed at once
    at `slot` and `table` (judged by the same hard rules as any hand edit) and locked there;
    each participant is told by email. It is published with the next publication."""
    lock_for_writing(event, *people)
    if len({p.id for p in people}) < 2:
        raise ScheduleRefused("Choose at least two different participants.")
    for person in people:
        if person.event_id != event.id or not person.is_approved:
            raise ScheduleRefused(f"{person.name} is not an approved participant of this event.")
    if slot.event_id != event.id or table.event_id != event.id:
        raise ScheduleRefused("Choose a slot and a table of this event.")
    key = participants_key(p.id for p in people)
    same = db.session.execute(
        db.select(Meeting).filter_by(
            event_id=event.id, status=MeetingStatus.ACTIVE, participants_key=key
        )
    ).scalar_one_or_none()
    if same is not None:
        raise ScheduleRefused(
            f"They have a meeting together already ({same.ref}): move that one instead."
        )
    meeting = Meeting(event_id=event.id, participants=list(people), priority=2)
    db.session.add(meeting)
    db.session.flush()
    rows = EventRows(event)
    try:
        check_edit(event, rows, {meeting: (slot.ref, table.ref)})
    except EditRefused:
        db.session.rollback()  # the meeting goes with the refusal
        raise
    _place(meeting, rows, (slot.ref, table.ref))
    meeting.locked = True
    meeting_arranged(meeting)
    db.session.commit()
    return meeting


# --- cancelling ------------------------------------------------------------------------------


def participant_may_cancel(meeting: Meeting, participant: Participant, now: datetime) -> bool:
    event = meeting.event
    return (
        meeting.is_active
        and participant in meeting.participants
        and (event.cancellation_cutoff is None or now < event.cancellation_cutoff)
    )


def cancel_meeting(meeting: Meeting, account: Account, *, as_organiser: bool) -> None:
    """Cancel an agreed meeting: it is kept (status cancelled, who and when), and its slot and
    table are free for later runs. Participants may cancel until the event's cut-off."""
    lock_for_writing(meeting.event)
    if not meeting.is_active:
        raise ScheduleRefused("This meeting is already cancelled.")
    if not as_organiser:
        participant = next((p for p in meeting.participants if p.account_id == account.id), None)
        if participant is None:
            raise ScheduleRefused("Only the meeting's participants can cancel it.")
        if not participant_may_cancel(meeting, participant, utcnow()):
            raise ScheduleRefused(
                "The cancellation deadline has passed: ask the organiser to cancel this meeting."
            )
    mark_cancelled(meeting, account)
    db.session.commit()


def release_meeting(meeting: Meeting, freed_by: Participant) -> None:
    """The writes of freeing a meeting's place for one of its participants who is no longer
    available then, for an operation that has taken the event's lock: the meeting stays agreed
    but goes back to unscheduled (a later run may place it again), and its participants are
    told (a CANCEL for calendars that had it)."""
    slot, table = meeting.slot, meeting.table
    _place(meeting, EventRows(meeting.event), None)
    meeting.locked = False
    announce_release(meeting, freed_by, slot, table)


def mark_cancelled(meeting: Meeting, account: Account) -> None:
    """The writes of a cancellation, for an operation that has taken the event's lock: the
    meeting is kept (cancelled, who and when), its place freed, its participants emailed a
    CANCEL if they were told about it."""
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at, meeting.cancelled_by_id = utcnow(), account.id
    meeting.locked = False
    meeting.sequence += 1
    announce_cancellation(meeting)
