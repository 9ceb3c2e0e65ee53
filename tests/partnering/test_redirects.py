"""`next` and `back` send a browser only to a path of this site: every hostile value falls back
to the page the app would have chosen anyway."""

from __future__ import annotations

import logging
import re

import pytest

from partnering.auth.models import Account
from partnering.auth.operations import login_token
from partnering.extensions import db
from partnering.redirects import local_path

HOSTILE = [
    "https://evil.example/",
    "http:evil.example",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\nSet-Cookie: x=1",
    " /evil",
    "/\x00",
    "/\x7f/evil.example/",
    "/\x85/evil.example/",
    "/\u2028/evil.example/",
    "evil.example",
    "",
]


@pytest.fixture
def organiser(create_event, create_participant):
    return create_participant(create_event(), name="Olivia Organiser", role="organiser")


@pytest.fixture
def as_organiser(auth, organiser):
    auth.login(organiser)
    return organiser


LOCAL = ["/", "/e/osaka/", "/e/osaka/admin/participants?status=pending&page=2", "/e/%2F%2Fx"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_give_the_fallback(target):
    assert local_path(target, "/home") == "/home"
    assert local_path(target, None) is None


@pytest.mark.parametrize("target", LOCAL)
def test_paths_of_this_site_are_kept(target):
    assert local_path(target, "/home") == target


def test_what_is_not_text_gives_the_fallback():
    assert local_path(None, "/home") == "/home"
    assert local_path(["/e/osaka/"], "/home") == "/home"


@pytest.mark.parametrize("back", HOSTILE)
def test_an_organiser_form_goes_back_only_to_this_site(client, as_organiser, back):
    answer = client.post(
        "/e/osaka/admin/participants/decide", data={"decision": "approved", "back": back}
    )
    if "\0" in back:
        assert answer.status_code == 400  # refused before any view (partnering.input_guard)
        return
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/e/osaka/admin/participants"


def test_an_organiser_form_goes_back_to_the_filtered_list(client, as_organiser):
    back = "/e/osaka/admin/participants?status=pending&page=2"
    answer = client.post(
        "/e/osaka/admin/participants/decide", data={"decision": "approved", "back": back}
    )
    assert answer.headers["Location"] == back


@pytest.mark.parametrize("target", HOSTILE)
def test_a_login_link_leads_only_to_this_site(client, organiser, target):
    token = login_token(db.session.get(Account, organiser.account_id))
    answer = client.post(f"/login/{token}", query_string={"next": target})
    if "\0" in target:
        assert answer.status_code == 400  # refused before any view (partnering.input_guard)
        return
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"


def test_a_login_link_leads_to_the_page_that_asked_for_it(client, organiser):
    token = login_token(db.session.get(Account, organiser.account_id))
    answer = client.post(f"/login/{token}", query_string={"next": "/e/osaka/"})
    assert answer.headers["Location"] == "/e/osaka/"


@pytest.mark.parametrize("target", HOSTILE)
def test_an_emailed_login_link_carries_no_hostile_next(client, organiser, caplog, target):
    caplog.set_level(logging.INFO)
    answer = client.post(
        "/login", query_string={"next": target}, data={"email": organiser.account.email}
    )
    if "\0" in target:
        assert answer.status_code == 400  # refused before any view (partnering.input_guard)
        assert "/login/" not in caplog.text
        return
    assert answer.status_code == 302
    links = re.findall(r"http://localhost/login/\S+", caplog.text)
    assert len(links) == 1 and "next=" not in links[0], caplog.text


def test_an_emailed_login_link_keeps_a_local_next(client, organiser, caplog):
    caplog.set_level(logging.INFO)
    client.post(
        "/login", query_string={"next": "/e/osaka/"}, data={"email": organiser.account.email}
    )
    assert re.findall(r"http://localhost/login/\S+\?next=(\S+)", caplog.text) == ["/e/osaka/"]
