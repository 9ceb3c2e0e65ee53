from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from partnering.access import event_blueprint, organiser_required
from partnering.extensions import db
from partnering.jobs import jobs_running
from partnering.outbox import operations
from partnering.outbox.models import FILTERS, OutboxMessage, OutboxStatus
from partnering.outbox.reading import readable
from partnering.paging import requested_page

bp = event_blueprint("outbox", __name__, url_prefix="/outbox")
PAGE_SIZE = 50


@bp.route("/")
@organiser_required
def index():
    status = request.args.get("status", "")
    query = db.select(OutboxMessage).filter_by(event_id=g.event.id)
    if wanted := OutboxStatus.parse(status):
        query = query.filter_by(status=wanted)
    page = db.paginate(
        query.order_by(OutboxMessage.id.desc()), page=requested_page(), per_page=PAGE_SIZE
    )
    counts = dict(
        db.session.execute(
            db.select(OutboxMessage.status, db.func.count())
            .filter_by(event_id=g.event.id)
            .group_by(OutboxMessage.status)
        ).all()
    )
    return render_template(
        "outbox/index.html",
        page=page,
        status=status,
        filters=FILTERS,
        counts=counts,
        jobs_running=jobs_running(),
    )


@bp.route("/<int:message_id>")
@organiser_required
def message(message_id: int):
    found = db.first_or_404(db.select(OutboxMessage).filter_by(id=message_id, event_id=g.event.id))
    return render_template(
        "outbox/message.html",
        message=found,
        content=readable(found),
        status=request.args.get("status", ""),
    )


@bp.post("/<int:message_id>/resend")
@organiser_required
def resend(message_id: int):
    message = db.first_or_404(
        db.select(OutboxMessage).filter_by(id=message_id, event_id=g.event.id)
    )
    try:
        operations.resend(message)
    except operations.ResendRefused as refused:
        flash(str(refused), "error")
    else:
        flash(f"The email to {message.recipient} is queued again.", "success")
    return redirect(url_for("outbox.index", status=request.args.get("status", "")))
