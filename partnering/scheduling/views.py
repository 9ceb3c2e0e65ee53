"""The organiser's scheduling pages: run, review, edit by hand, publish."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from partnering.access import event_blueprint, organiser_required
from partnering.events.queries import slot_or_404, table_or_404
from partnering.input_guard import requested_id
from partnering.jobs import jobs_running
from partnering.meetings.queries import active_meeting_at, event_meeting_or_404
from partnering.registrations.queries import participant_or_404
from partnering.scheduling import operations, queries
from partnering.scheduling.charts import build_charts
from partnering.scheduling.edits import EditRefused
from partnering.scheduling.forms import PlaceForm, PublishForm, RunForm
from partnering.scheduling.grid import (
    approved_named,
    build_grid,
    organisations_by_name,
    pick_participant,
)
from partnering.scheduling.models import PublishJob
from partnering.scheduling.operations import ScheduleRefused
from partnering.scheduling.people import agenda_of
from partnering.scheduling.publishing import active_publication, latest_publication, recover
from partnering.scheduling.review import review_run, schedule_state, unscheduled_of
from partnering.wording import counted

MAX_NAME_SEARCH = 200

bp = event_blueprint("scheduling", __name__, url_prefix="/schedule")

REFUSALS = (ScheduleRefused, EditRefused)


def _shown_publication() -> PublishJob | None:
    """The publication going on, or the latest one (its result)."""
    return active_publication(g.event) or latest_publication(g.event)


@bp.route("/")
@organiser_required
def overview():
    # The jobs first: reading them may fail a silent one, and a publication read before the
    # schedule's state never looks further on than that state.
    active = operations.active_run(g.event)
    publication = _shown_publication()
    return render_template(
        "scheduling/overview.html",
        state=schedule_state(g.event),
        runs=queries.recent_runs(g.event),
        active=active,
        publication=publication,
        jobs_running=jobs_running(),
        run_form=RunForm(),
        publish_form=PublishForm(),
    )


@bp.route("/runs", methods=["POST"])
@organiser_required
def start_run():
    form = RunForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for(".overview"))
    try:
        run = operations.start_run(
            g.event,
            current_user,
            time_limit=form.time_limit.data,
            keep_published=form.keep_published.data,
        )
    except ScheduleRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for(".overview"))
    return redirect(url_for(".run", run_id=run.id))


@bp.route("/runs/<int:run_id>")
@organiser_required
def run(run_id: int):
    found = queries.run_or_404(g.event, run_id)
    operations.end_if_abandoned(found)
    review = review_run(found) if found.has_result else None
    return render_template(
        "scheduling/run.html", run=found, review=review, jobs_running=jobs_running()
    )


@bp.route("/runs/<int:run_id>/progress")
@organiser_required
def progress(run_id: int):
    found = queries.run_or_404(g.event, run_id)
    operations.end_if_abandoned(found)
    phase = found.phase or "waiting for a worker"
    best = None if found.best is None else round(found.best)
    return jsonify(
        status=found.status,
        active=found.is_active,
        label=found.status_label,
        announce=f"{found.status_label}, {phase}. Best so far {best or 'none yet'}.",
        phase=found.phase,
        phase_shown=phase,
        best_shown=best,
        bound_shown=None if found.bound is None else round(found.bound),
        best=found.best,
        bound=found.bound,
        elapsed=round(found.elapsed, 1),
        remaining=round(found.remaining, 1),
        time_limit=found.time_limit,
        error=found.error,
    )


def _run_action(run_id: int, action, done: str):
    found = queries.run_or_404(g.event, run_id)
    try:
        outcome = action(found)
    except ScheduleRefused as refused:
        flash(str(refused), "error")
    else:
        flash(done.format(outcome=outcome), "success")
    return redirect(url_for(".run", run_id=found.id))


@bp.route("/runs/<int:run_id>/cancel", methods=["POST"])
@organiser_required
def cancel_run(run_id: int):
    return _run_action(run_id, operations.cancel_run, "{outcome}")


@bp.route("/runs/<int:run_id>/apply", methods=["POST"])
@organiser_required
def apply_run(run_id: int):
    return _run_action(
        run_id,
        lambda run: counted(operations.apply_run(run, current_user), "meeting"),
        "Applied: {outcome} changed place. Review the grid, then publish.",
    )


@bp.route("/runs/<int:run_id>/reject", methods=["POST"])
@organiser_required
def reject_run(run_id: int):
    return _run_action(
        run_id,
        lambda run: operations.reject_run(run, current_user),
        "Rejected: the schedule is unchanged.",
    )


@bp.route("/publish", methods=["POST"])
@organiser_required
def publish():
    form = PublishForm()
    if form.validate_on_submit():
        try:
            operations.start_publication(g.event, current_user, form.state.data)
        except ScheduleRefused as refused:
            flash(str(refused), "error")
    return redirect(url_for(".overview"))


@bp.route("/publications/<int:job_id>/progress")
@organiser_required
def publication_progress(job_id: int):
    found = queries.publication_or_404(g.event, job_id)
    recover(found)
    return jsonify(
        active=found.is_active,
        status=found.status,
        label=found.status_label,
        # Heard at once when the state changes, the count at most every ten seconds.
        announce=f"{found.status_label}: {found.emails_left} emails to go.",
        announce_key=found.status_label,
        newly_published=found.newly_published,
        emails_queued=found.emails_queued,
        emails_left=found.emails_left,
        error=found.error,
    )


@bp.route("/grid")
@organiser_required
def grid():
    day = request.args.get("day")
    try:
        chosen = date.fromisoformat(day) if day else None
    except ValueError:
        chosen = None
    pick = pick_participant(
        g.event, requested_id("participant"), request.args.get("who", "")[:MAX_NAME_SEARCH]
    )
    participant_id = pick.chosen.id if pick.chosen else None
    organisation_id = requested_id("organisation")
    return render_template(
        "scheduling/grid.html",
        grid=build_grid(
            g.event,
            chosen,
            participant_id=participant_id,
            organisation_id=organisation_id,
            page=request.args.get("page", 1, type=int),
        ),
        pick=pick,
        organisations=organisations_by_name(g.event),
        participant_id=participant_id,
        organisation_id=organisation_id,
    )


@bp.route("/grid/people")
@organiser_required
def grid_people():
    """The grid participant field's suggestions: at most SUGGESTIONS names containing q."""
    found = approved_named(g.event, request.args.get("q", "")[:MAX_NAME_SEARCH])
    return jsonify(
        people=[
            {
                "id": p.id,
                "name": p.name,
                "organisation": p.organisation.name if p.organisation else "",
            }
            for p in found
        ]
    )


