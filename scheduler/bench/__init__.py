"""`python -m scheduler bench`: the solver measured against the greedy baseline and the upper
bound, instance by instance, in one run on this machine; writes BENCHMARKS.md and prints it.

Sections (issue 3, "Benchmark"):

1. the JAIR 2022 B2B instances (`.original`, then `.forb0003`): every meeting scheduled, idle
   gaps minimised, against the paper's proven optimum: the `.original` ones in the default mode
   and, beside it, with the paper's gap spread of at most 2; the `.forb0003` ones with it;
2. an Osaka-size event (10 s), 3. a large event (60 s), 4. a BIO-size event (at 60 s and at
300 s, under 2 GB), 5. re-planning the Osaka-size event with 70 % of its meetings published
(5 s). The generated events of sections 2-4 are also held to the issue's table and fairness
goals: table changes at most half of first-come's, and nobody left without a meeting whom one
change keeping the priority sum would serve (`scheduler.servable`; the report also counts, as
a stricter figure, those some schedule could serve if each is judged alone).

Each instance runs in a fresh child process, so its peak memory (the child's maximum resident
set plus that of the largest process it started: problem, solve and nothing else) is its own.
The JAIR files are research data that the repository does not hold: they are looked up in
`$PARTNERING_B2B_DIR` (see `scheduler.b2b`), and the report says so when they are absent.

The package: `instances` (what is measured), `measuring` (one instance in a child process),
`goals` (what each is held to), `report` (BENCHMARKS.md) and `command` (the command line).
"""

from scheduler.bench.command import main, parse, select
from scheduler.bench.goals import GAPS_FAR_BELOW, judge
from scheduler.bench.instances import (
    JAIR_SPREAD_LIMIT,
    PAPER_FORB0003_OPTIMA,
    SECTIONS,
    Instance,
    jair_instances,
    quick_instances,
    synthetic_instances,
)
from scheduler.bench.measuring import Outcome, measure, run, run_isolated
from scheduler.bench.report import (
    instance_block,
    jair_table,
    machine,
    report,
    side_by_side,
    time_to_proof,
)

__all__ = [
    "GAPS_FAR_BELOW",
    "JAIR_SPREAD_LIMIT",
    "PAPER_FORB0003_OPTIMA",
    "SECTIONS",
    "Instance",
    "Outcome",
    "instance_block",
    "jair_instances",
    "jair_table",
    "judge",
    "machine",
    "main",
    "measure",
    "parse",
    "quick_instances",
    "report",
    "run",
    "run_isolated",
    "select",
    "side_by_side",
    "synthetic_instances",
    "time_to_proof",
]
