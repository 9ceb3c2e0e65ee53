import pytest

from scheduler import problem_from_dict
from scheduler.check import check, check_fixed
from scheduler.problem import Assignment, Schedule, Unscheduled


def event(**over):
    doc = {
        "format": "partnering-problem/1",
        "slots": [
            {
                "id": f"s{i}",
                "start": f"2026-03-02T{9 + i:02d}:00:00+00:00",
                "end": f"2026-03-02T{9 + i:02d}:30:00+00:00",
            }
            for i in range(3)
        ],
        "tables": [{"id": "T1", "seats": 2}, {"id": "T2", "seats": 3}, {"id": "B1"}],
        "participants": [
            {"id": "p1", "max_meetings": 3},
            {"id": "p2"},
            {"id": "p3", "unavailable": ["s2"]},
            {"id": "p4"},
            {"id": "p5"},
            {"id": "p6"},
            {"id": "h", "booth": "B1"},
        ],
        "meetings": [
            {"id": "m1", "participants": ["p1", "p2"]},
            {"id": "m2", "participants": ["p1", "p3"], "allowed_slots": ["s0", "s1"]},
            {"id": "m3", "participants": ["p3", "p4", "p5"]},
            {"id": "m4", "participants": ["h", "p4"]},
            {"id": "m5", "participants": ["p1", "p6"], "fixed": {"slot": "s2", "table": "T1"}},
        ],
    }
    doc.update(over)
    return problem_from_dict(doc)


VALID = (
    Assignment("m1", "s0", "T1"),
    Assignment("m2", "s1", "T1"),
    Assignment("m3", "s0", "T2"),
    Assignment("m4", "s1", "B1"),
    Assignment("m5", "s2", "T1"),
)


def schedule(*changes, drop=(), unscheduled=()):
    """VALID with assignments replaced (same meeting) or added, some dropped."""
    by_meeting = {a.meeting: a for a in VALID}
    extra = []
    for a in changes:
        if a.meeting in by_meeting and a.meeting not in {e.meeting for e in extra}:
            by_meeting[a.meeting] = a
        else:
            extra.append(a)
    kept = tuple(a for m, a in by_meeting.items() if m not in drop)
    return Schedule(kept + tuple(extra), tuple(Unscheduled(m, "r") for m in unscheduled))


def rules(violations):
    return sorted(v.rule for v in violations)


def test_the_valid_schedule_passes():
    assert check(event(), schedule()) == []


def test_a_meeting_may_be_left_unscheduled():
    assert check(event(), schedule(drop=["m2"], unscheduled=["m2"])) == []


@pytest.mark.parametrize(
    "bad, rule, concerns",
    [
        (schedule(Assignment("m9", "s0", "T1")), "unknown-reference", {"m9"}),
        (schedule(Assignment("m1", "s7", "T1")), "unknown-reference", {"m1"}),
        (schedule(Assignment("m1", "s0", "T9")), "unknown-reference", {"m1"}),
        (schedule(unscheduled=["m1"]), "assigned-twice", {"m1"}),
        (schedule(drop=["m3"]), "missing", {"m3"}),
    ],
)
def test_rule_1_listing(bad, rule, concerns):
    violations = [v for v in check(event(), bad) if v.rule == rule]
    assert len(violations) == 1
    assert set(violations[0].meetings) == concerns


def test_an_unknown_reference_also_leaves_its_meeting_missing():
    violations = check(event(), schedule(Assignment("m1", "s7", "T1")))
    assert rules(violations) == ["missing", "unknown-reference"]


def test_rule_2_participant_double_booked():
    # m2 (p1, p3) moved to s0, where p1 meets p2 in m1 and p3 is in m3.
    violations = check(event(), schedule(Assignment("m2", "s0", "B1")))
    booked = [v for v in violations if v.rule == "participant-double-booked"]
    assert {v.participants[0]: set(v.meetings) for v in booked} == {
        "p1": {"m1", "m2"},
        "p3": {"m2", "m3"},
    }
    assert all(v.slot == "s0" for v in booked)


def test_rule_3_table_double_booked():
    violations = check(event(), schedule(Assignment("m1", "s0", "T2")))
    assert rules(violations) == ["table-double-booked"]
    clash = violations[0]
    assert (clash.table, clash.slot, set(clash.meetings)) == ("T2", "s0", {"m1", "m3"})


def test_rule_4_unavailable_participant():
    violations = check(event(), schedule(Assignment("m3", "s2", "T2")))
    assert rules(violations) == ["unavailable"]
    assert violations[0].participants == ("p3",)


def test_rule_4_slot_not_allowed():
    problem = event()
    problem = problem_from_dict(
        {
            "format": "partnering-problem/1",
            "slots": [
                {"id": s.id, "start": s.start.isoformat(), "end": s.end.isoformat()}
                for s in problem.slots
            ],
            "tables": [{"id": "T1"}],
            "participants": [{"id": "a"}, {"id": "b"}],
            "meetings": [{"id": "m", "participants": ["a", "b"], "allowed_slots": ["s0"]}],
        }
    )
    violations = check(problem, Schedule((Assignment("m", "s1", "T1"),)))
    assert rules(violations) == ["not-allowed-slot"]


