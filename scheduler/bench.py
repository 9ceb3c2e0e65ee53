"""`python -m scheduler bench`: the solver measured against the greedy baseline and the upper
bound, instance by instance, in one run on this machine; writes BENCHMARKS.md and prints it.

Sections (issue 3, "Benchmark"):

1. the JAIR 2022 B2B instances (`.original`, then `.forb0003`): every meeting scheduled, idle
   gaps minimised, against the paper's proven optimum: the `.original` ones in the default mode
   and, beside it, with the paper's gap spread of at most 2; the `.forb0003` ones with it;
2. an Osaka-size event (10 s), 3. a large event (60 s), 4. a BIO-size event (300 s, 8 GB),
5. re-planning the Osaka-size event with 70 % of its meetings published (5 s).

Each instance runs in a fresh child process, so its peak memory (the child's maximum resident
set plus that of the largest process it started: problem, solve and nothing else) is its own.
The JAIR files are research data that the repository does not hold: they are looked up in
`$PARTNERING_B2B_DIR` (see `scheduler.b2b`), and the report says so when they are absent.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from scheduler import generate
from scheduler.b2b import PAPER_OPTIMA, instance_dir, read_dzn
from scheduler.bounds import upper_bound
from scheduler.check import check
from scheduler.greedy import greedy
from scheduler.metrics import figures
from scheduler.problem import Problem, Schedule
from scheduler.solve import Progress, solve

# Optima of the `.forb0003` variants, read by the instances' README from a scanned copy of the
# paper: indicative only. The variants missing here are proven infeasible under the spread limit
# (or not reported).
PAPER_FORB0003_OPTIMA: dict[str, int] = {
    "forum-13": 0,
    "forum-13crafb": 5,
    "forum-13crafc": 1,
    "forum-14": 0,
    "forumt-14": 0,
    "forumt-14crafc": 0,
    "tic-13crafb": 0,
    "tic-14crafa": 0,
    "tic-14crafc": 0,
    "ticf-13crafa": 0,
    "ticf-13crafb": 5,
    "ticf-13crafc": 1,
    "ticf-14crafa": 0,
}
JAIR_SPREAD_LIMIT = 2
GAPS_FAR_BELOW = 0.5
"""'Idle gaps far below greedy's' means at most this fraction of greedy's."""


@dataclass(frozen=True)
class Instance:
    name: str
    section: str
    make: Callable[[], Problem]
    """Builds the problem; runs in the child, so it must be picklable (a module-level callable
    or a `functools.partial` of one)."""
    time_limit: float
    min_share_of_bound: float | None = None
    above_greedy: bool = False
    gaps_far_below_greedy: bool = False
    memory_limit_mb: float | None = None
    paper: bool = False
    """A JAIR instance: every meeting (that can be) scheduled, gaps at most the paper's."""
    gap_spread_limit: int | None = None
    paper_optimum: int | None = None
    paper_seconds: float | None = None


@dataclass
class Outcome:
    """What one instance gave: medians over the repeats, and the goals judged on them."""

    instance: Instance
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    goals: list[tuple[str, bool, str]] = field(default_factory=list)
    """(goal, met, what we measured)."""


# --- the instances ---------------------------------------------------------------------------


SECTIONS = {
    "jair": "1. JAIR 2022 B2B instances (.original), default mode",
    "jair-spread": "1a. JAIR 2022 B2B instances (.original), gap spread at most 2",
    "jair-forb": "1b. JAIR 2022 B2B instances (.forb0003)",
    "osaka": "2. Osaka-size event",
    "large": "3. Large event",
    "bio": "4. BIO-size event",
    "replan": "5. Re-planning",
}


def _replanned(make: Callable[[], Problem], fixed_share: float) -> Problem:
    return generate.replan(make(), fixed_share=fixed_share)


def _tiny(seed: int) -> Problem:
    return generate.generate(participants=24, days=1, seed=seed, tables=6, meetings=40)


def jair_instances(
    directory: Path, time_scale: float, names: Sequence[str] | None = None
) -> list[Instance]:
    """The JAIR instances present in `directory`: the `.original` ones in the default mode,
    then with the paper's spread limit, then the `.forb0003` ones with it."""
    out = []
    forb = {k: (v, None) for k, v in PAPER_FORB0003_OPTIMA.items()}
    for variant, section, optima, spread, suffix in (
        ("original", "jair", dict(PAPER_OPTIMA), None, ""),
        ("original", "jair-spread", dict(PAPER_OPTIMA), JAIR_SPREAD_LIMIT, " spread<=2"),
        ("forb0003", "jair-forb", forb, JAIR_SPREAD_LIMIT, ""),
    ):
        for base in names if names is not None else sorted(PAPER_OPTIMA):
            path = directory / f"{base}.{variant}.dzn"
            if not path.is_file():
                continue
            optimum, seconds = optima.get(base, (None, None))
            out.append(
                Instance(
                    name=f"{base}.{variant}{suffix}",
                    section=section,
                    make=partial(read_dzn, path),
                    time_limit=60 * time_scale,
                    paper=True,
                    gap_spread_limit=spread,
                    paper_optimum=optimum,
                    paper_seconds=seconds,
                )
            )
    return out


