"""Reader for the `.dzn` instances of the Business-to-Business Meeting Scheduling Problem.

The instances are those of Bofill et al., "Constraint Solving Approaches to the
Business-to-Business Meeting Scheduling Problem", JAIR 74 (2022). They are MiniZinc data
files (all ids 1-based): `requested` rows `p1, p2, s` (s = 1 morning only, 2 afternoon only,
3 any), `forbidden` slot sets per participant (a `0` is a placeholder), `fixed` slot per
meeting (0 = free), and counts. `read_dzn` turns one into a `Problem`:

- participants `b1..bP` (all of them, also those without meetings),
- meetings `m1..mM` in file order, priority 1,
- tables `T1..Tn` (the instances only limit how many meetings share a slot),
- slots `s1..sT`, 30 minutes each, back to back on 2000-01-01 from 09:00 UTC. Lunch is not a
  slot in these instances, so every slot is adjacent to the next; the morning/afternoon split
  only shows in the meetings' `allowed_slots`.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scheduler.problem import Fixed, FormatError, Meeting, Participant, Problem, Slot, Table
from scheduler.problem_json import read_text

INSTANCE_DIR_VARIABLE = "PARTNERING_B2B_DIR"
_DEFAULT_INSTANCE_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "benchmarks"
_DEFAULT_INSTANCE_DIR = _DEFAULT_INSTANCE_DIR / "b2b-jair2022"

# The paper's proven optimum (total idle gaps, every meeting scheduled, most-minus-fewest gaps
# of any participant at most 2) of each `.original` instance and its MaxSAT time in seconds.
PAPER_OPTIMA: dict[str, tuple[int, float]] = {
    "forum-13": (0, 2.5),
    "forum-13crafb": (6, 23.3),
    "forum-13crafc": (1, 2.3),
    "forum-14": (2, 5.1),
    "forumt-14": (5, 0.5),
    "forumt-14crafc": (5, 0.9),
    "forumt-14crafd": (4, 0.4),
    "forumt-14crafe": (5, 0.6),
    "tic-12": (0, 0.1),
    "tic-12crafc": (0, 0.3),
    "tic-13": (0, 0.4),
    "tic-13crafb": (0, 0.4),
    "tic-13crafc": (4, 5.8),
    "tic-14crafa": (0, 1.0),
    "tic-14crafc": (0, 0.8),
    "tic-14crafd": (0, 0.8),
    "ticf-13crafa": (0, 2.2),
    "ticf-13crafb": (3, 22.3),
    "ticf-13crafc": (1, 3.7),
    "ticf-14crafa": (0, 7.6),
}

FIRST_SLOT_START = datetime(2000, 1, 1, 9, 0, tzinfo=UTC)
SLOT_LENGTH = timedelta(minutes=30)

_COMMENT = re.compile(r"%[^\n]*")
_ASSIGNMENT = re.compile(r"\s*([A-Za-z_]\w*)\s*=\s*([^;]*);", re.S)
_INT_LIST = re.compile(r"-?\d+")


def instance_dir() -> Path:
    """Where the instance files are: `$PARTNERING_B2B_DIR`, else the shared benchmark folder
    beside the repository. The files are research data and are not part of the repository."""
    configured = os.environ.get(INSTANCE_DIR_VARIABLE)
    return Path(configured) if configured else _DEFAULT_INSTANCE_DIR.resolve()


def read_dzn(path: str | Path) -> Problem:
    """Read one instance file; a malformed file raises `FormatError` naming what is wrong."""
    path = Path(path)
    text = read_text(path)
    try:
        return _problem(_assignments(text), name=path.name.removesuffix(".dzn"))
    except FormatError as exc:
        raise FormatError(f"{path}: {exc}") from None


def _assignments(text: str) -> dict[str, str]:
    """The `name = value;` items of a MiniZinc data file, values as raw text."""
    text = _COMMENT.sub("", text)
    items: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        match = _ASSIGNMENT.match(text, pos)
        if match is None:
            if text[pos:].strip():
                snippet = text[pos:].strip().splitlines()[0][:40]
                raise FormatError(f"cannot parse near {snippet!r}")
            break
        items[match.group(1)] = match.group(2).strip()
        pos = match.end()
    return items


def _int(items: dict[str, str], name: str, *, minimum: int) -> int:
    raw = _required(items, name)
    try:
        value = int(raw)
    except ValueError:
        raise FormatError(f"'{name}' must be an integer, not {raw!r}") from None
    if value < minimum:
        raise FormatError(f"'{name}' must be at least {minimum}, not {value}")
    return value


def _required(items: dict[str, str], name: str) -> str:
    if name not in items:
        raise FormatError(f"missing '{name}'")
    return items[name]


def _bracketed(raw: str, name: str, opening: str, closing: str) -> str:
    if not (raw.startswith(opening) and raw.endswith(closing)):
        raise FormatError(f"'{name}' must be written {opening}...{closing}")
    return raw[len(opening) : len(raw) - len(closing)]


def _numbers(raw: str, name: str) -> list[int]:
    """The integers of a comma/space separated list, rejecting anything else."""
    parts = [p for p in re.split(r"[\s,]+", raw.strip()) if p]
    if any(_INT_LIST.fullmatch(p) is None for p in parts):
        raise FormatError(f"'{name}' holds something that is not an integer: {raw.strip()!r}")
    return [int(p) for p in parts]


def _requested(raw: str) -> list[tuple[int, int, int]]:
    body = _bracketed(raw, "requested", "[|", "|]")
    rows = []
    for i, row in enumerate(r for r in body.split("|") if r.strip()):
        values = _numbers(row, "requested")
        if len(values) != 3:
            raise FormatError(f"'requested' row {i + 1} must be 'p1, p2, s', not {row.strip()!r}")
        rows.append((values[0], values[1], values[2]))
    return rows


def _sets(raw: str, name: str) -> list[set[int]]:
    body = _bracketed(raw, name, "[", "]").strip()
    if not body:
        return []
    leftover = re.sub(r"\{[^{}]*\}", "", body)
    if leftover.replace(",", "").strip():
        raise FormatError(f"'{name}' must be a list of sets {{...}}")
    return [set(_numbers(s, name)) for s in re.findall(r"\{([^{}]*)\}", body)]


def _problem(items: dict[str, str], name: str) -> Problem:
    n_people = _int(items, "nBusiness", minimum=1)
    n_meetings = _int(items, "nMeetings", minimum=0)
    n_tables = _int(items, "nTables", minimum=1)
    n_slots = _int(items, "nTotalSlots", minimum=1)
    n_morning = _int(items, "nMorningSlots", minimum=0)
    if n_morning > n_slots:
        raise FormatError(f"'nMorningSlots' ({n_morning}) exceeds 'nTotalSlots' ({n_slots})")

    requested = _requested(_required(items, "requested"))
    if len(requested) != n_meetings:
        raise FormatError(f"'requested' has {len(requested)} rows, 'nMeetings' is {n_meetings}")
    forbidden = _sets(_required(items, "forbidden"), "forbidden")
    if len(forbidden) != n_people:
        raise FormatError(f"'forbidden' has {len(forbidden)} sets, 'nBusiness' is {n_people}")
    fixed = _numbers(_bracketed(_required(items, "fixed"), "fixed", "[", "]"), "fixed")
    if len(fixed) != n_meetings:
        raise FormatError(f"'fixed' has {len(fixed)} entries, 'nMeetings' is {n_meetings}")

    slots = tuple(
        Slot(f"s{k}", FIRST_SLOT_START + (k - 1) * SLOT_LENGTH, FIRST_SLOT_START + k * SLOT_LENGTH)
        for k in range(1, n_slots + 1)
    )
    slot_ids = [s.id for s in slots]
    session_slots = {
        1: frozenset(slot_ids[:n_morning]),
        2: frozenset(slot_ids[n_morning:]),
        3: None,
    }

    participants = []
    for person, slots_out in enumerate(forbidden, start=1):
        slots_out.discard(0)  # placeholder in the published files
        bad = sorted(k for k in slots_out if not 1 <= k <= n_slots)
        if bad:
            raise FormatError(f"participant {person} forbids unknown slot {bad[0]}")
        free = frozenset(sid for k, sid in enumerate(slot_ids, start=1) if k not in slots_out)
        participants.append(Participant(id=f"b{person}", available=free))

    meetings = []
    rows = zip(requested, fixed, strict=True)
    for number, ((first, second, session), slot) in enumerate(rows, start=1):
        for person in (first, second):
            if not 1 <= person <= n_people:
                raise FormatError(f"meeting {number} names unknown participant {person}")
        if first == second:
            raise FormatError(f"meeting {number} names participant {first} twice")
        if session not in session_slots:
            raise FormatError(f"meeting {number}: session must be 1, 2 or 3, not {session}")
        if not 0 <= slot <= n_slots:
            raise FormatError(f"meeting {number} is fixed to unknown slot {slot}")
        meetings.append(
            Meeting(
                id=f"m{number}",
                participants=(f"b{first}", f"b{second}"),
                allowed_slots=session_slots[session],
                fixed=Fixed(slot=slot_ids[slot - 1]) if slot else None,
            )
        )

    return Problem(
        slots=slots,
        tables=tuple(Table(f"T{k}") for k in range(1, n_tables + 1)),
        participants=tuple(participants),
        meetings=tuple(meetings),
        name=name,
        timezone="UTC",
    )
