"""`python -m scheduler`: solve, check, generate, convert and bench from the command line.

Exit status: 0 done (or, for `check`, the schedule is valid); 1 the schedule breaks a hard
rule; 2 bad input (unreadable file, invalid document, fixed meetings that clash), reported
as one `error: ...` line on stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from scheduler.bounds import upper_bound
from scheduler.check import check, check_fixed
from scheduler.metrics import Figures, figures
from scheduler.problem import FormatError, Problem
from scheduler.problem_json import (
    dump_json,
    load_problem,
    load_schedule,
    problem_to_dict,
    schedule_to_dict,
)

if TYPE_CHECKING:
    from scheduler.solve import Progress

PROGRESS_EVERY = 1.0
"""Seconds between two progress lines of `solve`."""


class InputError(Exception):
    """Bad input from the command line; the message names the item."""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:
        # The benchmark has its own options (--only, -o, ...): hand them over untouched.
        from scheduler.bench import main as bench_main

        return bench_main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except (FormatError, InputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scheduler",
        description="Schedule partnering meetings (FORMATS.md: partnering-problem/1 in, "
        "partnering-schedule/1 out).",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    solve = commands.add_parser("solve", help="schedule a problem")
    solve.add_argument("problem", metavar="PROBLEM", help="partnering-problem/1 JSON file")
    solve.add_argument(
        "-o", "--output", metavar="SCHEDULE", help="where to write (default: stdout)"
    )
    solve.add_argument("--time-limit", type=float, default=60.0, metavar="S", help="seconds (60)")
    solve.add_argument("--workers", type=int, default=2, metavar="N", help="search threads (2)")
    solve.add_argument("--hint", metavar="SCHEDULE", help="previous schedule to stay close to")
    solve.add_argument(
        "--gap-spread-limit",
        type=int,
        metavar="N",
        help="most minus fewest idle gaps of any participant",
    )
    solve.add_argument(
        "--repair",
        action="store_true",
        help="place fixed meetings that cannot keep their places anew instead of refusing",
    )
    solve.set_defaults(command=_solve)

    check_cmd = commands.add_parser("check", help="validate a schedule and print its figures")
    check_cmd.add_argument("problem", metavar="PROBLEM")
    check_cmd.add_argument("schedule", metavar="SCHEDULE")
    check_cmd.add_argument(
        "--bound-time", type=float, default=10.0, metavar="S", help="seconds for the bound (10)"
    )
    check_cmd.set_defaults(command=_check)

    generate = commands.add_parser("generate", help="write a synthetic event")
    generate.add_argument("--preset", choices=("osaka", "large", "bio"), help="a benchmark size")
    generate.add_argument("--participants", type=int, metavar="N")
    generate.add_argument("--days", type=int, metavar="D")
    generate.add_argument("--seed", type=int, default=1, metavar="S")
    generate.add_argument("--tables", type=int, metavar="T", help="default: one per 3.75 people")
    generate.add_argument("--meetings", type=int, metavar="M", help="agreed meetings to draw")
    generate.add_argument("-o", "--output", metavar="FILE", help="default: stdout")
    generate.set_defaults(command=_generate)

    convert = commands.add_parser("convert", help="turn a JAIR 2022 .dzn instance into a problem")
    convert.add_argument("dzn", metavar="FILE.dzn")
    convert.add_argument("-o", "--output", metavar="FILE", help="default: stdout")
    convert.set_defaults(command=_convert)

    # Listed for --help only: main() hands `bench` and its options to scheduler.bench.
    commands.add_parser("bench", help="run the benchmark (python -m scheduler bench --help)")
    return parser


# --- commands ---------------------------------------------------------------------------------


def _solve(args: argparse.Namespace) -> int:
    from scheduler.solve import solve

    if args.repair:
        problem = load_problem(args.problem, removed_tables=True)
    else:
        problem = _load_solvable(args.problem, repairable=True)
    hint = load_schedule(args.hint) if args.hint else None
    progress = _ProgressPrinter(sys.stderr)
    schedule = solve(
        problem,
        time_limit=args.time_limit,
        workers=args.workers,
        hint=hint,
        on_progress=progress,
        gap_spread_limit=args.gap_spread_limit,
        repair=args.repair,
    )
    _write(args.output, dump_json(schedule_to_dict(schedule)))
    for conflict in schedule.stats.get("repaired", ()):
        print(
            f"released {', '.join(conflict['meetings'])} ({conflict['rule']}: "
            f"{conflict['message']}; people: {', '.join(conflict['people'])})",
            file=sys.stderr,
        )
    f = figures(problem, schedule)
    print(
        f"scheduled {f.meetings_scheduled} of {f.meetings_total} meetings, "
        f"priority {f.priority_sum}, {f.idle_gaps} idle gaps, {f.table_changes} table changes",
        file=sys.stderr,
    )
    print(
        f"fewest meetings of anyone with a placeable agreed meeting: {_fewest(f)}"
        f"{_levels(schedule.stats)}; without a meeting that one change keeping the priority "
        f"sum would give them: {f.avoidably_without}",
        file=sys.stderr,
    )
    print(_verdict(schedule.stats), file=sys.stderr)
    without = schedule.stats.get("without_meeting") or {}
    for pid, why in list(without.items())[:SHOWN]:
        print(f"{pid} has no meeting: {why}", file=sys.stderr)
    if len(without) > SHOWN:
        print(f"... and {len(without) - SHOWN} more without a meeting", file=sys.stderr)
    return 0


def _fewest(f: Figures) -> str:
    return "no placeable meetings" if f.fewest_meetings is None else str(f.fewest_meetings)


def _levels(stats: Mapping[str, object]) -> str:
    """How far the fairness ladder was proven, when the exact stage ran."""
    if "fairness_levels" not in stats:
        return ""
    return (
        f" (fairness proven for {stats.get('fairness_levels_proven', 0)} of "
        f"{stats['fairness_levels']} levels)"
    )


SHOWN = 10
"""Participants without a meeting listed by `solve`; the schedule's stats name them all."""


