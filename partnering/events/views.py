from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import current_user

from partnering.access import event_blueprint
from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Participant

site = Blueprint("site", __name__)
bp = event_blueprint("events", __name__)


@site.route("/")
def index():
    events = db.session.execute(db.select(Event).order_by(Event.created_at.desc())).scalars()
    mine: dict[int, Participant] = {}
    if current_user.is_authenticated:
        rows = db.session.execute(db.select(Participant).filter_by(account_id=current_user.id))
        mine = {p.event_id: p for p in rows.scalars()}
    return render_template("events/index.html", events=list(events), mine=mine)


@bp.route("/")
def home():
    return render_template("events/home.html", event=g.event, participant=g.participant)
