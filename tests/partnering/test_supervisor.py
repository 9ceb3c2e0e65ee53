"""The consumer supervisor of `serve` on real processes: restarts with a growing pause, and a
stop that leaves nothing running."""

from __future__ import annotations

import re
import sys
import time

from partnering import supervisor
from partnering.supervisor import ConsumerSupervisor


def test_a_consumer_that_keeps_dying_is_restarted_with_growing_pauses(monkeypatch):
    monkeypatch.setattr(supervisor, "FIRST_PAUSE", 0.2)
    monkeypatch.setattr(supervisor, "POLL_SECONDS", 0.05)
    said: list[str] = []
    keeper = ConsumerSupervisor(
        [sys.executable, "-c", "raise SystemExit(3)"],
        say=said.append,
    )
    keeper.start()
    time.sleep(2.5)
    keeper.stop()
    starts = [line for line in said if "consumer started" in line or "restarted" in line]
    pauses = [
        float(m.group(1))
        for m in (re.search(r"exited with code 3 .* in ([\d.]+) s", line) for line in said)
        if m
    ]
    assert len(starts) >= 4, said
    assert pauses[:3] == [0.2, 0.4, 0.8], said


def test_stop_ends_the_consumer_and_it_is_not_started_again(monkeypatch):
    monkeypatch.setattr(supervisor, "POLL_SECONDS", 0.05)
    said: list[str] = []
    keeper = ConsumerSupervisor(
        [sys.executable, "-c", "import time; time.sleep(60)"], say=said.append
    )
    keeper.start()
    process = keeper.process
    keeper.stop(timeout=5)
    assert process.poll() is not None
    time.sleep(0.3)
    assert keeper.process is process and not any("restarted" in line for line in said)
