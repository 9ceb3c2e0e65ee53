"""No input gives a server error: Hypothesis posts generated values to every form of the app
(every FlaskForm subclass under partnering/) and to every query-string and path parameter the
routes read, as a user allowed to use them, with arbitrary text, control characters (NUL,
CR/LF), very long values and huge numbers. Each example starts from the form's plausible data
(tests/security/routes.py) and replaces one to three fields, so the odd value reaches the code
behind the form's validation too. Every answer must be below 500.

Bounded for CI: a fixed number of examples per target, derandomized, no example database.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from flask_wtf import FlaskForm
from hypothesis import given, settings
from hypothesis import strategies as st
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
)
from wtforms.fields.core import Field

import partnering
from partnering.admin import uploads
from partnering.events.models import Event
from partnering.extensions import db
from tests.production.conftest import fresh_postgres_database
from tests.security.conftest import security_app
from tests.security.routes import ROUTES, Case, requests_for
from tests.security.visitors import log_in
from tests.security.world import Side, World, build_world

EXAMPLES = 25

NASTY_TEXT = [
    "\x00",
    "a\x00b",
    "\r\n",
    "Name\r\nBcc: someone@example.org",
    "\x07\x1b[31m\x7f",
    "\u202eevil",
    '=HYPERLINK("http://example.org","x")',
    "²",
    "٣",
    "%_\\'\"",
    "<script>alert(1)</script>",
    " ".join(["word"] * 5000),
    "x" * 100_000,
]
HUGE_NUMBERS = [
    "99999999999999999999",
    "-99999999999999999999",
    str(10**30),
    "1e400",
    "-1",
    "0",
    "9" * 400,
]
DATES = [
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2030-03-31T02:30",
    "2030-02-30T10:00",
    "9999-12-31",
    "99999-01-01T00:00",
]

text = st.one_of(
    st.sampled_from(NASTY_TEXT + HUGE_NUMBERS),
    st.text(max_size=40),
    st.text(st.characters(max_codepoint=0x1F), max_size=10),
)
numbers = st.one_of(
    st.sampled_from(HUGE_NUMBERS),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    text,
)


def csv_files() -> st.SearchStrategy:
    """A CSV file whose rows may be shorter or longer than its header, with odd cells."""
    cell = st.one_of(
        st.sampled_from(NASTY_TEXT[:11] + ["a@example.org", "sme"]), st.text(max_size=8)
    )
    row = st.lists(cell, min_size=0, max_size=8)
    header = st.just(["Name", "Email", "Organisation", "Type", "Country"])

    def render(rows: list[list[str]]) -> tuple[io.BytesIO, str]:
        lines = [",".join('"' + c.replace('"', '""') + '"' for c in r) for r in rows]
        return io.BytesIO("\n".join(lines).encode("utf-8", "surrogatepass")), "people.csv"

    return st.builds(lambda h, rs: render([h, *rs]), header, st.lists(row, max_size=5)) | st.binary(
        max_size=200
    ).map(lambda b: (io.BytesIO(b), "people.csv"))


def strategy_for(field_: Field) -> st.SearchStrategy:
    """Values for one field: its own choices sometimes, anything often."""
    choices: list[str] = []
    if isinstance(field_, SelectField | RadioField | SelectMultipleField):
        try:
            choices = [str(c[0]) for c in field_.iter_choices()]
        except TypeError:
            choices = []
    own = st.sampled_from(choices) if choices else text
    if isinstance(field_, SelectMultipleField):
        return st.lists(st.one_of(own, text), max_size=3)
    if isinstance(field_, BooleanField):
        return st.one_of(st.sampled_from(["y", "", "false"]), text)
    if isinstance(field_, DateTimeLocalField):
        return st.one_of(st.sampled_from(DATES), text)
    if isinstance(field_, IntegerField):
        return numbers
    if field_.type == "FileField":
        return csv_files()
    return st.one_of(own, text)


# --- what to post where --------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    endpoint: str
    visitor: str
    """anonymous, peer (a participant of alpha), visible (one with meetings and a colleague),
    organiser (of alpha), admin (a site administrator)."""
    case: Callable[[World, Side], Case] | None = None
    prefix: Callable[[Case], str] | None = None
    method: str = "POST"
    extra: dict[str, st.SearchStrategy] = field(default_factory=dict)
    """Request fields read without a form (request.form / request.args)."""
    query: tuple[str, ...] = ()
    """Which of `extra` a POST sends in its query string."""


def first(endpoint: str, label: str | None = None):
    def pick(world: World, side: Side) -> Case:
        cases = ROUTES[endpoint].cases(world, side)
        return next(c for c in cases if label is None or c.label == label)

    return pick


ids = st.lists(st.one_of(numbers, st.sampled_from(["1", "2", "3"])), max_size=4)

FORM_TARGETS: dict[str, list[Target]] = {
    # The rate limit per address reads `email` before the form checks it.
    "LoginForm": [
        Target("auth.login", "anonymous", extra={"next": text, "email": text}, query=("next",))
    ],
    "ConfirmForm": [
        Target(
            "auth.use_link",
            "anonymous",
            first("auth.use_link"),
            extra={"next": text},
            query=("next",),
        ),
        Target("auth.logout_everywhere", "peer", extra={"csrf_token": text}),
    ],
    "ProfileForm": [Target("registrations.profile", "peer")],
    "RegistrationForm": [Target("registrations.register", "anonymous")],
    "RegisterForm": [Target("registrations.register", "admin")],  # logged in, not registered
    "ConfirmRegistrationForm": [Target("registrations.confirm", "peer")],
    # A form of its CSRF token alone: the token is what there is to fuzz.
    "DiscardRegistrationForm": [
        Target("registrations.discard", "peer", extra={"csrf_token": text})
    ],
    "DeleteRegistrationForm": [Target("registrations.delete", "peer")],
    "DirectoryForm": [
        Target("registrations.directory", "peer", method="GET", extra={"page": numbers})
    ],
    "RequestForm": [Target("meetings.send", "peer", first("meetings.send", "visible"))],
    "ColleagueForm": [
        Target(
            "meetings.add_colleague",
            "visible",
            first("meetings.add_colleague", "published"),
            prefix=lambda c: f"m{c.values['meeting_id']}",
        )
    ],
    "RunForm": [Target("scheduling.start_run", "organiser")],
    "ReplanForm": [Target("scheduling.start_replan", "organiser", prefix=lambda c: "replan")],
    "DeskSearchForm": [Target("attendance.desk", "organiser", method="GET")],
    "PublishForm": [Target("scheduling.publish", "organiser")],
    "PublishChoiceForm": [
        Target(
            "scheduling.confirm_publish",
            "organiser",
            method="GET",
            extra={"participant": numbers},
        )
    ],
    "PeopleForm": [
        Target("scheduling.new_meeting", "organiser", method="GET", extra={"people": ids})
    ],
    "ArrangeForm": [
        Target("scheduling.arrange_meeting", "organiser", extra={"people": ids, "place": text})
    ],
    "PlaceForm": [
        Target("scheduling.move", "organiser", first("scheduling.move"), lambda c: "move"),
        Target("scheduling.swap", "organiser", first("scheduling.swap"), lambda c: "swap"),
    ],
    "EventForm": [Target("admin.edit_event", "organiser")],
    "NewEventForm": [Target("admin.create_event", "admin")],
    "TablesForm": [Target("admin.tables", "organiser")],
    "ParticipantFilterForm": [
        Target(
            "admin.participants",
            "organiser",
            method="GET",
            extra={"page": numbers, "per_page": numbers},
        ),
        Target("admin.export_participants", "organiser", method="GET"),
    ],
    "BulkDecisionForm": [Target("admin.decide", "organiser", extra={"ids": ids, "back": text})],
    "DecisionForm": [Target("admin.decide", "organiser", extra={"ids": ids})],
    "ParticipantForm": [
        Target("admin.participant", "organiser", first("admin.participant", "visible"))
    ],
    "CsvUploadForm": [Target("admin.import_participants", "organiser")],
    "CsvMappingForm": [Target("admin.map_columns", "organiser", first("admin.map_columns"))],
}

QUERY_TARGETS: list[Target] = [
    Target(
        "scheduling.grid",
        "organiser",
        method="GET",
        extra={
            "day": text,
            "participant": numbers,
            "who": text,
            "org": text,
            "organisation": numbers,
            "page": numbers,
            "run": numbers,
            "pick": numbers,
        },
    ),
    Target("scheduling.unscheduled", "organiser", method="GET", extra={"run": numbers}),
    Target("scheduling.charts", "organiser", method="GET", extra={"run": numbers}),
    Target(
        "scheduling.places",
        "organiser",
        first("scheduling.places"),
        method="GET",
        extra={"day": text},
    ),
    Target(
        "scheduling.run",
        "organiser",
        first("scheduling.run"),
        method="GET",
        extra={"group": text, "sort": text},
    ),
    Target(
        "scheduling.move",
        "organiser",
        first("scheduling.move"),
        extra={"back": text, "day": text, "participant": numbers, "page": numbers},
        query=("back", "day", "participant", "page"),
    ),
    Target("scheduling.grid_people", "organiser", method="GET", extra={"q": text}),
    Target("scheduling.grid_organisations", "organiser", method="GET", extra={"q": text}),
    Target(
        "outbox.index",
        "organiser",
        method="GET",
        extra={"status": text, "page": numbers, "per_page": numbers},
    ),
    Target(
        "outbox.resend",
        "organiser",
        first("outbox.resend", "failed"),
        extra={"status": text},
        query=("status",),
    ),
    Target(
        "registrations.availability",
        "peer",
        extra={"session": st.lists(text, max_size=3), "slot": ids},
    ),
    Target("admin.map_columns", "organiser", method="GET", extra={"upload": text}),
    Target("meetings.accept", "peer", first("meetings.accept"), extra={"despite_no_room": text}),
]
"""Query-string and non-form parameters (request.args / request.form read directly)."""

PATHS = {
    "slug": "/e/{}/",
    "login token": "/login/{}",
    "feed secret": "/e/alpha/agenda/feed/2/{}.ics",
    "upload": "/e/alpha/admin/participants/import/columns?upload={}",
}


# --- coverage: the tables above know every form and every parameter -----------------------


def app_forms() -> dict[str, type[FlaskForm]]:
    for module in pkgutil.walk_packages(partnering.__path__, "partnering."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: dict[str, type[FlaskForm]] = {}
    todo = list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("partnering."):
            found[cls.__name__] = cls
    return found


READ_PARAMETER = re.compile(r"request\.(?:args|form|values)\.get(?:list)?\(\s*[\"'](\w+)[\"']")


def read_parameters() -> set[str]:
    root = Path(partnering.__file__).parent
    return {
        name
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for name in READ_PARAMETER.findall(path.read_text())
    }


def test_every_form_and_parameter_is_fuzzed():
    forms = app_forms()
    assert set(forms) == set(FORM_TARGETS), (
        "Forms the fuzz test does not know (add them to FORM_TARGETS): "
        f"{sorted(set(forms) - set(FORM_TARGETS))}; gone: {sorted(set(FORM_TARGETS) - set(forms))}"
    )
    known = {
        name
        for targets in [*FORM_TARGETS.values(), QUERY_TARGETS]
        for target in targets
        for name in target.extra
    }
    assert read_parameters() <= known, sorted(read_parameters() - known)


# --- the fuzzing ---------------------------------------------------------------------------


def form_fields(app, cls: type[FlaskForm], prefix: str) -> dict[str, Field]:
    """The form's fields by their request names (list fields: two rows)."""
    with app.test_request_context():
        form = cls(formdata=None, prefix=prefix, meta={"csrf": False})
        out: dict[str, Field] = {}
        for f in form:
            if isinstance(f, FieldList):
                for i in range(2):
                    entry = f.append_entry()
                    for sub in entry:
                        out[f"{f.name}-{i}-{sub.short_name}"] = sub
            else:
                out[f.name] = f
        return out


