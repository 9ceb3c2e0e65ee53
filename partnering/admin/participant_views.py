"""Organiser pages about participants: the list, decisions, one participant's settings, CSV
import and export."""

from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from partnering.access import organiser_required
from partnering.admin import operations, queries, uploads
from partnering.admin.blueprint import bp
from partnering.admin.forms import (
    BulkDecisionForm,
    CsvMappingForm,
    CsvUploadForm,
    DecisionForm,
    ParticipantFilterForm,
    ParticipantForm,
    options,
)
from partnering.admin.participant_csv import (
    FIELDS,
    CsvFileError,
    check_rows,
    export_rows,
    guess_mapping,
    read_csv,
    write_csv,
)
from partnering.bulk.operations import BulkKind, BulkRefused, start_decisions, start_import
from partnering.bulk.queries import active_bulk_job
from partnering.input_guard import ids_from
from partnering.paging import requested_page
from partnering.redirects import local_path
from partnering.registrations.queries import participant_or_404

PER_PAGE = 50
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _filter_from(form: ParticipantFilterForm) -> queries.ParticipantFilter:
    """The filters asked for; a value that is not one of a select's options is ignored (a GET
    form shows no errors: it just lists)."""
    form.country.choices = options(
        [("", "Any country")] + [(c, c) for c in queries.countries(g.event)]
    )
    for select in (form.status, form.kind, form.country, form.role):
        if select.data not in {choice.value for choice in select.choices}:
            select.data = ""
    return queries.ParticipantFilter(
        q=(form.q.data or "")[:200],
        status=form.status.data,
        kind=form.kind.data,
        country=form.country.data,
        role=form.role.data,
    )


@bp.route("/e/<slug>/admin/participants")
@organiser_required
def participants():
    filters = ParticipantFilterForm(request.args)
    wanted = _filter_from(filters)
    page = queries.participants_page(g.event, wanted, page=requested_page(), per_page=PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/participants.html",
        filters=filters,
        page=page,
        args=args,
        filtered=any(args.values()),
        bulk=BulkDecisionForm(),
        decision=DecisionForm(),
        decisions_going=active_bulk_job(g.event, BulkKind.DECIDE),
    )


@bp.post("/e/<slug>/admin/participants/decide")
@organiser_required
def decide():
    """One person is decided at once; several are a background job, whose page follows it."""
    form = BulkDecisionForm()
    ids = ids_from(request.form.getlist("ids"))
    back = local_path(request.form.get("back"), url_for("admin.participants"))
    if not form.validate_on_submit():
        flash("The form expired: try again.", "error")
        return redirect(back)
    if len(set(ids)) > 1:
        try:
            job = start_decisions(
                g.event, current_user, ids, form.decision.data, base_url=request.url_root
            )
        except BulkRefused as refused:
            flash(str(refused), "error")
            return redirect(back)
        return redirect(url_for("bulk.job", job_id=job.id))
    try:
        changed = operations.decide_registrations(g.event, ids, form.decision.data)
    except operations.AdminActionRefused as refused:
        flash(str(refused), "error")
    else:
        # The decision is a RegistrationStatus value, which reads as the past participle.
        verb = form.decision.data
        flash(f"{changed} registration{'s' if changed != 1 else ''} {verb}.", "success")
    return redirect(back)


@bp.route("/e/<slug>/admin/participants/<int:participant_id>", methods=["GET", "POST"])
@organiser_required
def participant(participant_id: int):
    person = participant_or_404(g.event, participant_id)
    form = participant_form(person, submitted=request.method == "POST")
    if form.validate_on_submit():
        try:
            operations.update_participant(
                person,
                booth_id=int(form.booth.data) if form.booth.data else None,
                max_meetings=form.max_meetings.data,
                role=form.role.data,
            )
        except operations.AdminActionRefused as refused:
            flash(str(refused), "error")
        else:
            flash(f"{person.name} is saved.", "success")
            return redirect(url_for("admin.participant", participant_id=person.id))
    return participant_page(person, form)


def participant_form(person, *, submitted: bool) -> ParticipantForm:
    """The settings form: what was posted, or the participant's settings as they are."""
    form = ParticipantForm(
        obj=None if submitted else person, **({} if submitted else {"formdata": None})
    )
    form.booth.choices = options(
        [("", "No booth")]
        + [(str(t.id), t.name + (" (hidden)" if t.hidden else "")) for t in g.event.tables]
    )
    if not submitted:
        form.booth.data = str(person.booth_table_id or "")
    return form


def participant_page(person, form: ParticipantForm, **extra) -> str:
    return render_template(
        "admin/participant.html", person=person, form=form, decision=BulkDecisionForm(), **extra
    )


@bp.route("/e/<slug>/admin/participants/export.csv")
@organiser_required
def export_participants():
    wanted = _filter_from(ParticipantFilterForm(request.args))
    people = queries.listed_participants(g.event, wanted)
    return Response(
        write_csv(export_rows(people)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{g.event.slug}-participants.csv"'},
    )


@bp.route("/e/<slug>/admin/participants/import", methods=["GET", "POST"])
@organiser_required
def import_participants():
    form = CsvUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(MAX_UPLOAD_BYTES + 1)
        try:
            if len(data) > MAX_UPLOAD_BYTES:
                raise CsvFileError("The file is larger than 10 MB: split it.")
            read_csv(data)
        except CsvFileError as problem:
            form.file.errors.append(str(problem))
        else:
            token = uploads.save_upload(g.event, data)
            return redirect(url_for("admin.map_columns", upload=token))
    return render_template("admin/import.html", form=form)


@bp.route("/e/<slug>/admin/participants/import/columns", methods=["GET", "POST"])
@organiser_required
def map_columns():
    form = CsvMappingForm(upload=request.args.get("upload", ""))
    data = uploads.read_upload(g.event, form.upload.data)
    if data is None:
        flash("That upload is gone: upload the file again.", "error")
        return redirect(url_for("admin.import_participants"))
    table = read_csv(data)
    choices = options(
        [("", "— none —")] + [(str(i), h or f"Column {i + 1}") for i, h in enumerate(table.headers)]
    )
    for field in FIELDS:
        form[field].choices = choices
    problems: list[str] = []
    if form.validate_on_submit():
        mapping = {f: int(form[f].data) if form[f].data else None for f in FIELDS}
        # Every row is checked here, so that the organiser corrects the file on this page; only
        # a clean file is imported, by a job (thousands of rows take a while to write).
        rows, problems = check_rows(g.event, table, mapping)
        if not problems:
            try:
                job = start_import(
                    g.event, current_user, data, mapping, rows, base_url=request.url_root
                )
            except BulkRefused as refused:
                problems = [str(refused)]
            else:
                uploads.discard_upload(g.event, form.upload.data)
                return redirect(url_for("bulk.job", job_id=job.id))
    elif not form.is_submitted():
        for field, index in guess_mapping(table.headers).items():
            form[field].data = "" if index is None else str(index)
    return render_template(
        "admin/import_columns.html",
        form=form,
        table=table,
        preview=table.rows[:5],
        problems=problems,
        labels=FIELDS,
    )
