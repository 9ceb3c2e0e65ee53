"""The organiser's scheduling pages: the `scheduling` blueprint with its routes."""

from partnering.scheduling import (  # noqa: F401  (attach the routes)
    grid_views,
    new_meeting_views,
    run_views,
)
from partnering.scheduling.blueprint import bp

__all__ = ["bp"]