def account_of(world: World, who: str) -> int | None:
    alpha = world.alpha
    return {
        "anonymous": None,
        "peer": alpha.people["peer"].account_id,
        "visible": alpha.people["visible"].account_id,
        "organiser": alpha.organiser.account_id,
        "admin": world.admin_account_id,
    }[who]


def target_request(app, world: World, target: Target) -> tuple[str, dict, Callable[[], dict]]:
    """The target's path, its query string, and a maker of its plausible form data."""
    case = target.case(world, world.alpha) if target.case else None
    for call in requests_for(app, world, world.alpha):
        if call.endpoint == target.endpoint and (case is None or call.case.label == case.label):
            parts = urlsplit(call.url)
            query = dict(parse_qsl(parts.query))
            return parts.path, query, partial(call.route.form, world, world.alpha, call.case)
    raise AssertionError(f"no request for {target.endpoint}")


def kept_upload(app, world: World) -> Callable[[], None]:
    """Puts alpha's pending CSV upload back where the mapping page finds it."""
    with app.app_context():
        event = db.session.get(Event, world.alpha.event_id)
        path = uploads._path(event, world.alpha.upload)
        db.session.remove()
    assert path is not None
    data = path.read_bytes()
    return lambda: path.write_bytes(data)


def fuzz(app, world: World, target: Target, fields: dict[str, Field]) -> None:
    path, query, plausible = target_request(app, world, target)
    client = log_in(app, account_of(world, target.visitor))
    strategies = {name: strategy_for(f) for name, f in fields.items()} | target.extra
    assert strategies, f"nothing to fuzz for {target.endpoint}"
    in_query = set(target.query) | (set(strategies) if target.method == "GET" else set())
    keep_upload = kept_upload(app, world) if target.endpoint == "admin.map_columns" else None

    @st.composite
    def requests(draw) -> tuple[dict, dict]:
        args, form = dict(query), plausible() if target.method == "POST" else {}
        names = draw(
            st.lists(st.sampled_from(sorted(strategies)), min_size=1, max_size=3, unique=True)
        )
        for name in names:
            value = draw(st.one_of(st.none(), strategies[name]))
            place = args if name in in_query else form
            if value is None:
                place.pop(name, None)
            else:
                place[name] = value
        return args, form

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
    @given(requests())
    def answers_below_500(request: tuple[dict, dict]) -> None:
        args, form = request
        if keep_upload:
            keep_upload()  # an import that went through discarded it
        shown = (args, {k: v for k, v in form.items() if k != "file"})
        with client.open(path, method=target.method, query_string=args, data=form) as response:
            assert response.status_code < 500, (target.endpoint, shown)
            location = response.headers.get("Location", "")
        if response.status_code == 302 and "/import/columns" in location:
            # An accepted upload: its column mapping page, and importing it, must hold too.
            parts = urlsplit(location)
            columns = f"{parts.path}?{parts.query}"
            with client.get(columns) as page:
                assert page.status_code < 500, ("mapping page", shown)
            mapping = {"name": "0", "email": "1", "organisation": "2", "kind": "3", "country": "4"}
            mapping["upload"] = dict(parse_qsl(parts.query))["upload"]
            with client.post(columns, data=mapping) as imported:
                assert imported.status_code < 500, ("import", shown)

    answers_below_500()


