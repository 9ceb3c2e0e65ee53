"""Registration, one's own profile and availability, and the participant directory."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from partnering.access import event_blueprint, participant_required
from partnering.extensions import db
from partnering.meetings import rules
from partnering.registrations import availability, directory, operations
from partnering.registrations.forms import DirectoryForm, ProfileForm, RegistrationForm
from partnering.registrations.models import Organisation

bp = event_blueprint("registrations", __name__)

PAGE_SIZE = 24


def registered_required(view: Callable) -> Callable:
    """Anyone registered for g.event, approved or not yet (they may prepare their profile)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if g.participant is None:
            flash("Register for this event first.", "info")
            return redirect(url_for("registrations.register"))
        return view(*args, **kwargs)

    return wrapped


def organisation_names() -> list[str]:
    return list(
        db.session.execute(
            db.select(Organisation.name).filter_by(event_id=g.event.id).order_by(Organisation.name)
        ).scalars()
    )


@bp.route("/register", methods=["GET", "POST"])
def register():
    if g.participant is not None:
        flash("You are registered for this event; here is your profile.", "info")
        return redirect(url_for("registrations.profile"))
    if not operations.registration_open(g.event):
        return render_template("registrations/register.html", form=None)
    logged_in = current_user.is_authenticated
    form = ProfileForm() if logged_in else RegistrationForm()
    form.set_event(g.event)
    if request.method == "GET" and logged_in:
        form.name.data = current_user.name
    if form.validate_on_submit():
        profile = operations.Profile.from_form(form)
        try:
            if logged_in:
                operations.register(g.event, profile, account=current_user)
            else:
                operations.register(g.event, profile, email=form.email.data)
        except operations.AlreadyRegistered as refused:
            flash(str(refused), "info")
            return redirect(url_for("events.home"))
        except operations.RegistrationRefused as refused:
            flash(str(refused), "error")
        else:
            if logged_in:
                flash("Thank you for registering. The organiser will review it soon.", "success")
            else:
                flash(
                    "Thank you for registering. We emailed you a link to log in; the "
                    "organiser will review your registration soon.",
                    "success",
                )
            return redirect(url_for("events.home"))
    return render_template(
        "registrations/register.html", form=form, organisations=organisation_names()
    )


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
    if request.method == "POST":
        chosen = availability.chosen_slot_ids(
            groups, request.form.getlist("session"), request.form.getlist("slot")
        )
        count = operations.set_availability(g.participant, chosen)
        if count == 0 and groups:
            flash(
                "You are now unavailable for the whole event: nobody can meet you. "
                "Tick the sessions you can attend.",
                "warning",
            )
        else:
            flash(f"Your availability is saved: {count} meeting slots.", "success")
        return redirect(url_for("registrations.availability"))
    return render_template(
        "registrations/availability.html",
        groups=groups,
        available=availability.available_slot_ids(g.participant),
    )


@bp.route("/people", endpoint="directory")
@participant_required
def directory_page():
    form = DirectoryForm(request.args)
    form.country.choices = [("", "All countries")] + [(c, c) for c in directory.countries(g.event)]
    form.topic.choices = [("", "All topics")] + [(t, t) for t in g.event.topics]
    form.validate()
    query = directory.search(
        g.event,
        g.participant,
        text=form.q.data or "",
        country=form.country.data or "",
        kind=form.kind.data or "",
        topic=form.topic.data or "",
    )
    page = db.paginate(
        query, page=request.args.get("page", 1, type=int), per_page=PAGE_SIZE, error_out=False
    )
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
        refusal=None if is_me else rules.send_refusal(viewer, other),
        asked_me=None if is_me else rules.pending_request(other, viewer),
    )
