import pytest

from scheduler import FormatError, problem_from_dict, problem_to_dict


def doc(**over):
    base = {
        "format": "partnering-problem/1",
        "event": {"name": "Day", "timezone": "Asia/Tokyo"},
        "slots": [
            {"id": "s1", "start": "2018-01-24T09:00:00+09:00", "end": "2018-01-24T09:30:00+09:00"},
            {"id": "s2", "start": "2018-01-24T09:30:00+09:00", "end": "2018-01-24T10:00:00+09:00"},
        ],
        "tables": [{"id": "T1", "seats": 2}],
        "participants": [
            {"id": "p1", "organisation": "o1", "unavailable": ["s2"]},
            {"id": "p2", "booth": "T1", "max_meetings": 3},
        ],
        "meetings": [
            {
                "id": "m1",
                "participants": ["p1", "p2"],
                "priority": 2,
                "fixed": {"slot": "s1", "table": "T1"},
            },
        ],
    }
    base.update(over)
    return base


def test_round_trip_keeps_everything():
    problem = problem_from_dict(doc())
    again = problem_from_dict(problem_to_dict(problem))
    assert again == problem
    assert problem.participant_by_id["p1"].available == {"s1"}
    assert problem.meeting_by_id["m1"].fixed.table == "T1"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format": "partnering-problem/2"}, "'format' must be"),
        ({"tables": [{"id": "T1"}, {"id": "T1"}]}, "duplicate id 'T1'"),
        ({"meetings": [{"id": "m1", "participants": ["p1", "p9"]}]}, "unknown participant 'p9'"),
        ({"meetings": [{"id": "m1", "participants": ["p1", "p2"], "priority": 0}]}, "at least 1"),
        ({"slots": None}, "'slots' must be list"),
        ({"event": {"timezone": "Mars/Base"}}, "unknown timezone"),
    ],
)
def test_bad_documents_name_the_item(change, message):
    with pytest.raises(FormatError, match=message):
        problem_from_dict(doc(**change))


def test_missing_key_is_named():
    bad = doc()
    del bad["tables"]
    with pytest.raises(FormatError, match="missing required key 'tables'"):
        problem_from_dict(bad)
