"""The organiser's scheduling pages: run, review, edit by hand, publish."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from partnering import clock
from partnering.access import event_blueprint, organiser_required
from partnering.attendance.operations import standing_no_show
from partnering.events.queries import slot_or_404, table_or_404
from partnering.input_guard import ids_from, requested_id
from partnering.jobs import jobs_running
from partnering.meetings.queries import active_meeting_at, event_meeting_or_404
from partnering.registrations.queries import participant_or_404, participants_or_404
from partnering.scheduling import operations, queries
from partnering.scheduling.change_list import GROUPINGS, SORTS, group_changes
from partnering.scheduling.charts import build_charts
from partnering.scheduling.edits import EditRefused
from partnering.scheduling.forms import (
    ArrangeForm,
    PeopleForm,
    PlaceForm,
    PublishChoiceForm,
    PublishForm,
    ReplanForm,
    RunForm,
)
from partnering.scheduling.free_places import common_free_places
from partnering.scheduling.grid import (
    approved_by_name,
    approved_named,
    build_grid,
    legal_cells,
    organisations_by_name,
    pick_participant,
    taken_out_since_publishing,
)
from partnering.scheduling.models import PublishJob, ScheduleRun
from partnering.scheduling.operations import ScheduleRefused
from partnering.scheduling.people import agenda_of
from partnering.scheduling.publish_preview import preview_publication
from partnering.scheduling.publishing import (
    PublishRefused,
    active_publication,
    latest_publication,
    recover,
)
from partnering.scheduling.replan import today_at
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
        publish_form=PublishChoiceForm.for_event(g.event, formdata=None),
        replan_form=ReplanForm(prefix="replan"),
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
    try:
        preview = preview_publication(g.event, state, participant_id)
    except PublishRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for(".overview"))
    return render_template(
        "scheduling/publish_confirm.html",
        preview=preview,
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


def _requested_day() -> date | None:
    day = request.args.get("day")
    try:
        return date.fromisoformat(day) if day else None
    except ValueError:
        return None


def _requested_draft() -> ScheduleRun | None:
    """The draft a tab shows instead of the current schedule (?run=N), if N is still one."""
    run_id = requested_id("run")
    if run_id is None:
        return None
    found = queries.run_or_404(g.event, run_id)
    if not found.is_draft:
        flash(
            f"Run #{found.id} is no longer a draft ({found.status_label.lower()}): "
            "this is the current schedule.",
            "warning",
        )
        return None
    return found


@bp.route("/grid")
@organiser_required
def grid():
    chosen = _requested_day()
    pick = pick_participant(
        g.event, requested_id("participant"), request.args.get("who", "")[:MAX_NAME_SEARCH]
    )
    participant_id = pick.chosen.id if pick.chosen else None
    organisation_id = requested_id("organisation")
    draft = _requested_draft()
    picked_id = requested_id("pick")
    picked = event_meeting_or_404(g.event, picked_id) if picked_id is not None else None
    move_form = PlaceForm.for_event(g.event, prefix="move")
    return render_template(
        "scheduling/grid.html",
        grid=build_grid(
            g.event,
            chosen,
            participant_id=participant_id,
            organisation_id=organisation_id,
            page=request.args.get("page", 1, type=int),
            draft=draft,
        ),
        pick=pick,
        organisations=organisations_by_name(g.event),
        participant_id=participant_id,
        organisation_id=organisation_id,
        draft=draft,
        taken_out=taken_out_since_publishing(g.event) if draft is None else [],
        picked=picked if draft is None else None,
        move_form=move_form,
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
    draft = _requested_draft()
    if draft is not None:
        left = review_run(draft).unscheduled
    else:
        left = schedule_state(g.event).unscheduled
    return render_template("scheduling/unscheduled.html", unscheduled=left, draft=draft)


@bp.route("/meetings/<int:meeting_id>")
@organiser_required
def meeting(meeting_id: int):
    found = event_meeting_or_404(g.event, meeting_id)
    move_form = PlaceForm.for_event(g.event, prefix="move")
    swap_form = PlaceForm.for_event(g.event, prefix="swap")
    if found.is_placed:
        move_form.slot.data, move_form.table.data = found.slot_id, found.table_id
    return render_template(
        "scheduling/meeting.html",
        meeting=found,
        move_form=move_form,
        swap_form=swap_form,
        no_show=standing_no_show(found),
        now=clock.now(),
    )


@bp.route("/meetings/<int:meeting_id>/places")
@organiser_required
def places(meeting_id: int):
    """Where the meeting may go on a day of the grid: the cells a move would accept."""
    return jsonify(
        legal_cells(g.event, event_meeting_or_404(g.event, meeting_id), _requested_day()).as_json()
    )


def _back_to_grid() -> str | None:
    """The grid a move was made from (?back=grid and its day, filters and page), if any."""
    if request.args.get("back") != "grid":
        return None
    day = _requested_day()
    return url_for(
        ".grid",
        day=day.isoformat() if day else None,
        participant=requested_id("participant"),
        organisation=requested_id("organisation"),
        page=request.args.get("page", type=int),
    )


def _edit(meeting_id: int, action, done: str):
    found = event_meeting_or_404(g.event, meeting_id)
    try:
        action(found)
    except REFUSALS as refused:
        flash(f"Not changed. {refused}", "error")
    else:
        flash(done, "success")
    return redirect(_back_to_grid() or url_for(".meeting", meeting_id=found.id))


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
    draft = _requested_draft()
    return render_template(
        "scheduling/charts.html", charts=build_charts(g.event, draft=draft), draft=draft
    )


# --- the organiser's own meetings ---------------------------------------------------------------


def _people_choices(form) -> None:
    form.people.choices = [
        (p.id, p.name + (f" ({p.organisation.name})" if p.organisation else ""))
        for p in approved_by_name(g.event)
    ]


def _place_choices(form: ArrangeForm, people: list) -> list:
    free = common_free_places(g.event, people)
    form.place.choices = {
        g.event.local(f.slot.start).strftime("%a %d %b %H:%M"): [
            (f"{f.slot.id}-{t.id}", f"{g.event.local(f.slot.start):%a %d %b %H:%M}, {t.name}")
            for t in f.tables
        ]
        for f in free
    }
    return free


def _chosen(values: list[str]) -> list:
    """The participants named, in order, once each; 404 when one is not of this event."""
    return participants_or_404(g.event, ids_from(values))


@bp.route("/new-meeting")
@organiser_required
def new_meeting():
    """Step 1: choose the people; step 2 (the same page): their common free times."""
    chooser = PeopleForm(formdata=request.args if request.args else None)
    _people_choices(chooser)
    arrange = None
    free = []
    people = _chosen(request.args.getlist("people"))
    if request.args and chooser.validate():
        if len(people) < 2:
            chooser.people.errors = ["Choose at least two different participants."]
        else:
            arrange = ArrangeForm(formdata=None, data={"people": [p.id for p in people]})
            _people_choices(arrange)
            free = _place_choices(arrange, people)
    return render_template(
        "scheduling/new_meeting.html", chooser=chooser, arrange=arrange, free=free
    )


@bp.route("/new-meeting", methods=["POST"])
@organiser_required
def arrange_meeting():
    form = ArrangeForm()
    _people_choices(form)
    people = _chosen(request.form.getlist("people"))
    free = _place_choices(form, people)
    if form.validate_on_submit():
        slot_id, table_id = form.place_ids()
        slot, table = slot_or_404(g.event, slot_id), table_or_404(g.event, table_id)
        try:
            meeting = operations.arrange_meeting(g.event, people, slot, table)
        except REFUSALS as refused:
            form.place.errors = [str(refused)]
        else:
            flash(
                f"Meeting {meeting.ref} is placed and locked; its participants are told by "
                "email. It is published with the next publication.",
                "success",
            )
            return redirect(url_for(".meeting", meeting_id=meeting.id))
    elif form.place.errors and form.place.data:
        form.place.errors = ["That time or table is no longer free for them: choose another."]
    chooser = PeopleForm(formdata=None, data={"people": [p.id for p in people]})
    _people_choices(chooser)
    return render_template(
        "scheduling/new_meeting.html", chooser=chooser, arrange=form, free=free
    ), 400
