"""Place a set of meetings in slots with the fewest idle gaps (the JAIR B2B objective).

`minimise_gaps` puts every given meeting into one of its possible slots (nobody twice in a
slot, at most a pool's capacity of pool meetings per slot) and minimises the total number of
idle gaps: per person and day, each maximal run of free slots between two of their meetings.
Optionally the most-minus-fewest gaps of any participant is bounded (the paper's fairness).

The model follows what Bofill et al. (JAIR 2022) found decisive, restated for CP-SAT:

- one Boolean per (meeting, possible slot); per (participant, slot) a *busy* literal, a
  *has already met today* literal and a *a gap ends here* literal; the objective counts gap
  ends, so it is a plain sum of Booleans, which suits CP-SAT's core-based lower bounding;
- redundant constraints that the propagation does not derive by itself: every person is busy in
  exactly as many slots as they have meetings, each pool slot holds at most 2 x capacity
  busy people and an even number of them (two-person meetings), and the capacity is stated
  again over clusters (the meetings of one person use at most one table per slot);
- each person's fewest possible gaps, computed alone, as a lower bound on their gaps;
- a first schedule (the hint or a quick feasibility solve) given as a solution hint.

With two workers or more, one of them runs the same problem as core-guided MaxSAT
(`scheduler.maxsat`, RC2) in a child process once CP-SAT has had a second alone: on the
hardest JAIR instances RC2 proves the optimum where CP-SAT stalls far above it. Whichever
settles the question first ends the search.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler import maxsat
from scheduler.maxsat import clusters_by_person
from scheduler.problem import Problem

Pool = maxsat.Pool

ProgressCallback = Callable[[int, int, float], None]
"""Called with (best total gaps so far, proven lower bound, seconds elapsed)."""


@dataclass(frozen=True)
class GapResult:
    slot_of: dict[str, str]
    """Slot id of every meeting that was given."""
    total_gaps: int
    lower_bound: int
    """No placement of these meetings has fewer gaps (proven by the solver)."""
    optimal: bool
    seconds: float


class GapsNotFound(RuntimeError):
    """No placement was found: proven impossible, or none found within the time limit."""

    def __init__(self, message: str, *, proven_infeasible: bool, seconds: float) -> None:
        super().__init__(message)
        self.proven_infeasible = proven_infeasible
        self.seconds = seconds


Literal = cp_model.IntVar | int
"""A model Boolean, or the constant 0/1 where the data decides it."""


class _GapModel:
    """The CP-SAT model of one placement problem; one method per constraint family."""

    def __init__(
        self,
        problem: Problem,
        meetings: Sequence[str],
        pools: Sequence[Pool],
        gap_spread_limit: int | None,
        counted: Iterable[str] | None = None,
    ) -> None:
        self.problem = problem
        self.meetings = list(meetings)
        self.model = cp_model.CpModel()
        self.place: dict[str, dict[str, cp_model.IntVar]] = {}
        self.busy: dict[str, dict[str, Literal]] = {}
        self.gap_ends: dict[str, list[cp_model.IntVar]] = {}
        self._add_placement()
        self._add_busy()
        for meeting_ids, capacity in pools:
            self._add_pool(list(meeting_ids), capacity)
        self._add_gap_ends()
        self._break_duplicate_symmetry()
        people = self.gap_ends if counted is None else list(counted)
        self.objective = sum(e for pid in people for e in self.gap_ends[pid])
        if gap_spread_limit is not None:
            self._add_gap_spread(gap_spread_limit)
        self.model.minimize(self.objective)
        self.most_gaps = sum(len(ends) for ends in self.gap_ends.values())

    # -- variables and hard rules ----------------------------------------------------------

    def _add_placement(self) -> None:
        """Every meeting takes exactly one possible slot; a fixed meeting its fixed slot."""
        by_id = self.problem.meeting_by_id
        for mid in self.meetings:
            meeting = by_id[mid]
            slots = [meeting.fixed.slot] if meeting.fixed else self.problem.possible_slots(meeting)
            self.place[mid] = {s: self.model.new_bool_var(f"{mid}@{s}") for s in slots}
            self.model.add_exactly_one(self.place[mid].values())

    def _add_busy(self) -> None:
        """A person is busy in a slot when one of their meetings is there (at most one is)."""
        by_id = self.problem.meeting_by_id
        meetings_of: dict[str, list[str]] = {}
        for mid in self.meetings:
            for pid in by_id[mid].participants:
                meetings_of.setdefault(pid, []).append(mid)
        self.meetings_of = meetings_of
        for pid, mids in meetings_of.items():
            row: dict[str, Literal] = {}
            for slot in self.problem.slot_by_id:
                here = [self.place[m][slot] for m in mids if slot in self.place[m]]
                if not here:
                    row[slot] = 0
                elif len(here) == 1:
                    row[slot] = here[0]
                else:
                    busy = self.model.new_bool_var(f"{pid}@{slot}")
                    self.model.add(busy == sum(here))
                    row[slot] = busy
            self.busy[pid] = row
            # Redundant: busy in exactly as many slots as they have meetings.
            self.model.add(sum(row.values()) == len(mids))

    def _add_pool(self, meeting_ids: list[str], capacity: Mapping[str, int]) -> None:
        """At most `capacity[slot]` pool meetings per slot, stated three ways."""
        in_pool = [m for m in meeting_ids if m in self.place]
        # Every busy person is then in exactly one two-person pool meeting.
        pairs_only = len(set(in_pool)) == len(self.meetings) and all(
            len(self.problem.meeting_by_id[m].participants) == 2 for m in in_pool
        )
        clusters = clusters_by_person(self.meetings_of, in_pool)
        for slot, most in capacity.items():
            here = [m for m in in_pool if slot in self.place[m]]
            if len(here) <= most:
                continue
            self.model.add(sum(self.place[m][slot] for m in here) <= most)
            # Redundant, over clusters: each cluster's meetings share a person, so a cluster
            # takes at most one table per slot; the sum has fewer, stronger terms.
            self.model.add(sum(self._cluster_busy(cluster, slot) for cluster in clusters) <= most)
            if pairs_only:
                # Redundant: busy people come in pairs and fill at most two seats a table.
                pairs = self.model.new_int_var(0, most, f"pairs@{slot}")
                self.model.add(sum(row[slot] for row in self.busy.values()) == 2 * pairs)

    def _cluster_busy(self, cluster: tuple[str, list[str]], slot: str) -> cp_model.LinearExprT:
        pid, mids = cluster
        if len(mids) == len(self.meetings_of[pid]):
            return self.busy[pid][slot]
        return sum(self.place[m][slot] for m in mids if slot in self.place[m])

    # -- the objective ---------------------------------------------------------------------

    def _add_gap_ends(self) -> None:
        """Per person and day, a gap ends at a busy slot after a free one once they have met
        earlier that day; each gap ends exactly once, so gap ends count the gaps."""
        model = self.model
        for pid, row in self.busy.items():
            ends: list[cp_model.IntVar] = []
            for day in self.problem.days:
                first_end = len(ends)
                met: Literal = row[day[0]]
                for before, slot in zip(day, day[1:], strict=False):
                    busy, was_busy = row[slot], row[before]
                    if isinstance(met, cp_model.IntVar) and isinstance(busy, cp_model.IntVar):
                        if isinstance(was_busy, cp_model.IntVar):
                            end = model.new_bool_var(f"{pid}:gap-end@{slot}")
                            model.add_bool_and([busy, was_busy.Not(), met]).only_enforce_if(end)
                            model.add_bool_or([busy.Not(), was_busy, met.Not(), end])
                        else:
                            end = model.new_bool_var(f"{pid}:gap-end@{slot}")
                            model.add_bool_and([busy, met]).only_enforce_if(end)
                            model.add_bool_or([busy.Not(), met.Not(), end])
                        ends.append(end)
                    met = self._met_after(pid, slot, met, busy)
                self._add_compact_day(pid, day, ends[first_end:])
            self.gap_ends[pid] = ends

    def _add_compact_day(self, pid: str, day: Sequence[str], ends: list[cp_model.IntVar]) -> None:
        """Redundant: on a day without gaps a person's busy slots span exactly their number.
        Stated with first/last busy positions, it prunes slots far from the ones already
        taken, which the clause-level gap ends cannot see."""
        row = self.busy[pid]
        busy = [(i, row[s]) for i, s in enumerate(day) if not isinstance(row[s], int)]
        if len(busy) < 2 or not ends:
            return
        model = self.model
        first = model.new_int_var(0, len(day) - 1, f"{pid}:first@{day[0]}")
        last = model.new_int_var(0, len(day) - 1, f"{pid}:last@{day[0]}")
        for i, lit in busy:
            model.add(first <= i).only_enforce_if(lit)
            model.add(last >= i).only_enforce_if(lit)
        compact = model.new_bool_var(f"{pid}:compact@{day[0]}")
        model.add_bool_or([compact, *ends])
        for end in ends:
            model.add_implication(compact, end.Not())
        model.add(last - first + 1 <= sum(lit for _, lit in busy)).only_enforce_if(compact)
        self._add_mandatory_part(pid, day, busy, compact)

    def _add_mandatory_part(
        self, pid: str, day: Sequence[str], busy: list[tuple[int, Literal]], compact: Literal
    ) -> None:
        """Redundant: when all of a person's meetings fall on this day, a run holding all
        of them covers the middle positions every such run covers (between the latest
        possible start and the earliest possible end). Stated per slot, the table capacity
        then sees directly how many people cannot all be without gaps."""
        mine = self.meetings_of[pid]
        if any(not set(self.place[m]) <= set(day) for m in mine):
            return
        count = len(mine)
        earliest, latest = busy[0][0], busy[-1][0]
        if latest - earliest + 1 < count:
            self.model.add_bool_or([compact.Not()])
            return
        row = self.busy[pid]
        for i in range(latest - count + 1, earliest + count):
            lit = row[day[i]]
            if isinstance(lit, int):
                self.model.add_bool_or([compact.Not()])
                return
            self.model.add_implication(compact, lit)

    def _met_after(self, pid: str, slot: str, met: Literal, busy: Literal) -> Literal:
        """`met or busy`: whether the person has had a meeting today up to this slot."""
        if isinstance(met, int) and isinstance(busy, int):
            return met or busy
        if isinstance(met, int):
            return busy if met == 0 else 1
        if isinstance(busy, int):
            return met if busy == 0 else 1
        now = self.model.new_bool_var(f"{pid}:met@{slot}")
        self.model.add_max_equality(now, [met, busy])
        return now

    def _break_duplicate_symmetry(self) -> None:
        """Meetings of the same people with the same slots are interchangeable: keep them in
        id order."""
        groups: dict[tuple, list[str]] = {}
        for mid in self.meetings:
            meeting = self.problem.meeting_by_id[mid]
            if meeting.fixed is None:
                key = (tuple(sorted(meeting.participants)), tuple(self.place[mid]))
                groups.setdefault(key, []).append(mid)
        for twins in groups.values():
            for first, second in zip(twins, twins[1:], strict=False):
                slots = list(self.place[first])
                start = {m: sum(i * self.place[m][s] for i, s in enumerate(slots)) for m in twins}
                self.model.add(start[first] < start[second])

    def _add_gap_spread(self, limit: int) -> None:
        """Most-minus-fewest gaps over people with meetings is at most `limit`."""
        most_gaps = len(self.problem.slots)
        fewest = self.model.new_int_var(0, most_gaps, "fewest-gaps")
        most = self.model.new_int_var(0, most_gaps, "most-gaps")
        for ends in self.gap_ends.values():
            self.model.add(sum(ends) >= fewest)
            self.model.add(sum(ends) <= most)
        self.model.add(most - fewest <= limit)

    def add_person_bounds(self, fewest: Mapping[str, int]) -> None:
        for pid, bound in fewest.items():
            if bound > 0:
                self.model.add(sum(self.gap_ends[pid]) >= bound)

    def slot_of(self, solver: cp_model.CpSolver) -> dict[str, str]:
        return {
            mid: next(s for s, var in slots.items() if solver.boolean_value(var))
            for mid, slots in self.place.items()
        }


class _Progress(cp_model.CpSolverSolutionCallback):
    """Forwards each solution's total gaps to `report`."""

    def __init__(self, total: cp_model.LinearExprT, report: Callable[[int], None]) -> None:
        super().__init__()
        self._total = total
        self._report = report

        self.error: BaseException | None = None

    def on_solution_callback(self) -> None:
        try:
            self._report(round(self.value(self._total)))
        except BaseException as error:  # a caller cancelling through its progress callback
            self.error = error
            self.stop_search()


