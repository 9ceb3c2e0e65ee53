"""Participants as CSV: reading a file, guessing which column is which, checking every row
against the event, and writing the export with the same columns."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from partnering.csv_cells import SafeWriter
from partnering.events.models import Event
from partnering.plain_text import control_problem
from partnering.registrations.models import ORGANISATION_TYPES, Participant

# Participant field -> column heading of the export (also what the import recognises best).
FIELDS = {
    "name": "Name",
    "email": "Email",
    "organisation": "Organisation",
    "kind": "Organisation type",
    "country": "Country",
    "topics": "Topics",
    "description": "Description",
    "booth": "Booth",
}
EXPORT_EXTRA = ("Status", "Role")
REQUIRED = ("name", "email")
TOPIC_SEPARATOR = re.compile(r"\s*[;|]\s*")

# Other headings people use for the same thing, compared without case, spaces or punctuation.
SYNONYMS = {
    "name": ["fullname", "participant", "contact", "person", "attendee"],
    "email": ["emailaddress", "mail"],
    "organisation": ["organization", "company", "org", "institution", "affiliation"],
    "kind": ["organizationtype", "orgtype", "type", "companytype", "category", "sector"],
    "country": ["nation", "countryregion"],
    "topics": ["topic", "interests", "keywords", "areas"],
    "description": ["profile", "bio", "about", "summary"],
    "booth": ["table", "stand", "boothtable"],
}
KIND_BY_TEXT = {text.casefold(): key for key, label in ORGANISATION_TYPES for text in (key, label)}


class CsvFileError(ValueError):
    """A file that cannot be read as CSV at all."""


@dataclass(frozen=True)
class CsvTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    """(line number in the file, cells) for every data row."""


@dataclass(frozen=True)
class ParticipantRow:
    """A checked row, ready to import."""

    line: int
    name: str
    email: str
    organisation: str = ""
    kind: str = ""
    country: str = ""
    topics: tuple[str, ...] = ()
    description: str = ""
    booth: str = ""


def read_csv(data: bytes) -> CsvTable:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and retry."
        ) from None
    if not text.strip():
        raise CsvFileError("The file is empty.")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = [h.strip() for h in next(reader)]
        rows = []
        line = reader.line_num
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((line + 1, [cell.strip() for cell in cells]))
            line = reader.line_num
    except csv.Error as exc:
        raise CsvFileError(f"Line {reader.line_num}: {exc}.") from None
    return CsvTable(headers, rows)


def _key(heading: str) -> str:
    return re.sub(r"[^a-z0-9]", "", heading.casefold())


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    """For each field, the index of the column that most likely holds it (None: none)."""
    keys = [_key(h) for h in headers]
    mapping: dict[str, int | None] = {}
    for field, heading in FIELDS.items():
        names = [_key(heading), _key(field), *SYNONYMS[field]]
        mapping[field] = next(
            (i for name in names for i, key in enumerate(keys) if key == name), None
        )
    return mapping


def check_rows(
    event: Event, table: CsvTable, mapping: dict[str, int | None]
) -> tuple[list[ParticipantRow], list[str]]:
    """Every row checked against the event: the clean rows, and one message per problem
    (each naming its line)."""
    missing = [FIELDS[f] for f in REQUIRED if mapping.get(f) is None]
    if missing:
        return [], [f"Choose the column that holds: {', '.join(missing)}."]
    booths = {t.name.casefold(): t.name for t in event.tables}
    topics = {t.casefold(): t for t in event.topics}
    seen: dict[str, int] = {}
    clean, problems = [], []
    for line, cells in table.rows:

        def cell(field: str, cells: list[str] = cells) -> str:
            index = mapping.get(field)
            return cells[index] if index is not None and index < len(cells) else ""

        row_problems = _shape_problems(cells, table.headers, mapping)
        name, email = cell("name"), cell("email")
        if not name:
            row_problems.append("the name is missing")
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            row_problems.append(f"“{email}” is not an email address" if email else "no email")
        if email in seen:
            row_problems.append(f"{email} is already on line {seen[email]}")
        seen.setdefault(email, line)
        kind = ""
        if cell("kind"):
            kind = KIND_BY_TEXT.get(cell("kind").casefold(), "")
            if not kind:
                allowed = ", ".join(key for key, _ in ORGANISATION_TYPES)
                row_problems.append(
                    f"unknown organisation type “{cell('kind')}” (use one of: {allowed})"
                )
        booth = ""
        if cell("booth"):
            booth = booths.get(cell("booth").casefold(), "")
            if not booth:
                row_problems.append(f"there is no table “{cell('booth')}” for a booth")
        chosen = [t for t in TOPIC_SEPARATOR.split(cell("topics")) if t]
        if topics:
            unknown = [t for t in chosen if t.casefold() not in topics]
            if unknown:
                row_problems.append(f"unknown topics: {', '.join(unknown)}")
            chosen = [topics.get(t.casefold(), t) for t in chosen]
        if row_problems:
            problems.append(f"Line {line}: {'; '.join(row_problems)}.")
            continue
        clean.append(
            ParticipantRow(
                line=line,
                name=name,
                email=email,
                organisation=cell("organisation"),
                kind=kind,
                country=cell("country"),
                topics=tuple(chosen),
                description=cell("description"),
                booth=booth,
            )
        )
    return clean, problems


# What a problem calls each field, and whether it may span lines.
LABELS = {field: heading.lower() for field, heading in FIELDS.items()}
MULTILINE = {"description"}


def _shape_problems(
    cells: list[str], headers: list[str], mapping: dict[str, int | None]
) -> list[str]:
    """A row with more cells than the header has columns (a shifted row: its values would
    land in the wrong fields), and cells holding what their field may not."""
    used = len(cells)
    while used and not cells[used - 1]:
        used -= 1  # trailing empty cells are only extra separators
    problems = []
    if used > len(headers):
        problems.append(f"{used} cells, but the header has {len(headers)} columns")
    for field, index in mapping.items():
        if index is None or index >= len(cells):
            continue
        problem = control_problem(cells[index], multiline=field in MULTILINE)
        if problem:
            problems.append(f"the {LABELS[field]} {problem[0].lower()}{problem[1:-1]}")
    return problems


def export_rows(participants: Iterable[Participant]) -> Iterable[list[str]]:
    yield [*FIELDS.values(), *EXPORT_EXTRA]
    for p in participants:
        org = p.organisation
        yield [
            p.name,
            p.email,
            org.name if org else "",
            org.kind if org else "",
            org.country if org else "",
            "; ".join(p.topics),
            p.description,
            p.booth.name if p.booth else "",
            p.status,
            p.role,
        ]


def write_csv(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerows(rows)
    return out.getvalue()
