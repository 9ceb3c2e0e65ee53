from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from partnering.access import event_blueprint, organiser_required
from partnering.bulk.operations import BulkKind, BulkRefused, start_resend_failed
from partnering.bulk.queries import active_bulk_job
from partnering.jobs import jobs_running
from partnering.outbox import operations, queries
from partnering.outbox.models import FILTERS, OutboxStatus
from partnering.outbox.reading import readable
from partnering.paging import requested_page

bp = event_blueprint("outbox", __name__, url_prefix="/outbox")
PAGE_SIZE = 50


@bp.route("/")
@organiser_required
def index():
    status = request.args.get("status", "")
    page = queries.messages_page(
        g.event, OutboxStatus.parse(status), page=requested_page(), per_page=PAGE_SIZE
    )
    return render_template(
        "outbox/index.html",
        page=page,
        status=status,
        filters=FILTERS,
        counts=queries.counts_by_status(g.event),
        jobs_running=jobs_running(),
        failed=OutboxStatus.FAILED,
        resend_going=active_bulk_job(g.event, BulkKind.RESEND_FAILED),
    )


@bp.route("/<int:message_id>")
@organiser_required
def message(message_id: int):
    found = queries.message_or_404(g.event, message_id)
    return render_template(
        "outbox/message.html",
        message=found,
        content=readable(found),
        status=request.args.get("status", ""),
    )


@bp.post("/<int:message_id>/resend")
@organiser_required
def resend(message_id: int):
    message = queries.message_or_404(g.event, message_id)
    try:
        operations.resend(message)
    except operations.ResendRefused as refused:
        flash(str(refused), "error")
    else:
        flash(f"The email to {message.recipient} is queued again.", "success")
    return redirect(url_for("outbox.index", status=request.args.get("status", "")))


@bp.post("/resend-failed")
@organiser_required
def resend_failed():
    """Every failed email of the event queued again, by a background job."""
    failed = queries.counts_by_status(g.event).get(OutboxStatus.FAILED, 0)
    try:
        job = start_resend_failed(g.event, current_user, failed, base_url=request.url_root)
    except BulkRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("outbox.index", status=request.args.get("status", "")))
    return redirect(url_for("bulk.job", job_id=job.id))
