"""Registration, one's own profile and availability, and the participant directory."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, flash, g, json, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from partnering.access import event_blueprint, participant_required
from partnering.meetings import rules
from partnering.paging import requested_page
from partnering.registrations import availability, directory, operations
from partnering.registrations.forms import (
    ConfirmRegistrationForm,
    DeleteRegistrationForm,
    DirectoryForm,
    DiscardRegistrationForm,
    ProfileForm,
    RegisterForm,
    RegistrationForm,
)
from partnering.registrations.personal_data import personal_data
from partnering.wording import counted

bp = event_blueprint("registrations", __name__)

PAGE_SIZE = 24


def registered_required(view: Callable) -> Callable:
    """Anyone registered for g.event, approved or not yet (they may prepare their profile);
    a registration made for them is confirmed first."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if g.participant is None or g.participant.is_deleted:
            flash("Register for this event first.", "info")
            return redirect(url_for("registrations.register"))
        if g.participant.awaits_confirmation:
            return redirect(url_for("registrations.confirm"))
        return view(*args, **kwargs)

    return wrapped


def awaiting_confirmation_required(view: Callable) -> Callable:
    """The logged-in owner of a registration someone else made for them."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if g.participant is None or not g.participant.awaits_confirmation:
            flash("There is no registration of yours to confirm here.", "info")
            return redirect(url_for("events.home"))
        return view(*args, **kwargs)

    return wrapped


def organisation_names() -> list[str]:
    """For the organisation field's suggestions: only organisations already public."""
    return directory.public_organisation_names(g.event)


CHECK_INBOX = (
    "Thank you for registering. Check your inbox: we emailed this address a link to log in "
    "and follow your registration. The organiser reviews every registration."
)
"""The answer to every registration made without logging in, whoever owns the address."""


@bp.route("/register", methods=["GET", "POST"])
def register():
    participant = g.participant
    if participant is not None and participant.awaits_confirmation:
        return redirect(url_for("registrations.confirm"))
    if participant is not None and not participant.is_deleted:
        flash("You are registered for this event; here is your profile.", "info")
        return redirect(url_for("registrations.profile"))
    if not operations.registration_open(g.event):
        return render_template("registrations/register.html", form=None)
    logged_in = current_user.is_authenticated
    form = RegisterForm() if logged_in else RegistrationForm()
    form.set_event(g.event)
    if request.method == "GET" and logged_in:
        form.name.data = current_user.name
    if form.validate_on_submit():
        profile = operations.Profile.from_form(form)
        consent = bool(form.consent.data)
        try:
            if logged_in:
                operations.register(
                    g.event, profile, account=current_user._get_current_object(), consent=consent
                )
            else:
                operations.register(g.event, profile, email=form.email.data, consent=consent)
        except operations.AlreadyRegistered as refused:
            flash(str(refused), "info")
            return redirect(url_for("events.home"))
        except operations.RegistrationRefused as refused:
            flash(str(refused), "error")
        else:
            if logged_in:
                flash("Thank you for registering. The organiser will review it soon.", "success")
            else:
                flash(CHECK_INBOX, "success")
            return redirect(url_for("events.home"))
    return render_template(
        "registrations/register.html", form=form, organisations=organisation_names()
    )


@bp.route("/register/confirm", methods=["GET", "POST"])
@awaiting_confirmation_required
def confirm():
    participant = g.participant
    form = ConfirmRegistrationForm()
    if form.validate_on_submit():
        try:
            operations.confirm_registration(participant, consent=form.consent.data)
        except operations.RegistrationRefused as refused:
            flash(str(refused), "error")
        else:
            if participant.is_approved:
                flash("You take part in this event. Check your profile.", "success")
            else:
                flash("Your registration is confirmed; the organiser will review it.", "success")
            return redirect(url_for("registrations.profile"))
    return render_template(
        "registrations/confirm.html",
        participant=participant,
        form=form,
        discard=DiscardRegistrationForm(),
    )


@bp.post("/register/discard")
@awaiting_confirmation_required
def discard():
    if DiscardRegistrationForm().validate_on_submit():
        operations.discard_registration(g.participant)
        flash("The registration is discarded: nobody sees it.", "success")
    return redirect(url_for("events.home"))


@bp.route("/my-data.json")
@registered_required
def my_data():
    body = json.dumps(personal_data(g.participant), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{g.event.slug}-my-data.json"'},
    )


