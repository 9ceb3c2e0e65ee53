"""Hostile JSON given to the command lines: a one-line error and a non-zero exit, never a
traceback (deeply nested documents, numbers no database or solver takes, control characters)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from partnering.extensions import db
from partnering.meetings.models import MeetingRequest
from scheduler.generate import generate
from scheduler.problem_json import dump_json, problem_to_dict

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def problem_doc() -> dict:
    return json.loads(dump_json(problem_to_dict(generate(participants=10, days=1, seed=1))))


def _scheduler(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    return line


@pytest.mark.parametrize("command", ["solve", "check"])
def test_scheduler_cli_refuses_deep_json_in_one_line(tmp_path, command):
    path = tmp_path / "deep.json"
    path.write_text(DEEP)
    args = [command, str(path)] + ([str(path)] if command == "check" else ["--time-limit", "1"])
    result = _scheduler(*args)
    assert result.returncode == 2
    assert "nested too deeply" in _one_error_line(result.stderr)


def test_scheduler_cli_refuses_a_huge_priority_in_one_line(tmp_path, problem_doc):
    problem_doc["meetings"][0]["priority"] = 10**30
    path = tmp_path / "big.json"
    path.write_text(json.dumps(problem_doc))
    result = _scheduler("solve", str(path), "--time-limit", "1")
    assert result.returncode == 2
    assert "'priority' must be at most 1,000" in _one_error_line(result.stderr)


def _flask_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a ClickException, not a crash
    return _one_error_line(result.output)


def test_event_import_refuses_deep_json_and_huge_numbers(runner, tmp_path, problem_doc):
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP)
    assert "nested too deeply" in _flask_error(
        runner.invoke(args=["event", "import", str(deep), "--slug", "deep"])
    )
    problem_doc["meetings"][0]["priority"] = 10**30
    big = tmp_path / "big.json"
    big.write_text(json.dumps(problem_doc))
    assert "must be at most 1,000" in _flask_error(
        runner.invoke(args=["event", "import", str(big), "--slug", "big"])
    )


def test_event_import_refuses_names_with_line_breaks(runner, tmp_path, problem_doc):
    problem_doc["participants"][0]["name"] = "Eve\r\nBcc: all@example.org"
    path = tmp_path / "names.json"
    path.write_text(json.dumps(problem_doc))
    message = _flask_error(runner.invoke(args=["event", "import", str(path), "--slug", "names"]))
    assert "name: must be a single line" in message


def test_event_import_full_refuses_deep_json_huge_numbers_and_nul(
    app, runner, tmp_path, create_event, create_participant
):
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP)
    assert "nested too deeply" in _flask_error(
        runner.invoke(args=["event", "import-full", str(deep), "--slug", "deep"])
    )
    event = create_event()
    alice, bob = create_participant(event), create_participant(event)
    db.session.add(
        MeetingRequest(event_id=event.id, sender_id=alice.id, recipient_id=bob.id, message="Hi")
    )
    db.session.commit()
    exported = runner.invoke(args=["event", "export", "osaka"])
    assert exported.exit_code == 0, exported.output
    doc = json.loads(exported.output)
    [request] = doc["requests"]
    for key, value, expected in (
        ("priority", 10**30, "out of range"),
        ("message", "Hi\0there", "must not contain control characters"),
    ):
        changed = json.loads(json.dumps(doc))
        changed["requests"][0][key] = value
        path = tmp_path / f"{key}.json"
        path.write_text(json.dumps(changed))
        assert expected in _flask_error(
            runner.invoke(args=["event", "import-full", str(path), "--slug", "copy"])
        )
    assert request["message"] == "Hi"
