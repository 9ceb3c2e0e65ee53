"""The benchmark's instances: the JAIR 2022 B2B files, the synthetic events of each size,
re-planning, and the quick set; what each is held to."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from scheduler import generate
from scheduler.b2b import PAPER_OPTIMA, read_dzn
from scheduler.problem import Problem

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
    table_changes_share: float | None = None
    """Table changes at most this share of the first-come baseline's."""
    nobody_avoidably_without: bool = False
    """Everyone with an agreed meeting that some schedule could hold gets at least one."""


SECTIONS = {
    "jair": "1. JAIR 2022 B2B instances (.original), default mode",
    "jair-spread": "1a. JAIR 2022 B2B instances (.original), gap spread at most 2",
    "jair-forb": "1b. JAIR 2022 B2B instances (.forb0003)",
    "osaka": "2. Osaka-size event",
    "large": "3. Large event",
    "bio": "4. BIO-size event, at 60 s and at 300 s",
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


TABLE_CHANGES_SHARE = 0.5
"""Generated events: table changes at most half of first-come's (issue 12, "Tables")."""
BIO_MEMORY_MB = 2048
"""BIO size in under 2 GB (issue 12, "Scale")."""


def synthetic_instances(seed: int, time_scale: float) -> list[Instance]:
    osaka = partial(generate.osaka, seed=seed)
    bio = partial(generate.bio, seed=seed)
    generated = {
        "table_changes_share": TABLE_CHANGES_SHARE,
        "nobody_avoidably_without": True,
    }
    return [
        Instance(
            "osaka",
            "osaka",
            osaka,
            10 * time_scale,
            min_share_of_bound=0.995,
            above_greedy=True,
            gaps_far_below_greedy=True,
            **generated,
        ),
        Instance(
            "large",
            "large",
            partial(generate.large, seed=seed),
            60 * time_scale,
            min_share_of_bound=0.99,
            **generated,
        ),
        # The same event twice: what the app gets with its default minute, and within 5 minutes.
        Instance(
            "bio-60",
            "bio",
            bio,
            60 * time_scale,
            min_share_of_bound=0.985,
            above_greedy=True,
            memory_limit_mb=BIO_MEMORY_MB,
            **generated,
        ),
        Instance(
            "bio-300",
            "bio",
            bio,
            300 * time_scale,
            min_share_of_bound=0.995,
            above_greedy=True,
            memory_limit_mb=BIO_MEMORY_MB,
            **generated,
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
