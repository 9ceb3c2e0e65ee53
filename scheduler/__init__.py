"""The partnering scheduler: `Problem` in, `Schedule` out (see FORMATS.md).

Pure Python on OR-Tools CP-SAT; it knows nothing of the web app.
"""

from scheduler.bounds import Bound, upper_bound
from scheduler.check import Violation, check, check_fixed
from scheduler.explain import Change, Reason, explain, reasons
from scheduler.greedy import greedy
from scheduler.metrics import Figures, figures, idle_gaps
from scheduler.problem import (
    Assignment,
    Fixed,
    FormatError,
    Meeting,
    Participant,
    Problem,
    Schedule,
    Slot,
    Table,
    Unscheduled,
)
from scheduler.problem_json import (
    dump_json,
    load_problem,
    load_schedule,
    problem_from_dict,
    problem_to_dict,
    read_json,
    schedule_from_dict,
    schedule_to_dict,
)
from scheduler.repair import Conflict, release_conflicts
from scheduler.solve import Progress, solve

__all__ = [
    "Assignment",
    "Bound",
    "Conflict",
    "Change",
    "Figures",
    "Fixed",
    "FormatError",
    "Meeting",
    "Participant",
    "Problem",
    "Progress",
    "Reason",
    "Schedule",
    "Slot",
    "Table",
    "Unscheduled",
    "Violation",
    "check",
    "check_fixed",
    "dump_json",
    "explain",
    "figures",
    "greedy",
    "idle_gaps",
    "load_problem",
    "load_schedule",
    "problem_from_dict",
    "problem_to_dict",
    "read_json",
    "reasons",
    "release_conflicts",
    "schedule_from_dict",
    "schedule_to_dict",
    "solve",
    "upper_bound",
]
