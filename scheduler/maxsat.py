"""Place meetings with the fewest idle gaps by core-guided MaxSAT (RC2 from python-sat).

The placement problem of `scheduler.gaps`, in the encoding with which Bofill et al. (JAIR 2022)
proved the optima of their benchmark: one Boolean per (meeting, possible slot); per (person,
slot) a *busy*, a *has met today* and a *a gap ends here* Boolean; one soft clause per gap end;
and the redundant constraints that made their solver fast (each person busy in as many slots as
they have meetings, each slot's capacity stated again over clusters of meetings that share a
person, at most two busy people per table and an even number of them).

Measured on that benchmark (BENCHMARKS.md): RC2 over Glucose 3, with core trimming, proves the
optima of forum-13crafb and ticf-13crafb (and of their .forb0003 variants) within a minute,
where CP-SAT stalls far above them; CP-SAT is many times faster on the other instances.
`scheduler.gaps` therefore runs both side by side. RC2 cannot be interrupted, so `Background`
runs it in a child process that is killed when its answer is no longer wanted.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import select
import signal
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.examples.rc2 import RC2Stratified
from pysat.formula import WCNF, IDPool
from pysat.solvers import Solver

from scheduler.problem import Problem

Pool = tuple[Iterable[str], Mapping[str, int]]
"""Meeting ids and, per slot id, the most of them that may share that slot."""

SAT_SOLVER = "g3"
"""Glucose 3: of the solvers python-sat ships, the fastest under RC2 on the JAIR instances."""


@dataclass(frozen=True)
class MaxSatResult:
    slot_of: dict[str, str] | None
    """Slot id of every meeting, or None when no placement exists."""
    gaps: int
    """Total idle gaps of `slot_of`, which RC2 proves optimal."""


def clusters_by_person(
    meetings_of: Mapping[str, Sequence[str]], meeting_ids: Iterable[str]
) -> list[tuple[str, list[str]]]:
    """The given meetings grouped by a shared person, busiest people first (a greedy cover):
    a cluster takes at most one table per slot."""
    left = set(meeting_ids)
    clusters = []
    for pid in sorted(meetings_of, key=lambda p: -len(meetings_of[p])):
        mine = [m for m in meetings_of[pid] if m in left]
        if mine:
            clusters.append((pid, mine))
            left.difference_update(mine)
    return clusters


class MaxSatFailed(RuntimeError):
    """The child process died or raised; the CP-SAT search carries on alone."""


class _NoPlacement(Exception):
    """Some meeting has no possible slot, or some person fewer slots than meetings."""


class _Encoding:
    """The weighted CNF of one placement problem; one method per constraint family."""

    def __init__(
        self,
        problem: Problem,
        meetings: Sequence[str],
        pools: Sequence[Pool],
        gap_spread_limit: int | None,
        parity: bool,
    ) -> None:
        self.problem = problem
        self.meetings = list(meetings)
        self.parity = parity
        self.ids = IDPool()
        self.formula = WCNF()
        self.place: dict[str, dict[str, int]] = {}
        self.busy: dict[str, dict[str, int | None]] = {}
        self.gap_ends: dict[str, list[int]] = {}
        self._add_placement()
        self._add_busy()
        for meeting_ids, capacity in pools:
            self._add_pool(list(meeting_ids), capacity)
        self._add_gap_ends()
        if gap_spread_limit is not None:
            self._add_gap_spread(gap_spread_limit)

    def _new(self, *name: Any) -> int:
        """A new variable, named for reading the encoding (or anonymous)."""
        return self.ids.id(name) if name else self.ids.id()

    def _clauses(self, clauses: Iterable[list[int]]) -> None:
        for clause in clauses:
            self.formula.append(clause)

    def _exactly(self, lits: list[int], k: int, encoding: int) -> None:
        self._clauses(CardEnc.equals(lits, k, vpool=self.ids, encoding=encoding).clauses)

    def _at_most(self, lits: list[int], k: int, encoding: int) -> None:
        if len(lits) > k:
            self._clauses(CardEnc.atmost(lits, k, vpool=self.ids, encoding=encoding).clauses)

    def _add_placement(self) -> None:
        """Every meeting takes exactly one possible slot; a fixed meeting its fixed slot."""
        by_id = self.problem.meeting_by_id
        for mid in self.meetings:
            meeting = by_id[mid]
            slots = [meeting.fixed.slot] if meeting.fixed else self.problem.possible_slots(meeting)
            if not slots:
                raise _NoPlacement(mid)
            self.place[mid] = {s: self._new("x", mid, s) for s in slots}
            lits = list(self.place[mid].values())
            self._exactly(lits, 1, EncType.pairwise if len(lits) < 8 else EncType.seqcounter)

    def _add_busy(self) -> None:
        """A person is busy in a slot when one of their meetings is there, and at most one is;
        redundantly, they are busy in exactly as many slots as they have meetings."""
        self.meetings_of = self.problem.meetings_among(self.meetings)
        for pid, mids in self.meetings_of.items():
            row: dict[str, int | None] = {}
            for slot in self.problem.slot_by_id:
                here = [self.place[m][slot] for m in mids if slot in self.place[m]]
                if not here:
                    row[slot] = None
                    continue
                busy = row[slot] = self._new("busy", pid, slot)
                self.formula.append([-busy, *here])
                self._clauses([-lit, busy] for lit in here)
                self._at_most(here, 1, EncType.pairwise if len(here) < 6 else EncType.seqcounter)
            self.busy[pid] = row
            taken = [lit for lit in row.values() if lit is not None]
            if len(taken) < len(mids):
                raise _NoPlacement(pid)
            self._exactly(taken, len(mids), EncType.totalizer)

    def _add_pool(self, meeting_ids: list[str], capacity: Mapping[str, int]) -> None:
        """At most `capacity[slot]` pool meetings per slot, stated three ways."""
        by_id = self.problem.meeting_by_id
        in_pool = [m for m in meeting_ids if m in self.place]
        pairs_only = len(set(in_pool)) == len(self.meetings) and all(
            len(by_id[m].participants) == 2 for m in in_pool
        )
        here = {
            slot: [self.place[m][slot] for m in in_pool if slot in self.place[m]]
            for slot in capacity
        }
        binding = [(slot, most) for slot, most in capacity.items() if len(here[slot]) > most]
        for slot, most in binding:
            self._at_most(here[slot], most, EncType.seqcounter)
        busy = {
            slot: [row[slot] for row in self.busy.values() if row[slot] is not None]
            for slot, _ in binding
        }
        if pairs_only:  # busy people come in pairs: at most two a table
            for slot, most in binding:
                self._at_most(busy[slot], 2 * most, EncType.totalizer)
        clusters = clusters_by_person(self.meetings_of, in_pool)
        for slot, most in binding:
            terms = [t for c in clusters if (t := self._cluster_busy(c, slot)) is not None]
            self._at_most(terms, most, EncType.totalizer)
        if pairs_only and self.parity:  # ... and an even number of them
            for slot, _ in binding:
                self._even(busy[slot])

    def _even(self, lits: list[int]) -> None:
        """An even number of `lits` is true: a chain of exclusive-ors ending false."""
        odd = lits[0]
        for lit in lits[1:]:
            either = self._new()
            self._clauses(
                [
                    [-either, odd, lit],
                    [-either, -odd, -lit],
                    [either, -odd, lit],
                    [either, odd, -lit],
                ]
            )
            odd = either
        self.formula.append([-odd])

    def _cluster_busy(self, cluster: tuple[str, list[str]], slot: str) -> int | None:
        """A literal true when one of the cluster's meetings is in `slot`."""
        pid, mids = cluster
        if len(mids) == len(self.meetings_of[pid]):
            return self.busy[pid][slot]
        here = [self.place[m][slot] for m in mids if slot in self.place[m]]
        if len(here) <= 1:
            return here[0] if here else None
        lit = self._new("cluster", pid, slot)
        self.formula.append([-lit, *here])
        self._clauses([-h, lit] for h in here)
        return lit

    def _add_gap_ends(self) -> None:
        """Per person and day, a gap ends at a busy slot after a free one once they have met
        earlier that day; each gap end is one soft clause of weight 1."""
        for pid, row in self.busy.items():
            ends: list[int] = []
            for day in self.problem.days:
                met = row[day[0]]
                for before, slot in pairwise(day):
                    busy, was_busy = row[slot], row[before]
                    if busy is not None and met is not None:
                        end = self._new("gap-end", pid, slot)
                        self._clauses([[-end, busy], [-end, met]])
                        if was_busy is not None:
                            self.formula.append([-end, -was_busy])
                        self.formula.append([-busy, -met, end] + ([was_busy] if was_busy else []))
                        self.formula.append([-end], weight=1)
                        ends.append(end)
                    met = self._either(pid, slot, met, busy)
            self.gap_ends[pid] = ends

    def _either(self, pid: str, slot: str, met: int | None, busy: int | None) -> int | None:
        """A literal for `met or busy` (None stands for false)."""
        if met is None or busy is None:
            return busy if met is None else met
        now = self._new("met", pid, slot)
        self._clauses([[-now, met, busy], [-met, now], [-busy, now]])
        return now

    def _add_gap_spread(self, limit: int) -> None:
        """Most-minus-fewest gaps over people with meetings is at most `limit`. Where someone
        can have no gap the fewest is 0, and the rule is a cap per person; otherwise the
        fewest is a unary number f: f >= k only if everyone has k gaps, and anyone with
        k + limit + 1 gaps forces f >= k + 1."""
        if any(not ends for ends in self.gap_ends.values()):
            for ends in self.gap_ends.values():
                self._at_most(ends, limit, EncType.seqcounter)
            return
        most = max(len(ends) for ends in self.gap_ends.values())
        fewest = [self._new("fewest", k) for k in range(1, most + 1)]  # fewest[k-1]: f >= k
        self._clauses([[-higher, lower] for lower, higher in pairwise(fewest)])
        for ends in self.gap_ends.values():
            n = len(ends)
            free_ends = self._totalizer([-e for e in ends])  # free_ends[j]: > j of them free
            gaps = self._totalizer(ends)  # gaps[j]: more than j gaps
            for k, f in enumerate(fewest, start=1):
                # f >= k needs at most n - k free gap ends, i.e. at least k gaps.
                self.formula.append([-f, -free_ends[n - k]] if k <= n else [-f])
            for k in range(most - limit):
                # k + limit + 1 gaps force f >= k + 1.
                if k + limit < n:
                    self.formula.append([-gaps[k + limit], fewest[k]])

    def _totalizer(self, lits: list[int]) -> list[int]:
        """Unary counter outputs: the j-th is true when more than j of `lits` are."""
        counter = ITotalizer(lits, ubound=len(lits), top_id=self.ids.top)
        self.ids.top = counter.top_id
        self._clauses(counter.cnf.clauses)
        return counter.rhs

    def decode(self, model: list[int]) -> dict[str, str]:
        true = {lit for lit in model if lit > 0}
        return {
            mid: next(s for s, var in slots.items() if var in true)
            for mid, slots in self.place.items()
        }


