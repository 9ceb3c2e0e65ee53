"""The organiser's scheduling pages from the outside: run, progress, review, apply, grid,
hand edits, publish; and who may see them."""

from __future__ import annotations

import re

from partnering.extensions import db
from partnering.scheduling.models import ScheduleRun
from tests.apps import QUIET, app_for
from tests.logins import log_in


def _meeting_links(page: str) -> set[int]:
    """The meetings a page links to (their pages, not their moves or places)."""
    return {int(found) for found in re.findall(r'href="/e/fair/schedule/meetings/(\d+)"', page)}


def _run_and_apply(client, fair):
    page = client.post("/e/fair/schedule/runs", data={"time_limit": 5, "keep_published": "y"})
    assert page.status_code == 302
    run = db.session.execute(db.select(ScheduleRun)).scalar_one()
    assert page.headers["Location"].endswith(f"/e/fair/schedule/runs/{run.id}")
    client.post(f"/e/fair/schedule/runs/{run.id}/apply")
    db.session.refresh(run)
    return run


def test_overview_offers_a_run_when_meetings_are_agreed(client, auth, fair):
    auth.login(fair.organiser)
    page = client.get("/e/fair/schedule/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Run scheduler" in text and "0 / 7" in text


def time_limit_offered(page: str) -> str:
    return re.search(r'<input[^>]*name="time_limit"[^>]*value="(\d+)"', page).group(1)


def test_the_run_form_offers_the_last_runs_time_limit(client, auth, fair):
    auth.login(fair.organiser)
    assert time_limit_offered(client.get("/e/fair/schedule/").get_data(as_text=True)) == "60"
    client.post("/e/fair/schedule/runs", data={"time_limit": 7, "keep_published": "y"})
    assert time_limit_offered(client.get("/e/fair/schedule/").get_data(as_text=True)) == "7"


def test_run_page_shows_the_draft_with_figures_diff_and_actions(client, auth, fair):
    auth.login(fair.organiser)
    client.post("/e/fair/schedule/runs", data={"time_limit": 5, "keep_published": "y"})
    run = db.session.execute(db.select(ScheduleRun)).scalar_one()
    text = client.get(f"/e/fair/schedule/runs/{run.id}").get_data(as_text=True)
    assert "Draft result" in text and "Apply this schedule" in text
    assert "7 / 7" in text and "first-come" in text
    assert "7 newly placed" in text
    progress = client.get(f"/e/fair/schedule/runs/{run.id}/progress").get_json()
    assert progress["status"] == "done" and progress["best"] is not None


def test_apply_then_grid_shows_every_meeting(client, auth, fair):
    auth.login(fair.organiser)
    run = _run_and_apply(client, fair)
    assert run.status == "applied"
    text = client.get("/e/fair/schedule/grid").get_data(as_text=True)
    assert _meeting_links(text) == {m.id for m in fair.meetings}
    for person in fair.people:
        assert person.name in text


def test_grid_filter_by_participant_keeps_only_their_meetings(client, auth, fair):
    auth.login(fair.organiser)
    _run_and_apply(client, fair)
    aiko = fair.people[0]
    text = client.get(f"/e/fair/schedule/grid?participant={aiko.id}").get_data(as_text=True)
    mine = [m for m in fair.meetings if aiko in m.participants]
    assert _meeting_links(text) == {m.id for m in mine}


def test_publish_makes_the_agenda_visible_to_participants(client, auth, fair, login_as):
    auth.login(fair.organiser)
    _run_and_apply(client, fair)
    page = client.post("/e/fair/schedule/publish", data={"state": "preliminary"})
    assert page.status_code == 302
    assert fair.event.schedule_state == "preliminary"
    login_as(fair.people[0])
    text = client.get("/e/fair/agenda/").get_data(as_text=True)
    assert "Preliminary" in text and "Ben Okafor" in text and "Lagos Pharma" in text


def test_charts_and_unscheduled_and_person_pages_render(client, auth, fair):
    auth.login(fair.organiser)
    _run_and_apply(client, fair)
    assert "<svg" in client.get("/e/fair/schedule/charts").get_data(as_text=True)
    assert "Every agreed meeting is scheduled" in client.get(
        "/e/fair/schedule/unscheduled"
    ).get_data(as_text=True)
    person = client.get(f"/e/fair/schedule/people/{fair.people[0].id}").get_data(as_text=True)
    assert "Chloé Martin" in person


def test_participants_cannot_reach_scheduling_pages(client, auth, fair):
    auth.login(fair.people[0])
    assert client.get("/e/fair/schedule/").status_code == 403
    assert client.post("/e/fair/schedule/runs", data={"time_limit": 5}).status_code == 403
    assert (
        client.post(f"/e/fair/schedule/meetings/{fair.meetings[0].id}/unschedule").status_code
        == 403
    )
    assert db.session.execute(db.select(ScheduleRun)).first() is None


def test_a_run_of_another_event_is_not_found(client, auth, fair, create_event):
    other = create_event(slug="other")
    run = ScheduleRun(event=other, status="done")
    db.session.add(run)
    db.session.commit()
    auth.login(fair.organiser)
    assert client.get(f"/e/fair/schedule/runs/{run.id}").status_code == 404
    assert client.post(f"/e/fair/schedule/runs/{run.id}/apply").status_code == 404


def test_starting_a_run_without_a_csrf_token_is_refused(tmp_path, fair):
    url = db.engine.url.render_as_string(hide_password=False)
    with app_for(url, {**QUIET, "WTF_CSRF_ENABLED": True}) as app:
        client = app.test_client()
        log_in(client, fair.organiser.account_id)
        assert client.post("/e/fair/schedule/runs", data={"time_limit": 5}).status_code == 400
        with app.app_context():
            assert db.session.execute(db.select(ScheduleRun)).first() is None


def test_grid_pages_the_tables_of_a_large_event(client, auth, create_event, create_participant):
    from partnering.scheduling.grid import TABLES_PER_PAGE, build_grid

    event = create_event(slug="big", tables=TABLES_PER_PAGE + 5)
    organiser = create_participant(event, role="organiser")
    first, second = build_grid(event, page=1), build_grid(event, page=2)
    assert len(first.rows) == TABLES_PER_PAGE and (first.page, first.pages) == (1, 2)
    assert [r.table.name for r in second.rows] == [t.name for t in event.tables[TABLES_PER_PAGE:]]
    assert build_grid(event, page=99).page == 2
    auth.login(organiser)
    text = client.get("/e/big/schedule/grid?page=2").get_data(as_text=True)
    assert "Tables page 2 of 2" in text and "T45" in text and "T01<" not in text
