"""A test run that leaves a file in the checkout fails (tests/conftest.py checks at the end)."""

from __future__ import annotations

import subprocess
import sys
import uuid

from partnering import PROJECT_ROOT


def test_a_run_that_leaves_a_file_in_the_checkout_fails(tmp_path):
    left = PROJECT_ROOT / "instance" / f"left-behind-{uuid.uuid4().hex}.db"
    (tmp_path / "test_leaves_a_file.py").write_text(
        f"def test_leaves_a_file():\n    open({str(left)!r}, 'w').close()\n"
    )
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider"]
            + ["-q", str(tmp_path)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        left.unlink(missing_ok=True)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    assert "The tests left new files in the checkout" in run.stdout
    assert str(left.relative_to(PROJECT_ROOT)) in run.stdout
