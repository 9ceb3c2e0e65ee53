"""The participant's agenda page, once the organiser has published the schedule."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from partnering.access import event_blueprint, participant_required
from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.scheduling.operations import (
    ScheduleRefused,
    cancel_meeting,
    participant_may_cancel,
)
from partnering.scheduling.people import agenda_of

bp = event_blueprint("agenda", __name__, url_prefix="/agenda")


def _my_meeting(meeting_id: int) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if meeting.event_id != g.event.id or g.participant not in meeting.participants:
        abort(404)
    return meeting


@bp.route("/")
@participant_required
def mine():
    published = g.event.schedule_state != "unpublished"
    agenda = agenda_of(g.event, g.participant, published_only=True) if published else []
    messages = {
        meeting.id: [r for r in meeting.requests if r.message]
        for day in agenda
        for meeting in day.entries
        if isinstance(meeting, Meeting)
    }
    now = utcnow()
    return render_template(
        "agenda/mine.html",
        published=published,
        agenda=agenda,
        person=g.participant,
        messages=messages,
        may_cancel=lambda m: participant_may_cancel(m, g.participant, now),
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@participant_required
def cancel(meeting_id: int):
    meeting = _my_meeting(meeting_id)
    try:
        cancel_meeting(meeting, current_user, as_organiser=False)
    except ScheduleRefused as refused:
        flash(str(refused), "error")
    else:
        flash(
            "Meeting cancelled. The other participant sees it cancelled on their agenda.", "success"
        )
    return redirect(url_for(".mine"))
