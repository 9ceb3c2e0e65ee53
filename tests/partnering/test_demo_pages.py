"""Every page the demo's people can reach renders, for the organiser and for participants."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from partnering import create_app
from partnering.demo import create_demo, demo_logins
from partnering.extensions import db
from tests.keys import TEST_SECRET_KEY
from tests.logins import log_in


@pytest.fixture(scope="module")
def demo(empty_database):
    """A small demo (the pages are the same; a full one only makes them slower). No app
    context stays open: each request must find its user afresh."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": empty_database("demo_pages"),
        }
    )
    with app.app_context():
        db.create_all()
        event = create_demo(participants=40, seed=2)
        logins = [(login.who, login.account.id) for login in demo_logins(event)]
        slug = event.slug
    yield app, slug, logins
    with app.app_context():
        db.engine.dispose()


def test_every_page_the_demo_people_reach_renders(demo):
    """Follow the links of the event's pages as each demo login would (one of each kind)."""
    app, slug, logins = demo
    for who, account_id in logins:
        client = app.test_client()
        log_in(client, account_id)
        visited = crawl(client, f"/e/{slug}/", limit=60)
        assert len(visited) >= 6, who
        broken = {url: status for url, status in visited.items() if status >= 400}
        assert not broken, (who, broken)


def test_participants_do_not_reach_the_organisers_pages(demo):
    app, slug, logins = demo
    organiser, *participants = logins
    for who, account_id in participants:
        client = app.test_client()
        log_in(client, account_id)
        visited = crawl(client, f"/e/{slug}/", limit=60)
        assert not [url for url in visited if "/schedule/" in url], who
        assert client.get(f"/e/{slug}/schedule/").status_code == 403


def crawl(client, start: str, limit: int) -> dict[str, int]:
    visited: dict[str, int] = {}
    queue = [start]
    per_kind: Counter[str] = Counter()
    while queue and len(visited) < limit:
        url = queue.pop(0)
        if url in visited:
            continue
        page = client.get(url)
        visited[url] = page.status_code
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        for link in re.findall(r'href="(/e/[^"#?]+)', page.get_data(as_text=True)):
            kind = re.sub(r"\d+", "N", link)  # one page of each kind is enough
            if link not in visited and per_kind[kind] < 1 and "logout" not in link:
                per_kind[kind] += 1
                queue.append(link)
    return visited
