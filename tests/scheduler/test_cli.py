"""`python -m scheduler`: exit codes 0 / 1 / 2 and what it prints."""

import json
import subprocess
import sys

import pytest

from scheduler.b2b import instance_dir
from scheduler.check import check
from scheduler.cli import main
from scheduler.problem_json import load_problem, load_schedule
from tests.scheduler.jair_data import needs_jair

PROBLEM = {
    "format": "partnering-problem/1",
    "event": {"name": "Tiny", "timezone": "Europe/Paris"},
    "slots": [
        {"id": "s1", "start": "2026-03-02T09:00:00+01:00", "end": "2026-03-02T09:30:00+01:00"},
        {"id": "s2", "start": "2026-03-02T09:30:00+01:00", "end": "2026-03-02T10:00:00+01:00"},
    ],
    "tables": [{"id": "T1"}],
    "participants": [{"id": "a"}, {"id": "b"}, {"id": "c", "available": ["s1"]}],
    "meetings": [
        {"id": "m1", "participants": ["a", "b"], "priority": 2},
        {"id": "m2", "participants": ["a", "c"]},
    ],
}
VALID = {
    "format": "partnering-schedule/1",
    "assignments": [
        {"meeting": "m2", "slot": "s1", "table": "T1"},
        {"meeting": "m1", "slot": "s2", "table": "T1"},
    ],
}


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_prints_the_figures_of_a_valid_schedule(tmp_path, capsys):
    code, out, err = run(
        capsys, "check", write(tmp_path, "p.json", PROBLEM), write(tmp_path, "s.json", VALID)
    )
    assert (code, err) == (0, "")
    assert "meetings scheduled: 2 of 2" in out
    assert "priority sum: 3 of 3" in out
    assert "upper bound: 3" in out
    assert "idle gaps: 0" in out
    assert "table changes: 0" in out
    assert "fewest meetings of a participant with a placeable agreed meeting: 1" in out


def test_check_lists_every_violation_and_exits_1(tmp_path, capsys):
    broken = {
        "format": "partnering-schedule/1",
        "assignments": [
            {"meeting": "m1", "slot": "s2", "table": "T1"},
            {"meeting": "m2", "slot": "s2", "table": "T1"},
        ],
    }
    code, out, _ = run(
        capsys, "check", write(tmp_path, "p.json", PROBLEM), write(tmp_path, "s.json", broken)
    )
    assert code == 1
    lines = out.splitlines()
    assert any(line.startswith("participant-double-booked: a ") for line in lines)
    assert any(line.startswith("table-double-booked: table T1") for line in lines)
    assert any(line.startswith("unavailable: meeting m2") for line in lines)
    assert lines[-1] == "invalid: 3 violations"


@pytest.mark.parametrize(
    "problem, message",
    [
        ("{not json", "invalid JSON at line 1"),
        ({**PROBLEM, "format": "other/1"}, "'format' must be 'partnering-problem/1'"),
        ({k: v for k, v in PROBLEM.items() if k != "slots"}, "missing required key 'slots'"),
        ({**PROBLEM, "tables": [{"id": "T1"}, {"id": "T1"}]}, "duplicate id 'T1'"),
        (
            {**PROBLEM, "meetings": [{"id": "m1", "participants": ["a", "zed"]}]},
            "unknown participant 'zed'",
        ),
        (
            {
                **PROBLEM,
                "meetings": [
                    {"id": "m1", "participants": ["a", "b"], "fixed": {"slot": "s1"}},
                    {"id": "m2", "participants": ["a", "c"], "fixed": {"slot": "s1"}},
                ],
            },
            "fixed meetings break a hard rule: participant-double-booked: a is in 2 meetings",
        ),
    ],
)
def test_bad_problems_give_one_error_line_and_exit_2(tmp_path, capsys, problem, message):
    path = write(tmp_path, "p.json", problem)
    for argv in (["check", path, write(tmp_path, "s.json", VALID)], ["solve", path]):
        code, out, err = run(capsys, *argv)
        assert code == 2
        assert out == ""
        assert err.startswith("error: ") and err.count("\n") == 1
        assert message in err


def test_missing_file_and_bad_schedule_exit_2(tmp_path, capsys):
    problem = write(tmp_path, "p.json", PROBLEM)
    code, _, err = run(capsys, "check", problem, str(tmp_path / "nowhere.json"))
    assert code == 2 and "nowhere.json: cannot read" in err
    bad = write(tmp_path, "s.json", {"format": "partnering-schedule/1"})
    code, _, err = run(capsys, "check", problem, bad)
    assert code == 2 and err == "error: schedule: missing required key 'assignments'\n"


def test_solve_writes_a_valid_schedule_and_reports_progress(tmp_path, capsys):
    problem = write(tmp_path, "p.json", PROBLEM)
    output = tmp_path / "s.json"
    code, _, err = run(capsys, "solve", problem, "-o", str(output), "--time-limit", "2")
    assert code == 0
    assert "best " in err and "bound " in err
    schedule = load_schedule(output)
    assert check(load_problem(problem), schedule) == []
    assert len(schedule.assignments) == 2