FORM_CASES = [
    pytest.param(name, i, id=f"{name}-{target.endpoint}")
    for name, targets in FORM_TARGETS.items()
    for i, target in enumerate(targets)
]


@pytest.mark.parametrize(("form_name", "index"), FORM_CASES)
def test_no_form_input_gives_a_server_error(open_app, world, form_name, index):
    app, _ = open_app
    target = FORM_TARGETS[form_name][index]
    case = target.case(world, world.alpha) if target.case else None
    prefix = target.prefix(case) if target.prefix and case else ""
    fuzz(app, world, target, form_fields(app, app_forms()[form_name], prefix))


@pytest.mark.parametrize("target", QUERY_TARGETS, ids=lambda t: t.endpoint)
def test_no_query_parameter_gives_a_server_error(open_app, world, target):
    app, _ = open_app
    fuzz(app, world, target, {})


@pytest.mark.parametrize("where", PATHS)
def test_no_path_parameter_gives_a_server_error(open_app, world, where):
    app, _ = open_app
    client = log_in(app, world.alpha.organiser.account_id)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
    @given(text.filter(lambda t: t and "/" not in t and "?" not in t and "#" not in t))
    def answers_below_500(value: str) -> None:
        with client.get(PATHS[where].format(quote(value, safe=""))) as response:
            assert response.status_code < 500, (where, value)

    answers_below_500()


