"""The organiser's pages: the `admin` blueprint with its event and participant routes."""

from partnering.admin import (  # noqa: F401  (attach the routes)
    event_views,
    login_link_views,
    participant_views,
)
from partnering.admin.blueprint import bp

__all__ = ["bp"]