def test_solve_says_which_figures_are_proven_and_which_are_best_found(tmp_path, capsys):
    problem = write(tmp_path, "p.json", PROBLEM)
    code, _, err = run(capsys, "solve", problem, "-o", str(tmp_path / "s.json"))
    assert code == 0
    last = err.splitlines()[-1]
    assert last.startswith("optimal; proven optimal: priority, fairness, idle gaps;")
    assert "best found: table changes" in last
    assert "no schedule has fewer than 0 idle gaps" in last
    code, _, err = run(
        capsys, "solve", problem, "-o", str(tmp_path / "s.json"), "--gap-spread-limit", "1"
    )
    assert "no schedule within a gap spread of 1 has fewer than 0 idle gaps" in err


def test_solve_names_who_has_no_meeting_and_why(tmp_path, capsys):
    one_slot = {**PROBLEM, "slots": PROBLEM["slots"][:1]}
    problem = write(tmp_path, "p.json", one_slot)
    code, _, err = run(capsys, "solve", problem, "-o", str(tmp_path / "s.json"))
    assert code == 0
    assert "c has no meeting: their agreed meeting could not be placed (m2: " in err
    # c could meet only in place of a-b, which has the higher priority.
    assert "fewest meetings of anyone with a placeable agreed meeting: 0" in err
    assert "without a meeting that one change keeping the priority sum would give them: 0" in err


def test_solve_repairs_fixed_meetings_in_conflict_only_when_asked(tmp_path, capsys):
    clash = {
        **PROBLEM,
        "meetings": [
            {"id": "m1", "participants": ["a", "b"], "fixed": {"slot": "s1"}},
            {"id": "m2", "participants": ["a", "c"], "fixed": {"slot": "s1"}},
        ],
    }
    problem = write(tmp_path, "p.json", clash)
    output = tmp_path / "s.json"
    code, _, err = run(capsys, "solve", problem, "-o", str(output))
    assert code == 2 and err.startswith("error: ") and len(err.splitlines()) == 1
    code, _, err = run(capsys, "solve", problem, "-o", str(output), "--repair")
    assert code == 0
    assert "released m1, m2 (participant-double-booked: a is in 2 meetings" in err
    assert "people: a, b, c" in err
    schedule = load_schedule(output)
    assert {a.meeting: a.slot for a in schedule.assignments} == {"m1": "s2", "m2": "s1"}


def test_solve_repairs_a_fixed_meeting_at_a_removed_table_only_when_asked(tmp_path, capsys):
    # m1 was published at T2; T2 has since been taken out of the event.
    removed = {
        **PROBLEM,
        "meetings": [
            {"id": "m1", "participants": ["a", "b"], "fixed": {"slot": "s2", "table": "T2"}},
            {"id": "m2", "participants": ["a", "c"], "fixed": {"slot": "s1", "table": "T1"}},
        ],
    }
    problem = write(tmp_path, "p.json", removed)
    output = tmp_path / "s.json"
    code, out, err = run(capsys, "solve", problem, "-o", str(output))
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert err.startswith("error: ") and "table T2, which is not in the problem" in err
    assert "--repair" in err and not output.exists()

    code, _, err = run(capsys, "solve", problem, "-o", str(output), "--repair")
    assert code == 0
    assert "released m1 (unknown-reference: meeting m1 is fixed to table T2" in err
    assert "people: a, b" in err
    schedule = load_schedule(output)
    placed = {a.meeting: (a.slot, a.table) for a in schedule.assignments}
    assert placed == {"m1": ("s2", "T1"), "m2": ("s1", "T1")}
    m1_released = {"id": "m1", "participants": ["a", "b"]}
    repaired = {**removed, "meetings": [m1_released, removed["meetings"][1]]}
    assert check(load_problem(write(tmp_path, "r.json", repaired)), schedule) == []


def test_generate_writes_a_loadable_problem(tmp_path, capsys):
    output = tmp_path / "event.json"
    argv = ["generate", "--participants", "30", "--days", "1", "--seed", "4", "-o", str(output)]
    assert run(capsys, *argv)[0] == 0
    problem = load_problem(output)
    assert len(problem.participants) == 30
    assert len(problem.days) == 1
    code, _, err = run(capsys, "generate", "--days", "1")
    assert code == 2 and "--participants" in err


def test_convert_refuses_a_malformed_dzn_file(tmp_path, capsys):
    code, out, err = run(capsys, "convert", write(tmp_path, "x.dzn", "nBusiness = ;"))
    assert code == 2 and out == "" and err.startswith("error: ")


@needs_jair("tic-12")
def test_convert_turns_a_jair_instance_into_a_problem(tmp_path, capsys):
    output = tmp_path / "tic.json"
    assert (
        run(capsys, "convert", str(instance_dir() / "tic-12.original.dzn"), "-o", str(output))[0]
        == 0
    )
    problem = load_problem(output)
    assert len(problem.meetings) == 125
    assert len(problem.tables) == 21


def test_the_module_runs_as_a_program(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scheduler", "check", write(tmp_path, "p.json", "[]"), "x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == "error: problem: expected a JSON object\n"
    assert "Traceback" not in result.stderr


def test_bench_options_reach_the_benchmark(tmp_path, capsys):
    out = tmp_path / "BENCH.md"
    absent = tmp_path / "no-jair"
    assert main(["bench", "--quick", "--jair-dir", str(absent), "-o", str(out)]) == 0
    assert "greedy" in out.read_text(encoding="utf-8")
