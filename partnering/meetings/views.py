"""Meeting requests and "My meetings": a participant's requests, answers and agreed meetings."""

from __future__ import annotations

import flask
from flask import flash, g, redirect, render_template, url_for
from wtforms import SelectChoice

from partnering.access import event_blueprint, participant_required
from partnering.meetings import operations, queries, room, rules
from partnering.meetings.forms import ColleagueForm, RequestForm
from partnering.registrations import directory

bp = event_blueprint("meetings", __name__, url_prefix="/meetings")


def back_to_mine():
    return redirect(url_for("meetings.mine"))


@bp.route("/")
@participant_required
def mine():
    mine = queries.my_meetings(g.participant)
    colleague_forms = {}
    choices_of = queries.colleagues_by_meeting(g.participant, mine.meetings)
    for meeting in mine.meetings:
        choices = choices_of[meeting.id]
        if choices:
            form = ColleagueForm(prefix=f"m{meeting.id}")
            form.colleague.choices = [SelectChoice(p.id, p.name) for p in choices]
            colleague_forms[meeting.id] = form
    return render_template(
        "meetings/mine.html",
        mine=mine,
        notes=room.time_notes(g.participant, mine.incoming, mine.outgoing, mine.meetings),
        colleague_forms=colleague_forms,
        show_times=g.event.is_published,
    )


@bp.route("/request/<int:participant_id>", methods=["GET", "POST"])
@participant_required
def send(participant_id: int):
    recipient = directory.visible_or_404(g.participant, participant_id)
    refusal = rules.send_refusal(g.participant, recipient)
    no_room = None if refusal else rules.send_warning(g.participant, recipient)
    form = RequestForm()
    if refusal is None and form.validate_on_submit():
        try:
            request = operations.send_request(
                g.participant,
                recipient,
                message=form.message.data,
                priority=form.priority.data,
                despite_no_room=form.despite_no_room.data,
            )
        except operations.NeedsConfirmation as unsure:
            # Shown again with what was typed, and the box to tick.
            no_room = str(unsure)
            form.despite_no_room.errors = ["Tick this box to send the request anyway."]
            return _send_page(form, recipient, refusal, no_room)
        except operations.RequestRefused as refused:
            flash(str(refused), "error")
            return redirect(url_for("registrations.person", participant_id=recipient.id))
        if request.is_accepted:
            flash(f"{recipient.name} had asked to meet you too: your meeting is agreed.", "success")
        else:
            flash(f"Your request is on its way to {recipient.name}.", "success")
        return back_to_mine()
    return _send_page(form, recipient, refusal, no_room)


def _send_page(form: RequestForm, recipient, refusal: str | None, no_room: str | None):
    return render_template(
        "meetings/send.html",
        form=form,
        recipient=recipient,
        refusal=refusal,
        no_room=no_room,
        crossing=rules.pending_request(recipient, g.participant),
    )


@bp.post("/requests/<int:request_id>/accept")
@participant_required
def accept(request_id: int):
    request = queries.incoming_or_404(g.participant, request_id)
    # Set by the "Accept anyway" button, which is shown with the reason there is no room.
    anyway = flask.request.form.get("despite_no_room") == "yes"
    return _answer(
        request,
        lambda r: operations.accept_request(r, despite_no_room=anyway),
        f"You will meet {request.sender.name}.",
        "success",
    )


@bp.post("/requests/<int:request_id>/decline")
@participant_required
def decline(request_id: int):
    request = queries.incoming_or_404(g.participant, request_id)
    message = f"You declined {request.sender.name}'s request."
    return _answer(request, operations.decline_request, message, "info")


@bp.post("/requests/<int:request_id>/withdraw")
@participant_required
def withdraw(request_id: int):
    request = queries.outgoing_or_404(g.participant, request_id)
    message = f"You withdrew your request to {request.recipient.name}."
    return _answer(request, operations.withdraw_request, message, "info")


def _answer(request, action, message: str, category: str):
    """Run one action on a request: its message on success, the refusal otherwise."""
    try:
        action(request)
    except operations.NeedsConfirmation as unsure:
        flash(f"Not accepted yet. {unsure}", "warning")
    except operations.RequestRefused as refused:
        flash(str(refused), "error")
    else:
        flash(message, category)
    return back_to_mine()


@bp.post("/<int:meeting_id>/colleagues")
@participant_required
def add_colleague(meeting_id: int):
    meeting = queries.meeting_or_404(g.participant, meeting_id)
    candidates = {p.id: p for p in queries.colleagues(g.participant, meeting)}
    form = ColleagueForm(prefix=f"m{meeting.id}")
    form.colleague.choices = [SelectChoice(p.id, p.name) for p in candidates.values()]
    if not form.validate_on_submit():
        flash("Choose a colleague from your organisation.", "error")
        return back_to_mine()
    colleague = candidates[form.colleague.data]
    try:
        operations.add_colleague(meeting, g.participant, colleague)
    except operations.RequestRefused as refused:
        flash(str(refused), "error")
    else:
        flash(f"{colleague.name} joins the meeting.", "success")
    return back_to_mine()