def _parameters(time_limit: float, seed: int = 0) -> cp_model.SatParameters:
    """One search thread without the LP relaxation. Measured on the JAIR instances: the LP of
    the gap model is weak and slow, the search without it finds low-gap placements many times
    sooner, and CP-SAT's own helper workers (feasibility jump, RINS) only take its CPU in the
    tight feasibility problems of the stages; parallelism comes from seeds instead."""
    parameters = cp_model.SatParameters()
    parameters.max_time_in_seconds = max(time_limit, 0.01)
    parameters.num_workers = 1
    parameters.subsolvers.append("no_lp")
    parameters.linearization_level = 0
    parameters.random_seed = seed
    return parameters


# -- per-person lower bounds ------------------------------------------------------------------


def _fits_in_one_run(problem: Problem, slots_of: list[list[str]]) -> bool:
    """Whether some window of consecutive slots of one day holds these meetings, each in one
    of its slots (a bipartite matching per window)."""
    n = len(slots_of)
    for day in problem.days:
        for start in range(len(day) - n + 1):
            window = set(day[start : start + n])
            if _has_perfect_matching([[s for s in ss if s in window] for ss in slots_of]):
                return True
    return False


def _has_perfect_matching(options: list[list[str]]) -> bool:
    owner: dict[str, int] = {}

    def augment(i: int, seen: set[str]) -> bool:
        for slot in options[i]:
            if slot not in seen:
                seen.add(slot)
                if slot not in owner or augment(owner[slot], seen):
                    owner[slot] = i
                    return True
        return False

    return all(augment(i, set()) for i in range(len(options)))


