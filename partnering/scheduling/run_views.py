"""The organiser's scheduling overview, runs and their review, and publication."""

from __future__ import annotations

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from partnering import clock
from partnering.access import organiser_required
from partnering.bulk.operations import BulkRefused, start_apply
from partnering.bulk.queries import apply_going, latest_agendas_export
from partnering.input_guard import requested_id
from partnering.jobs import jobs_running
from partnering.registrations.queries import participant_or_404
from partnering.scheduling import operations, queries
from partnering.scheduling.blueprint import bp
from partnering.scheduling.change_list import GROUPINGS, SORTS, group_changes
from partnering.scheduling.forms import PublishChoiceForm, PublishForm, ReplanForm, RunForm
from partnering.scheduling.models import PublishJob
from partnering.scheduling.name_search import MAX_NAME_SEARCH, pick_participant
from partnering.scheduling.operations import ScheduleRefused
from partnering.scheduling.publish_preview import preview_publication
from partnering.scheduling.publishing import (
    PublishRefused,
    active_publication,
    latest_publication,
    recover,
)
from partnering.scheduling.replan import today_at
from partnering.scheduling.review import review_run, schedule_state


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
    runs = queries.recent_runs(g.event)
    # The next run offers the last run's time limit: an organiser who asked for more keeps it.
    last_limit = {"time_limit": runs[0].time_limit} if runs else None
    return render_template(
        "scheduling/overview.html",
        state=schedule_state(g.event),
        runs=runs,
        active=active,
        publication=publication,
        jobs_running=jobs_running(),
        run_form=RunForm(data=last_limit),
        publish_form=PublishChoiceForm.for_event(g.event, formdata=None),
        replan_form=ReplanForm(prefix="replan"),
        agendas_export=latest_agendas_export(g.event),
        now=clock.now(),
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


@bp.route("/replan", methods=["POST"])
@organiser_required
def start_replan():
    form = ReplanForm(prefix="replan")
    if not form.validate_on_submit():
        for field, errors in form.errors.items():
            for error in errors:
                label = getattr(form, field).label.text if hasattr(form, field) else field
                flash(f"{label}: {error}", "error")
        return redirect(url_for(".overview") + "#replan")
    now = clock.now()
    cutoff = form.absent_cutoff.data
    try:
        run = operations.start_replan(
            g.event,
            current_user,
            time_limit=form.time_limit.data,
            absent_cutoff=today_at(g.event, now, cutoff) if cutoff else None,
        )
    except ScheduleRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for(".overview") + "#replan")
    return redirect(url_for(".run", run_id=run.id))


@bp.route("/runs/<int:run_id>")
@organiser_required
def run(run_id: int):
    found = queries.run_or_404(g.event, run_id)
    operations.end_if_abandoned(found)
    review = review_run(found) if found.has_result else None
    group = request.args.get("group", "change")
    group = group if group in GROUPINGS else "change"
    sort = request.args.get("sort", "time")
    sort = sort if sort in SORTS else "time"
    return render_template(
        "scheduling/run.html",
        run=found,
        review=review,
        applying=apply_going(found.id, g.event),
        jobs_running=jobs_running(),
        changes=group_changes(g.event, review.diff, group, sort) if review else [],
        group=group,
        sort=sort,
        groupings=GROUPINGS,
        sorts=SORTS,
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
    """Applying is a background job (at convention size it takes a minute): its page follows it."""
    found = queries.run_or_404(g.event, run_id)
    try:
        job = start_apply(found, current_user)
    except BulkRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for(".run", run_id=found.id))
    return redirect(url_for("bulk.job", job_id=job.id))


@bp.route("/runs/<int:run_id>/reject", methods=["POST"])
@organiser_required
def reject_run(run_id: int):
    return _run_action(
        run_id,
        lambda run: operations.reject_run(run, current_user),
        "Rejected: the schedule is unchanged.",
    )


@bp.route("/publish/confirm")
@organiser_required
def confirm_publish():
    """What publishing would send to whom, and one participant's email: nothing changes
    until the organiser confirms (the form posts to `publish`)."""
    choice = PublishChoiceForm.for_event(g.event, formdata=request.args)
    if not choice.validate():
        flash("Publish the schedule as preliminary or final.", "error")
        return redirect(url_for(".overview"))
    if (going := active_publication(g.event)) is not None:
        flash(f"A publication (#{going.id}) is already going for this event: wait for it.", "error")
        return redirect(url_for(".overview"))
    state = choice.state.data
    participant_id = requested_id("participant")
    if participant_id is not None:
        participant_or_404(g.event, participant_id)
    pick = pick_participant(g.event, participant_id, request.args.get("who", "")[:MAX_NAME_SEARCH])
    try:
        preview = preview_publication(g.event, state, pick.chosen.id if pick.chosen else None)
    except PublishRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for(".overview"))
    return render_template(
        "scheduling/publish_confirm.html",
        preview=preview,
        pick=pick,
        publish_form=PublishForm(data={"state": state, "seen": preview.fingerprint}),
    )


@bp.route("/publish", methods=["POST"])
@organiser_required
def publish():
    form = PublishForm()
    if form.validate_on_submit():
        if form.seen.data and _changed_since_seen(form.state.data, form.seen.data):
            flash(
                "The schedule changed since you looked: check what will be sent, then confirm "
                "again.",
                "error",
            )
            return redirect(url_for(".confirm_publish", state=form.state.data))
        try:
            operations.start_publication(g.event, current_user, form.state.data)
        except ScheduleRefused as refused:
            flash(str(refused), "error")
    return redirect(url_for(".overview"))


def _changed_since_seen(state: str, seen: str) -> bool:
    try:
        return preview_publication(g.event, state, None).fingerprint != seen
    except PublishRefused:
        return False  # the publication refuses it with its own reason


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
