"""The organiser's pages: the `admin` blueprint with its event and participant routes."""

from partnering.admin import event_views, participant_views  # noqa: F401  (attach the routes)
from partnering.admin.blueprint import bp

__all__ = ["bp"]
