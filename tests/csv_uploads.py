"""Uploading a participant CSV file as the organiser's import page does, and the columns of
the test files (semicolon-separated, in this order)."""

from __future__ import annotations

import io
import re

MAPPING = {
    "name": "0",
    "email": "1",
    "organisation": "2",
    "kind": "3",
    "country": "4",
    "topics": "5",
    "description": "6",
    "booth": "7",
}


def upload(client, text: str) -> str:
    """Upload `text` as the event `osaka`'s participant file; the upload's token."""
    response = client.post(
        "/e/osaka/admin/participants/import",
        data={"file": (io.BytesIO(text.encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.data
    return re.search(r"upload=([0-9a-f]+)", response.headers["Location"])[1]
