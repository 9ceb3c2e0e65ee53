"""The only bridge between the web app and the solver: an event as a `scheduler.Problem`
(and a problem file as a new event), solver runs, and their schedules applied to the event."""

from partnering.scheduling.problem import EventRefs, event_refs, problem_for_event
from partnering.scheduling.problem_import import ImportRefused, import_problem

__all__ = ["EventRefs", "ImportRefused", "event_refs", "import_problem", "problem_for_event"]
