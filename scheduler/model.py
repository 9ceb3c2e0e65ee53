"""The CP-SAT placement model: which meeting takes which slot (tables come later).

One Boolean per (meeting, candidate slot). The model covers the `free` meetings; every other
meeting keeps the slot `frozen` gives it (or stays out), and only reduces what is left to the
free ones: its participants are busy then, its tables are taken, it counts towards
`max_meetings`. With every meeting free this is the whole event; with a few, it is one
neighbourhood of a large-neighbourhood search.

One function per constraint family; objectives are linear expressions the caller combines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from ortools.sat.python import cp_model

from scheduler import cpsat
from scheduler.instance import Instance
from scheduler.metrics import gaps_in_day

Placement = dict[int, int]
"""Meeting index -> slot index, for the scheduled meetings only."""


class PlacementModel:
    def __init__(
        self,
        inst: Instance,
        free: Iterable[int],
        frozen: Mapping[int, int],
        *,
        frozen_use: Mapping[int, Sequence[int]] | None = None,
        only_slots: Collection[int] | None = None,
    ) -> None:
        """`frozen_use`, when the caller keeps it, gives per capacity (at least those of the
        free meetings) and slot how many frozen meetings use it; it saves a pass over every
        frozen meeting, which matters when a large event is re-optimised piece by piece.
        `only_slots` keeps the free meetings within those slots (say, one day)."""
        self.inst = inst
        self.only_slots = only_slots
        self.model = cp_model.CpModel()
        self.free = sorted(free)
        self.frozen = frozen
        self.busy: dict[int, set[int]] = defaultdict(set)
        self.frozen_count: dict[int, int] = defaultdict(int)
        people = {p for i in self.free for p in inst.members[i]}
        for p in people:
            for i in inst.meetings_of[p]:
                s = frozen.get(i)
                if s is not None:
                    self.busy[p].add(s)
                    self.frozen_count[p] += 1
        if frozen_use is None:
            use: dict[int, list[int]] = defaultdict(lambda: [0] * len(inst.slot_ids))
            for i, s in frozen.items():
                for c in inst.capacities_of[i]:
                    use[c][s] += 1
            frozen_use = use
        self.frozen_use = frozen_use

        self.x: dict[int, dict[int, cp_model.IntVar]] = {}
        self.derived: list[tuple[cp_model.IntVar, Callable[[_Agendas], int]]] = []
        """Auxiliary variables with how to compute them from an agenda, to complete hints."""
        self.scheduled: dict[int, cp_model.IntVar] = {}
        """Whether each free meeting (with a slot left) is scheduled: the sum of its row."""
        self.at: dict[int, dict[int, list[cp_model.IntVar]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._add_placement_vars()
        self._add_one_slot_per_meeting()
        self._add_one_meeting_per_person_and_slot()
        self._add_max_meetings()
        self._add_table_capacities()

    # --- variables and hard rules ------------------------------------------------------------

    def _add_placement_vars(self) -> None:
        inst = self.inst
        for i in self.free:
            people = inst.members[i]
            slots = [
                s
                for s in inst.candidates[i]
                if (self.only_slots is None or s in self.only_slots)
                and not any(s in self.busy[p] for p in people)
                and all(
                    inst.capacities[c].per_slot[s] > self.frozen_use[c][s]
                    for c in inst.capacities_of[i]
                )
            ]
            self.x[i] = {s: self.model.new_bool_var(f"m{i}_s{s}") for s in slots}
            for s, var in self.x[i].items():
                for p in people:
                    self.at[p][s].append(var)

    def _add_one_slot_per_meeting(self) -> None:
        """Each meeting at most once; a fixed meeting exactly once (it is never dropped).

        The row's sum gets its own variable: objectives and per-person counts then see one
        literal per meeting instead of one per slot, which keeps the LP relaxation small.
        """
        for i, by_slot in self.x.items():
            if not by_slot:
                continue
            done = self.model.new_bool_var(f"m{i}")
            self.scheduled[i] = done
            self.model.add_exactly_one([*by_slot.values(), ~done])
            if self.inst.fixed_slot[i] is not None:
                self.model.add(done == 1)

    def _add_one_meeting_per_person_and_slot(self) -> None:
        for by_slot in self.at.values():
            for variables in by_slot.values():
                if len(variables) > 1:
                    self.model.add_at_most_one(variables)

    def _meetings_placeable(self, p: int) -> list[cp_model.IntVar]:
        return [self.scheduled[i] for i in self.inst.meetings_of[p] if i in self.scheduled]

    def _add_max_meetings(self) -> None:
        """Nobody above max_meetings, nor above the slots they have left (a redundant cut)."""
        for p, by_slot in self.at.items():
            limit = self.inst.max_meetings[p]
            room = (
                len(by_slot) if limit is None else min(len(by_slot), limit - self.frozen_count[p])
            )
            variables = self._meetings_placeable(p)
            if len(variables) > room:
                self.model.add(sum(variables) <= max(0, room))

    def _add_table_capacities(self) -> None:
        inst = self.inst
        by_capacity: dict[int, dict[int, list[cp_model.IntVar]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for i, by_slot in self.x.items():
            for c in inst.capacities_of[i]:
                for s, var in by_slot.items():
                    by_capacity[c][s].append(var)
        for c, by_slot in by_capacity.items():
            per_slot = inst.capacities[c].per_slot
            for s, variables in by_slot.items():
                room = per_slot[s] - self.frozen_use[c][s]
                if len(variables) > room:
                    self.model.add(sum(variables) <= max(0, room))

    # --- objectives --------------------------------------------------------------------------

    def priority(self) -> cp_model.LinearExpr:
        """Scheduled priority of the free meetings."""
        return cp_model.LinearExpr.weighted_sum(
            list(self.scheduled.values()), [self.inst.priority[i] for i in self.scheduled]
        )

    def touched(self) -> list[int]:
        """Participants of free meetings that can still be placed."""
        return sorted(self.at)

    def reachable(self, p: int) -> int:
        """Most meetings touched participant p can have: their placeable meetings, capped by
        max_meetings and by the slots they have."""
        limit = self.inst.max_meetings[p]
        most = len(self._meetings_placeable(p)) + self.frozen_count[p]
        most = min(most, len(self.at[p]) + self.frozen_count[p])
        return most if limit is None else min(most, limit)

    def top_level(self) -> int:
        """The highest fairness level any touched participant can reach."""
        return max((self.reachable(p) for p in self.touched()), default=0)

    def served_at_least(self, level: int) -> tuple[cp_model.LinearExpr, int]:
        """How many touched participants have at least `level` meetings, counting only those
        whom the free meetings can lift to it (for the others it is a constant), and how many
        those are: the level's upper bound.

        Maximising level 1, then 2, ... in turn is the leximin order of people's meeting
        counts: the fewest meetings of anyone first, then how few have that few, and so on.
        """
        served_vars: list[cp_model.IntVar] = []
        for p in self.touched():
            if self.frozen_count[p] >= level or self.reachable(p) < level:
                continue
            count = sum(self._meetings_placeable(p)) + self.frozen_count[p]
            served = self.model.new_bool_var(f"p{p}_served{level}")
            self.model.add(count >= level).only_enforce_if(served)
            self.derived.append((served, lambda a, p=p, n=level: int(a.count(p) >= n)))
            served_vars.append(served)
        return cp_model.LinearExpr.sum(served_vars), len(served_vars)

    def served_in(self, placement: Mapping[int, int], level: int) -> int:
        """The participants `served_at_least(level)` counts that `placement` (of the free
        meetings) lifts to that level."""
        counts = dict.fromkeys(self.touched(), 0)
        for i, s in placement.items():
            if i in self.x and s in self.x[i]:
                for p in self.inst.members[i]:
                    counts[p] += 1
        return sum(
            1
            for p, n in counts.items()
            if self.frozen_count[p] < level <= self.reachable(p)
            and n + self.frozen_count[p] >= level
        )

    def gaps(self, spread_limit: int | None = None) -> cp_model.LinearExpr:
        """Idle gaps of the touched participants on the days the free meetings can change.

        A person's gaps on a day are the runs of busy slots minus one (when busy at all);
        a run starts where a busy slot follows a free one or opens the day.
        """
        inst = self.inst
        total: list[cp_model.LinearExprT] = []
        per_person: dict[int, list[cp_model.LinearExprT]] = defaultdict(list)
        for p in self.touched():
            by_slot = self.at[p]
            busy = self.busy[p]
            for day in inst.days:
                if not any(s in by_slot for s in day):
                    continue
                occupied = [
                    1 if s in busy else (sum(by_slot[s]) if s in by_slot else 0) for s in day
                ]
                starts = []
                before: cp_model.LinearExprT = 0
                before_slot: int | None = None
                for s, here in zip(day, occupied, strict=True):
                    if isinstance(here, int) and here == 0:
                        before, before_slot = 0, None
                        continue
                    start = self.model.new_bool_var(f"p{p}_run{s}")
                    self.model.add(start >= here - before)
                    self.derived.append((start, _run_start(p, s, before_slot)))
                    starts.append(start)
                    before, before_slot = here, s
                present = self.model.new_bool_var(f"p{p}_d{inst.day_of[day[0]]}")
                self.model.add(present <= sum(o for o in occupied if not isinstance(o, int) or o))
                self.derived.append(
                    (present, lambda a, p=p, day=day: int(any(a.busy(p, t) for t in day)))
                )
                gap = sum(starts) - present
                total.append(gap)
                per_person[p].append(gap)
        if spread_limit is not None:
            self._limit_gap_spread(per_person, spread_limit)
        return sum(total)  # type: ignore[return-value]

    def _limit_gap_spread(self, per_person: Mapping[int, list], limit: int) -> None:
        """Most minus fewest gaps of any participant with a meeting is at most `limit`."""
        horizon = sum(len(d) for d in self.inst.days)
        low = self.model.new_int_var(0, horizon, "fewest_gaps")
        high = self.model.new_int_var(0, horizon, "most_gaps")
        for gaps in per_person.values():
            mine = sum(gaps)
            self.model.add(low <= mine)
            self.model.add(high >= mine)
        self.model.add(high - low <= limit)
        people = list(per_person)
        self.derived.append((low, lambda a: min((a.gaps(p) for p in people), default=0)))
        self.derived.append((high, lambda a: max((a.gaps(p) for p in people), default=0)))

    def moves(self, previous: Mapping[int, int]) -> cp_model.LinearExpr:
        """Free meetings of the previous schedule that leave their slot (or the schedule)."""
        kept = [self.x[i][s] for i, s in previous.items() if s in self.x.get(i, {})]
        # A meeting with no slot left cannot keep its old one either.
        moved_for_sure = sum(1 for i, s in previous.items() if i in self.x and s not in self.x[i])
        return moved_for_sure + len(kept) - sum(kept)  # type: ignore[return-value]

    # --- hints and reading a solution --------------------------------------------------------

    def hint(self, placement: Mapping[int, int]) -> None:
        """Hint every variable from `placement` (the free meetings' slots are read from it;
        a slot that is no longer a candidate leaves the meeting out)."""
        self.model.clear_hints()
        kept: Placement = {}
        for i, by_slot in self.x.items():
            chosen = placement.get(i)
            for s, var in by_slot.items():
                self.model.add_hint(var, s == chosen)
            if i in self.scheduled:
                self.model.add_hint(self.scheduled[i], chosen in by_slot)
            if chosen in by_slot:
                kept[i] = chosen  # type: ignore[index]
        agendas = _Agendas(self, kept)
        for var, value in self.derived:
            self.model.add_hint(var, value(agendas))

    def placement(self, value_of) -> Placement:
        """The free meetings' slots in a solution (`value_of` maps a variable to its value)."""
        out: Placement = {}
        for i, by_slot in self.x.items():
            for s, var in by_slot.items():
                if value_of(var):
                    out[i] = s
                    break
        return out