def fewest_gaps_alone(
    problem: Problem, meetings: Sequence[str], *, time_limit: float = 5.0
) -> dict[str, int]:
    """Per person, the fewest gaps their own meetings need with nobody else in the way (the
    fewest runs of slots that can hold them, minus one per day used): a proven lower bound.
    Most people fit in one run, which a matching shows; the others get a small model each,
    as long as `time_limit` lasts (after that, 0: still a bound)."""
    started = time.monotonic()
    by_id = problem.meeting_by_id
    meetings_of: dict[str, list[str]] = {}
    for mid in meetings:
        for pid in by_id[mid].participants:
            meetings_of.setdefault(pid, []).append(mid)
    fewest = {}
    for pid, mids in meetings_of.items():
        fewest[pid] = 0
        slots_of = [_slots_of(problem, by_id[m]) for m in mids]
        if len(mids) < 2 or _fits_in_one_run(problem, slots_of):
            continue
        left = time_limit - (time.monotonic() - started)
        if left <= 0:
            continue
        alone = _GapModel(problem, mids, pools=(), gap_spread_limit=None, counted=[pid])
        solver = cp_model.CpSolver()
        solver.parameters.copy_from(_parameters(min(left, 1.0)))
        status = solver.solve(alone.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            fewest[pid] = round(solver.best_objective_bound)
    return fewest


def _slots_of(problem: Problem, meeting) -> list[str]:
    return [meeting.fixed.slot] if meeting.fixed else problem.possible_slots(meeting)


ROUND_SECONDS = 2.0
"""Longest single neighbourhood round."""

FIRST_STAGE_SHARE = 0.6
"""Share of the time for the first stage, at the lower bound: it settles most instances."""

FALLBACK_SHARE = 0.3
"""With no placement found when this share of the time is left, take any placement."""

# -- the search -------------------------------------------------------------------------------


@dataclass
class _Search:
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


class _MaxSatBeside:
    """RC2 searches (`scheduler.maxsat`) in child processes beside the CP-SAT search, handing
    the first proven optimum to the search. The children are owned by one watching thread,
    which polls them and kills them when the search is over."""

    def __init__(self, search: _Search, started: float, deadline: float, *args: object) -> None:
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


def minimise_gaps(
    problem: Problem,
    meetings: Iterable[str],
    *,
    pools: Sequence[Pool],
    time_limit: float,
    workers: int = 2,
    hint: Mapping[str, str] | None = None,
    gap_spread_limit: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> GapResult:
    """Place every meeting with the fewest idle gaps; see the module docstring.

    Meetings outside `meetings` are ignored except through `pools` and availability. Returns
    the best placement found within `time_limit` seconds; raises `GapsNotFound` when there is
    none (`proven_infeasible` tells whether none can exist). An exception raised by
    `on_progress` stops the search and propagates.

    The search asks for a placement with at most `target` gaps, starting at the lower bound
    and raising the target when that is proven impossible (the bound rises) or not settled in
    its share of the time: a tight target prunes far more than a slowly falling objective.
    """
    started = time.monotonic()
    deadline = started + time_limit
    meetings = list(dict.fromkeys(meetings))
    gap_model = _GapModel(problem, meetings, pools, gap_spread_limit)
    search = _Search(lower_bound=0)
    report = _reporter(on_progress, search, started)
    beside = None
    if workers >= 2:  # MaxSAT takes one of the workers
        beside = _MaxSatBeside(
            search, started, deadline, problem, meetings, pools, gap_spread_limit
        )
        workers -= 1
    try:
        _search_with_cp_sat(gap_model, search, started, deadline, workers, hint, report)
        if beside is not None:
            beside.wait(report)
    finally:
        if beside is not None:
            beside.close()
    seconds = time.monotonic() - started
    if search.best is None:
        what = "no placement exists" if search.infeasible else "no placement found in time"
        raise GapsNotFound(
            f"{what} for {len(meetings)} meetings",
            proven_infeasible=search.infeasible,
            seconds=seconds,
        )
    return GapResult(
        slot_of=search.best,
        total_gaps=search.best_gaps,
        lower_bound=min(search.lower_bound, search.best_gaps),
        optimal=search.closed,
        seconds=seconds,
    )


def _search_with_cp_sat(
    gap_model: _GapModel,
    search: _Search,
    started: float,
    deadline: float,
    workers: int,
    hint: Mapping[str, str] | None,
    report: Callable[[int], None],
) -> None:
    """Ask CP-SAT for placements at rising targets, alternating with neighbourhood search,
    until the search is closed, handed over to MaxSAT, or the deadline passes."""
    time_limit = deadline - started
    fewest = fewest_gaps_alone(gap_model.problem, gap_model.meetings, time_limit=0.1 * time_limit)
    gap_model.add_person_bounds(fewest)
    search.raise_bound(sum(fewest.values()))
    step = 1  # targets tried: lower bound + step - 1, the step doubling while proven too low
    unsettled = False  # a stage ran out of time without an answer
    first_hint = dict(hint or {})
    while not search.over_for_cp_sat and time.monotonic() < deadline - 0.05:
        target = min(search.lower_bound + step - 1, gap_model.most_gaps)
        if search.best_gaps is not None:
            target = min(target, search.best_gaps - 1)
        remaining = deadline - time.monotonic()
        if search.best is None and (unsettled or remaining < FALLBACK_SHARE * time_limit):
            target = gap_model.most_gaps  # nothing yet: any placement, then improve it
        share = max(FIRST_STAGE_SHARE * remaining, 2.0)
        if search.best is not None:
            # Alternate: the whole problem at one gap fewer (which can also prove the bound),
            # then neighbourhoods of the best placement, which find improvements far sooner.
            share = max(0.3 * remaining, 2.0)
        start = search.best or first_hint
        status = _stage(gap_model, search, target, min(share, remaining), workers, start, report)
        if status == cp_model.INFEASIBLE:
            if target >= gap_model.most_gaps:
                search.infeasible = True
                break
            search.raise_bound(target + 1)
            step *= 2
        elif status == cp_model.UNKNOWN:
            unsettled = True
        if search.best is not None and not search.over_for_cp_sat:
            neighbourhood_end = time.monotonic() + 0.5 * (deadline - time.monotonic())
            _improve_in_neighbourhoods(gap_model, search, neighbourhood_end, workers, report)
    if search.best is not None:
        report(search.best_gaps)


def _stage(
    gap_model: _GapModel,
    search: _Search,
    target: int,
    time_limit: float,
    workers: int,
    hint: Mapping[str, str],
    report: Callable[[int], None],
) -> int:
    """Look for a placement with at most `target` gaps, with `workers` differently seeded
    searches in parallel (the first to settle the question stops the others); record what
    is found in `search` and return the CP-SAT status."""
    model = gap_model.model.clone()
    model.add(gap_model.objective <= target)
    model.clear_objective()  # a feasibility question: the target does the pruning
    if hint:
        _hint(model, gap_model, hint)
    return _solve_portfolio(gap_model, search, model, time_limit, workers, report)


def _solve_portfolio(
    gap_model: _GapModel,
    search: _Search,
    model: cp_model.CpModel,
    time_limit: float,
    workers: int,
    report: Callable[[int], None],
) -> int:
    """Run `workers` differently seeded single-thread searches in parallel; the first to
    settle the question stops the others. Records a better placement in `search`."""
    solvers = [cp_model.CpSolver() for _ in range(max(workers, 1))]
    statuses: list[int] = [cp_model.UNKNOWN] * len(solvers)
    callbacks = [_Progress(gap_model.objective, report) for _ in solvers]

    def run(i: int) -> None:
        solvers[i].parameters.copy_from(_parameters(time_limit, seed=i))
        with search.lock:
            if search.over_for_cp_sat:
                return
            search.running.add(solvers[i])
        statuses[i] = solvers[i].solve(model, callbacks[i])
        if statuses[i] != cp_model.UNKNOWN or callbacks[i].error is not None:
            for other in solvers:
                other.stop_search()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(solvers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with search.lock:
        search.running.difference_update(solvers)
    for callback in callbacks:
        if callback.error is not None:
            raise callback.error
    settled = [i for i, status in enumerate(statuses) if status != cp_model.UNKNOWN]
    if not settled:
        return cp_model.UNKNOWN
    winner = settled[0]
    status = statuses[winner]
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solver = solvers[winner]
        search.record(gap_model.slot_of(solver), round(solver.value(gap_model.objective)))
    return status


def _improve_in_neighbourhoods(
    gap_model: _GapModel,
    search: _Search,
    deadline: float,
    workers: int,
    report: Callable[[int], None],
) -> None:
    """Large-neighbourhood search on the best placement: keep most meetings where they are,
    free those of a few people (some with gaps, some at random, with their partners) and ask
    for a placement with fewer gaps. The share of people freed grows when rounds are proven
    hopeless quickly and shrinks when they time out."""
    rng = random.Random(len(gap_model.meetings))
    people = sorted(gap_model.busy)
    share = 0.2
    while not search.over_for_cp_sat and time.monotonic() < deadline - 0.05:
        best = search.best
        with_gaps = [p for p in people if _gaps_of(gap_model, p, best) > 0]
        chosen = set(rng.sample(with_gaps, min(len(with_gaps), 3)))
        while len(chosen) < max(2, share * len(people)):
            chosen.add(rng.choice(people))
        free = {m for p in chosen for m in gap_model.meetings_of.get(p, ())}
        model = gap_model.model.clone()
        model.add(gap_model.objective <= search.best_gaps - 1)
        model.clear_objective()
        for mid, slots in gap_model.place.items():
            if mid not in free:
                model.add(slots[best[mid]] == 1)
        _hint(model, gap_model, best)
        limit = min(ROUND_SECONDS, deadline - time.monotonic())
        status = _solve_portfolio(gap_model, search, model, limit, workers, report)
        if status == cp_model.INFEASIBLE:
            share = min(0.9, share * 1.25)
        elif status == cp_model.UNKNOWN:
            share = max(0.05, share / 1.25)


def _gaps_of(gap_model: _GapModel, pid: str, slot_of: Mapping[str, str]) -> int:
    position = gap_model.problem.slot_index
    day = gap_model.problem.slot_day
    taken = sorted(
        (day[slot_of[m]], position[slot_of[m]]) for m in gap_model.meetings_of.get(pid, ())
    )
    return sum(
        1 for (d1, a), (d2, b) in zip(taken, taken[1:], strict=False) if d1 == d2 and b > a + 1
    )


def _hint(model: cp_model.CpModel, gap_model: _GapModel, slot_of: Mapping[str, str]) -> None:
    model.clear_hints()
    for mid, slots in gap_model.place.items():
        chosen = slot_of.get(mid)
        if chosen in slots:
            for slot, var in slots.items():
                model.add_hint(var, slot == chosen)


def _reporter(
    on_progress: ProgressCallback | None, search: _Search, started: float
) -> Callable[[int], None]:
    def report(gaps: int) -> None:
        if on_progress is not None:
            best = gaps if search.best_gaps is None else min(gaps, search.best_gaps)
            on_progress(best, min(search.lower_bound, best), time.monotonic() - started)

    return report
