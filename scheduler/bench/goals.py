"""The goals each instance is judged on, from what was measured."""

from __future__ import annotations

from typing import Any

from scheduler.bench.instances import Instance

GAPS_FAR_BELOW = 0.5
"""'Idle gaps far below greedy's' means at most this fraction of greedy's."""


def judge(instance: Instance, r: dict[str, Any]) -> list[tuple[str, bool, str]]:
    goals = [
        (
            "valid (check accepts it)",
            r["ours_violations"] == 0,
            "valid" if r["ours_violations"] == 0 else r["ours_first_violation"],
        )
    ]
    goals.append(
        (
            f"within {instance.time_limit:g} s",
            r["seconds"] <= instance.time_limit,
            f"{r['seconds']:.1f} s",
        )
    )
    bound = r["bound"]
    share = r["ours_priority"] / bound if bound else 1.0
    if instance.min_share_of_bound is not None:
        goals.append(
            (
                f">= {instance.min_share_of_bound:.1%} of the upper bound",
                share >= instance.min_share_of_bound,
                f"{share:.2%}",
            )
        )
    if instance.above_greedy:
        goals.append(
            (
                "priority sum above greedy's",
                r["ours_priority"] > r["greedy_priority"],
                f"{r['ours_priority']} vs {r['greedy_priority']}",
            )
        )
    if instance.gaps_far_below_greedy:
        limit = GAPS_FAR_BELOW * r["greedy_gaps"]
        goals.append(
            (
                f"idle gaps at most {GAPS_FAR_BELOW:.0%} of greedy's",
                r["ours_gaps"] <= limit,
                f"{r['ours_gaps']} vs {r['greedy_gaps']}",
            )
        )
    if instance.table_changes_share is not None:
        limit = instance.table_changes_share * r["greedy_table_changes"]
        goals.append(
            (
                f"table changes at most {instance.table_changes_share:.0%} of first-come's",
                r["ours_table_changes"] <= limit,
                f"{r['ours_table_changes']} vs {r['greedy_table_changes']}",
            )
        )
    if instance.nobody_avoidably_without:
        servable = r["ours_servable_without"]
        goals.append(
            (
                "nobody whom one change keeping the priority sum would serve left without a "
                "meeting",
                servable == 0,
                f"{servable} such people left without one",
            )
        )
    if instance.memory_limit_mb is not None:
        goals.append(
            (
                f"peak memory <= {instance.memory_limit_mb / 1024:g} GB",
                r["peak_mb"] <= instance.memory_limit_mb,
                f"{r['peak_mb']:.0f} MB",
            )
        )
    if r["fixed"]:
        goals.append(
            (
                "no fixed meeting moved",
                r["fixed_moved"] == 0,
                f"{r['fixed_moved']} of {r['fixed']} moved",
            )
        )
    if instance.paper:
        # Where the bound proves that not every meeting fits (the paper's infeasible
        # variants), the goal is every meeting that any schedule can hold.
        all_in = r["ours_scheduled"] == r["meetings"] or r["ours_priority"] >= r["bound"]
        seen = f"{r['ours_scheduled']} of {r['meetings']}"
        if r["bound"] < r["priority_total"]:
            seen += f"; no schedule can reach more than {r['bound']} of {r['priority_total']}"
        goals.append(("every meeting scheduled, or all that can be", all_in, seen))
        if instance.gap_spread_limit is not None:
            goals.append(
                (
                    f"gap spread <= {instance.gap_spread_limit}",
                    r["ours_spread"] <= instance.gap_spread_limit,
                    str(r["ours_spread"]),
                )
            )
        if instance.paper_optimum is not None:
            goals.append(
                (
                    "the paper's optimum",
                    r["ours_gaps"] <= instance.paper_optimum,
                    f"{r['ours_gaps']} vs {instance.paper_optimum}",
                )
            )
    return goals
