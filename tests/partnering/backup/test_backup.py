"""`event export` and `event import-full`: an event moved whole to another database, or copied
in its own, and files that are not exports refused with nothing written."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from partnering import create_app
from partnering.agenda.models import FeedToken
from partnering.attendance.models import CheckIn, NoShow
from partnering.attendance.operations import check_in_of, standing_no_show
from partnering.auth.models import Account
from partnering.auth.operations import get_or_create_account
from partnering.backup import export_event
from partnering.backup.document import SECTIONS
from partnering.demo import SLUG, create_demo
from partnering.events.models import Event
from partnering.events.operations import create_event
from partnering.extensions import db
from partnering.meetings.models import Meeting, RequestStatus
from partnering.registrations.models import Invitation, Participant, RegistrationDigest
from partnering.scheduling import operations
from partnering.scheduling.models import ScheduleRun
from scheduler.generate import generate
from scheduler.problem_json import dump_json, problem_to_dict
from tests.keys import TEST_SECRET_KEY


def row_counts() -> dict[str, int]:
    """Rows in every table of the current app's database."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def export(app, slug: str = SLUG) -> dict:
    result = app.test_cli_runner().invoke(args=["event", "export", slug])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def import_full(app, path, *options: str):
    return app.test_cli_runner().invoke(args=["event", "import-full", str(path), *options])


