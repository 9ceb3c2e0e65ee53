"""Organiser pages that let people in: a participant's login link (copy it, or email it) and
the invitation of imported participants."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user

from partnering.access import organiser_required
from partnering.admin import login_links
from partnering.admin.blueprint import bp
from partnering.admin.operations import AdminActionRefused
from partnering.admin.participant_views import participant_form, participant_page
from partnering.registrations.queries import participant_or_404


@bp.post("/e/<slug>/admin/participants/<int:participant_id>/login-link")
@organiser_required
def show_login_link(participant_id: int):
    """The participant page again, with their login link to copy (made on request only: a
    page view never puts a link in a cache or a screenshot)."""
    person = participant_or_404(g.event, participant_id)
    try:
        link = login_links.login_link(person, current_user)
    except AdminActionRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("admin.participant", participant_id=person.id))
    return participant_page(
        person,
        participant_form(person, submitted=False),
        login_link=link,
        link_hours=login_links.link_hours(),
    )


@bp.post("/e/<slug>/admin/participants/<int:participant_id>/login-link/email")
@organiser_required
def email_login_link(participant_id: int):
    person = participant_or_404(g.event, participant_id)
    try:
        login_links.email_login_link(person, current_user)
    except AdminActionRefused as refused:
        flash(str(refused), "error")
    else:
        flash(f"A login link is on its way to {person.email} (see the outbox).", "success")
    return redirect(url_for("admin.participant", participant_id=person.id))


@bp.route("/e/<slug>/admin/invitations")
@organiser_required
def invitations():
    people = login_links.imported_participants(g.event)
    return render_template(
        "admin/invitations.html",
        people=people,
        waiting=sum(1 for p in people if p.invited_at is None),
        link_hours=login_links.link_hours(),
    )


@bp.post("/e/<slug>/admin/invitations")
@organiser_required
def invite():
    invited = login_links.invite_imported(g.event, current_user)
    if invited:
        flash(
            f"{invited} participant{'s are' if invited != 1 else ' is'} invited: the emails are "
            "in the outbox.",
            "success",
        )
    else:
        flash("Everyone imported was invited already: nobody was emailed.", "info")
    return redirect(url_for("admin.invitations"))
