"""The event-day pages: a participant's Today page (self-check-in, no-shows), and the
organiser's check-in desk, phone-first (search, or the QR code of a printed agenda)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from partnering import clock
from partnering.access import (
    event_blueprint,
    is_organiser,
    organiser_required,
    participant_required,
    signed_in_required,
)
from partnering.attendance import operations
from partnering.attendance.forms import DeskSearchForm
from partnering.attendance.models import CheckInMethod
from partnering.attendance.operations import AttendanceRefused
from partnering.attendance.queries import arrival_of, arrivals_count, find_for_check_in
from partnering.attendance.today import today_of
from partnering.attendance.tokens import participant_for_token
from partnering.meetings.queries import event_meeting_or_404, meeting_or_404
from partnering.registrations.queries import participant_or_404

bp = event_blueprint("attendance", __name__)


def _said(action, done: str) -> None:
    try:
        action()
    except AttendanceRefused as refused:
        flash(str(refused), "error")
    else:
        flash(done, "success")


# --- the participant's day -------------------------------------------------------------------


@bp.route("/today")
@participant_required
def today():
    return render_template(
        "attendance/today.html",
        today=today_of(g.event, g.participant, clock.now()),
        person=g.participant,
    )


@bp.post("/today/check-in")
@participant_required
def self_check_in():
    try:
        found, new = operations.check_in(g.event, g.participant, current_user, CheckInMethod.SELF)
    except AttendanceRefused as refused:
        flash(str(refused), "error")
    else:
        at = g.event.local(found.checked_in_at)
        flash(
            f"You are checked in ({at:%H:%M})." if new else f"You were checked in at {at:%H:%M}.",
            "success",
        )
    return redirect(url_for(".today"))


@bp.post("/today/check-out")
@participant_required
def self_check_out():
    try:
        found = operations.check_out(g.event, g.participant, current_user)
    except AttendanceRefused as refused:
        flash(str(refused), "error")
    else:
        flash(
            f"You are checked out ({g.event.local(found.checked_out_at):%H:%M}). The organiser "
            "can give your meetings for the rest of the day to others.",
            "success",
        )
    return redirect(url_for(".today"))


@bp.post("/today/meetings/<int:meeting_id>/no-show")
@participant_required
def no_show(meeting_id: int):
    meeting = meeting_or_404(g.participant, meeting_id)
    _said(
        lambda: operations.mark_no_show(meeting, current_user, as_organiser=False),
        "Marked as a no-show. The organiser can fit the meeting in again later.",
    )
    return redirect(url_for(".today"))


@bp.post("/today/meetings/<int:meeting_id>/no-show/undo")
@participant_required
def undo_no_show(meeting_id: int):
    meeting = meeting_or_404(g.participant, meeting_id)
    _said(lambda: operations.undo_no_show(meeting, current_user), "No-show mark taken back.")
    return redirect(url_for(".today"))


# --- the organiser's desk --------------------------------------------------------------------


@bp.route("/check-in/")
@organiser_required
def desk():
    form = DeskSearchForm(request.args)
    form.validate()
    day = operations.event_day(g.event, clock.now())
    words = "" if form.q.errors else (form.q.data or "")
    arrived, expected = arrivals_count(g.event, day)
    return render_template(
        "attendance/desk.html",
        form=form,
        day=day,
        found=find_for_check_in(g.event, words, day),
        searched=bool(words.strip()),
        arrived=arrived,
        expected=expected,
    )


OWN_CODE = (
    "This code is for the check-in desk to scan. Here is your day; on an event day you can "
    "check in yourself below."
)


@bp.route("/check-in/t/<token>")
@signed_in_required
def scanned(token: str):
    """The page a printed agenda's QR code opens on the organiser's phone. A participant who
    scans their own code is shown their day (and may check in there)."""
    participant = participant_for_token(g.event, token)
    if not is_organiser():
        own = g.participant
        if participant is None or own is None or participant.id != own.id:
            abort(403)
        flash(OWN_CODE, "info")
        return redirect(url_for(".today"))
    if participant is None:
        abort(404)
    day = operations.event_day(g.event, clock.now())
    return render_template("attendance/scanned.html", arrival=arrival_of(participant, day), day=day)


@bp.post("/check-in/people/<int:participant_id>")
@organiser_required
def desk_check_in(participant_id: int):
    participant = participant_or_404(g.event, participant_id)
    try:
        found, new = operations.check_in(g.event, participant, current_user, CheckInMethod.DESK)
    except AttendanceRefused as refused:
        flash(str(refused), "error")
    else:
        at = g.event.local(found.checked_in_at)
        flash(
            f"{participant.name} is checked in ({at:%H:%M})."
            if new
            else f"{participant.name} was already checked in at {at:%H:%M}.",
            "success",
        )
    return redirect(url_for(".desk"))


@bp.post("/check-in/people/<int:participant_id>/undo")
@organiser_required
def undo_desk_check_in(participant_id: int):
    participant = participant_or_404(g.event, participant_id)
    _said(
        lambda: operations.undo_check_in(g.event, participant),
        f"{participant.name}'s check-in is taken back.",
    )
    return redirect(url_for(".desk"))


@bp.post("/check-in/people/<int:participant_id>/check-out")
@organiser_required
def desk_check_out(participant_id: int):
    participant = participant_or_404(g.event, participant_id)
    try:
        found = operations.check_out(g.event, participant, current_user)
    except AttendanceRefused as refused:
        flash(str(refused), "error")
    else:
        at = g.event.local(found.checked_out_at)
        flash(f"{participant.name} is checked out ({at:%H:%M}).", "success")
    return redirect(url_for(".desk"))


@bp.post("/check-in/people/<int:participant_id>/check-out/undo")
@organiser_required
def undo_desk_check_out(participant_id: int):
    participant = participant_or_404(g.event, participant_id)
    _said(
        lambda: operations.undo_check_out(g.event, participant),
        f"{participant.name}'s check-out is taken back.",
    )
    return redirect(url_for(".desk"))


@bp.post("/check-in/meetings/<int:meeting_id>/no-show")
@organiser_required
def organiser_no_show(meeting_id: int):
    meeting = event_meeting_or_404(g.event, meeting_id)
    _said(
        lambda: operations.mark_no_show(meeting, current_user, as_organiser=True),
        "Marked as a no-show. A re-plan of the rest of the event can fit it in again.",
    )
    return redirect(url_for("scheduling.meeting", meeting_id=meeting.id))


@bp.post("/check-in/meetings/<int:meeting_id>/no-show/undo")
@organiser_required
def organiser_undo_no_show(meeting_id: int):
    meeting = event_meeting_or_404(g.event, meeting_id)
    _said(lambda: operations.undo_no_show(meeting, current_user), "No-show mark taken back.")
    return redirect(url_for("scheduling.meeting", meeting_id=meeting.id))
