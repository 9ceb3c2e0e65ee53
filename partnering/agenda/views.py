"""The participant's agenda page, once the organiser has published the schedule."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from partnering.access import event_blueprint, organiser_required, participant_required
from partnering.agenda import operations as feeds
from partnering.agenda.calendars import agenda_calendar
from partnering.agenda.printing import day_sheet, table_sheets
from partnering.attendance.qr import qr_svg
from partnering.attendance.tokens import check_in_url
from partnering.bulk.operations import BulkRefused, start_agendas_export
from partnering.db_types import utcnow
from partnering.meetings.queries import meeting_or_404
from partnering.registrations.queries import participant_or_404
from partnering.scheduling.operations import (
    ScheduleRefused,
    cancel_meeting,
    participant_may_cancel,
)
from partnering.scheduling.people import agenda_of, request_messages

bp = event_blueprint("agenda", __name__, url_prefix="/agenda")


@bp.route("/")
@participant_required
def mine():
    published = g.event.is_published
    agenda = agenda_of(g.event, g.participant, published_only=True) if published else []
    now = utcnow()
    token = feeds.feed_token(g.participant)
    return render_template(
        "agenda/mine.html",
        feed_url=token and _feed_url(g.participant, token.secret),
        published=published,
        agenda=agenda,
        person=g.participant,
        messages=request_messages(agenda),
        may_cancel=lambda m: participant_may_cancel(m, g.participant, now),
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@participant_required
def cancel(meeting_id: int):
    # g.participant is of g.event, so their meetings are too.
    meeting = meeting_or_404(g.participant, meeting_id)
    try:
        cancel_meeting(meeting, current_user, as_organiser=False)
    except ScheduleRefused as refused:
        flash(str(refused), "error")
    else:
        flash(
            "Meeting cancelled. The other participant sees it cancelled on their agenda.", "success"
        )
    return redirect(url_for(".mine"))


# --- calendars -------------------------------------------------------------------------------

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _feed_url(participant, secret: str) -> str:
    return url_for("agenda.feed", participant_id=participant.id, secret=secret, _external=True)


@bp.route("/agenda.ics")
@participant_required
def download():
    body = agenda_calendar(g.participant)
    return Response(
        body,
        content_type=CALENDAR_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{g.event.slug}-agenda.ics"'},
    )


@bp.route("/feed/<int:participant_id>/<secret>.ics")
def feed(participant_id: int, secret: str):
    """The subscription: no login, the secret in the URL is the key."""
    participant = feeds.participant_for_feed(g.event, participant_id, secret)
    if participant is None:
        abort(404)
    return Response(agenda_calendar(participant, feed=True), content_type=CALENDAR_TYPE)


@bp.post("/feed")
@participant_required
def renew_feed():
    had_one = feeds.feed_token(g.participant) is not None
    feeds.renew_feed_token(g.participant)
    if had_one:
        flash("Here is your new subscription link; the old one no longer works.", "success")
    else:
        flash("Your subscription link is ready: add it to your calendar app.", "success")
    return redirect(url_for(".mine") + "#subscribe")


# --- print -----------------------------------------------------------------------------------


@bp.route("/print")
@participant_required
def print_mine():
    return _print_agenda(g.participant)


@bp.route("/print/people/<int:participant_id>")
@organiser_required
def print_participant(participant_id: int):
    person = participant_or_404(g.event, participant_id)
    return _print_agenda(person)


def _print_agenda(person):
    return render_template(
        "agenda/print_agenda.html",
        person=person,
        agenda=agenda_of(g.event, person, published_only=True),
        check_in_code=qr_svg(check_in_url(person), title="Check-in code"),
    )


@bp.route("/print/tables")
@organiser_required
def print_tables():
    return render_template("agenda/print_tables.html", sheets=table_sheets(g.event))


@bp.route("/print/days")
@organiser_required
def print_days():
    return render_template("agenda/print_days.html", days=day_sheet(g.event))


@bp.route("/export", methods=["POST"])
@organiser_required
def export_agendas():
    """Every agenda in one ZIP, made by a background job; its page offers the file."""
    try:
        job = start_agendas_export(g.event, current_user, base_url=request.url_root)
    except BulkRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("scheduling.overview"))
    return redirect(url_for("bulk.job", job_id=job.id))
