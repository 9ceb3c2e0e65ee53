"""The grid's participant and organisation filters are name searches with a few suggestions,
not lists of every name: a typed name (no JavaScript needed) or a link's id filters the grid;
several matches are listed to pick from; the suggestions endpoints answer with at most
SUGGESTIONS names."""

from __future__ import annotations

import html
import re

import pytest

from partnering.scheduling import operations
from partnering.scheduling.name_search import SUGGESTIONS


@pytest.fixture
def scheduled(client, auth, fair):
    run = operations.start_run(fair.event, None, time_limit=5)
    operations.apply_run(run, None)
    auth.login(fair.organiser)
    return fair


def grid(client, query: str) -> str:
    return html.unescape(client.get(f"/e/fair/schedule/grid?{query}").get_data(as_text=True))


def meetings_shown(page: str) -> int:
    """Meetings on the grid: each cell links to its meeting's page."""
    return len(re.findall(r'href="[^"]*/schedule/meetings/\d+"', page))


def test_a_typed_name_filters_the_grid_like_a_link_does(client, scheduled):
    aiko = scheduled.people[0]
    mine = len([m for m in scheduled.meetings if aiko in m.participants])
    by_link = grid(client, f"participant={aiko.id}")
    assert meetings_shown(by_link) == mine and 'value="Aiko Sato"' in by_link
    assert meetings_shown(grid(client, "who=aiko+sato")) == mine  # any case
    assert meetings_shown(grid(client, "who=++Sato+")) == mine  # the only name holding it


def test_a_text_that_several_names_hold_lists_them_to_pick(client, scheduled):
    page = grid(client, "who=e")  # Ben Okafor, Eva Rossi, Femi Adeyemi, ...
    assert "participants' names contain “e”: pick one" in page
    ben = scheduled.people[1]
    assert f"participant={ben.id}" in page and "Ben Okafor</a> (Lagos Pharma)" in page
    assert meetings_shown(page) == len(scheduled.meetings)  # everyone meanwhile


def test_a_name_nobody_has_says_so(client, scheduled):
    page = grid(client, "who=Zed+%25_")
    assert "No approved participant's name contains “Zed %_”" in page
    assert meetings_shown(page) == len(scheduled.meetings)


def test_the_page_lists_no_names_but_the_grids(client, scheduled, create_participant):
    create_participant(scheduled.event, name="Quentin Nomeetings")
    page = grid(client, "")
    assert 'name="participant"' not in page and '<select id="participant"' not in page
    assert "Quentin Nomeetings" not in page  # the old select listed every approved name
    assert 'list="who-suggestions"' in page and "name-suggestions.js" in page


def test_suggestions_are_a_few_approved_names_of_this_event(
    client, scheduled, create_participant, create_event
):
    for i in range(SUGGESTIONS + 5):
        create_participant(scheduled.event, name=f"Sam Many {i:02}")
    create_participant(scheduled.event, name="Sam Pending", status="pending")
    create_participant(create_event(slug="other"), name="Sam Elsewhere")
    people = client.get("/e/fair/schedule/grid/people?q=sam").get_json()["names"]
    assert len(people) == SUGGESTIONS
    assert [p["name"] for p in people] == [f"Sam Many {i:02}" for i in range(SUGGESTIONS)]
    one = client.get("/e/fair/schedule/grid/people?q=Okafor").get_json()["names"]
    assert one == [
        {"id": scheduled.people[1].id, "name": "Ben Okafor", "detail": "Lagos Pharma"}
    ]
    for wildcard in ("%25", "_", "\\"):  # LIKE's wildcards are plain characters here
        assert client.get(f"/e/fair/schedule/grid/people?q={wildcard}").get_json() == {"names": []}
    assert client.get("/e/fair/schedule/grid/people?q=").get_json() == {"names": []}


def test_participants_get_no_suggestions(client, auth, fair):
    auth.login(fair.people[0])
    assert client.get("/e/fair/schedule/grid/people?q=a").status_code == 403


def organisations_shown(page: str) -> set[str]:
    return set(re.findall(r'<span class="org">([^<]*)</span>', page)) - {""}


def test_a_typed_organisation_filters_the_grid_like_a_link_does(client, scheduled):
    lagos = scheduled.people[1].organisation
    by_link = grid(client, f"organisation={lagos.id}")
    assert organisations_shown(by_link) >= {"Lagos Pharma"}
    assert 'value="Lagos Pharma"' in by_link
    mine = meetings_shown(by_link)
    assert 0 < mine < len(scheduled.meetings)
    assert meetings_shown(grid(client, "org=lagos+PHARMA")) == mine  # any case
    assert meetings_shown(grid(client, "org=++Lagos+")) == mine  # the only name holding it


def test_an_organisation_text_that_several_hold_lists_them_to_pick(client, scheduled):
    page = grid(client, "org=a")
    assert "organisations' names contain “a”: pick one" in page
    lagos = scheduled.people[1].organisation
    assert f"organisation={lagos.id}" in page and ">Lagos Pharma</a>" in page
    assert meetings_shown(page) == len(scheduled.meetings)  # all meanwhile
    nobody = grid(client, "org=Zed+%25_")
    assert "No organisation's name contains “Zed %_”: the grid shows all." in nobody


def test_the_page_lists_no_organisations_but_the_grids(client, scheduled, create_participant):
    create_participant(scheduled.event, name="Quentin Q", organisation="Quiet Org Without Meetings")
    page = grid(client, "")
    assert '<select id="organisation"' not in page
    assert "Quiet Org Without Meetings" not in page  # the old select listed every organisation
    assert 'list="org-suggestions"' in page


def test_organisation_suggestions_are_a_few_of_this_event(
    client, scheduled, create_participant, create_event
):
    for i in range(SUGGESTIONS + 5):
        create_participant(scheduled.event, name=f"Person {i}", organisation=f"Zeta Labs {i:02}")
    create_participant(create_event(slug="other"), name="Elsewhere", organisation="Zeta Elsewhere")
    names = client.get("/e/fair/schedule/grid/organisations?q=zeta").get_json()["names"]
    assert [n["name"] for n in names] == [f"Zeta Labs {i:02}" for i in range(SUGGESTIONS)]
    for wildcard in ("%25", "_", "\\"):
        found = client.get(f"/e/fair/schedule/grid/organisations?q={wildcard}").get_json()
        assert found == {"names": []}


def test_participants_get_no_organisation_suggestions(client, auth, fair):
    auth.login(fair.people[0])
    assert client.get("/e/fair/schedule/grid/organisations?q=a").status_code == 403


def test_a_full_name_is_chosen_even_when_many_longer_names_hold_it(
    client, scheduled, create_participant
):
    for i in range(SUGGESTIONS + 5):
        create_participant(scheduled.event, name=f"Abe Sam {i:02}")  # sort before "Sam"
    create_participant(scheduled.event, name="Sam")
    page = grid(client, "who=sam")
    assert 'value="Sam"' in page and "pick one" not in page
