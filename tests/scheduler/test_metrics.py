from datetime import datetime, timedelta

from scheduler import problem_from_dict, problem_to_dict
from scheduler.metrics import figures, idle_gaps
from scheduler.problem import Assignment, Schedule

# Day 1: a morning session 09:00-10:30 and an afternoon session from 14:00 (lunch in between);
# day 2: one session.
STARTS = {
    "a1": "2026-01-24T09:00",
    "a2": "2026-01-24T09:30",
    "a3": "2026-01-24T10:00",
    "b1": "2026-01-24T14:00",
    "b2": "2026-01-24T14:30",
    "b3": "2026-01-24T15:00",
    "c1": "2026-01-25T09:00",
    "c2": "2026-01-25T09:30",
    "c3": "2026-01-25T10:00",
}


def event(meetings):
    slots = [
        {
            "id": sid,
            "start": f"{start}:00+09:00",
            "end": (
                datetime.fromisoformat(f"{start}:00+09:00") + timedelta(minutes=30)
            ).isoformat(),
        }
        for sid, start in STARTS.items()
    ]
    people = sorted({p for _, members in meetings for p in members} | {"idle"})
    return problem_from_dict(
        {
            "format": "partnering-problem/1",
            "event": {"timezone": "Asia/Tokyo"},
            "slots": slots,
            "tables": [{"id": "T1"}, {"id": "T2"}],
            "participants": [{"id": p} for p in people],
            "meetings": [
                {"id": mid, "participants": list(members), "priority": 1 + i % 3}
                for i, (mid, members) in enumerate(meetings)
            ],
        }
    )


def test_a_lunch_break_between_sessions_is_not_a_gap():
    problem = event([])
    assert idle_gaps(problem, {"p": ["a3", "b1"]}) == {"p": 0}


def test_a_run_of_free_slots_counts_once_and_days_are_separate():
    problem = event([])
    slots = {"p": ["a1", "b1", "b3", "c1", "c2"], "q": ["a1", "a3", "c3"], "r": []}
    # p: a1 .. (a2 a3 free) b1 -> one gap; b1 (b2) b3 -> one gap; day 2 adjacent -> none.
    # q: a1 (a2) a3 -> one gap; day 2 alone -> none.
    assert idle_gaps(problem, slots) == {"p": 2, "q": 1, "r": 0}


def test_figures_of_a_hand_computed_agenda():
    problem = event(
        [
            ("m1", ("p", "q")),
            ("m2", ("p", "r")),
            ("m3", ("p", "s")),
            ("m4", ("q", "r")),
            ("m5", ("t", "u")),
        ]
    )
    schedule = Schedule(
        (
            Assignment("m1", "a1", "T1"),
            Assignment("m2", "a3", "T1"),  # p: gap at a2, same table
            Assignment("m3", "b1", "T2"),  # p: lunch is adjacent, table change
            Assignment("m4", "c2", "T1"),
        )
    )
    f = figures(problem, schedule)
    assert f.meetings_scheduled == 4
    assert f.meetings_total == 5
    assert f.priority_sum == 1 + 2 + 3 + 1
    assert f.priority_total == 1 + 2 + 3 + 1 + 2
    assert f.idle_gaps == 1
    assert f.gaps_by_participant == {"p": 1, "q": 0, "r": 0, "s": 0}
    assert f.gap_spread == 1
    # p changes T1 -> T2 between a3 and b1; q's and r's meetings are on different days.
    assert f.table_changes == 1
    assert f.fewest_meetings == 0
    assert set(f.without_meeting) == {"t", "u"}


def test_fewest_meetings_ignores_people_without_agreed_meetings():
    problem = event([("m1", ("p", "q")), ("m2", ("p", "r"))])
    schedule = Schedule((Assignment("m1", "a1", "T1"), Assignment("m2", "a2", "T1")))
    f = figures(problem, schedule)
    assert f.fewest_meetings == 1  # "idle" has no agreed meeting and does not count
    assert f.without_meeting == ()
    assert f.table_changes == 0


def test_people_no_schedule_could_serve_are_told_apart():
    problem = event([("m1", ("p", "q")), ("m2", ("r", "s"))])
    # s can never meet (accepts none); q could have.
    problem = problem_from_dict(
        {
            **problem_to_dict(problem),
            "participants": [
                {"id": pid, **({"max_meetings": 0} if pid == "s" else {})}
                for pid in ("idle", "p", "q", "r", "s")
            ],
        }
    )
    f = figures(problem, Schedule(()))
    assert set(f.without_meeting) == {"p", "q", "r", "s"}
    assert set(f.cannot_meet) == {"r", "s"}
    assert set(f.avoidably_without_meeting) == {"p", "q"}