@bp.route("/delete", methods=["GET", "POST"], endpoint="delete")
@registered_required
def delete_registration():
    form = DeleteRegistrationForm()
    if form.validate_on_submit():
        try:
            done = operations.delete_registration(g.participant)
        except operations.RegistrationRefused as refused:
            flash(str(refused), "error")
        else:
            if done.account_erased:
                logout_user()  # the account is nobody's now
            flash(
                "Your registration is deleted: "
                f"{counted(done.withdrawn_requests, 'pending request')} withdrawn, "
                f"{counted(done.cancelled_meetings, 'meeting')} cancelled, your data erased.",
                "success",
            )
            return redirect(url_for("events.home"))
    return render_template("registrations/delete.html", form=form, participant=g.participant)


@bp.route("/profile", methods=["GET", "POST"])
@registered_required
def profile():
    participant = g.participant
    form = ProfileForm()
    form.set_event(g.event)
    if request.method == "GET":
        organisation = participant.organisation
        form.process(
            data={
                "name": participant.name,
                "organisation": organisation.name if organisation else "",
                "organisation_type": organisation.kind if organisation else "",
                "country": organisation.country if organisation else "",
                "job_title": participant.job_title,
                "topics": participant.topics,
                "offer": participant.offer,
                "seek": participant.seek,
                "description": participant.description,
                "show_profile": participant.show_profile,
            }
        )
    if form.validate_on_submit():
        try:
            operations.update_profile(participant, operations.Profile.from_form(form))
        except operations.RegistrationRefused as refused:
            flash(str(refused), "error")
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("registrations.profile"))
    return render_template(
        "registrations/profile.html",
        form=form,
        participant=participant,
        organisations=organisation_names(),
    )


@bp.route("/availability", methods=["GET", "POST"], endpoint="availability")
@registered_required
def availability_page():
    groups = availability.slot_groups(g.event)
    available = availability.available_slot_ids(g.participant)
    held: list = []
    decisions: dict = {}
    if request.method == "POST":
        chosen = availability.chosen_slot_ids(
            groups, request.form.getlist("session"), request.form.getlist("slot")
        )
        decisions = availability.chosen_decisions(request.form)
        try:
            saved = operations.set_availability(g.participant, chosen, decisions)
        except operations.AvailabilityConflict as conflict:
            flash(str(conflict), "warning")
            available, held = chosen, conflict.meetings
        else:
            _say_saved(saved, bool(groups))
            return redirect(url_for("registrations.availability"))
    return render_template(
        "registrations/availability.html",
        groups=groups,
        available=available,
        held=held,
        decisions=decisions,
    )


def _say_saved(saved: operations.AvailabilitySaved, has_slots: bool) -> None:
    for meeting in saved.kept:
        flash(
            f"Kept: your meeting {_described(meeting)} stays, and that slot stays available.",
            "success",
        )
    for meeting in saved.freed:
        flash(
            f"Freed: your meeting {_described(meeting)} goes back to the meetings to schedule; "
            "the other side is told by email.",
            "success",
        )
    if saved.available == 0 and has_slots:
        flash(
            "You are now unavailable for the whole event: nobody can meet you. "
            "Tick the sessions you can attend.",
            "warning",
        )
    else:
        flash(f"Your availability is saved: {saved.available} meeting slots.", "success")


def _described(meeting) -> str:
    others = ", ".join(p.name for p in meeting.others(g.participant))
    return f"with {others}"


@bp.route("/people", endpoint="directory")
@participant_required
def directory_page():
    form = DirectoryForm(request.args)
    form.country.choices = [("", "All countries")] + [(c, c) for c in directory.countries(g.event)]
    form.topic.choices = [("", "All topics")] + [(t, t) for t in g.event.topics]
    form.validate()
    if len((form.q.data or "").split()) > directory.MAX_SEARCH_WORDS:
        flash(
            f"Only the first {directory.MAX_SEARCH_WORDS} words of your search were used.",
            "warning",
        )
    query = directory.search(
        g.event,
        g.participant,
        text=form.q.data or "",
        country=form.country.data or "",
        kind=form.kind.data or "",
        topic=form.topic.data or "",
    )
    page = directory.search_page(query, page=requested_page(), per_page=PAGE_SIZE)
    filtered = any(request.args.get(k) for k in ("q", "country", "kind", "topic"))
    return render_template("registrations/directory.html", form=form, page=page, filtered=filtered)


@bp.route("/people/<int:participant_id>")
@participant_required
def person(participant_id: int):
    viewer = g.participant
    other = directory.visible_or_404(viewer, participant_id)
    is_me = other.id == viewer.id
    return render_template(
        "registrations/person.html",
        person=other,
        is_me=is_me,
        show_contact=directory.contact_visible(viewer, other),
        refusal=None if is_me else rules.send_refusal(viewer, other),
        asked_me=None if is_me else rules.pending_request(other, viewer),
    )