def synthetic_instances(seed: int, time_scale: float) -> list[Instance]:
    osaka = partial(generate.osaka, seed=seed)
    return [
        Instance(
            "osaka",
            "osaka",
            osaka,
            10 * time_scale,
            min_share_of_bound=0.995,
            above_greedy=True,
            gaps_far_below_greedy=True,
        ),
        Instance(
            "large",
            "large",
            partial(generate.large, seed=seed),
            60 * time_scale,
            min_share_of_bound=0.99,
        ),
        Instance(
            "bio",
            "bio",
            partial(generate.bio, seed=seed),
            300 * time_scale,
            min_share_of_bound=0.985,
            above_greedy=True,
            memory_limit_mb=8192,
        ),
        Instance("osaka-replan-70", "replan", partial(_replanned, osaka, 0.7), 5 * time_scale),
    ]


def quick_instances(seed: int, jair: Path) -> list[Instance]:
    """Tiny instances, a second or two each: for tests and a smoke run."""
    tiny = partial(_tiny, seed)
    return [
        Instance(
            "tiny",
            "osaka",
            tiny,
            1.0,
            min_share_of_bound=0.995,
            above_greedy=True,
            gaps_far_below_greedy=True,
        ),
        Instance("tiny-replan-70", "replan", partial(_replanned, tiny, 0.7), 1.0),
        *[
            replace(i, time_limit=2.0)
            for i in jair_instances(jair, 1.0, ["tic-12"])
            if i.section == "jair"
        ],
    ]


# --- measuring (in a child process) ----------------------------------------------------------


def measure(instance: Instance, workers: int) -> dict[str, Any]:
    """Build, solve, check and compare one instance. Runs in the child process."""
    problem = instance.make()
    improvements: list[tuple[float, float]] = []  # (elapsed s, best priority sum so far)

    def on_progress(progress: Progress) -> None:
        if progress.best is not None and (not improvements or progress.best > improvements[-1][1]):
            improvements.append((progress.elapsed, progress.best))

    extra = {}
    if instance.gap_spread_limit is not None:
        extra["gap_spread_limit"] = instance.gap_spread_limit
    started = time.perf_counter()
    schedule = solve(
        problem, time_limit=instance.time_limit, workers=workers, on_progress=on_progress, **extra
    )
    seconds = time.perf_counter() - started
    # kB on Linux; the MaxSAT search of the gap stage runs in a child process of its own.
    peak_mb = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ) / 1024

    result: dict[str, Any] = {
        "participants": len(problem.participants),
        "meetings": len(problem.meetings),
        "priority_total": sum(m.priority for m in problem.meetings),
        "slots": len(problem.slots),
        "tables": len(problem.tables),
        "fixed": sum(1 for m in problem.meetings if m.fixed),
        "seconds": seconds,
        "peak_mb": peak_mb,
        "status": str(schedule.stats.get("status", "")),
        "gap_bound": schedule.stats.get("idle_gaps_bound"),
        "best_found_after": improvements[-1][0] if improvements else None,
        "fixed_moved": _fixed_moved(problem, schedule),
        **_summary("ours", problem, schedule),
    }
    started = time.perf_counter()
    baseline = greedy(problem)
    result["greedy_seconds"] = time.perf_counter() - started
    result.update(_summary("greedy", problem, baseline))
    started = time.perf_counter()
    bound = upper_bound(problem)
    result["bound_seconds"] = time.perf_counter() - started
    result["bound"] = bound.value
    result["bound_method"] = bound.method
    return result


def _summary(who: str, problem: Problem, schedule: Schedule) -> dict[str, Any]:
    violations = check(problem, schedule)
    f = figures(problem, schedule)
    return {
        f"{who}_violations": len(violations),
        f"{who}_first_violation": violations[0].message if violations else "",
        f"{who}_priority": f.priority_sum,
        f"{who}_scheduled": f.meetings_scheduled,
        f"{who}_gaps": f.idle_gaps,
        f"{who}_spread": f.gap_spread,
        f"{who}_table_changes": f.table_changes,
        f"{who}_fewest": f.fewest_meetings,
        f"{who}_without": len(f.without_meeting),
    }


def _fixed_moved(problem: Problem, schedule: Schedule) -> int:
    moved = 0
    for m in problem.meetings:
        if m.fixed is None:
            continue
        a = schedule.assignment_of.get(m.id)
        if a is None or a.slot != m.fixed.slot or m.fixed.table not in (None, a.table):
            moved += 1
    return moved


