"""What one idle-gap search shares between its CP-SAT stages and the MaxSAT search beside
them: the best placement and the proven bound so far (`Race`), and the RC2 child processes
that may settle the question first (`MaxSatBeside`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler import maxsat


@dataclass
class Race:
    """Best placement and proven bound so far, shared by the stages of one search and by
    the MaxSAT search beside it (hence the lock)."""

    lower_bound: int
    best: dict[str, str] | None = None
    best_gaps: int | None = None
    infeasible: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    running: set[cp_model.CpSolver] = field(default_factory=set)
    """CP-SAT solvers at work, stopped when the question is settled from outside."""

    @property
    def closed(self) -> bool:
        found = self.best_gaps is not None and self.best_gaps <= self.lower_bound
        return self.infeasible or found

    def record(self, slot_of: dict[str, str], gaps: int) -> None:
        with self.lock:
            if self.best_gaps is None or gaps < self.best_gaps:
                self.best, self.best_gaps = slot_of, gaps

    def raise_bound(self, bound: int) -> None:
        with self.lock:
            self.lower_bound = max(self.lower_bound, bound)

    handed_over: bool = False
    """CP-SAT has handed its worker over to MaxSAT."""

    @property
    def over_for_cp_sat(self) -> bool:
        return self.closed or self.handed_over

    def settle(self, answer: maxsat.MaxSatResult) -> None:
        """Take a proven answer from outside, and stop the CP-SAT solvers at work."""
        if answer.slot_of is None:
            self.infeasible = True
        else:
            self.record(answer.slot_of, answer.gaps)
            self.raise_bound(answer.gaps)
        self._stop_running()

    def hand_over(self) -> None:
        self.handed_over = True
        self._stop_running()

    def _stop_running(self) -> None:
        with self.lock:
            for solver in self.running:
                solver.stop_search()


MAXSAT_PORTFOLIO = ((1.0, True), (10.0, False))
"""When each MaxSAT search starts (seconds into the search) and whether its encoding states
the parity of busy people. Most placements are settled by CP-SAT within the first second,
where a child process would only cost its start-up. RC2's times are heavy-tailed and each
encoding is the faster one on some JAIR instances, so a second one starts if the question is
still open after ten seconds; CP-SAT then hands its worker over."""


class MaxSatBeside:
    """RC2 searches (`scheduler.maxsat`) in child processes beside the CP-SAT search, handing
    the first proven optimum to the search. The children are owned by one watching thread,
    which polls them and kills them when the search is over."""

    def __init__(self, search: Race, started: float, deadline: float, *args: object) -> None:
        self._search = search
        self._started = started
        self._deadline = deadline
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=args, daemon=True)
        self._thread.start()

    def _watch(self, *args: object) -> None:
        children: list[maxsat.Background] = []
        try:
            for n, (start_at, parity) in enumerate(MAXSAT_PORTFOLIO):
                if not self._poll(children, until=self._started + start_at):
                    return
                if n > 0:
                    if not children:  # MaxSAT could not run here: CP-SAT keeps its worker
                        return
                    self._search.hand_over()
                children.append(maxsat.Background(*args, parity=parity))  # type: ignore[arg-type]
            self._poll(children, until=self._deadline)
        finally:
            for child in children:
                child.stop()

    def _poll(self, children: list[maxsat.Background], until: float) -> bool:
        """Wait for an answer until `until`; False when the search is over."""
        while time.monotonic() < until:
            if self._finished.is_set() or self._search.closed:
                return False
            for child in list(children):
                try:
                    answer = child.result(timeout=0)
                except maxsat.MaxSatFailed:
                    children.remove(child)
                    child.stop()
                    continue
                if answer is not None:
                    self._search.settle(answer)
                    return False
            self._finished.wait(0.1)
        return not self._search.closed

    def wait(self, report: Callable[[int], None]) -> None:
        """After CP-SAT has handed over: wait for MaxSAT's answer or the deadline, reporting
        a few times a second (a raising `report` ends the wait)."""
        while self._thread.is_alive() and not self._search.closed:
            self._thread.join(0.2)
            if self._search.best_gaps is not None:
                report(self._search.best_gaps)

    def close(self) -> None:
        self._finished.set()
        self._thread.join()
