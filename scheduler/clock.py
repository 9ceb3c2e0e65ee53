"""A solve's clock: how much of the time limit is left, what to keep for the finish, and the
progress reports to the caller, who may ask to stop at each one."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

FINISH_SECONDS_PER_MEETING = 0.0002
"""Time kept per meeting for the first tables, reasons and the check at the end."""
TABLE_SECONDS_PER_MEETING = 0.0005
"""Time kept per meeting for the table stage to lower table changes after its first pass and
to bound them (tables.py, table_bound.py), at most TABLE_SHARE of the time limit."""
TABLE_SHARE = 0.05
ORDER_SECONDS_PER_MEETING = 0.0006
"""Time kept per meeting for reordering agendas towards fewer table changes (table_order.py;
its gains level off there on the generated events), at most ORDER_SHARE of the time limit."""
ORDER_SHARE = 0.05
BOUND_SECONDS_PER_MEETING = 0.00004
"""What the table-change bound takes per meeting on a busy machine (1.6 s for 45,000)."""


@dataclass(frozen=True)
class Progress:
    phase: str
    """"start", "priority", "fairness", "agendas", "neighbourhoods", "tables" or "done"."""
    best: float | None
    """Scheduled priority sum of the best schedule so far."""
    bound: float | None
    """No schedule can schedule more priority than this (when known)."""
    elapsed: float
    time_limit: float


class Clock:
    def __init__(
        self,
        time_limit: float,
        on_progress: Callable[[Progress], None] | None,
        meetings: int = 0,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.started = time.monotonic()
        self.meetings = meetings
        self.time_limit = time_limit
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.stopped = False
        """The caller asked to stop: no time is left for searching, only for finishing."""
        self.best: float | None = None
        self.bound: float | None = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def left(self) -> float:
        return 0.0 if self.stopped else max(0.0, self.time_limit - self.elapsed)

    def report(self, phase: str) -> bool:
        """Tell the caller how far the search is; True once it should stop (the searches'
        `tick` callbacks return this, so that they end with what they found)."""
        if self.on_progress is not None:
            self.on_progress(Progress(phase, self.best, self.bound, self.elapsed, self.time_limit))
        if not self.stopped and self.should_stop is not None and self.should_stop():
            self.stopped = True
        return self.stopped


def finish_reserve(clock: Clock) -> float:
    """Time kept for tables, reasons and the check at the end: they grow with the event
    (about 5 s for 45,000 meetings on a busy machine, plus `table_seconds`)."""
    return _finish_only(clock) + table_seconds(clock)


def order_seconds(clock: Clock) -> float:
    """Time reordering agendas for fewer table changes may take: kept back from the agenda
    searches before it (polishing and neighbourhood search), not from the exact stages."""
    return min(ORDER_SHARE * clock.time_limit, ORDER_SECONDS_PER_MEETING * clock.meetings)


def order_seconds_left(clock: Clock) -> float:
    """What reordering may spend now: its share, but never the time kept for tables, reasons
    and the check."""
    return max(0.0, min(order_seconds(clock), clock.left() - finish_reserve(clock)))


def table_seconds(clock: Clock) -> float:
    """Time the table stage may spend on fewer table changes."""
    return min(TABLE_SHARE * clock.time_limit, TABLE_SECONDS_PER_MEETING * clock.meetings)


def table_seconds_left(clock: Clock) -> float:
    """What the table stage may spend on improvements now: its share (at least a second)
    less the bound's time, but never the time kept for reasons and the check; nothing once
    asked to stop."""
    share = max(1.0, table_seconds(clock)) - BOUND_SECONDS_PER_MEETING * clock.meetings
    return max(0.0, min(share, clock.left() - _finish_only(clock)))


def _finish_only(clock: Clock) -> float:
    return min(0.25 * clock.time_limit, 0.3 + FINISH_SECONDS_PER_MEETING * clock.meetings)
