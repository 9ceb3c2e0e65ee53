"""The app bench's steps on a tiny event, so that the bench keeps running on the app's code."""

import pytest

from benchmarks.app.run import main, measure_event, table
from benchmarks.smtp_sink import smtp_sink
from scheduler.generate import generate
from tests.keys import TEST_SECRET_KEY


@pytest.fixture(scope="module")
def tiny():
    return generate(participants=24, days=1, seed=1, tables=6, meetings=40)


@pytest.fixture(scope="module")
def figures(empty_database, tiny):
    with smtp_sink() as port:
        return measure_event(
            empty_database("app_bench"),
            tiny,
            "tiny",
            port,
            time_limit=2,
            settings={"SECRET_KEY": TEST_SECRET_KEY},
        )


def test_every_step_runs_through_the_app_and_every_agenda_is_delivered(figures, tiny):
    assert figures["participants"] == len(tiny.participants)
    assert figures["meetings"] == len(tiny.meetings)
    assert 0 < figures["placed"] <= len(tiny.meetings)
    assert 0 < figures["priority"] <= figures["bound"]
    assert figures["newly_published"] == figures["placed"]
    assert figures["agenda_files"] == len(tiny.participants)
    assert 0 < figures["queued"] <= len(tiny.participants)
    assert figures["sent"] == figures["queued"]
    assert figures["unsent"] == 0
    assert figures["connections"] == 1
    for step in ("import", "run", "publish", "export", "delivery"):
        assert figures[f"{step}_s"] > 0
        assert figures[f"{step}_rss_gb"] > 0


def test_the_table_puts_sizes_side_by_side(figures):
    rows = [{"preset": "tiny", **figures}, {"preset": "again", **figures}]
    text = table(rows, time_limit=2)
    assert text.splitlines()[0] == "| | tiny | again |"
    emails = next(line for line in text.splitlines() if line.startswith("| emails/s"))
    rate = f"{figures['sent'] / figures['delivery_s']:.0f} (1)"
    assert emails == f"| emails/s (SMTP connections) | {rate} | {rate} |"


def test_an_unknown_preset_is_refused_before_anything_runs(capsys):
    with pytest.raises(SystemExit) as refused:
        main(["--presets", "osaka,nope"])
    assert refused.value.code == 2
    assert "unknown presets nope" in capsys.readouterr().err
