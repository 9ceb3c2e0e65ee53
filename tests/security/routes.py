"""How to call every route of the app: who may use it, with which URL values (one case per
interesting target) and which plausible form data. The security tests walk this table; a route
the table does not know fails them, so a new route cannot escape the walk.

Access levels:
- PUBLIC: anyone; answers 200 (or redirects) to anybody, and must still leak nothing.
- MEMBER: an approved participant of the event (profile and availability: anyone registered).
- ORGANISER: an organiser of the event (or a site administrator).
- SITE_ADMIN: a site administrator only.
- FEED: no login, the secret in the URL is the key.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from itsdangerous import URLSafeSerializer

from partnering.attendance.tokens import SALT as CHECK_IN_SALT
from tests.security.conftest import SECRET_KEY
from tests.security.world import Side, World

PUBLIC, MEMBER, ORGANISER, SITE_ADMIN, FEED = (
    "public",
    "member",
    "organiser",
    "site-admin",
    "feed",
)


@dataclass(frozen=True)
class Case:
    label: str
    values: dict[str, object]
    """URL values (besides the slug) and query string arguments."""


@dataclass(frozen=True)
class Route:
    access: str
    cases: Callable[[World, Side], list[Case]] = lambda world, side: [Case("-", {})]
    form: Callable[[World, Side, Case], dict] = lambda world, side, case: {}
    """Plausible data for a POST (what the page's own form would send)."""
    prefix: Callable[[Case], str] | None = None
    """The form's field prefix (its CSRF field is `<prefix>-csrf_token`)."""
    event: bool = True
    """Whether the URL has the event's slug."""
    own_action_for_members: frozenset[str] = field(default_factory=frozenset)
    """Cases in which a participant of the event, POSTing, acts on their own registration or
    uses the page as meant (asks a listed participant for a meeting): the walk does not POST
    those as the participant of the same event."""


ALL = frozenset({"-"})


def participants(world: World, side: Side) -> list[Case]:
    """Every kind of participant a URL can point at."""
    return [
        Case(key, {"participant_id": side.people[key].participant_id})
        for key in ("visible", "hidden", "pending", "rejected")
    ] + [Case("organiser", {"participant_id": side.organiser.participant_id})]


def meetings(world: World, side: Side) -> list[Case]:
    return [Case(key, {"meeting_id": i}) for key, i in side.meetings.items()]


def requests(world: World, side: Side) -> list[Case]:
    return [Case(key, {"request_id": i}) for key, i in side.requests.items()]


def runs(world: World, side: Side) -> list[Case]:
    return [Case(key, {"run_id": i}) for key, i in side.runs.items()]


def drafts(world: World, side: Side) -> list[Case]:
    """A schedule tab as it is, and showing each run (?run=N) in place of the schedule."""
    return [Case("-", {}), *(Case(key, {"run": i}) for key, i in side.runs.items())]


def picks(world: World, side: Side) -> list[Case]:
    """The grid with each meeting picked for moving (?pick=N)."""
    return [Case("-", {}), *(Case(key, {"pick": i}) for key, i in side.meetings.items())]


def publications(world: World, side: Side) -> list[Case]:
    return [Case(key, {"job_id": i}) for key, i in side.publications.items()]


def messages(world: World, side: Side) -> list[Case]:
    return [Case(key, {"message_id": i}) for key, i in side.messages.items()]


def check_in_codes(world: World, side: Side) -> list[Case]:
    """The check-in code printed on a participant's agenda (forged ones: test_check_in.py)."""
    signer = URLSafeSerializer(SECRET_KEY, salt=CHECK_IN_SALT)
    visible = side.people["visible"].participant_id
    return [Case("visible", {"token": signer.dumps({"e": side.event_id, "p": visible})})]


def confirm_publish(world: World, side: Side) -> list[Case]:
    """The confirm page with one participant's email shown: the event's own, and another's."""
    visible = side.people["visible"].participant_id
    return [
        Case("-", {"state": "final"}),
        Case("preview", {"state": "final", "participant": visible}),
    ]


def new_meeting(world: World, side: Side) -> list[Case]:
    """The meeting maker with two of the event's people chosen."""
    people = [side.people[k].participant_id for k in ("visible", "hidden")]
    return [Case("-", {}), Case("people", {"people": people})]


def arrange_meeting(world: World, side: Side, case: Case) -> dict:
    people = [side.people[k].participant_id for k in ("visible", "hidden")]
    return {"people": [str(i) for i in people], "place": "1-1"}


def bulk_jobs(world: World, side: Side) -> list[Case]:
    return [Case(key, {"job_id": i}) for key, i in side.bulk_jobs.items()]


def exports(world: World, side: Side) -> list[Case]:
    """The job that keeps every agenda in a ZIP."""
    return [Case("export", {"job_id": side.bulk_jobs["export"]})]


def feeds(world: World, side: Side) -> list[Case]:
    """Feed URLs an outsider could try: a wrong secret, a secret of another event, and the
    link of a rejected participant (whose feed must stop). (A participant's own secret is the
    key to their feed, whatever id goes with it.)"""
    other = world.beta if side is world.alpha else world.alpha
    visible = side.people["visible"].participant_id
    rejected = side.people["rejected"].participant_id
    return [
        Case("wrong secret", {"participant_id": visible, "secret": "x" * 32}),
        Case(
            "another event's secret",
            {"participant_id": visible, "secret": other.feed_secrets["visible"]},
        ),
        Case(
            "rejected participant",
            {"participant_id": rejected, "secret": side.feed_secrets["rejected"]},
        ),
    ]


def profile_form(world: World, side: Side, case: Case) -> dict:
    return {
        "name": "Mallory Intruder",
        "organisation": "Intruder Ltd",
        "organisation_type": "sme",
        "country": "Nowhere",
        "job_title": "Intruder",
        "topics": ["Oncology"],
        "offer": "Nothing",
        "seek": "Everything",
        "description": "I should not be here.",
        "show_profile": "y",
    }


def event_settings(world: World, side: Side, case: Case) -> dict:
    return {
        "name": "Taken Over",
        "venue": "Elsewhere",
        "description": "Changed by someone who should not.",
        "timezone": "UTC",
        "slot_minutes": "20",
        "sessions_text": "2031-01-01 09:00-10:00",
        "registration_deadline": "",
        "request_deadline": "",
        "cancellation_cutoff": "",
        "max_meetings": "1",
        "max_pending_requests": "1",
        "topics_text": "Nothing",
    }


def place(prefix: str) -> Callable[[World, Side, Case], dict]:
    def form(world: World, side: Side, case: Case) -> dict:
        return {f"{prefix}-slot": str(side.slots[-1]), f"{prefix}-table": str(side.tables[-1])}

    return form


def upload(world: World, side: Side) -> list[Case]:
    return [Case("pending upload", {"upload": side.upload})]


def mapping(world: World, side: Side, case: Case) -> dict:
    return {
        "upload": side.upload,
        "name": "0",
        "email": "1",
        "organisation": "2",
        "kind": "3",
        "country": "4",
        "topics": "",
        "description": "",
        "booth": "",
    }


def csv_file(world: World, side: Side, case: Case) -> dict:
    data = b"Name,Email\nNew Person,new.person@example.org\n"
    return {"file": (io.BytesIO(data), "people.csv")}


NO_FORM: Callable[[World, Side, Case], dict] = lambda world, side, case: {}  # noqa: E731

ROUTES: dict[str, Route] = {
    # --- public pages -------------------------------------------------------------------------
    "site.index": Route(PUBLIC, event=False),
    "static": Route(PUBLIC, lambda w, s: [Case("style", {"filename": "style.css"})], event=False),
    "events.home": Route(PUBLIC),
    "auth.login": Route(
        PUBLIC,
        event=False,
        form=lambda w, s, c: {"email": s.people["visible"].email},
    ),
    "auth.use_link": Route(
        PUBLIC,
        lambda w, s: [Case("forged token", {"token": "eyJmb3JnZWQiOnRydWV9.forged.token"})],
        event=False,
    ),
    "auth.logout": Route(PUBLIC, event=False),
    # One's own account, whoever one is: shows only one's own name, address and events.
    "auth.account": Route(PUBLIC, event=False),
    "auth.logout_everywhere": Route(PUBLIC, event=False),
    "registrations.register": Route(
        PUBLIC,
        form=lambda w, s, c: {**profile_form(w, s, c), "email": "mallory@example.org"},
    ),
    # --- a participant's own pages ------------------------------------------------------------
    "registrations.confirm": Route(
        MEMBER, form=lambda w, s, c: {"consent": "y"}, own_action_for_members=ALL
    ),
    "registrations.discard": Route(MEMBER, own_action_for_members=ALL),
    "registrations.my_data": Route(MEMBER),
    "registrations.delete": Route(
        MEMBER, form=lambda w, s, c: {"sure": "y"}, own_action_for_members=ALL
    ),
    "registrations.directory": Route(MEMBER),
    "registrations.person": Route(MEMBER, participants),
    "registrations.profile": Route(MEMBER, form=profile_form, own_action_for_members=ALL),
    "registrations.availability": Route(
        MEMBER,
        form=lambda w, s, c: {"slot": [str(s.slots[0])]},
        own_action_for_members=ALL,
    ),
    "meetings.mine": Route(MEMBER),
    "meetings.send": Route(
        MEMBER,
        participants,
        form=lambda w, s, c: {"message": "Let us meet.", "priority": "2"},
        own_action_for_members=frozenset({"visible", "organiser"}),
    ),
    "meetings.accept": Route(MEMBER, requests),
    "meetings.decline": Route(MEMBER, requests),
    "meetings.withdraw": Route(MEMBER, requests),
    "meetings.add_colleague": Route(
        MEMBER,
        meetings,
        form=lambda w, s, c: {
            f"m{c.values['meeting_id']}-colleague": str(s.people["colleague"].participant_id)
        },
        prefix=lambda c: f"m{c.values['meeting_id']}",
    ),
    "agenda.mine": Route(MEMBER),
    "agenda.download": Route(MEMBER),
    "agenda.print_mine": Route(MEMBER),
    "agenda.renew_feed": Route(MEMBER, own_action_for_members=ALL),
    "agenda.cancel": Route(MEMBER, meetings),
    "agenda.feed": Route(FEED, feeds),
    "attendance.today": Route(MEMBER),
    "attendance.self_check_in": Route(MEMBER, own_action_for_members=ALL),
    "attendance.self_check_out": Route(MEMBER, own_action_for_members=ALL),
    "attendance.no_show": Route(MEMBER, meetings),
    "attendance.undo_no_show": Route(MEMBER, meetings),
    # --- organisers ---------------------------------------------------------------------------
    "admin.create_event": Route(
        SITE_ADMIN,
        event=False,
        form=lambda w, s, c: {
            **event_settings(w, s, c),
            "slug": "taken-over",
            "table_count": "2",
            "table_seats": "4",
        },
    ),
    "admin.dashboard": Route(ORGANISER),
    "admin.participants": Route(ORGANISER),
    "admin.participant": Route(
        ORGANISER,
        participants,
        form=lambda w, s, c: {"booth": "", "max_meetings": "1", "role": "organiser"},
    ),
    "admin.decide": Route(
        ORGANISER,
        form=lambda w, s, c: {
            "decision": "approved",
            "ids": [str(s.people[k].participant_id) for k in ("pending", "rejected")],
        },
    ),
    "admin.show_login_link": Route(ORGANISER, participants),
    "admin.email_login_link": Route(ORGANISER, participants),
    "admin.invitations": Route(ORGANISER),
    "admin.invite": Route(ORGANISER),
    "admin.export_participants": Route(ORGANISER),
    "admin.import_participants": Route(ORGANISER, form=csv_file),
    "admin.map_columns": Route(ORGANISER, upload, form=mapping),
    "admin.edit_event": Route(ORGANISER, form=event_settings),
    "admin.tables": Route(ORGANISER, form=lambda w, s, c: {"add_count": "3", "add_seats": "4"}),
    "scheduling.overview": Route(ORGANISER),
    "scheduling.charts": Route(ORGANISER, drafts),
    "scheduling.grid": Route(ORGANISER, lambda w, s: [*drafts(w, s), *picks(w, s)[1:]]),
    "scheduling.grid_people": Route(ORGANISER),
    "scheduling.grid_organisations": Route(ORGANISER),
    "scheduling.unscheduled": Route(ORGANISER, drafts),
    "scheduling.meeting": Route(ORGANISER, meetings),
    "scheduling.places": Route(ORGANISER, meetings),
    "scheduling.cancel_meeting": Route(ORGANISER, meetings),
    "scheduling.lock": Route(ORGANISER, meetings),
    "scheduling.unlock": Route(ORGANISER, meetings),
    "scheduling.unschedule": Route(ORGANISER, meetings),
    "scheduling.move": Route(ORGANISER, meetings, form=place("move"), prefix=lambda c: "move"),
    "scheduling.swap": Route(ORGANISER, meetings, form=place("swap"), prefix=lambda c: "swap"),
    "scheduling.person": Route(ORGANISER, participants),
    "scheduling.publish": Route(ORGANISER, form=lambda w, s, c: {"state": "preliminary"}),
    "scheduling.confirm_publish": Route(ORGANISER, confirm_publish),
    "scheduling.new_meeting": Route(ORGANISER, new_meeting),
    "scheduling.arrange_meeting": Route(ORGANISER, form=arrange_meeting),
    "scheduling.publication_progress": Route(ORGANISER, publications),
    "scheduling.start_run": Route(
        ORGANISER, form=lambda w, s, c: {"time_limit": "5", "keep_published": "y"}
    ),
    "scheduling.run": Route(ORGANISER, runs),
    "scheduling.progress": Route(ORGANISER, runs),
    "scheduling.apply_run": Route(ORGANISER, runs),
    "scheduling.cancel_run": Route(ORGANISER, runs),
    "scheduling.reject_run": Route(ORGANISER, runs),
    "agenda.print_participant": Route(ORGANISER, participants),
    "agenda.print_tables": Route(ORGANISER),
    "agenda.print_days": Route(ORGANISER),
    "attendance.desk": Route(ORGANISER),
    "attendance.scanned": Route(ORGANISER, check_in_codes),
    "attendance.desk_check_in": Route(ORGANISER, participants),
    "attendance.undo_desk_check_in": Route(ORGANISER, participants),
    "attendance.desk_check_out": Route(ORGANISER, participants),
    "attendance.undo_desk_check_out": Route(ORGANISER, participants),
    "attendance.organiser_no_show": Route(ORGANISER, meetings),
    "attendance.organiser_undo_no_show": Route(ORGANISER, meetings),
    "scheduling.start_replan": Route(
        ORGANISER,
        form=lambda w, s, c: {"replan-time_limit": "5", "replan-absent_cutoff": "09:00"},
        prefix=lambda c: "replan",
    ),
    "outbox.index": Route(ORGANISER),
    "outbox.resend": Route(ORGANISER, messages),
    "outbox.message": Route(ORGANISER, messages),
    "outbox.resend_failed": Route(ORGANISER),
    "bulk.job": Route(ORGANISER, bulk_jobs),
    "bulk.progress": Route(ORGANISER, bulk_jobs),
    "bulk.download": Route(ORGANISER, exports),
    "agenda.export_agendas": Route(ORGANISER),
}


def unknown_endpoints(app) -> list[str]:
    """Endpoints of the app this table does not know how to call."""
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(ROUTES))


