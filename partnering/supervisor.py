"""Keeping one job consumer process alive beside `flask ... serve`.

A consumer that dies (killed, out of memory, a crash at start) is started again after a pause
that doubles while it keeps dying quickly (from FIRST_PAUSE up to LONGEST_PAUSE) and starts
over once a consumer has stayed up for STABLE_AFTER seconds: a consumer that cannot start at
all does not spin. Every start and every death is told to `say` (the log by default).
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
STABLE_AFTER = 60.0
POLL_SECONDS = 0.5


class ConsumerSupervisor:
    def __init__(self, command: Sequence[str], say: Callable[[str], None] = log.warning) -> None:
        self.command = list(command)
        self.say = say
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        """Held while a process is started or stopped, so that stop() never races a restart."""
        self._watcher = threading.Thread(
            target=self._watch, name="consumer-supervisor", daemon=True
        )

    def start(self) -> None:
        self._spawn("started")
        self._watcher.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop watching, then stop the consumer (terminate, and kill if it will not go)."""
        self._stopping.set()
        with self._lock:
            process = self.process
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self._watcher.is_alive():
            self._watcher.join(timeout=timeout)

    def _spawn(self, verb: str) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self.process = subprocess.Popen(self.command)
            self.started_at = time.monotonic()
        self.say(f"Background jobs: consumer {verb} (pid {self.process.pid}).")

    def _watch(self) -> None:
        pause = FIRST_PAUSE
        while not self._stopping.wait(POLL_SECONDS):
            process = self.process
            if process is None or process.poll() is None:
                continue
            lived = time.monotonic() - self.started_at
            if lived >= STABLE_AFTER:
                pause = FIRST_PAUSE
            self.say(
                f"Background jobs: consumer (pid {process.pid}) exited with code "
                f"{process.returncode} after {lived:.0f} s; restarting it in {pause:g} s."
            )
            if self._stopping.wait(pause):
                return
            self._spawn("restarted")
            pause = min(2 * pause, LONGEST_PAUSE)
