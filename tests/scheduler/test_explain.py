from scheduler import problem_from_dict
from scheduler.explain import explain, without_meeting


def event(participants, meetings, tables=({"id": "T1"},)):
    """Two 30-minute slots at 10:00 and 10:30 Tokyo time on 24 Jan (01:00Z and 01:30Z)."""
    return problem_from_dict(
        {
            "format": "partnering-problem/1",
            "event": {"timezone": "Asia/Tokyo"},
            "slots": [
                {"id": "s1", "start": "2018-01-24T01:00:00Z", "end": "2018-01-24T01:30:00Z"},
                {"id": "s2", "start": "2018-01-24T01:30:00Z", "end": "2018-01-24T02:00:00Z"},
            ],
            "tables": list(tables),
            "participants": [p if isinstance(p, dict) else {"id": p} for p in participants],
            "meetings": [
                {"id": mid, "participants": list(people), **extra}
                for mid, people, *rest in meetings
                for extra in [rest[0] if rest else {}]
            ],
        }
    )


def test_no_common_available_slot():
    problem = event(
        [{"id": "p3", "available": ["s1"]}, {"id": "p9", "available": ["s2"]}],
        [("m", ("p3", "p9"))],
    )
    assert explain(problem, {}) == {"m": "p3 and p9 share no available slot"}


def test_allowed_slots_exclude_every_common_slot():
    problem = event(
        [{"id": "p3", "available": ["s1"]}, "p9"],
        [("m", ("p3", "p9"), {"allowed_slots": ["s2"]})],
    )
    assert explain(problem, {}) == {"m": "not allowed in any slot both can attend"}


def test_a_full_participant_and_the_limit_that_would_let_it_in():
    problem = event(
        [{"id": "p3", "max_meetings": 1}, "p4", "p9"],
        [("m1", ("p3", "p4")), ("m2", ("p3", "p9"))],
        tables=[{"id": "T1"}, {"id": "T2"}],
    )
    reasons = explain(problem, {"m1": ("s1", "T1")})
    assert reasons == {
        "m2": "p3 is full (1 of 1 meetings); raising p3's limit by one would let it in at "
        "10:30 on 24 Jan"
    }


def test_everybody_free_but_every_table_taken_suggests_one_more_table():
    problem = event(
        ["p1", "p2", "p3", "p9"],
        [("m1", ("p1", "p2")), ("m2", ("p3", "p9"), {"allowed_slots": ["s1"]})],
    )
    reasons = explain(problem, {"m1": ("s1", "T1")})
    assert reasons == {
        "m2": "p3 and p9 are free at 10:00 on 24 Jan but every table is taken; "
        "one more table at 10:00 on 24 Jan would let it in"
    }


def test_a_group_needs_a_table_with_enough_seats():
    problem = event(
        ["p1", "p2", "p3"],
        [("m", ("p1", "p2", "p3"))],
        tables=[{"id": "T1", "seats": 2}],
    )
    assert explain(problem, {}) == {
        "m": "p1, p2 and p3 are free at 10:00 on 24 Jan but no free table seats 3; "
        "one more table for 3 at 10:00 on 24 Jan would let it in"
    }


def test_never_free_together_names_the_one_meeting_to_move():
    problem = event(
        [{"id": "p3", "available": ["s2"]}, "p9", "p4"],
        [("m12", ("p9", "p4")), ("m", ("p3", "p9"))],
    )
    reasons = explain(problem, {"m12": ("s2", "T1")})
    assert reasons == {
        "m": "p3 and p9 are never free at the same time: p9 freeing 10:30 on 24 Jan "
        "(now: meeting m12 with p4) would let it in"
    }


def test_never_free_together_without_a_single_change():
    problem = event(
        ["a", "b", "c", "d"],
        [
            ("m1", ("a", "c")),
            ("m2", ("b", "d")),
            ("m3", ("a", "d")),
            ("m4", ("b", "c")),
            ("m", ("a", "b")),
        ],
        tables=[{"id": "T1"}, {"id": "T2"}],
    )
    placement = {"m1": ("s1", "T1"), "m2": ("s1", "T2"), "m3": ("s2", "T1"), "m4": ("s2", "T2")}
    assert explain(problem, placement) == {
        "m": "a and b are never free at the same time in the 2 slots they can all attend"
    }


def test_booth_holder_whose_booth_is_too_small():
    problem = event(
        [{"id": "h", "booth": "B"}, "p1", "p2"],
        [("m", ("h", "p1", "p2"))],
        tables=[{"id": "T1"}, {"id": "B", "seats": 2}],
    )
    assert explain(problem, {}) == {
        "m": "h, p1 and p2 are free at 10:00 on 24 Jan but booth B seats fewer than 3; "
        "a booth table for 3 would let it in"
    }


def test_scheduled_meetings_get_no_reason():
    problem = event(["p1", "p2"], [("m", ("p1", "p2"))])
    assert explain(problem, {"m": ("s1", "T1")}) == {}


def test_a_meeting_that_still_fits_is_said_to_fit():
    problem = event(["p1", "p2"], [("m", ("p1", "p2"))])
    assert explain(problem, {}) == {
        "m": "left out, though p1, p2 and a table are free at 10:00 on 24 Jan"
    }


def test_everyone_without_a_meeting_gets_the_reasons_of_theirs():
    problem = event(
        ["a", "b", "c", {"id": "d", "available": []}],
        [(f"m{i}", ("a", "d")) for i in range(1, 6)] + [("n", ("b", "c"))],
    )
    placement = {"n": ("s1", "T1")}
    why = without_meeting(problem, placement, explain(problem, placement))
    assert set(why) == {"a", "d"}
    assert why["d"] == (
        "none of their 5 agreed meetings could be placed (m1: a and d share no available slot; "
        "m2: a and d share no available slot; m3: a and d share no available slot; and 2 more)"
    )