def test_rule_5_max_meetings():
    problem = event(
        participants=[
            {"id": "p1", "max_meetings": 2},
            {"id": "p2"},
            {"id": "p3"},
            {"id": "p4"},
            {"id": "p5"},
            {"id": "p6"},
            {"id": "h", "booth": "B1"},
        ]
    )
    violations = check(problem, schedule())
    assert rules(violations) == ["max-meetings"]
    assert violations[0].participants == ("p1",)
    assert set(violations[0].meetings) == {"m1", "m2", "m5"}


def test_rule_6_booth_holder_away_from_booth():
    violations = check(event(), schedule(Assignment("m4", "s1", "T2")))
    assert rules(violations) == ["booth"]
    assert violations[0].table == "T2"


def test_rule_6_booth_used_by_someone_else():
    violations = check(event(), schedule(Assignment("m1", "s0", "B1")))
    assert rules(violations) == ["booth"]
    assert violations[0].meetings == ("m1",)


def test_rule_7_fixed_meeting_moved_or_dropped():
    moved = check(event(), schedule(Assignment("m5", "s2", "T2")))
    assert rules(moved) == ["fixed"]
    dropped = check(event(), schedule(drop=["m5"], unscheduled=["m5"]))
    assert rules(dropped) == ["fixed"]
    assert dropped[0].meetings == ("m5",)


def test_rule_7_fixed_without_table_may_take_any_table():
    problem = event(
        meetings=[
            {"id": "m1", "participants": ["p1", "p2"], "fixed": {"slot": "s1"}},
        ]
    )
    assert check(problem, Schedule((Assignment("m1", "s1", "T2"),))) == []
    assert rules(check(problem, Schedule((Assignment("m1", "s0", "T2"),)))) == ["fixed"]


def test_rule_8_seats():
    swapped = schedule(Assignment("m3", "s0", "T1"), Assignment("m1", "s0", "T2"))
    violations = check(event(), swapped)
    assert rules(violations) == ["seats"]
    assert violations[0].meetings == ("m3",)


def test_messages_name_the_items():
    (v,) = check(event(), schedule(Assignment("m3", "s2", "T2")))
    assert "m3" in v.message and "p3" in v.message and "s2" in v.message


def test_check_fixed_accepts_consistent_fixed_meetings():
    assert check_fixed(event()) == []


@pytest.mark.parametrize(
    "meetings, rule",
    [
        (
            [
                {"id": "a", "participants": ["p1", "p2"], "fixed": {"slot": "s0"}},
                {"id": "b", "participants": ["p1", "p3"], "fixed": {"slot": "s0"}},
            ],
            "participant-double-booked",
        ),
        (
            [
                {"id": "a", "participants": ["p1", "p2"], "fixed": {"slot": "s0", "table": "T2"}},
                {"id": "b", "participants": ["p3", "p4"], "fixed": {"slot": "s0", "table": "T2"}},
            ],
            "table-double-booked",
        ),
        ([{"id": "a", "participants": ["p1", "p3"], "fixed": {"slot": "s2"}}], "unavailable"),
        (
            [
                {
                    "id": "a",
                    "participants": ["p1", "p2"],
                    "allowed_slots": ["s0"],
                    "fixed": {"slot": "s1"},
                }
            ],
            "not-allowed-slot",
        ),
        (
            [
                {"id": f"a{i}", "participants": ["p1", f"p{i + 2}"], "fixed": {"slot": f"s{i}"}}
                for i in range(3)
            ],
            "max-meetings",
        ),
        (
            [{"id": "a", "participants": ["h", "p2"], "fixed": {"slot": "s0", "table": "T1"}}],
            "booth",
        ),
        (
            [
                {
                    "id": "a",
                    "participants": ["p2", "p3", "p4"],
                    "fixed": {"slot": "s0", "table": "T1"},
                }
            ],
            "seats",
        ),
        (
            [
                {
                    "id": f"a{i}",
                    "participants": [f"x{2 * i}", f"x{2 * i + 1}"],
                    "fixed": {"slot": "s0"},
                }
                for i in range(4)
            ],
            "tables-exhausted",
        ),
    ],
)
def test_check_fixed_finds_fixed_meetings_that_clash(meetings, rule):
    people = (
        [{"id": p} for p in ("p2", "p3", "p4")]
        + [
            {"id": "p1", "max_meetings": 2},
            {"id": "h", "booth": "B1"},
        ]
        + [{"id": f"x{i}"} for i in range(8)]
    )
    people[1]["unavailable"] = ["s2"]
    assert rules(check_fixed(event(participants=people, meetings=meetings))) == [rule]