@bp.route("/unscheduled")
@organiser_required
def unscheduled():
    return render_template("scheduling/unscheduled.html", state=schedule_state(g.event))


@bp.route("/meetings/<int:meeting_id>")
@organiser_required
def meeting(meeting_id: int):
    found = event_meeting_or_404(g.event, meeting_id)
    move_form = PlaceForm.for_event(g.event, prefix="move")
    swap_form = PlaceForm.for_event(g.event, prefix="swap")
    if found.is_placed:
        move_form.slot.data, move_form.table.data = found.slot_id, found.table_id
    return render_template(
        "scheduling/meeting.html", meeting=found, move_form=move_form, swap_form=swap_form
    )


def _edit(meeting_id: int, action, done: str):
    found = event_meeting_or_404(g.event, meeting_id)
    try:
        action(found)
    except REFUSALS as refused:
        flash(f"Not changed. {refused}", "error")
    else:
        flash(done, "success")
    return redirect(url_for(".meeting", meeting_id=found.id))


@bp.route("/meetings/<int:meeting_id>/move", methods=["POST"])
@organiser_required
def move(meeting_id: int):
    form = PlaceForm.for_event(g.event, prefix="move")
    if not form.validate_on_submit():
        abort(400)
    slot = slot_or_404(g.event, form.slot.data)
    table = table_or_404(g.event, form.table.data)
    return _edit(
        meeting_id,
        lambda m: operations.move_meeting(g.event, m, slot, table),
        "Moved, and locked there for later runs.",
    )


@bp.route("/meetings/<int:meeting_id>/swap", methods=["POST"])
@organiser_required
def swap(meeting_id: int):
    form = PlaceForm.for_event(g.event, prefix="swap")
    if not form.validate_on_submit():
        abort(400)
    other = active_meeting_at(g.event, form.slot.data, form.table.data)
    if other is None:
        flash("There is no meeting at that time and table to swap with.", "error")
        return redirect(url_for(".meeting", meeting_id=meeting_id))
    return _edit(
        meeting_id,
        lambda m: operations.swap_meetings(g.event, m, other),
        "Swapped; both meetings are locked for later runs.",
    )


@bp.route("/meetings/<int:meeting_id>/lock", methods=["POST"])
@organiser_required
def lock(meeting_id: int):
    return _edit(meeting_id, lambda m: operations.set_locked(g.event, m, True), "Locked in place.")


@bp.route("/meetings/<int:meeting_id>/unlock", methods=["POST"])
@organiser_required
def unlock(meeting_id: int):
    return _edit(
        meeting_id,
        lambda m: operations.set_locked(g.event, m, False),
        "Unlocked: later runs may move it (unless it is published and kept).",
    )


@bp.route("/meetings/<int:meeting_id>/unschedule", methods=["POST"])
@organiser_required
def unschedule(meeting_id: int):
    return _edit(
        meeting_id,
        lambda m: operations.unschedule_meeting(g.event, m),
        "Taken out of the schedule; the meeting stays agreed.",
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@organiser_required
def cancel_meeting(meeting_id: int):
    return _edit(
        meeting_id,
        lambda m: operations.cancel_meeting(m, current_user, as_organiser=True),
        "Meeting cancelled; its time and table are free for the next run.",
    )


@bp.route("/people/<int:participant_id>")
@organiser_required
def person(participant_id: int):
    participant = participant_or_404(g.event, participant_id)
    return render_template(
        "scheduling/person.html",
        person=participant,
        agenda=agenda_of(g.event, participant),
        unscheduled=unscheduled_of(g.event, participant),
    )


@bp.route("/charts")
@organiser_required
def charts():
    return render_template("scheduling/charts.html", charts=build_charts(g.event))