def write(tmp_path, doc: object, name: str = "event.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def keys_of(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def feed_link(participant: Participant) -> str:
    token = db.session.scalars(select(FeedToken).filter_by(participant_id=participant.id)).one()
    return f"/e/{participant.event.slug}/agenda/feed/{participant.id}/{token.secret}.ics"


def occupy(app, email: str) -> None:
    """Another event in the database, whose participant has an account with this email under
    another name (and takes the first ids)."""
    with app.app_context():
        other = create_event(slug="kyoto", name="Kyoto day", timezone="Asia/Tokyo")
        for n, (address, name) in enumerate(
            [("first@kyoto.example", "First"), (email, "Name Kept In Kyoto")]
        ):
            db.session.add(
                Participant(
                    event_id=other.id,
                    account=get_or_create_account(address, name),
                    job_title=f"{n}",
                )
            )
        db.session.commit()


# --- moving ------------------------------------------------------------------------------------


def test_a_moved_event_exports_the_same_document(app, second_app, rich, tmp_path):
    doc = export(app)
    result = import_full(second_app, write(tmp_path, doc))
    assert result.exit_code == 0, result.output
    assert f"as /e/{SLUG}/" in result.output

    assert export(second_app) == doc

    # the source was as rich as promised, and the document holds no database id
    assert {r["status"] for r in doc["requests"]} == set(RequestStatus)
    assert {r["status"] for r in doc["schedule_runs"]} == {"applied", "rejected"}
    assert all(r["created_by"] and r["decided_by"] for r in doc["schedule_runs"][:1])
    meetings = doc["meetings"]
    assert any(m["locked"] and m["published_at"] for m in meetings)
    cancelled = [m for m in meetings if m["status"] == "cancelled"]
    assert cancelled and cancelled[0]["cancelled_by"] and cancelled[0]["cancelled_at"]
    assert any(len(m["participants"]) == 3 and m["sequence"] > 0 for m in meetings)
    assert any(m["announced_sequence"] is not None for m in meetings)
    assert sum(p["feed_token"] is not None for p in doc["participants"]) == 3
    assert any(p["unavailable_slots"] for p in doc["participants"])
    assert any(p["booth"] for p in doc["participants"])
    assert doc["event"]["schedule_state"] == "preliminary"
    assert {c["method"] for c in doc["check_ins"]} == {"desk", "self"}
    assert all(c["checked_in_by"] for c in doc["check_ins"])
    assert sorted(
        (c["checked_out_at"] is None, c["checked_out_by"] is None) for c in doc["check_ins"]
    ) == [
        (False, False),
        (True, True),
    ]
    assert {n["status"] for n in doc["no_shows"]} == {"marked", "undone"}
    assert all(n["meeting"] and n["slot"] and n["marked_by"] for n in doc["no_shows"])
    assert [i["invited_by"] is not None for i in doc["invitations"]] == [True]
    assert doc["registration_digest"]["sent_through"]
    assert not {k for k in keys_of(doc) if k == "id" or k.endswith("_id")}
    assert [m["ref"] for m in meetings] == [f"meeting-{i}" for i in range(1, len(meetings) + 1)]


def test_a_restored_event_has_its_check_ins_no_shows_invitations_and_digest(
    app, second_app, rich, tmp_path
):
    occupy(second_app, "someone@else.example")  # the moved rows get other ids
    assert import_full(second_app, write(tmp_path, export(app))).exit_code == 0

    with second_app.app_context():
        event = db.session.scalars(select(Event).filter_by(slug=SLUG)).one()
        check_ins = db.session.scalars(select(CheckIn).filter_by(event_id=event.id)).all()
        assert sorted(c.method for c in check_ins) == ["desk", "self"]
        assert all(c.participant.event_id == event.id for c in check_ins)
        assert all(check_in_of(c.participant, c.day) is c for c in check_ins)
        [gone] = [c for c in check_ins if c.is_checked_out]
        assert gone.method == "self" and gone.checked_out_at - gone.checked_in_at == timedelta(
            minutes=20
        )
        assert gone.checked_out_by is not None
        assert gone.checked_out_by.email != gone.participant.account.email
        marks = db.session.scalars(select(NoShow).filter_by(event_id=event.id)).all()
        standing = [m for m in marks if m.is_marked]
        assert len(marks) == 2 and len(standing) == 1
        assert standing_no_show(standing[0].meeting) is standing[0]
        assert standing[0].slot_id == standing[0].meeting.slot_id
        assert standing[0].marked_by in [p.account for p in standing[0].meeting.participants]
        invited = db.session.scalars(
            select(Invitation).join(Participant).where(Participant.event_id == event.id)
        ).one()
        assert invited.invited_by is not None
        assert db.session.get(RegistrationDigest, event.id) is not None


def test_an_export_made_before_check_out_is_still_restored(app, second_app, rich, tmp_path):
    doc = export(app)
    for check_in in doc["check_ins"]:
        del check_in["checked_out_at"], check_in["checked_out_by"]
    result = import_full(second_app, write(tmp_path, doc))
    assert result.exit_code == 0, result.output
    with second_app.app_context():
        rows = db.session.scalars(select(CheckIn)).all()
        assert len(rows) == 2
        assert all(c.checked_out_at is None and c.checked_out_by_id is None for c in rows)


def test_an_export_made_before_event_days_is_still_restored(app, second_app, rich, tmp_path):
    doc = export(app)
    for key in ("check_ins", "no_shows", "invitations", "registration_digest"):
        del doc[key]
    result = import_full(second_app, write(tmp_path, doc))
    assert result.exit_code == 0, result.output
    with second_app.app_context():
        assert db.session.scalar(select(func.count(CheckIn.id))) == 0
        assert export(second_app)["check_ins"] == []


def test_calendar_links_uids_and_sequences_survive_the_move(app, second_app, rich, tmp_path):
    with app.app_context():
        subscriber = db.session.get(Participant, rich.subscriber)
        old_link = feed_link(subscriber)
        email = subscriber.email
        meeting = db.session.get(Meeting, rich.with_colleague)
        uid, sequence = meeting.uid, meeting.sequence
        assert sequence > 0  # placed, then a colleague joined
    occupy(second_app, "someone@else.example")  # the moved rows get other ids
    assert import_full(second_app, write(tmp_path, export(app))).exit_code == 0

    with second_app.app_context():
        moved = db.session.scalars(
            select(Participant)
            .join(Account)
            .where(Account.email == email, Participant.event.has(slug=SLUG))
        ).one()
        assert moved.id != rich.subscriber
        assert db.session.scalars(select(Meeting).filter_by(uid=uid)).one().sequence == sequence
        new_link = feed_link(moved)
    client = second_app.test_client()
    for link in (old_link, new_link):
        response = client.get(link)
        assert response.status_code == 200
        calendar = icalendar.Calendar.from_ical(response.data)
        entries = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
        assert int(entries[uid]["sequence"]) == sequence
    assert client.get(old_link.replace(".ics", "x.ics")).status_code == 404


def test_an_existing_account_is_reused_and_never_renamed(app, second_app, rich, tmp_path):
    doc = export(app)
    email = doc["participants"][0]["account"]
    occupy(second_app, email)
    assert import_full(second_app, write(tmp_path, doc)).exit_code == 0

    with second_app.app_context():
        account = db.session.scalars(select(Account).filter_by(email=email)).one()
        assert account.name == "Name Kept In Kyoto"
        assert (
            len(db.session.scalars(select(Participant).filter_by(account_id=account.id)).all()) == 2
        )
    again = export(second_app)
    kept = next(a for a in again["accounts"] if a["email"] == email)
    assert kept["name"] == "Name Kept In Kyoto"
    assert again["accounts"] == [kept if a["email"] == email else a for a in doc["accounts"]]
    assert {k: v for k, v in again.items() if k != "accounts"} == {
        k: v for k, v in doc.items() if k != "accounts"
    }


def test_an_account_new_to_the_database_is_created_as_the_file_says(
    app, second_app, rich, tmp_path
):
    doc = export(app)
    assert import_full(second_app, write(tmp_path, doc)).exit_code == 0
    with second_app.app_context():
        accounts = db.session.scalars(select(Account).order_by(Account.email)).all()
        assert [(a.email, a.name) for a in accounts] == [
            (a["email"], a["name"]) for a in doc["accounts"]
        ]
        assert not any(a.is_admin for a in accounts)  # a file makes nobody an administrator


def test_a_copy_in_the_same_database_gets_new_uids_and_links(app, rich, tmp_path):
    doc = export(app)
    with app.app_context():
        original_link = feed_link(db.session.get(Participant, rich.subscriber))
    result = import_full(app, write(tmp_path, doc), "--slug", "osaka-copy")
    assert result.exit_code == 0, result.output
    assert "new calendar UIDs" in result.output

    copied = export(app, "osaka-copy")
    assert copied["event"]["slug"] == "osaka-copy"
    assert not {m["uid"] for m in copied["meetings"]} & {m["uid"] for m in doc["meetings"]}
    secrets = {p["feed_token"]["secret"] for p in doc["participants"] if p["feed_token"]}
    assert not secrets & {
        p["feed_token"]["secret"] for p in copied["participants"] if p["feed_token"]
    }

    def without_copy_values(d: dict) -> dict:
        d = copy.deepcopy(d)
        d["event"]["slug"] = None
        for m in d["meetings"]:
            m["uid"] = None
        for p in d["participants"]:
            if p["feed_token"]:
                p["feed_token"]["secret"] = None
        d["meetings"].sort(key=lambda m: m["ref"])
        return d

    assert without_copy_values(copied) == without_copy_values(doc)
    client = app.test_client()
    assert client.get(original_link).status_code == 200
    assert client.get(original_link.replace(f"/e/{SLUG}/", "/e/osaka-copy/")).status_code == 404


def test_a_generated_event_survives_the_move(app, second_app, runner, tmp_path):
    problem = tmp_path / "problem.json"
    problem.write_text(dump_json(problem_to_dict(generate(participants=60, days=1, seed=4))))
    assert runner.invoke(args=["event", "import", str(problem), "--slug", "gen"]).exit_code == 0
    doc = export(app, "gen")
    assert import_full(second_app, write(tmp_path, doc)).exit_code == 0
    assert export(second_app, "gen") == doc
    assert all(s["external_ref"] for s in doc["slots"])  # the problem's ids are kept


def test_follow_up_meetings_of_the_same_people_survive_the_move(app, second_app, runner, tmp_path):
    """Two different pairs that meet more than once: the database allows one active meeting
    per set of people unless the later ones are marked as follow-ups."""
    slot = {"start": "2030-01-24T09:00:00+09:00", "end": "2030-01-24T09:30:00+09:00"}
    problem = tmp_path / "problem.json"
    problem.write_text(
        json.dumps(
            {
                "format": "partnering-problem/1",
                "event": {"name": "Follow-ups", "timezone": "Asia/Tokyo"},
                "slots": [{"id": "a", **slot}],
                "tables": [{"id": "T1"}],
                "participants": [{"id": p} for p in ("p1", "p2", "p3", "p4")],
                "meetings": [
                    {"id": "m1", "participants": ["p1", "p2"]},
                    {"id": "m2", "participants": ["p1", "p2"]},
                    {"id": "m3", "participants": ["p3", "p4"]},
                    {"id": "m4", "participants": ["p3", "p4"]},
                    {"id": "m5", "participants": ["p3", "p4"], "fixed": {"slot": "a"}},
                ],
            }
        )
    )
    assert runner.invoke(args=["event", "import", str(problem), "--slug", "again"]).exit_code == 0
    doc = export(app, "again")
    result = import_full(second_app, write(tmp_path, doc))
    assert result.exit_code == 0, result.output
    assert export(second_app, "again") == doc
    with second_app.app_context():
        keys = db.session.scalars(select(Meeting.participants_key)).all()
        assert sorted(k.partition("#")[2] for k in keys) == ["", "", "2", "2", "3"]


# --- what the export leaves out, or refuses ------------------------------------------------------


def test_every_column_is_carried_or_left_out_on_purpose():
    for section in SECTIONS:
        columns = set(section.model.__table__.c.keys())
        assert set(section.columns) | set(section.omitted) == columns, section.key
        assert not set(section.columns) & set(section.omitted), section.key


def test_export_is_refused_while_a_run_is_going_or_waits_for_review(app, rich):
    with app.app_context():
        event = db.session.scalars(select(Event).filter_by(slug=SLUG)).one()
        run = operations.create_run(event, None, time_limit=5)
        run_id = run.id
    result = app.test_cli_runner().invoke(args=["event", "export", SLUG])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {SLUG}: scheduler run #{run_id} is queued: wait for it to finish or cancel it "
        "first; nothing was exported\n"
    )
    with app.app_context():
        run = db.session.get(ScheduleRun, run_id)
        run.status = "done"
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["event", "export", SLUG])
    assert result.exit_code == 1
    assert "is a draft waiting for review: apply or reject it first" in result.output
    assert result.output.count("\n") == 1


