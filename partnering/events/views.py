from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import current_user

from partnering.access import event_blueprint
from partnering.events import queries
from partnering.registrations.queries import participations_by_event

site = Blueprint("site", __name__)
bp = event_blueprint("events", __name__)


@site.route("/")
def index():
    mine = participations_by_event(current_user) if current_user.is_authenticated else {}
    return render_template("events/index.html", events=queries.all_events(), mine=mine)


@bp.route("/")
def home():
    return render_template("events/home.html", event=g.event, participant=g.participant)