def _child(instance: Instance, workers: int, pipe: Any) -> None:
    try:
        pipe.send(measure(instance, workers))
    except BaseException as exc:  # reported in the table, not lost in a child's traceback
        pipe.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        pipe.close()


def run_isolated(instance: Instance, workers: int) -> dict[str, Any]:
    """`measure` in a fresh process; gives up (and says so) long after the time limit."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(instance, workers, sender))
    process.start()
    sender.close()
    patience = 3 * instance.time_limit + 300
    try:
        if receiver.poll(patience):
            return receiver.recv()
        return {"error": f"no result after {patience:.0f} s"}
    except EOFError:
        return {"error": "the child process died (out of memory?)"}
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()


def run(instance: Instance, workers: int, repeat: int) -> Outcome:
    runs = [run_isolated(instance, workers) for _ in range(repeat)]
    failed = [r["error"] for r in runs if "error" in r]
    if failed:
        return Outcome(instance, error=failed[0])
    merged = {key: _median([r[key] for r in runs]) for key in runs[0]}
    # A schedule counts as valid only if every repeat was.
    for who in ("ours", "greedy"):
        merged[f"{who}_violations"] = max(r[f"{who}_violations"] for r in runs)
    merged["fixed_moved"] = max(r["fixed_moved"] for r in runs)
    outcome = Outcome(instance, merged)
    outcome.goals = judge(instance, merged)
    return outcome


def _median(values: list[Any]) -> Any:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) == len(values) and values:
        middle = statistics.median(numbers)
        whole = all(isinstance(v, int) for v in values) and float(middle).is_integer()
        return int(middle) if whole else middle
    return values[0]


# --- goals -----------------------------------------------------------------------------------


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


# --- the report ------------------------------------------------------------------------------


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
        f"| table changes | {r['ours_table_changes']} | {r['greedy_table_changes']} | |",
        f"| fewest meetings of anyone with one agreed | {_cell(r['ours_fewest'])} "
        f"| {_cell(r['greedy_fewest'])} | |",
        f"| people with agreed meetings left with none | {r['ours_without']} "
        f"| {r['greedy_without']} | |",
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
        else:
            for o in chosen:
                lines += instance_block(o)
    return "\n".join(lines).rstrip() + "\n"


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


# --- command line ----------------------------------------------------------------------------


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scheduler bench",
        description="Measure the solver against the greedy baseline and the upper bound.",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="instances or sections to run (e.g. osaka jair forum-14)",
    )
    parser.add_argument(
        "--time-scale", type=float, default=1.0, metavar="F", help="multiply every time limit by F"
    )
    parser.add_argument(
        "--jair-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of the JAIR .dzn files (default: $PARTNERING_B2B_DIR or "
        "../shared/benchmarks/b2b-jair2022)",
    )
    parser.add_argument("-o", "--output", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run each instance N times and quote medians",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic events")
    parser.add_argument(
        "--quick", action="store_true", help="tiny instances only, a second or two each"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.time_scale <= 0 or args.workers < 1:
        parser.error("--repeat and --workers must be at least 1, --time-scale positive")
    return args


def select(instances: Sequence[Instance], only: Sequence[str] | None) -> list[Instance]:
    if not only:
        return list(instances)
    wanted = set(only)
    return [
        i
        for i in instances
        if i.name in wanted or i.section in wanted or i.name.split(".")[0] in wanted
    ]


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = parse(arguments)
    jair = args.jair_dir if args.jair_dir is not None else instance_dir()
    notes = []
    if not any(jair.glob("*.dzn")):
        notes.append(
            f"The JAIR instances are absent (looked in `{jair}`; set "
            "`PARTNERING_B2B_DIR`): section 1 was not run."
        )
    if args.quick:
        instances = quick_instances(args.seed, jair)
    else:
        instances = jair_instances(jair, args.time_scale) + synthetic_instances(
            args.seed, args.time_scale
        )
    instances = select(instances, args.only)
    if not instances:
        print("error: no instance matches --only", file=sys.stderr)
        return 2

    outcomes = []
    for instance in instances:
        outcome = run(instance, args.workers, args.repeat)
        outcomes.append(outcome)
        met = sum(1 for _, ok, _ in outcome.goals if ok)
        status = outcome.error or f"{met} of {len(outcome.goals)} goals met"
        print(f"{instance.name}: {status}", file=sys.stderr, flush=True)

    command = shlex.join(["python", "-m", "scheduler", "bench", *arguments])
    if args.repeat > 1:
        notes.append(f"Figures are medians of {args.repeat} runs.")
    text = report(outcomes, command, notes)
    args.output.write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":  # also runnable as python -m scheduler.bench
    sys.exit(main())
