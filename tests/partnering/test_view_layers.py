"""Views go through their domain's operations and queries: read from the source, so that the
rule stays true as pages are added."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
VIEW_FILES = sorted(
    p
    for p in (ROOT / "partnering").glob("*/*.py")
    if p.name == "views.py" or p.name.endswith("_views.py") or p.name == "blueprint.py"
)
# Raw database access: the session, query building and the Flask-SQLAlchemy shortcuts.
DATABASE_NAMES = {
    "session",
    "select",
    "query",
    "paginate",
    "get_or_404",
    "first_or_404",
    "one_or_404",
    "execute",
    "scalars",
}


def layer_breaks(source: str, domain: str) -> list[str]:
    """What in a view module of `domain` reaches past its domain's operations and queries."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] == "sqlalchemy" or parts[0] == "flask_sqlalchemy":
                found.append(f"line {node.lineno}: imports {node.module}")
            if node.module == "partnering.extensions" and any(a.name == "db" for a in node.names):
                found.append(f"line {node.lineno}: imports db")
            if parts[0] == "partnering" and parts[-1] == "models" and parts[1] != domain:
                found.append(f"line {node.lineno}: imports {node.module}")
            if parts[0] == "partnering" and len(parts) == 2 and parts[1] != domain:
                found.extend(
                    f"line {node.lineno}: imports {node.module}.models"
                    for a in node.names
                    if a.name == "models"
                )
        elif isinstance(node, ast.Import):
            found.extend(
                f"line {node.lineno}: imports {a.name}"
                for a in node.names
                if a.name.split(".")[0] in {"sqlalchemy", "flask_sqlalchemy"}
            )
        elif isinstance(node, ast.Attribute) and node.attr in DATABASE_NAMES:
            if isinstance(node.value, ast.Name) and node.value.id == "db":
                found.append(f"line {node.lineno}: db.{node.attr}")
            elif node.attr == "query" and not isinstance(node.ctx, ast.Store):
                found.append(f"line {node.lineno}: .query")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "select":
                found.append(f"line {node.lineno}: select(...)")
    return found


def test_the_view_modules_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in VIEW_FILES}
    assert {
        "partnering/scheduling/views.py",
        "partnering/scheduling/grid_views.py",
        "partnering/scheduling/run_views.py",
        "partnering/scheduling/new_meeting_views.py",
        "partnering/scheduling/blueprint.py",
        "partnering/admin/participant_views.py",
        "partnering/admin/blueprint.py",
    } <= names


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_views_reach_the_database_only_through_their_domain(path):
    domain = path.parent.name
    assert layer_breaks(path.read_text(encoding="utf-8"), domain) == []


@pytest.mark.parametrize(
    "source",
    [
        "from partnering.extensions import db\nx = db.session.execute(q)",
        "from sqlalchemy import select\nq = select(A)",
        "from partnering.meetings.models import Meeting",
        "from partnering.meetings import models",
        "rows = Meeting.query.all()",
        "page = db.paginate(q)",
    ],
)
def test_the_check_sees_each_kind_of_break(source):
    assert layer_breaks(source, "agenda")


def test_the_check_allows_own_models_and_other_domains_queries():
    source = (
        "from partnering.agenda.models import FeedToken\n"
        "from partnering.meetings.queries import meeting_or_404\n"
        "from partnering.registrations import directory\n"
    )
    assert layer_breaks(source, "agenda") == []
