"""A bulk job's page: its progress while it runs, then its result (and the file it made)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, g, jsonify, render_template, url_for

from partnering.access import event_blueprint, organiser_required
from partnering.bulk.models import BulkJob, BulkKind
from partnering.bulk.queries import bulk_job_or_404, download_of, has_download
from partnering.bulk.runner import recover
from partnering.jobs import jobs_running

bp = event_blueprint("bulk", __name__, url_prefix="/jobs")


def _back_to(endpoint: str) -> Callable[[BulkJob], str]:
    return lambda _job: url_for(endpoint)


# Per kind: what its items are called, the page the organiser came from, and its link's words.
SHOWN: dict[BulkKind, tuple[str, Callable[[BulkJob], str], str]] = {
    BulkKind.DECIDE: ("registration", _back_to("admin.participants"), "Back to registrations"),
    BulkKind.RESEND_FAILED: ("email", _back_to("outbox.index"), "Back to the outbox"),
    BulkKind.APPLY_RUN: (
        "meeting",
        lambda job: url_for("scheduling.run", run_id=job.params["run_id"]),
        "Back to the run",
    ),
    BulkKind.IMPORT_PARTICIPANTS: ("row", _back_to("admin.participants"), "Back to registrations"),
    BulkKind.EXPORT_AGENDAS: (
        "participant",
        _back_to("scheduling.overview"),
        "Back to the schedule",
    ),
}


@bp.route("/<int:job_id>")
@organiser_required
def job(job_id: int):
    found = bulk_job_or_404(g.event, job_id)
    recover(found)
    noun, back, back_label = SHOWN[found.kind]
    return render_template(
        "bulk/job.html",
        job=found,
        noun=noun,
        back=back(found),
        back_label=back_label,
        download=found.is_done and has_download(found),
        jobs_running=jobs_running(),
    )


@bp.route("/<int:job_id>/progress")
@organiser_required
def progress(job_id: int):
    found = bulk_job_or_404(g.event, job_id)
    recover(found)
    return jsonify(
        active=found.is_active,
        status=found.status,
        label=found.status.label,
        announce=f"{found.kind.label}: {found.status.label.lower()}.",
        total=found.total,
        changed=found.changed,
        result=found.result,
        error=found.error,
    )


@bp.route("/<int:job_id>/agendas.zip")
@organiser_required
def download(job_id: int):
    found = bulk_job_or_404(g.event, job_id)
    data = download_of(found)
    if data is None:
        abort(404)  # not an export, not done yet, or replaced by a later export
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{g.event.slug}-agendas.zip"'},
    )