class _Agendas:
    """Who is busy when under a placement of the free meetings (with the frozen ones)."""

    def __init__(self, pm: PlacementModel, placement: Mapping[int, int]) -> None:
        self.pm = pm
        self.slots: dict[int, set[int]] = defaultdict(set)
        for i, s in placement.items():
            for p in pm.inst.members[i]:
                self.slots[p].add(s)

    def busy(self, p: int, s: int) -> bool:
        return s in self.slots[p] or s in self.pm.busy[p]

    def count(self, p: int) -> int:
        return len(self.slots[p]) + self.pm.frozen_count[p]

    def gaps(self, p: int) -> int:
        """Idle gaps of p on the days the model counts (those with a free meeting of p)."""
        total = 0
        for day in self.pm.inst.days:
            if not any(s in self.pm.at[p] for s in day):
                continue
            total += gaps_in_day(k for k, s in enumerate(day) if self.busy(p, s))
        return total


def _run_start(p: int, s: int, before: int | None) -> Callable[[_Agendas], int]:
    def value(agendas: _Agendas) -> int:
        here = agendas.busy(p, s)
        return int(here and (before is None or not agendas.busy(p, before)))

    return value


def best_selection(
    inst: Instance,
    *,
    time_limit: float,
    workers: int,
    tick=None,
    hint: Iterable[int] = (),
) -> tuple[set[int], int | None, bool]:
    """Which meetings to schedule if slots were no obstacle beyond each person's own.

    Each person takes at most min(max_meetings, slots they could meet in) meetings. This
    model has one Boolean per meeting: under a second for an event of a few hundred meetings;
    its bound caps the scheduled priority, and its selection (at least as good as `hint`, the
    heuristic start's meetings) is a good order for a better start. Returns the selection, an
    upper bound on the scheduled priority (None if the search found nothing) and whether the
    selection is optimal.
    """

    model = cp_model.CpModel()
    chosen = {
        i: model.new_bool_var(f"m{i}") for i in range(len(inst.meeting_ids)) if inst.candidates[i]
    }
    for i, var in chosen.items():
        if inst.fixed_slot[i] is not None:
            model.add(var == 1)
    for p, meetings in enumerate(inst.meetings_of):
        mine = [chosen[i] for i in meetings if i in chosen]
        slots = {s for i in meetings if i in chosen for s in inst.candidates[i]}
        limit = inst.max_meetings[p]
        room = len(slots) if limit is None else min(len(slots), limit)
        if len(mine) > room:
            model.add(sum(mine) <= room)
    model.maximize(
        cp_model.LinearExpr.weighted_sum(list(chosen.values()), [inst.priority[i] for i in chosen])
    )
    hinted = set(hint)
    for i, var in chosen.items():
        model.add_hint(var, i in hinted)
    out = cpsat.run(model, time_limit=time_limit, workers=workers, tick=tick)
    if not out.found:
        return set(), None, False
    selection = {i for i, var in chosen.items() if out.solver.value(var)}
    bound = out.bound if out.bound is not None else None
    return selection, None if bound is None else int(bound + 1e-6), out.optimal