def test_unsent_emails_stay_behind_with_a_note_on_stderr(app, rich):
    result = app.test_cli_runner().invoke(args=["event", "export", SLUG])
    assert result.exit_code == 0
    assert "unsent email(s) of this event stay in this site's outbox" in result.stderr
    json.loads(result.stdout)  # the document alone on stdout
    assert "outbox" not in json.loads(result.stdout)


def test_export_of_an_unknown_event_is_a_one_line_error(runner):
    result = runner.invoke(args=["event", "export", "nowhere"])
    assert result.exit_code == 1
    assert result.output == "Error: no event with slug 'nowhere'\n"


# --- refusals ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> dict:
    """An export of a small demo with a cancelled meeting, a scheduler run and a feed token,
    made in a database of its own."""
    path = tmp_path_factory.mktemp("valid")
    source = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}/v.db",
        }
    )
    with source.app_context():
        db.create_all()
        event = create_demo(participants=12, seed=2, first_day=date(2030, 5, 14))
        organiser = db.session.scalars(
            select(Participant).filter_by(event_id=event.id, role="organiser")
        ).one()
        meeting = db.session.scalars(select(Meeting).filter_by(event_id=event.id)).first()
        meeting.status, meeting.cancelled_by_id = "cancelled", organiser.account_id
        meeting.cancelled_at = datetime(2030, 5, 1, tzinfo=UTC)
        db.session.add(
            ScheduleRun(event=event, status="applied", created_by=organiser.account, phase="done")
        )
        db.session.add(FeedToken(participant=organiser))
        db.session.commit()
        doc = export_event(event)
        db.session.remove()
        db.engine.dispose()
    return doc


