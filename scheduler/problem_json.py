"""The JSON form of FORMATS.md's two documents: reading validates structure and references
and raises `FormatError` naming the offending item (it never lets a KeyError or TypeError
escape); writing gives the same document back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.problem import (
    Assignment,
    Fixed,
    FormatError,
    Meeting,
    Participant,
    Problem,
    Schedule,
    Slot,
    Table,
    Unscheduled,
)

PROBLEM_FORMAT = "partnering-problem/1"
SCHEDULE_FORMAT = "partnering-schedule/1"


# --- reading ---------------------------------------------------------------------------------


def _get(obj: Any, key: str, where: str, kind: type | tuple[type, ...], required: bool = True):
    if not isinstance(obj, dict):
        raise FormatError(f"{where}: expected an object")
    if key not in obj:
        if required:
            raise FormatError(f"{where}: missing required key '{key}'")
        return None
    value = obj[key]
    if value is None and not required:
        return None
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise FormatError(f"{where}: '{key}' must be {names}")
    return value


def _list(obj: Any, key: str, where: str, required: bool = True) -> list:
    return _get(obj, key, where, list, required) or []


def _id(obj: Any, where: str, seen: set[str]) -> str:
    ident = _get(obj, "id", where, str)
    if not ident:
        raise FormatError(f"{where}: 'id' must not be empty")
    if ident in seen:
        raise FormatError(f"{where}: duplicate id '{ident}'")
    seen.add(ident)
    return ident


MAX_PRIORITY = 1_000
MAX_COUNT = 1_000_000
"""Upper bounds of the numbers a problem holds: the solver's integers are 64-bit, and a
priority of 10**30 summed over thousands of meetings is not one."""


def _positive(obj: Any, key: str, where: str, maximum: int = MAX_COUNT) -> int | None:
    value = _get(obj, key, where, int, required=False)
    if value is not None and value < 1:
        raise FormatError(f"{where}: '{key}' must be at least 1")
    if value is not None and value > maximum:
        raise FormatError(f"{where}: '{key}' must be at most {maximum:,}")
    return value


def _non_negative(obj: Any, key: str, where: str) -> int | None:
    value = _get(obj, key, where, int, required=False)
    if value is not None and value < 0:
        raise FormatError(f"{where}: '{key}' must not be negative")
    if value is not None and value > MAX_COUNT:
        raise FormatError(f"{where}: '{key}' must be at most {MAX_COUNT:,}")
    return value


def _datetime(obj: Any, key: str, where: str) -> datetime:
    text = _get(obj, key, where, str)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise FormatError(f"{where}: '{key}' is not an ISO 8601 date-time: {text!r}") from None
    if value.tzinfo is None:
        raise FormatError(f"{where}: '{key}' needs a UTC offset: {text!r}")
    return value


def _slot_refs(ids: Iterable[Any], known: Mapping[str, Any], where: str, what: str) -> list[str]:
    out = []
    for ref in ids:
        if not isinstance(ref, str) or ref not in known:
            raise FormatError(f"{where}: unknown {what} {ref!r}")
        out.append(ref)
    return out


def problem_from_dict(doc: Any, *, removed_tables: bool = False) -> Problem:
    """Build a `Problem` from a parsed `partnering-problem/1` document.

    With `removed_tables`, a fixed meeting may name a table the document does not list (a
    table removed after publication): the problem keeps that table in `fixed`, so that
    `check.check_fixed` reports it and repair mode releases the meeting."""
    if not isinstance(doc, dict):
        raise FormatError("problem: expected a JSON object")
    fmt = doc.get("format")
    if fmt != PROBLEM_FORMAT:
        raise FormatError(f"problem: 'format' must be '{PROBLEM_FORMAT}', not {fmt!r}")
    event = _get(doc, "event", "problem", dict, required=False) or {}
    timezone = _get(event, "timezone", "event", str, required=False) or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise FormatError(f"event: unknown timezone {timezone!r}") from None
    name = _get(event, "name", "event", str, required=False) or ""

    seen: set[str] = set()
    slots = []
    for i, raw in enumerate(_list(doc, "slots", "problem")):
        where = f"slots[{i}]"
        sid = _id(raw, where, seen)
        where = f"slot '{sid}'"
        start, end = _datetime(raw, "start", where), _datetime(raw, "end", where)
        if end <= start:
            raise FormatError(f"{where}: 'end' must be after 'start'")
        if slots and start < slots[-1].start:
            raise FormatError(f"{where}: slots must be in chronological order")
        slots.append(Slot(sid, start, end))
    slot_ids = {s.id: s for s in slots}

    seen = set()
    tables = []
    for i, raw in enumerate(_list(doc, "tables", "problem")):
        tid = _id(raw, f"tables[{i}]", seen)
        tables.append(Table(tid, _positive(raw, "seats", f"table '{tid}'")))
    table_ids = {t.id: t for t in tables}

    seen = set()
    participants = []
    for i, raw in enumerate(_list(doc, "participants", "problem", required=False)):
        pid = _id(raw, f"participants[{i}]", seen)
        where = f"participant '{pid}'"
        available = raw.get("available")
        if available is None:
            avail = set(slot_ids)
        else:
            avail = set(_slot_refs(_list(raw, "available", where), slot_ids, where, "slot"))
        avail -= set(_slot_refs(_list(raw, "unavailable", where, False), slot_ids, where, "slot"))
        booth = _get(raw, "booth", where, str, required=False)
        if booth is not None and booth not in table_ids:
            raise FormatError(f"{where}: unknown booth table {booth!r}")
        participants.append(
            Participant(
                id=pid,
                available=frozenset(avail),
                organisation=_get(raw, "organisation", where, str, required=False),
                max_meetings=_non_negative(raw, "max_meetings", where),
                booth=booth,
            )
        )
    people = {p.id: p for p in participants}

    seen = set()
    meetings = []
    for i, raw in enumerate(_list(doc, "meetings", "problem", required=False)):
        mid = _id(raw, f"meetings[{i}]", seen)
        where = f"meeting '{mid}'"
        members = _slot_refs(_list(raw, "participants", where), people, where, "participant")
        if len(members) < 2:
            raise FormatError(f"{where}: needs at least two participants")
        if len(set(members)) != len(members):
            raise FormatError(f"{where}: a participant is listed twice")
        allowed = raw.get("allowed_slots")
        if allowed is not None:
            allowed = frozenset(
                _slot_refs(_list(raw, "allowed_slots", where), slot_ids, where, "slot")
            )
        fixed = None
        raw_fixed = _get(raw, "fixed", where, dict, required=False)
        if raw_fixed is not None:
            fslot = _get(raw_fixed, "slot", f"{where} fixed", str)
            if fslot not in slot_ids:
                raise FormatError(f"{where}: fixed to unknown slot {fslot!r}")
            ftable = _get(raw_fixed, "table", f"{where} fixed", str, required=False)
            if ftable is not None and ftable not in table_ids and not removed_tables:
                raise FormatError(f"{where}: fixed to unknown table {ftable!r}")
            fixed = Fixed(fslot, ftable)
        meetings.append(
            Meeting(
                id=mid,
                participants=tuple(members),
                priority=_positive(raw, "priority", where, MAX_PRIORITY) or 1,
                allowed_slots=allowed,
                fixed=fixed,
            )
        )

    return Problem(
        slots=tuple(slots),
        tables=tuple(tables),
        participants=tuple(participants),
        meetings=tuple(meetings),
        name=name,
        timezone=timezone,
    )


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The `partnering-problem/1` document of a problem (absent keys stay absent)."""
    every_slot = set(problem.slot_by_id)
    participants = []
    for p in problem.participants:
        raw: dict[str, Any] = {"id": p.id}
        if p.organisation is not None:
            raw["organisation"] = p.organisation
        if p.available != every_slot:
            raw["available"] = [s.id for s in problem.slots if s.id in p.available]
        if p.max_meetings is not None:
            raw["max_meetings"] = p.max_meetings
        if p.booth is not None:
            raw["booth"] = p.booth
        participants.append(raw)
    meetings = []
    for m in problem.meetings:
        raw = {"id": m.id, "participants": list(m.participants), "priority": m.priority}
        if m.allowed_slots is not None:
            raw["allowed_slots"] = [s.id for s in problem.slots if s.id in m.allowed_slots]
        if m.fixed is not None:
            raw["fixed"] = {"slot": m.fixed.slot}
            if m.fixed.table is not None:
                raw["fixed"]["table"] = m.fixed.table
        meetings.append(raw)
    return {
        "format": PROBLEM_FORMAT,
        "event": {"name": problem.name, "timezone": problem.timezone},
        "slots": [
            {"id": s.id, "start": s.start.isoformat(), "end": s.end.isoformat()}
            for s in problem.slots
        ],
        "tables": [
            {"id": t.id, **({"seats": t.seats} if t.seats is not None else {})}
            for t in problem.tables
        ],
        "participants": participants,
        "meetings": meetings,
    }