def solve(
    problem: Problem,
    meetings: Sequence[str],
    pools: Sequence[Pool],
    gap_spread_limit: int | None,
    *,
    parity: bool = True,
) -> MaxSatResult:
    """Place `meetings` with the fewest idle gaps, proven; runs until done. `parity` adds the
    even-number-of-busy-people constraints: they speed up most instances and slow a few,
    so the two encodings make a portfolio."""
    try:
        encoding = _Encoding(problem, meetings, pools, gap_spread_limit, parity)
    except _NoPlacement:
        return MaxSatResult(None, 0)
    if not encoding.formula.soft:  # nobody can have a gap: a plain satisfiability question
        with Solver(name=SAT_SOLVER, bootstrap_with=encoding.formula.hard) as sat:
            found = sat.solve()
            return MaxSatResult(encoding.decode(sat.get_model()) if found else None, 0)
    # The options measured best on the JAIR instances: adapt to at-most-one cores, exhaust
    # and minimise cores, and trim them up to 5 times (stratification is moot at weight 1).
    with RC2Stratified(
        encoding.formula, solver=SAT_SOLVER, adapt=True, exhaust=True, minz=True, trim=5
    ) as rc2:
        model = rc2.compute()
        if model is None:
            return MaxSatResult(None, 0)
        return MaxSatResult(encoding.decode(model), rc2.cost)


