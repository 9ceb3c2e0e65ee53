"""The `scheduling` blueprint, shared by its view modules, and the refusals its pages show."""

from __future__ import annotations

from partnering.access import event_blueprint
from partnering.scheduling.edits import EditRefused
from partnering.scheduling.operations import ScheduleRefused

bp = event_blueprint("scheduling", __name__, url_prefix="/schedule")

REFUSALS = (ScheduleRefused, EditRefused)