def schedule_from_dict(doc: Any) -> Schedule:
    """Build a `Schedule` from a parsed `partnering-schedule/1` document (structure only;
    `scheduler.check` judges it against a problem)."""
    if not isinstance(doc, dict):
        raise FormatError("schedule: expected a JSON object")
    fmt = doc.get("format")
    if fmt != SCHEDULE_FORMAT:
        raise FormatError(f"schedule: 'format' must be '{SCHEDULE_FORMAT}', not {fmt!r}")
    assignments = []
    for i, raw in enumerate(_list(doc, "assignments", "schedule")):
        where = f"assignments[{i}]"
        assignments.append(
            Assignment(
                _get(raw, "meeting", where, str),
                _get(raw, "slot", where, str),
                _get(raw, "table", where, str),
            )
        )
    unscheduled = []
    for i, raw in enumerate(_list(doc, "unscheduled", "schedule", required=False)):
        where = f"unscheduled[{i}]"
        unscheduled.append(
            Unscheduled(
                _get(raw, "meeting", where, str),
                _get(raw, "reason", where, str, required=False) or "",
            )
        )
    stats = _get(doc, "stats", "schedule", dict, required=False) or {}
    return Schedule(tuple(assignments), tuple(unscheduled), stats)


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    return {
        "format": SCHEDULE_FORMAT,
        "assignments": [
            {"meeting": a.meeting, "slot": a.slot, "table": a.table} for a in schedule.assignments
        ],
        "unscheduled": [{"meeting": u.meeting, "reason": u.reason} for u in schedule.unscheduled],
        "stats": dict(schedule.stats),
    }


def read_text(path: str | Path) -> str:
    """A UTF-8 text file's text; a file that cannot be read raises `FormatError` saying why."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise FormatError(f"{path}: not UTF-8 text") from None


def read_json(path: str | Path) -> Any:
    """A JSON file's document; a file that cannot be read or parsed raises `FormatError`
    saying why in one line."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise FormatError(f"{path}: JSON nested too deeply") from None


def load_problem(path: str | Path, *, removed_tables: bool = False) -> Problem:
    return problem_from_dict(read_json(path), removed_tables=removed_tables)


def load_schedule(path: str | Path) -> Schedule:
    return schedule_from_dict(read_json(path))


def dump_json(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
