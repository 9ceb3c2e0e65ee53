"""The whole-event idle-gap stage for a chosen set of meetings, through `scheduler.gaps`.

`minimise_gaps` carries the redundant constraints that make gap minimisation fast (JAIR 2022);
this module only translates: meeting indices and capacities in, slots out. It runs the search
in a worker thread so that the caller's thread keeps reporting progress, and gives up waiting
(the worker ends at its next progress report) when the progress callback raises or returns
True.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from scheduler.cpsat import TICK_SECONDS
from scheduler.gaps import GapsNotFound, minimise_gaps
from scheduler.instance import Instance
from scheduler.model import Placement


@dataclass(frozen=True)
class GapOutcome:
    placement: Placement
    gaps: int
    lower_bound: int
    """No placement of these meetings has fewer idle gaps."""
    optimal: bool


def place_with_fewest_gaps(
    inst: Instance,
    placement: Mapping[int, int],
    *,
    time_limit: float,
    workers: int,
    gap_spread_limit: int | None,
    tick: Callable[[], bool | None],
) -> GapOutcome | None:
    """Re-place exactly the meetings of `placement` with the fewest idle gaps, or None when
    nothing was found in time, the caller stopped the search (`tick` returned True) or what
    was found moves a fixed meeting."""
    ids = inst.meeting_ids
    chosen = set(placement)
    pools = [
        (
            [ids[i] for i in cap.meetings if i in chosen],
            {inst.slot_ids[s]: room for s, room in enumerate(cap.per_slot)},
        )
        for cap in inst.capacities
    ]
    cancelled = threading.Event()
    found: dict[str, object] = {}

    class Cancelled(Exception):
        """Raised into the gap search when the caller's run was cancelled."""

    def progress(best: int, bound: int, elapsed: float) -> None:
        if cancelled.is_set():
            raise Cancelled

    def search() -> None:
        try:
            found["result"] = minimise_gaps(
                inst.problem,
                [ids[i] for i in sorted(chosen)],
                pools=pools,
                time_limit=time_limit,
                workers=workers,
                hint={ids[i]: inst.slot_ids[s] for i, s in placement.items()},
                gap_spread_limit=gap_spread_limit,
                on_progress=progress,
            )
        except (GapsNotFound, Cancelled):
            pass  # nothing found, or nobody waits for the answer any more

    worker = threading.Thread(target=search, name="gaps", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(TICK_SECONDS)
            if worker.is_alive() and tick():
                cancelled.set()
                return None
    except BaseException:
        cancelled.set()
        raise
    result = found.get("result")
    if result is None:
        return None
    meeting_at = {mid: i for i, mid in enumerate(ids)}
    slot_at = inst.problem.slot_index
    out = {meeting_at[mid]: slot_at[sid] for mid, sid in result.slot_of.items()}  # type: ignore[attr-defined]
    if set(out) != chosen or any(
        inst.fixed_slot[i] is not None and out[i] != inst.fixed_slot[i] for i in out
    ):
        return None
    return GapOutcome(out, result.total_gaps, result.lower_bound, result.optimal)  # type: ignore[attr-defined]
