"""The report: the machine, a table for the JAIR instances, a block per other instance."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scheduler.bench.instances import JAIR_SPREAD_LIMIT, SECTIONS
from scheduler.bench.measuring import Outcome


def machine() -> list[str]:
    try:
        from ortools import __version__ as ortools_version
    except ImportError:
        ortools_version = "not installed"
    return [
        f"- CPU: {_cpu_model()}, {os.cpu_count()} cores",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, OR-Tools {ortools_version}",
        f"- code: {_git_revision()}",
        f"- load average when the report was written: {_load_average()} (the machine is shared; "
        "a high load slows every figure down)",
    ]


def _load_average() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1, 5, 15 min)"
    except OSError:
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent,
            timeout=10,
            check=True,
        )
        return f"commit {out.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        return "commit unknown"


def _cell(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _pct(part: float, whole: float) -> str:
    return f"{part / whole:.2%}" if whole else "–"


def _ratio(part: float, whole: float) -> str:
    return f"{part / whole:.2f}" if whole else "–"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def jair_table(outcomes: Sequence[Outcome]) -> list[str]:
    lines = [
        "| instance | P | M | slots | tables | paper optimum | paper MaxSAT s | our gaps | "
        "gap lower bound | spread | scheduled (bound) | solver status | our s | peak MB | valid "
        "| greedy scheduled | greedy gaps | goals |",
        "| --- " * 18 + "|",
    ]
    for o in outcomes:
        i = o.instance
        if o.error:
            lines.append(f"| {i.name} | " + "| " * 16 + f"error: {o.error} |")
            continue
        r = o.figures
        lines.append(
            f"| {i.name} | {r['participants']} | {r['meetings']} | {r['slots']} | {r['tables']} "
            f"| {_cell(i.paper_optimum)} | {_cell(i.paper_seconds)} | {r['ours_gaps']} "
            f"| {_cell(r.get('gap_bound'))} | {r['ours_spread']} "
            f"| {r['ours_scheduled']} ({r['bound']}) "
            f"| {r['status'] or '–'} | {r['seconds']:.1f} "
            f"| {r['peak_mb']:.0f} | {'yes' if r['ours_violations'] == 0 else 'NO'} "
            f"| {r['greedy_scheduled']} | {r['greedy_gaps']} "
            f"| {_met(all(ok for _, ok, _ in o.goals))} |"
        )
    return lines


def instance_block(o: Outcome) -> list[str]:
    i = o.instance
    if o.error:
        return [f"### {i.name}", "", f"error: {o.error}", ""]
    r = o.figures
    bound = r["bound"]
    lines = [
        f"### {i.name}",
        "",
        f"{r['participants']} participants, {r['meetings']} meetings"
        + (f" ({r['fixed']} fixed)" if r["fixed"] else "")
        + f", {r['slots']} slots, {r['tables']} tables; time limit {i.time_limit:g} s; "
        f"solver status {r['status'] or '–'}.",
        "",
        "| figure | this solver | greedy | upper bound |",
        "| --- | --- | --- | --- |",
        f"| priority sum | {r['ours_priority']} ({_pct(r['ours_priority'], bound)}) "
        f"| {r['greedy_priority']} ({_pct(r['greedy_priority'], bound)}) "
        f"| {_cell(bound)} ({r['bound_method']}) |",
        f"| meetings scheduled | {r['ours_scheduled']} of {r['meetings']} "
        f"| {r['greedy_scheduled']} of {r['meetings']} | |",
        f"| idle gaps | {r['ours_gaps']} | {r['greedy_gaps']} | |",
        f"| table changes | {r['ours_table_changes']} "
        f"({_ratio(r['ours_table_changes'], r['greedy_table_changes'])} of first-come's) "
        f"| {r['greedy_table_changes']} | {_cell(r.get('table_changes_bound'))} (lower bound) |",
        f"| fewest meetings of anyone with one agreed | {_cell(r['ours_fewest'])} "
        f"| {_cell(r['greedy_fewest'])} | |",
        f"| people with agreed meetings left with none | {r['ours_without']} "
        f"| {r['greedy_without']} | |",
        f"| of them, people some schedule could give one | {r['ours_avoidably_without']} "
        f"| {r['greedy_avoidably_without']} | |",
        f"| of them, people one change keeping the priority sum would serve "
        f"| {r['ours_servable_without']} | {r['greedy_servable_without']} | |",
        f"| wall time s | {r['seconds']:.1f} | {r['greedy_seconds']:.1f} "
        f"| {r['bound_seconds']:.1f} |",
        f"| best priority sum first reached after s | {_cell(r['best_found_after'])} | | |",
        f"| peak memory MB (problem + solve) | {r['peak_mb']:.0f} | | |",
        f"| check | {'valid' if r['ours_violations'] == 0 else 'INVALID'} "
        f"| {'valid' if r['greedy_violations'] == 0 else 'INVALID'} | |",
        "",
    ]
    lines += [f"- {goal}: {_met(ok)} ({seen})" for goal, ok, seen in o.goals]
    return lines + [""]


def report(outcomes: Sequence[Outcome], command: str, notes: Sequence[str]) -> str:
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `{command}` on {started}, all figures from that one run:",
        "",
        *machine(),
        "",
        "Every instance runs in its own process (peak memory = that process's maximum resident "
        "set plus that of the MaxSAT process it may start). *greedy* is the first-come "
        "baseline (`scheduler.greedy`); the upper bound "
        '(`scheduler.bounds`) is what no valid schedule can exceed. "valid" means '
        "`scheduler.check` accepts the schedule.",
        "",
        *notes,
    ]
    summary = [
        "## Goals",
        "",
        "| instance | goals met | not met |",
        "| --- | --- | --- |",
    ]
    for o in outcomes:
        met = sum(1 for _, ok, _ in o.goals if ok)
        missed = "; ".join(f"{goal} ({seen})" for goal, ok, seen in o.goals if not ok)
        if o.error:
            summary.append(f"| {o.instance.name} | – | error: {o.error} |")
        else:
            summary.append(f"| {o.instance.name} | {met} of {len(o.goals)} | {missed} |")
    lines += ["", *summary, ""]
    for key, title in SECTIONS.items():
        chosen = [o for o in outcomes if o.instance.section == key]
        if not chosen:
            continue
        lines += [f"## {title}", ""]
        if key.startswith("jair"):
            lines += _jair_preamble(key, chosen[0].instance.time_limit) + jair_table(chosen)
            lines += ["", time_to_proof(chosen)]
            for o in chosen:
                missed = [f"{g} ({seen})" for g, ok, seen in o.goals if not ok]
                if missed:
                    lines.append(f"- {o.instance.name}: not met: {'; '.join(missed)}")
            lines.append("")
            if key == "jair-spread":
                lines += side_by_side(outcomes)
        else:
            for o in chosen:
                lines += instance_block(o)
    return "\n".join(lines).rstrip() + "\n"


def side_by_side(outcomes: Sequence[Outcome]) -> list[str]:
    """The `.original` instances in the default mode beside the spread mode, when both ran."""
    spread = {
        o.instance.name.split(" ")[0]: o
        for o in outcomes
        if o.instance.section == "jair-spread" and not o.error
    }
    pairs = [
        (o, spread[o.instance.name])
        for o in outcomes
        if o.instance.section == "jair" and not o.error and o.instance.name in spread
    ]
    if not pairs:
        return []
    lines = [
        "### The default mode beside the spread mode",
        "",
        "Idle gaps, status and seconds of each mode from the two tables above; table changes "
        "of the default mode's schedule beside first-come's, with the solver's lower bound "
        "where it reports one.",
        "",
        "| instance | paper optimum | default gaps | default status | default s | "
        f"spread<={JAIR_SPREAD_LIMIT} gaps | spread status | spread s | "
        "table changes (first-come's; bound) | both at the paper's optimum |",
        "| --- " * 10 + "|",
    ]
    for default, limited in pairs:
        d, s = default.figures, limited.figures
        both = _at_paper_optimum(default) and _at_paper_optimum(limited)
        lines.append(
            f"| {default.instance.name} | {_cell(default.instance.paper_optimum)} "
            f"| {d['ours_gaps']} "
            f"| {d['status'] or '–'} | {d['seconds']:.1f} | {s['ours_gaps']} "
            f"| {s['status'] or '–'} | {s['seconds']:.1f} "
            f"| {d['ours_table_changes']} ({d['greedy_table_changes']}; "
            f"{_cell(d.get('table_changes_bound'))}) | {'yes' if both else 'no'} |"
        )
    default_met = sum(_at_paper_optimum(o) for o, _ in pairs)
    spread_met = sum(_at_paper_optimum(o) for _, o in pairs)
    both_met = sum(_at_paper_optimum(a) and _at_paper_optimum(b) for a, b in pairs)
    lines += [
        "",
        f"At the paper's optimum: default mode {default_met} of {len(pairs)}, spread mode "
        f"{spread_met} of {len(pairs)}, both {both_met}.",
        "",
    ]
    return lines


def _at_paper_optimum(o: Outcome) -> bool:
    optimum = o.instance.paper_optimum
    return optimum is not None and o.figures["ours_gaps"] <= optimum


def time_to_proof(outcomes: Sequence[Outcome]) -> str:
    """How many runs proved their result, their median time to it, and the paper's median
    MaxSAT time over the same instances (a run ends once its result is proven)."""
    ran = [o for o in outcomes if not o.error]
    proven = [o for o in ran if o.figures["status"] == "optimal"]
    text = f"Proven optimal: {len(proven)} of {len(ran)}."
    if proven:
        ours = statistics.median(o.figures["seconds"] for o in proven)
        text += f" Median time to the proven result: {ours:.1f} s"
        paper = [o.instance.paper_seconds for o in proven if o.instance.paper_seconds is not None]
        if paper:
            text += (
                f"; the paper's MaxSAT over the same {len(paper)} instances: "
                f"median {statistics.median(paper):.1f} s"
            )
        text += "."
    return text


def _jair_preamble(key: str, time_limit: float) -> list[str]:
    if key == "jair":
        text = (
            "Every meeting scheduled, total idle gaps minimised, in the default mode that the "
            f"app runs: `solve(problem, time_limit={time_limit:g})`, 2 workers, no spread "
            "limit (its optimum is never above the paper's, which has one). "
        )
    else:
        text = (
            "Every meeting scheduled, total idle gaps minimised, most-minus-fewest gaps of any "
            f"participant at most {JAIR_SPREAD_LIMIT}: `solve(problem, time_limit="
            f"{time_limit:g}, gap_spread_limit={JAIR_SPREAD_LIMIT})`, 2 workers. "
        )
    text += (
        "The paper's optimum and MaxSAT "
        "time (one thread of a 3.1 GHz Xeon E3-1220v2) are the published figures of "
        "Bofill et al., JAIR 74 (2022). *scheduled (bound)*: meetings we scheduled, and the "
        "most any schedule can (`scheduler.bounds`; these meetings all have priority 1). "
        "The solver status is what `solve` says of its schedule "
        '("optimal": proven); the gap lower bound is what its exact stage proved.'
    )
    if key == "jair-forb":
        text += (
            " The paper's figures for these variants were read from a scanned copy (indicative);"
            " the paper proves the variants without a figure infeasible. In each of them one"
            " participant has more meetings than slots they can attend, so the bound proves it"
            " too, and the goal is every other meeting, with the fewest gaps."
        )
    return [text, ""]