FIGURE_NAMES = {
    "priority": "priority",
    "fairness": "fairness",
    "idle_gaps": "idle gaps",
    "table_changes": "table changes",
}


def _verdict(stats: Mapping[str, object]) -> str:
    """Which figures the solver proved optimal and which are the best it found, with the
    idle-gap lower bound when the exact stage gave one."""

    def names(key: str) -> str:
        found = stats.get(key)
        listed = found if isinstance(found, list) else []
        return ", ".join(FIGURE_NAMES.get(str(k), str(k)) for k in listed) or "none"

    parts = [
        f"{stats.get('status', 'feasible')}",
        f"proven optimal: {names('optimal')}",
        f"best found: {names('best_found')}",
    ]
    if "idle_gaps_bound" in stats:
        within = (
            f" within a gap spread of {stats['gap_spread_limit']}"
            if "gap_spread_limit" in stats
            else ""
        )
        parts.append(f"no schedule{within} has fewer than {stats['idle_gaps_bound']} idle gaps")
    elif "idle_gaps_bound_same_meetings" in stats:
        parts.append(
            f"no schedule of these meetings has fewer than "
            f"{stats['idle_gaps_bound_same_meetings']} idle gaps"
        )
    if stats.get("table_changes_bound") is not None:
        parts.append(
            f"no choice of tables for these slots has fewer than "
            f"{stats['table_changes_bound']} table changes"
        )
    if stats.get("stopped"):
        parts.append("stopped on request")
    return "; ".join(parts)


def _check(args: argparse.Namespace) -> int:
    problem = _load_solvable(args.problem)
    schedule = load_schedule(args.schedule)
    violations = check(problem, schedule)
    if violations:
        for v in violations:
            print(v)
        print(f"invalid: {len(violations)} violation{'s' if len(violations) != 1 else ''}")
        return 1
    f = figures(problem, schedule)
    bound = upper_bound(problem, time_limit=args.bound_time)
    share = (
        f"; the priority sum is {100 * f.priority_sum / bound.value:.1f} % of it"
        if bound.value
        else ""
    )
    lines = [
        "valid",
        f"meetings scheduled: {f.meetings_scheduled} of {f.meetings_total}",
        f"priority sum: {f.priority_sum} of {f.priority_total}",
        f"upper bound: {bound.value} [{bound.method}]{share}",
        f"idle gaps: {f.idle_gaps} (most minus fewest per participant: {f.gap_spread})",
        f"table changes: {f.table_changes}",
        f"fewest meetings of a participant with a placeable agreed meeting: {_fewest(f)}",
    ]
    if f.without_meeting:
        lines.append(f"with agreed meetings but none scheduled: {_listing(f.without_meeting)}")
        if f.cannot_meet:
            lines.append(
                f"  of whom no schedule could give a meeting to: {_listing(f.cannot_meet)}"
            )
    print("\n".join(lines))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from scheduler import generate

    if args.preset:
        problem = getattr(generate, args.preset)(seed=args.seed)
    else:
        if args.participants is None or args.days is None:
            raise InputError("generate needs --participants and --days (or --preset)")
        if args.participants < 2 or args.days < 1:
            raise InputError("generate needs at least 2 participants and 1 day")
        problem = generate.generate(
            participants=args.participants,
            days=args.days,
            seed=args.seed,
            tables=args.tables,
            meetings=args.meetings,
        )
    _write(args.output, dump_json(problem_to_dict(problem)))
    return 0


def _convert(args: argparse.Namespace) -> int:
    from scheduler.b2b import read_dzn

    _write(args.output, dump_json(problem_to_dict(read_dzn(args.dzn))))
    return 0


# --- helpers ----------------------------------------------------------------------------------


def _load_solvable(path: str, repairable: bool = False) -> Problem:
    """The problem at `path`, refused when its fixed meetings cannot all be kept (a fixed
    meeting at a table the file no longer lists included)."""
    problem = load_problem(path, removed_tables=True)
    clashes = check_fixed(problem)
    if clashes:
        more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
        hint = "; --repair places them anew" if repairable else ""
        raise InputError(f"{path}: fixed meetings break a hard rule: {clashes[0]}{more}{hint}")
    return problem


def _write(path: str | None, text: str) -> None:
    if path is None or path == "-":
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None


def _listing(ids: Sequence[str], shown: int = 10) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


class _ProgressPrinter:
    """Progress lines for a long solve: best so far, bound, elapsed; at most one a second,
    plus every change of phase."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.last_line = -PROGRESS_EVERY
        self.last_phase: str | None = None

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if progress.phase == self.last_phase and now - self.last_line < PROGRESS_EVERY:
            return
        self.last_line, self.last_phase = now, progress.phase
        best = "-" if progress.best is None else f"{progress.best:g}"
        bound = "-" if progress.bound is None else f"{progress.bound:g}"
        print(
            f"{progress.elapsed:6.1f}s of {progress.time_limit:g}s  best {best}  bound {bound}"
            f"  ({progress.phase})",
            file=self.stream,
            flush=True,
        )
