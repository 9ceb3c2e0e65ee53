"""`python -m scheduler bench`'s command line: which instances, how often, where the report
goes."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from scheduler.b2b import instance_dir
from scheduler.bench.instances import Instance, jair_instances, quick_instances, synthetic_instances
from scheduler.bench.measuring import run
from scheduler.bench.report import report


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