def break_(doc: dict, change) -> object:
    doc = copy.deepcopy(doc)
    return change(doc) or doc


def set_(path: tuple, value):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def delete(path: tuple):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def double_book(doc: dict) -> None:
    """Everyone who meets the first meeting's people meets them in the same slot."""
    first = doc["meetings"][0]
    for m in doc["meetings"]:
        if set(m["participants"]) & set(first["participants"]):
            m.update(slot=first["slot"] or "slot-1", status="active")


REFUSALS = [
    (
        "wrong format",
        set_(("format",), "partnering-problem/1"),
        "format: expected 'partnering-event/1', got 'partnering-problem/1' (not an event export)",
    ),
    ("no format", delete(("format",)), "format: expected 'partnering-event/1', got None"),
    ("not an object", lambda doc: [doc], "the document: expected an object"),
    ("missing list", delete(("requests",)), "the document: missing key 'requests'"),
    ("extra list", set_(("outbox",), []), "the document: unknown key 'outbox'"),
    ("list of the wrong type", set_(("slots",), {}), "slots: expected a list"),
    ("missing key", delete(("participants", 0, "seek")), "participants[0]: missing key 'seek'"),
    ("unknown key", set_(("meetings", 0, "colour"), "red"), "meetings[0]: unknown key 'colour'"),
    (
        "text for a number",
        set_(("meetings", 0, "sequence"), "1"),
        "meetings[0].sequence: expected a whole number, got a string",
    ),
    (
        "text for a flag",
        set_(("participants", 1, "show_profile"), "yes"),
        "participants[1].show_profile: expected true or false, got a string",
    ),
    ("null where required", set_(("tables", 0, "name"), None), "tables[0].name: must not be null"),
    ("too long", set_(("tables", 0, "name"), "T" * 101), "tables[0].name: at most 100 characters"),
    (
        "not an instant",
        set_(("slots", 0, "start"), "tomorrow"),
        "slots[0].start: 'tomorrow' is not an ISO 8601 instant",
    ),
    (
        "naive instant",
        set_(("slots", 0, "start"), "2030-05-14T09:00:00"),
        "slots[0].start: '2030-05-14T09:00:00' has no UTC offset",
    ),
    (
        "unknown word",
        set_(("requests", 0, "status"), "lost"),
        "requests[0].status: 'lost' is not one of pending, accepted, declined, withdrawn, expired",
    ),
    (
        "draft run",
        set_(("schedule_runs", 0, "status"), "done"),
        "schedule_runs[0].status: 'done' is not one of failed, cancelled, applied, rejected",
    ),
    (
        "unknown timezone",
        set_(("event", "timezone"), "Mars/Olympus"),
        "event.timezone: unknown timezone 'Mars/Olympus'",
    ),
    (
        "bad slug",
        set_(("event", "slug"), "Osaka Bio"),
        "slug 'Osaka Bio': use 1-64 lowercase letters",
    ),
    (
        "broken reference",
        set_(("requests", -1, "meeting"), "meeting-999"),
        "].meeting: no meeting 'meeting-999' in the file",
    ),
    (
        "broken reference in a list",
        set_(("participants", 2, "unavailable_slots"), ["slot-0"]),
        "participants[2].unavailable_slots[0]: no slot 'slot-0' in the file",
    ),
    (
        "unknown meeting member",
        set_(("meetings", 0, "participants"), ["person-1", "person-999"]),
        "meetings[0].participants[1]: no participant 'person-999' in the file",
    ),
    (
        "feed token of the wrong type",
        lambda doc: next(p for p in doc["participants"] if p["feed_token"]).update(
            feed_token="secret"
        ),
        "].feed_token: expected an object",
    ),
    (
        "a double booking",
        double_book,
        "the database refused the event (",
    ),
    (
        "reference twice in a list",
        set_(("meetings", 0, "allowed_slots"), ["slot-1", "slot-1"]),
        "meetings[0].allowed_slots: a reference is listed twice",
    ),
    (
        "reference of the wrong type",
        set_(("meetings", 0, "slot"), 3),
        "meetings[0].slot: expected a string reference",
    ),
    (
        "ref twice",
        lambda doc: doc["slots"][1].update(ref=doc["slots"][0]["ref"]),
        "slots[1].ref: 'slot-1' is used twice",
    ),
    (
        "uid twice",
        lambda doc: doc["meetings"][1].update(uid=doc["meetings"][0]["uid"]),
        "meetings[1].uid: ",
    ),
    (
        "same start twice",
        lambda doc: doc["slots"][1].update(start=doc["slots"][0]["start"]),
        "slots[1].start: the same as slot 'slot-1'",
    ),
    (
        "unlisted account",
        set_(("participants", 0, "account"), "nobody@example.org"),
        "participants[0].account: 'nobody@example.org' is not in accounts",
    ),
    (
        "unused account",
        lambda doc: doc["accounts"].append(
            {"email": "zz@example.org", "name": "Z", "created_at": "2030-01-01T00:00:00+00:00"}
        ),
        "accounts: 'zz@example.org' is not referred to by the event",
    ),
    (
        "email not normalised",
        lambda doc: doc["accounts"][0].update(email="X@Example.org"),
        "accounts[0].email: 'X@Example.org' is not a lowercase email address",
    ),
    (
        "unknown cancelled_by",
        set_(("meetings", 0, "cancelled_by"), "ghost@example.org"),
        "meetings[0].cancelled_by: 'ghost@example.org' is not in accounts",
    ),
]


