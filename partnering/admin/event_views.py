"""Organiser pages about the event itself: creating it, its settings, its tables, the
dashboard."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user

from partnering.access import organiser_required, site_admin_required
from partnering.admin import operations, queries
from partnering.admin.blueprint import bp
from partnering.admin.forms import EventForm, NewEventForm, TablesForm
from partnering.events.operations import EventEditRefused, TableEdit


def settings_from(form: EventForm) -> operations.EventSettings:
    return operations.EventSettings(
        name=form.name.data.strip(),
        venue=(form.venue.data or "").strip(),
        description=form.description.data or "",
        timezone=form.timezone.data,
        slot_minutes=form.slot_minutes.data,
        sessions=form.sessions(),
        registration_deadline=form.aware(form.registration_deadline.data),
        request_deadline=form.aware(form.request_deadline.data),
        cancellation_cutoff=form.aware(form.cancellation_cutoff.data),
        max_meetings=form.max_meetings.data,
        max_pending_requests=form.max_pending_requests.data,
        topics_text=form.topics_text.data or "",
        privacy_note=(form.privacy_note.data or "").strip(),
        contact_visibility=form.contact_visibility.data,
    )


@bp.route("/events/new", methods=["GET", "POST"])
@site_admin_required
def create_event():
    form = NewEventForm()
    if form.validate_on_submit():
        try:
            event = operations.create_event(
                current_user,
                form.slug.data,
                settings_from(form),
                tables=form.table_count.data,
                seats=form.table_seats.data,
            )
        except operations.AdminActionRefused as refused:
            form.slug.errors.append(str(refused))
        else:
            flash(f"{event.name} is created with {len(event.slots)} slots.", "success")
            return redirect(url_for("admin.dashboard", slug=event.slug))
    return render_template("admin/event_form.html", form=form, creating=True)


@bp.route("/e/<slug>/admin/settings", methods=["GET", "POST"])
@organiser_required
def edit_event():
    form = EventForm()
    if form.validate_on_submit():
        try:
            operations.edit_event(g.event, settings_from(form))
        except EventEditRefused as refused:
            flash(str(refused), "error")
        else:
            flash("Settings saved.", "success")
            return redirect(url_for("admin.edit_event"))
    elif not form.is_submitted():
        form.fill_from(g.event)
    return render_template("admin/event_form.html", form=form, creating=False)


@bp.route("/e/<slug>/admin/tables", methods=["GET", "POST"])
@organiser_required
def tables():
    form = TablesForm()
    if form.validate_on_submit():
        edits = [
            TableEdit(
                id=int(row.form.id.data),
                name=row.form.name.data,
                seats=row.form.seats.data,
                hidden=row.form.hidden.data,
                remove=row.form.remove.data,
            )
            for row in form.tables
            if (row.form.id.data or "").isdecimal()
        ]
        try:
            operations.edit_tables(
                g.event, edits, add=form.add_count.data or 0, add_seats=form.add_seats.data
            )
        except EventEditRefused as refused:
            flash(str(refused), "error")
        else:
            flash("Tables saved.", "success")
            return redirect(url_for("admin.tables"))
    elif not form.is_submitted():
        for table in g.event.tables:
            form.tables.append_entry(
                {"id": table.id, "name": table.name, "seats": table.seats, "hidden": table.hidden}
            )
    return render_template("admin/tables.html", form=form)


@bp.route("/e/<slug>/admin/")
@organiser_required
def dashboard():
    return render_template("admin/dashboard.html", figures=queries.dashboard(g.event))