class Background:
    """`solve` in a child Python process (`python -m scheduler.maxsat`, arguments and answer
    pickled over its pipes), so that it runs beside the caller whatever the caller's main
    module is: poll `result`, and `stop` when the answer is no longer wanted."""

    def __init__(
        self,
        problem: Problem,
        meetings: Sequence[str],
        pools: Sequence[Pool],
        gap_spread_limit: int | None,
        *,
        parity: bool = True,
    ) -> None:
        pools = [(list(ids), dict(capacity)) for ids, capacity in pools]
        package_root = str(Path(__file__).resolve().parents[1])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (package_root, os.environ.get("PYTHONPATH")) if p
            ),
            PARENT_VARIABLE: str(os.getpid()),
        }
        self._process = subprocess.Popen(
            [sys.executable, "-m", "scheduler.maxsat"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        with self._process.stdin:  # the child reads all of it before it starts
            arguments = (problem, list(meetings), pools, gap_spread_limit, parity)
            pickle.dump(arguments, self._process.stdin)

    def result(self, timeout: float) -> MaxSatResult | None:
        """The answer, or None when it has not come within `timeout` seconds."""
        ready, _, _ = select.select([self._process.stdout], [], [], max(timeout, 0))
        if not ready:
            return None
        try:
            answer = pickle.loads(self._process.stdout.read())
        except (EOFError, pickle.UnpicklingError) as error:
            raise MaxSatFailed("the MaxSAT process ended without an answer") from error
        if not isinstance(answer, MaxSatResult):
            raise MaxSatFailed(f"the MaxSAT process failed: {answer}")
        return answer

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._process.stdout.close()


PR_SET_PDEATHSIG = 1
"""prctl option of <linux/prctl.h>: the signal this process gets when its parent ends."""
PARENT_VARIABLE = "SCHEDULER_MAXSAT_PARENT"
"""The starting process's id, for the child to see whether it is already gone."""


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the thread that started it ends, so that a parent
    killed without a chance to stop us leaves no search behind (elsewhere: best effort). A
    parent that died while this process was still starting up (before the request) is caught
    by the check after it: this process has been handed to another parent by then."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (AttributeError, OSError):
        return
    parent = os.environ.get(PARENT_VARIABLE)
    if parent is not None and os.getppid() != int(parent):
        os._exit(1)


def _main() -> None:
    _die_with_parent()
    problem, meetings, pools, gap_spread_limit, parity = pickle.load(sys.stdin.buffer)
    try:
        answer: object = solve(problem, meetings, pools, gap_spread_limit, parity=parity)
    except Exception as error:  # told to the parent, which carries on with CP-SAT alone
        answer = f"{type(error).__name__}: {error}"
    pickle.dump(answer, sys.stdout.buffer)


if __name__ == "__main__":
    # Through the package, so that the answer pickles as scheduler.maxsat.MaxSatResult.
    from scheduler.maxsat import _main as main

    main()
