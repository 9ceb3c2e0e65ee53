from __future__ import annotations

import pytest

from tests.bulk_jobs import own_queue


@pytest.fixture
def queue(app, tmp_path):
    return own_queue(app, tmp_path)