def stale_endpoints(app) -> list[str]:
    return sorted(set(ROUTES) - {rule.endpoint for rule in app.url_map.iter_rules()})


def check_covered(app) -> None:
    unknown, stale = unknown_endpoints(app), stale_endpoints(app)
    assert not unknown, (
        f"Routes the security walk does not know how to call: {unknown}. Add each to ROUTES in "
        "tests/security/routes.py with its access level, URL values and form data."
    )
    assert not stale, f"ROUTES names endpoints the app no longer has: {stale}"


@dataclass(frozen=True)
class Call:
    """One request of the walk."""

    endpoint: str
    route: Route
    case: Case
    method: str
    url: str
    data: dict
    """Plausible form data (empty for a GET)."""
    prefixes: list[str]
    """Prefixes of the forms on the page ('' for none): where a CSRF token goes."""


def requests_for(app, world: World, side: Side) -> list[Call]:
    """A call for every method of every rule and every case, on `side`'s event."""
    from flask import url_for

    out = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        route = ROUTES[rule.endpoint]
        for case in route.cases(world, side):
            values = dict(case.values)
            if route.event:
                values["slug"] = side.slug
            with app.test_request_context():
                url = url_for(rule.endpoint, **values)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                data = {} if method == "GET" else route.form(world, side, case)
                prefixes = [""] + ([route.prefix(case)] if route.prefix else [])
                out.append(Call(rule.endpoint, route, case, method, url, data, prefixes))
    return out
