"""The schedule as the organiser sees and edits it: the grid, unscheduled meetings, a meeting's
page and hand edits, a person's agenda, the charts."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from partnering import clock
from partnering.access import organiser_required
from partnering.attendance.operations import standing_no_show
from partnering.events.queries import slot_or_404, table_or_404
from partnering.input_guard import requested_id
from partnering.meetings.queries import active_meeting_at, event_meeting_or_404
from partnering.paging import requested_page
from partnering.registrations.queries import participant_or_404
from partnering.scheduling import operations, queries
from partnering.scheduling.blueprint import REFUSALS, bp
from partnering.scheduling.charts import build_charts
from partnering.scheduling.forms import PlaceForm
from partnering.scheduling.grid import build_grid, legal_cells, taken_out_since_publishing
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.name_search import (
    MAX_NAME_SEARCH,
    approved_named,
    organisations_named,
    pick_organisation,
    pick_participant,
)
from partnering.scheduling.people import agenda_of
from partnering.scheduling.review import (
    page_of_left,
    review_run,
    unscheduled_of,
    unscheduled_page,
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
    org_pick = pick_organisation(
        g.event, requested_id("organisation"), request.args.get("org", "")[:MAX_NAME_SEARCH]
    )
    organisation_id = org_pick.chosen.id if org_pick.chosen else None
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
        org_pick=org_pick,
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
        names=[
            {"id": p.id, "name": p.name, "detail": p.organisation.name if p.organisation else ""}
            for p in found
        ]
    )


@bp.route("/grid/organisations")
@organiser_required
def grid_organisations():
    """The grid organisation field's suggestions: at most SUGGESTIONS names containing q."""
    found = organisations_named(g.event, request.args.get("q", "")[:MAX_NAME_SEARCH])
    return jsonify(names=[{"id": o.id, "name": o.name, "detail": ""} for o in found])


@bp.route("/unscheduled")
@organiser_required
def unscheduled():
    draft = _requested_draft()
    page = requested_page()
    if draft is not None:
        left = page_of_left(review_run(draft).unscheduled, page)
    else:
        left = unscheduled_page(g.event, page)
    return render_template("scheduling/unscheduled.html", left=left, draft=draft)


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
