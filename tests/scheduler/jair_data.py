"""The JAIR 2022 B2B instances are research data outside the repository: tests that read them
are skipped, saying why, where they are absent."""

from __future__ import annotations

import pytest

from scheduler.b2b import instance_dir


def needs_jair(*names: str) -> pytest.MarkDecorator:
    """Skip unless the named `.original` instances (with no name: any instance) are present."""
    if names:
        present = all((instance_dir() / f"{n}.original.dzn").is_file() for n in names)
    else:
        present = any(instance_dir().glob("*.dzn"))
    return pytest.mark.skipif(
        not present, reason=f"JAIR B2B instance files absent from {instance_dir()}"
    )
