"""A bulk job's page: its progress while it runs, then its result."""

from __future__ import annotations

from flask import g, jsonify, render_template, url_for

from partnering.access import event_blueprint, organiser_required
from partnering.bulk.models import BulkKind
from partnering.bulk.queries import bulk_job_or_404
from partnering.bulk.runner import recover
from partnering.jobs import jobs_running

bp = event_blueprint("bulk", __name__, url_prefix="/jobs")

# Per kind: what its items are called, and the page the organiser came from.
SHOWN = {
    BulkKind.DECIDE: ("registration", "admin.participants", "Back to registrations"),
    BulkKind.RESEND_FAILED: ("email", "outbox.index", "Back to the outbox"),
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
        back=url_for(back),
        back_label=back_label,
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
