"""No page carries inline script or style, which the Content-Security-Policy (script-src 'self';
style-src 'self') would block: no <script> with a body, no <style>, no style= or on*= attribute,
no javascript: URL. Checked on every GET of the route table (tests/security/routes.py) as an
anonymous visitor, a participant, the organiser of the event and a site administrator, and in
the source of every page template (the walk cannot reach every state of every page)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.security.routes import requests_for
from tests.security.visitors import log_in

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
EMAILS = TEMPLATES / "agenda" / "email"
"""Email bodies keep inline styles: mail clients ignore stylesheets, and no CSP applies."""

URL_ATTRIBUTES = {"href", "src", "action", "formaction"}


class InlineCode(HTMLParser):
    """The inline script and style of an HTML document, as (line, what) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[int, str]] = []
        self.script: list[str] | None = None  # the body of the open <script>, if any

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append((line, f"<{tag} {name}=…> (an event handler)"))
            elif name == "style":
                self.found.append((line, f"<{tag} style=…>"))
            elif name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.found.append((line, f"<{tag} {name}=javascript:…>"))
        if tag == "style":
            self.found.append((line, "<style> element"))
        elif tag == "script":
            self.script = []

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.script is not None:
            if "".join(self.script).strip():
                self.found.append((self.getpos()[0], "<script> with a body"))
            self.script = None


def inline_code(html: str) -> list[tuple[int, str]]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_check_finds_each_kind_of_inline_code():
    html = """<!doctype html><html><head><style>p {}</style>
    <script src="/static/app.js" defer></script><script>alert(1)</script></head>
    <body onload="x()"><p style="color: red">a</p><a href=" JavaScript:void(0)">b</a>
    <svg><rect onclick="y()"/></svg><form><button formaction="javascript:z()">c</button></form>
    </body></html>"""
    kinds = [what for _, what in inline_code(html)]
    assert kinds == [
        "<style> element",
        "<script> with a body",
        "<body onload=…> (an event handler)",
        "<p style=…>",
        "<a href=javascript:…>",
        "<rect onclick=…> (an event handler)",
        "<button formaction=javascript:…>",
    ]
    clean = '<html><head><script src="/static/app.js" defer></script></head><body></body></html>'
    assert inline_code(clean) == []


PAGES_TO_SEE = {
    "site.index",
    "auth.login",
    "events.home",
    "registrations.register",
    "registrations.directory",
    "registrations.availability",
    "registrations.profile",
    "meetings.mine",
    "agenda.mine",
    "agenda.print_mine",
    "admin.dashboard",
    "admin.participants",
    "admin.invitations",
    "admin.edit_event",
    "scheduling.overview",
    "scheduling.confirm_publish",
    "scheduling.new_meeting",
    "scheduling.grid",
    "scheduling.charts",
    "scheduling.meeting",
    "scheduling.run",
    "agenda.print_tables",
    "outbox.index",
    "outbox.message",
    "admin.create_event",
}
"""Pages the walk must have seen whole (200, HTML) as someone, or it proves little."""


@pytest.fixture
def walkers(world) -> dict[str, int | None]:
    alpha = world.alpha
    return {
        "anonymous": None,
        "participant": alpha.people["visible"].account_id,
        "organiser": alpha.organiser.account_id,
        "site administrator": world.admin_account_id,
    }


def test_no_page_has_inline_script_or_style(csrf_app, world, walkers):
    app, _ = csrf_app
    findings: list[str] = []
    seen: set[str] = set()
    for who, account_id in walkers.items():
        client = log_in(app, account_id)
        for call in requests_for(app, world, world.alpha):
            if call.method != "GET" or call.endpoint == "auth.logout":
                continue
            response = client.get(call.url)
            if response.mimetype == "text/html":
                if response.status_code == 200:
                    seen.add(call.endpoint)
                for line, what in inline_code(response.get_data(as_text=True)):
                    findings.append(f"{who} GET {call.url} ({call.endpoint}) line {line}: {what}")
            response.close()
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(findings)
    assert PAGES_TO_SEE <= seen, f"the walk never saw {sorted(PAGES_TO_SEE - seen)}"


INLINE_IN_SOURCE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I
)


def test_no_page_template_has_inline_script_or_style():
    findings = []
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20
    for path in templates:
        if EMAILS in path.parents:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for found in INLINE_IN_SOURCE.finditer(line):
                findings.append(f"{path.relative_to(TEMPLATES)}:{number}: {found.group(0)}")
    assert not findings, "\n".join(findings)