@pytest.mark.parametrize("change,message", [pytest.param(c, m, id=name) for name, c, m in REFUSALS])
def test_a_file_that_is_not_an_export_is_refused_and_nothing_is_written(
    app, valid, tmp_path, change, message
):
    assert import_full(app, write(tmp_path, valid, "ok.json"), "--slug", "present").exit_code == 0
    with app.app_context():
        before = row_counts()
    bad = write(tmp_path, break_(valid, change))

    result = import_full(app, bad)

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}: ")
    assert message in result.output
    assert result.output.endswith("; nothing was imported\n")
    assert result.output.count("\n") == 1
    with app.app_context():
        assert row_counts() == before


@pytest.mark.parametrize(
    "text,message",
    [
        ("{", "invalid JSON at line 1"),
        ('{"format": "partnering-event/1", ', "invalid JSON at line 1"),
        ("", "invalid JSON at line 1"),
    ],
)
def test_broken_json_is_refused_in_one_line(app, tmp_path, text, message):
    with app.app_context():
        before = row_counts()
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    result = import_full(app, path)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: {message}")
    assert result.output.count("\n") == 1
    with app.app_context():
        assert row_counts() == before


def test_a_taken_slug_is_refused_and_nothing_is_written(app, valid, tmp_path):
    path = write(tmp_path, valid)
    assert import_full(app, path).exit_code == 0
    with app.app_context():
        before = row_counts()
    result = import_full(app, path)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: slug '{valid['event']['slug']}': an event with this slug already exists "
        "(use --slug); nothing was imported\n"
    )
    with app.app_context():
        assert row_counts() == before