# --- NUL bytes on PostgreSQL ---------------------------------------------------------------

NUL = "nul\x00byte"


def nul_requests(app, world: World):
    """(label, visitor, path, method, query, form) with a NUL byte in one field or parameter
    at a time, the rest plausible."""
    for form_name, targets in FORM_TARGETS.items():
        for target in targets:
            case = target.case(world, world.alpha) if target.case else None
            prefix = target.prefix(case) if target.prefix and case else ""
            fields = form_fields(app, app_forms()[form_name], prefix)
            yield from _one_at_a_time(app, world, target, [*fields, *target.extra], fields)
    for target in QUERY_TARGETS:
        yield from _one_at_a_time(app, world, target, list(target.extra), {})
    for where, pattern in PATHS.items():
        parts = urlsplit(pattern.format(quote(NUL, safe="")))
        yield where, "organiser", parts.path, "GET", dict(parse_qsl(parts.query)), {}


def _one_at_a_time(app, world: World, target: Target, names: list[str], fields: dict):
    path, query, plausible = target_request(app, world, target)
    keep_upload = kept_upload(app, world) if target.endpoint == "admin.map_columns" else None
    for name in names:
        if keep_upload:
            keep_upload()  # runs right before each request: this is a generator
        args, form = dict(query), plausible() if target.method == "POST" else {}
        place = args if target.method == "GET" or name in target.query else form
        if name in fields and isinstance(fields[name], SelectMultipleField):
            place[name] = [NUL]
        elif name in fields and fields[name].type == "FileField":
            place[name] = (io.BytesIO(f"Name,Email\n{NUL},a@example.org\n".encode()), "a.csv")
        else:
            place[name] = NUL
        yield f"{target.endpoint} {name}", target.visitor, path, target.method, args, form


def test_no_nul_byte_gives_a_server_error_on_postgresql():
    """PostgreSQL refuses NUL in text (SQLite keeps it): every field and parameter, in turn."""
    with fresh_postgres_database() as url:
        app = security_app(url, csrf=False)
        app.config["PROPAGATE_EXCEPTIONS"] = False  # a server error is an answer to count
        with app.app_context():
            db.create_all()
            world = build_world()
            db.session.remove()
        clients = {}
        failures = []
        for label, visitor, path, method, args, form in nul_requests(app, world):
            if visitor not in clients:
                clients[visitor] = log_in(app, account_of(world, visitor))
            client = clients[visitor]
            with client.open(path, method=method, query_string=args, data=form) as response:
                if response.status_code >= 500:
                    failures.append(f"{label}: {response.status_code}")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
