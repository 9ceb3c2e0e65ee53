"""The event <-> problem bridge: import a problem file as an event, export it back."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from partnering.auth.models import Account
from partnering.events.models import Event, Session, Table
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest
from partnering.registrations.models import Organisation, Participant
from partnering.scheduling.problem import event_refs, problem_for_event
from partnering.scheduling.problem_import import (
    ImportRefused,
    import_problem,
    profiles_from_document,
)
from scheduler.generate import generate, replan
from scheduler.problem import Fixed
from scheduler.problem_json import problem_from_dict, problem_to_dict


def slot(sid: str, day: int, hhmm: str, minutes: int = 30) -> dict:
    hour, minute = int(hhmm[:2]), int(hhmm[2:])
    end = hour * 60 + minute + minutes
    return {
        "id": sid,
        "start": f"2030-01-{23 + day}T{hour:02d}:{minute:02d}:00+09:00",
        "end": f"2030-01-{23 + day}T{end // 60:02d}:{end % 60:02d}:00+09:00",
    }


def hand_made() -> dict:
    """Two days, two sessions on day 1; a group meeting, booths, fixed meetings with and
    without a table, allowed slots, partial availability, limits and a named person."""
    return {
        "format": "partnering-problem/1",
        "event": {"name": "Kansai bio day", "timezone": "Asia/Tokyo"},
        "slots": [
            slot("a1", 1, "0900"),
            slot("a2", 1, "0930"),
            slot("a3", 1, "1400"),
            slot("a4", 1, "1430"),
            slot("b1", 2, "0900"),
            slot("b2", 2, "0930"),
        ],
        "tables": [{"id": "T1", "seats": 3}, {"id": "T2"}, {"id": "BOOTH-9", "seats": 4}],
        "participants": [
            {
                "id": "sme-1",
                "organisation": "o1-sme-JP",
                "name": "Aiko Tanaka",
                "email": "Aiko@Example.jp",
            },
            {"id": "sme-2", "organisation": "o1-sme-JP", "unavailable": ["b1", "b2"]},
            {"id": "pharma", "organisation": "o2-pharma-US", "booth": "BOOTH-9", "max_meetings": 2},
            {"id": "vc", "organisation": "Kyoto Ventures", "available": ["a3", "a4", "b2"]},
            {"id": "lone", "max_meetings": 0},
        ],
        "meetings": [
            {"id": "g1", "participants": ["sme-2", "sme-1", "pharma"], "priority": 3},
            {"id": "m2", "participants": ["vc", "sme-1"], "allowed_slots": ["a4", "b2"]},
            {
                "id": "m3",
                "participants": ["sme-1", "vc"],
                "fixed": {"slot": "a3", "table": "T2"},
                "priority": 2,
            },
            {"id": "m4", "participants": ["pharma", "vc"], "fixed": {"slot": "b2"}},
        ],
        "comment": "unknown keys are ignored",
    }


def write(tmp_path, doc, name="problem.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def export(runner, slug: str) -> dict:
    result = runner.invoke(args=["event", "export-problem", slug])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_hand_made_problem_survives_the_round_trip(app, runner, tmp_path):
    doc = hand_made()
    result = runner.invoke(args=["event", "import", write(tmp_path, doc), "--slug", "kansai"])
    assert result.exit_code == 0, result.output
    assert "5 participants, 4 meetings" in result.output
    assert problem_from_dict(export(runner, "kansai")) == problem_from_dict(doc)


def test_import_stores_what_the_file_says(app, runner, tmp_path):
    runner.invoke(args=["event", "import", write(tmp_path, hand_made()), "--slug", "kansai"])
    with app.app_context():
        event = db.session.execute(select(Event).filter_by(slug="kansai")).scalar_one()
        assert (event.name, event.timezone, event.slot_minutes) == (
            "Kansai bio day",
            "Asia/Tokyo",
            30,
        )
        # Back-to-back slots make a session; the lunch gap and the next day start new ones.
        sessions = db.session.scalars(select(Session).filter_by(event_id=event.id)).all()
        assert sorted((s.day.day, s.start.isoformat(), s.end.isoformat()) for s in sessions) == [
            (24, "09:00:00", "10:00:00"),
            (24, "14:00:00", "15:00:00"),
            (25, "09:00:00", "10:00:00"),
        ]
        assert [s.external_ref for s in event.slots] == ["a1", "a2", "a3", "a4", "b1", "b2"]
        assert event.slots[0].start == datetime(2030, 1, 24, 0, 0, tzinfo=UTC)

        people = {
            p.external_ref: p
            for p in db.session.scalars(select(Participant).filter_by(event_id=event.id))
        }
        assert people["sme-1"].name == "Aiko Tanaka"
        assert people["sme-1"].email == "aiko@example.jp"
        assert people["sme-2"].name == "Participant sme-2"
        assert people["sme-2"].email == "sme-2@kansai.invalid"
        assert all(p.is_approved for p in people.values())
        assert people["pharma"].booth.name == "BOOTH-9"
        assert people["pharma"].organisation.kind == "pharma"
        assert people["vc"].organisation.kind == "other"
        assert {s.external_ref for s in people["sme-2"].unavailable_slots} == {"b1", "b2"}
        assert people["lone"].meeting_limit == 0

        meetings = {
            m.external_ref: m
            for m in db.session.scalars(select(Meeting).filter_by(event_id=event.id))
        }
        assert all(m.status == "active" for m in meetings.values())
        fixed = meetings["m3"]
        assert (fixed.slot.external_ref, fixed.table.name, fixed.locked) == ("a3", "T2", True)
        assert (meetings["m4"].slot.external_ref, meetings["m4"].table, meetings["m4"].locked) == (
            "b2",
            None,
            True,
        )
        assert meetings["g1"].slot is None and not meetings["g1"].locked
        assert {p.external_ref for p in meetings["g1"].participants} == {"sme-1", "sme-2", "pharma"}
        assert {s.external_ref for s in meetings["m2"].allowed_slots} == {"a4", "b2"}

        # Each meeting comes with the accepted request it stands for: first asked last.
        request = db.session.execute(
            select(MeetingRequest).filter_by(meeting_id=meetings["g1"].id)
        ).scalar_one()
        assert (request.sender.external_ref, request.recipient.external_ref) == ("sme-2", "pharma")
        assert (request.status, request.priority) == ("accepted", 2)


def test_generated_problem_with_published_meetings_survives_the_round_trip(app, runner, tmp_path):
    problem = replan(generate(participants=90, days=2, seed=5), fixed_share=0.5)
    assert any(m.fixed for m in problem.meetings) and any(
        len(m.participants) > 2 for m in problem.meetings
    )
    assert any(p.booth for p in problem.participants)
    doc = problem_to_dict(problem)
    result = runner.invoke(args=["event", "import", write(tmp_path, doc), "--slug", "gen"])
    assert result.exit_code == 0, result.output
    assert problem_from_dict(export(runner, "gen")) == problem


def test_name_option_overrides_the_files_name(app, runner, tmp_path):
    path = write(tmp_path, hand_made())
    runner.invoke(args=["event", "import", path, "--slug", "k", "--name", "Kansai 2030"])
    assert export(runner, "k")["event"]["name"] == "Kansai 2030"


def unknown_participant(doc):
    doc["meetings"][1]["participants"] = ["vc", "nobody"]
    return doc


def same_start(doc):
    doc["slots"][1]["start"] = doc["slots"][0]["start"]
    return doc


def same_email(doc):
    doc["participants"][1]["email"] = "aiko@example.jp"
    return doc


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda doc: "{ not json", "invalid JSON at line 1"),
        (lambda doc: {**doc, "format": "partnering-problem/9"}, "'format' must be"),
        (unknown_participant, "meeting 'm2': unknown participant 'nobody'"),
        (same_start, "slot 'a2': starts at the same time as slot 'a1'"),
        (same_email, "participant 'sme-2': email aiko@example.jp is also participant 'sme-1'"),
    ],
)
def test_a_bad_file_is_refused_in_one_line_and_nothing_is_created(
    app, runner, tmp_path, spoil, message
):
    result = runner.invoke(
        args=["event", "import", write(tmp_path, spoil(hand_made())), "--slug", "kansai"]
    )
    assert result.exit_code == 1
    assert message in result.output
    assert "nothing was imported" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    with app.app_context():
        assert count(Event) == count(Account) == count(Meeting) == 0


def test_missing_file_is_a_one_line_error(runner, tmp_path):
    result = runner.invoke(args=["event", "import", str(tmp_path / "none.json"), "--slug", "x"])
    assert result.exit_code == 1
    assert "cannot read" in result.output


@pytest.mark.parametrize(
    ("slug", "message"), [("Bad Slug", "lowercase letters"), ("kansai", "already exists")]
)
def test_bad_or_taken_slug_is_refused(app, runner, tmp_path, slug, message):
    path = write(tmp_path, hand_made())
    assert runner.invoke(args=["event", "import", path, "--slug", "kansai"]).exit_code == 0
    with app.app_context():
        before = (count(Event), count(Participant), count(Meeting))
    result = runner.invoke(args=["event", "import", path, "--slug", slug])
    assert result.exit_code == 1 and message in result.output
    with app.app_context():
        assert (count(Event), count(Participant), count(Meeting)) == before


def test_export_of_unknown_event_is_an_error(runner):
    result = runner.invoke(args=["event", "export-problem", "nope"])
    assert result.exit_code == 1
    assert "no event with slug 'nope'" in result.output


def test_an_existing_account_is_reused(ctx, create_event, create_participant):
    aiko = create_participant(create_event(), email="aiko@example.jp")
    doc = hand_made()
    event = import_problem(problem_from_dict(doc), "kansai", profiles=profiles_from_document(doc))
    imported = db.session.execute(
        select(Participant).filter_by(event_id=event.id, external_ref="sme-1")
    ).scalar_one()
    assert imported.account_id == aiko.account_id
    assert count(Account) == 1 + 4  # the four others get placeholder accounts


# --- an event built in the app ----------------------------------------------------------------


@pytest.fixture
def app_event(ctx, create_event, create_participant):
    """An event made through the app, with what the problem must reflect."""
    event = create_event(tables=3, max_meetings=6)
    t1, t2, t3 = event.tables
    t3.hidden = True
    a = create_participant(event, organisation="Shionogi", booth=t1)
    b = create_participant(event, organisation="Shionogi", max_meetings=2)
    c = create_participant(event, organisation="Genomix")
    d = create_participant(event, organisation="Genomix")
    pending = create_participant(event, status="pending")
    c.unavailable_slots = event.slots[:2]
    s = event.slots

    def meeting(*people, **fields):
        m = Meeting(event_id=event.id, participants=list(people), **fields)
        db.session.add(m)
        return m

    meetings = {
        "free": meeting(a, c, priority=2, allowed_slots=[s[3], s[4]]),
        "draft": meeting(b, c, slot=s[5], table=t2),  # placed by a run, not yet published
        "locked": meeting(b, d, slot=s[6], table=t2, locked=True),
        "published": meeting(a, d, slot=s[7], table=t1, published_at=datetime.now(UTC)),
        "hidden": meeting(c, d, slot=s[8], table=t3),
        "with_pending": meeting(a, pending),
        "cancelled": meeting(a, b, status="cancelled"),
    }
    db.session.flush()
    # c asked b: the sender comes first even though b has the smaller id.
    db.session.add(
        MeetingRequest(
            event_id=event.id,
            sender=c,
            recipient=b,
            status="accepted",
            meeting=meetings["draft"],
        )
    )
    db.session.commit()
    return event, {"a": a, "b": b, "c": c, "d": d, "pending": pending}, meetings


def test_problem_of_an_app_event(app_event):
    event, people, meetings = app_event
    problem = problem_for_event(event)
    a, b, c, d = people["a"], people["b"], people["c"], people["d"]
    slots = event.slots

    assert [x.id for x in problem.slots] == [f"s{x.id}" for x in slots]
    assert problem.slots[0].start.utcoffset().total_seconds() == 9 * 3600  # event time
    # The hidden table stays only because it holds a meeting.
    assert [t.id for t in problem.tables] == ["T01", "T02", "T03"]
    assert {p.id for p in problem.participants} == {a.ref, b.ref, c.ref, d.ref}
    by_id = problem.participant_by_id
    assert by_id[a.ref].booth == "T01"
    assert by_id[a.ref].organisation == by_id[b.ref].organisation != by_id[c.ref].organisation
    assert (by_id[a.ref].max_meetings, by_id[b.ref].max_meetings) == (6, 2)
    assert by_id[c.ref].available == {x.ref for x in slots[2:]}

    m = {key: problem.meeting_by_id.get(meeting.ref) for key, meeting in meetings.items()}
    assert m["with_pending"] is None and m["cancelled"] is None
    assert m["free"].priority == 2 and m["free"].fixed is None
    assert m["free"].allowed_slots == {slots[3].ref, slots[4].ref}
    assert m["draft"].participants == (c.ref, b.ref) and m["draft"].fixed is None
    assert m["locked"].fixed == Fixed(slots[6].ref, "T02")
    assert m["published"].fixed == Fixed(slots[7].ref, "T01")
    assert m["hidden"].fixed == Fixed(slots[8].ref, "T03")

    refs = event_refs(event)
    assert refs.meetings[meetings["draft"].ref] == meetings["draft"].id
    assert refs.tables["T03"] == event.tables[2].id
    assert refs.slots[slots[0].ref] == slots[0].id
    assert refs.participants[c.ref] == c.id


def test_an_empty_hidden_table_is_left_out(app_event):
    event, _, meetings = app_event
    meetings["hidden"].status = "cancelled"
    db.session.commit()
    assert [t.id for t in problem_for_event(event).tables] == ["T01", "T02"]


def test_refusals_leave_no_trace(ctx):
    doc = hand_made()
    doc["slots"][0]["id"] = "x" * 101
    with pytest.raises(ImportRefused, match="at most 100 characters"):
        import_problem(problem_from_dict(doc), "long")
    assert count(Event) == count(Table) == count(Organisation) == 0
