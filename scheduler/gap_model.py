"""The CP-SAT model of placing meetings with the fewest idle gaps (the JAIR B2B objective).

The model follows what Bofill et al. (JAIR 2022) found decisive, restated for CP-SAT:

- one Boolean per (meeting, possible slot); per (participant, slot) a *busy* literal, a
  *has already met today* literal and a *a gap ends here* literal; the objective counts gap
  ends, so it is a plain sum of Booleans, which suits CP-SAT's core-based lower bounding;
- redundant constraints that the propagation does not derive by itself: every person is busy in
  exactly as many slots as they have meetings, each pool slot holds at most 2 x capacity
  busy people and an even number of them (two-person meetings), and the capacity is stated
  again over clusters (the meetings of one person use at most one table per slot);
- optionally, the most-minus-fewest gaps of any participant bounded (the paper's fairness).

The search over this model is `scheduler.gaps`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ortools.sat.python import cp_model

from scheduler import maxsat
from scheduler.maxsat import clusters_by_person
from scheduler.problem import Problem

Pool = maxsat.Pool

Literal = cp_model.IntVar | int
"""A model Boolean, or the constant 0/1 where the data decides it."""


class GapModel:
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
        self.meetings_of = self.problem.meetings_among(self.meetings)
        for pid, mids in self.meetings_of.items():
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
        self.twins = [twins for twins in groups.values() if len(twins) > 1]
        for twins in self.twins:
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

    def in_twin_order(self, slot_of: Mapping[str, str]) -> dict[str, str]:
        """The same placement with interchangeable meetings swapped into the order that the
        symmetry breaking keeps, so that a valid placement given as a hint stays valid."""
        ordered = dict(slot_of)
        for twins in self.twins:
            if all(slot_of.get(m) in self.place[m] for m in twins):
                position = {s: i for i, s in enumerate(self.place[twins[0]])}
                slots = sorted((slot_of[m] for m in twins), key=position.__getitem__)
                ordered.update(zip(twins, slots, strict=True))
        return ordered

    def add_person_bounds(self, fewest: Mapping[str, int]) -> None:
        for pid, bound in fewest.items():
            if bound > 0:
                self.model.add(sum(self.gap_ends[pid]) >= bound)

    def slot_of(self, solver: cp_model.CpSolver) -> dict[str, str]:
        return {
            mid: next(s for s, var in slots.items() if solver.boolean_value(var))
            for mid, slots in self.place.items()
        }


def solver_parameters(time_limit: float, seed: int = 0) -> cp_model.SatParameters:
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
