"""The grid as a working tool, from the outside: a move made from the grid returns to it and a
refused one says why there; conflicts and changes since publishing are marked in words; a
draft is shown on the Grid, Unscheduled and Charts tabs, labelled, with a way back; a run's
changes are grouped and sorted."""

from __future__ import annotations

import re

import pytest

from partnering.extensions import db
from partnering.scheduling import operations
from partnering.scheduling.grid import slots_by_day
from partnering.scheduling.models import ScheduleRun

CHANGED_BADGE = '<span class="badge badge-changed">changed<span class="visually-hidden"> since'
NEW_PLACE_BADGE = '<span class="badge badge-changed">new place<span class="visually-hidden"> in'


@pytest.fixture
def scheduled(fair):
    """The fair with meeting i in slot i at the first table: Aiko&Ben 0, Aiko&Chloé 1,
    Ben&Chloé 2, Dmitri&Eva 3, Dmitri&Femi 4, Eva&Femi 5, Aiko&Eva 6."""
    for i, meeting in enumerate(fair.meetings):
        meeting.slot, meeting.table = fair.event.slots[i], fair.event.tables[0]
    db.session.commit()
    return fair


def _grid_table(page: str) -> str:
    found = re.search(r'<table class="data schedule-grid".*?</table>', page, re.S)
    return found.group(0) if found else ""


def _draft(client, fair) -> ScheduleRun:
    client.post("/e/fair/schedule/runs", data={"time_limit": 5, "keep_published": "y"})
    run = db.session.execute(db.select(ScheduleRun).order_by(ScheduleRun.id.desc())).scalar()
    assert run.is_draft, run.error
    return run


def test_a_move_from_the_grid_returns_to_the_grid_and_a_refusal_says_why_there(
    client, auth, scheduled
):
    auth.login(scheduled.organiser)
    event, aiko_ben = scheduled.event, scheduled.meetings[0]
    day = next(iter(slots_by_day(event)))
    aiko = scheduled.people[0]
    back = f"back=grid&day={day}&participant={aiko.id}"
    page = client.post(
        f"/e/fair/schedule/meetings/{aiko_ben.id}/move?{back}",
        data={"move-slot": event.slots[8].id, "move-table": event.tables[1].id},
    )
    assert page.status_code == 302
    assert page.headers["Location"] == f"/e/fair/schedule/grid?day={day}&participant={aiko.id}"
    assert (aiko_ben.slot_id, aiko_ben.table_id) == (event.slots[8].id, event.tables[1].id)

    # Onto Aiko & Chloé's time: Aiko would be in two meetings.
    refused = client.post(
        f"/e/fair/schedule/meetings/{aiko_ben.id}/move?{back}",
        data={"move-slot": event.slots[1].id, "move-table": event.tables[2].id},
        follow_redirects=True,
    )
    text = refused.get_data(as_text=True)
    assert "Schedule grid" in text
    assert "Not changed. Double-booked participant: Aiko Sato is in 2 meetings" in text
    db.session.refresh(aiko_ben)
    assert (aiko_ben.slot_id, aiko_ben.table_id) == (event.slots[8].id, event.tables[1].id)


def test_a_move_from_elsewhere_still_returns_to_the_meeting(client, auth, scheduled):
    auth.login(scheduled.organiser)
    event, meeting = scheduled.event, scheduled.meetings[0]
    page = client.post(
        f"/e/fair/schedule/meetings/{meeting.id}/move?back=https://evil.example/",
        data={"move-slot": event.slots[8].id, "move-table": event.tables[1].id},
    )
    assert page.headers["Location"] == f"/e/fair/schedule/meetings/{meeting.id}"


def test_a_meeting_whose_place_breaks_a_rule_now_is_marked_with_the_rule(client, auth, scheduled):
    auth.login(scheduled.organiser)
    ben = scheduled.people[1]
    ben.unavailable_slots.append(scheduled.event.slots[0])  # where Aiko & Ben meet
    db.session.commit()
    text = client.get("/e/fair/schedule/grid").get_data(as_text=True)
    assert text.count('class="badge badge-conflict" title=') == 1
    assert "1 meeting shown breaks a rule now" in text
    listed = re.search(r'<section class="card" id="conflict-list">(.*?)</section>', text, re.S)
    assert listed is not None
    assert "Aiko Sato &amp; Ben Okafor" in listed.group(1)
    assert "Participant not available" in listed.group(1) and "Ben Okafor" in listed.group(1)


def test_a_schedule_without_conflicts_shows_none(client, auth, scheduled):
    auth.login(scheduled.organiser)
    text = client.get("/e/fair/schedule/grid").get_data(as_text=True)
    assert 'badge badge-conflict" title' not in text and "conflict-list" not in text


def test_changes_since_publishing_are_marked_in_words(client, auth, scheduled):
    auth.login(scheduled.organiser)
    operations.publish(scheduled.event, "preliminary")
    text = _grid_table(client.get("/e/fair/schedule/grid").get_data(as_text=True))
    assert text.count(CHANGED_BADGE) == 0
    event = scheduled.event
    operations.move_meeting(event, scheduled.meetings[0], event.slots[8], event.tables[1])
    text = _grid_table(client.get("/e/fair/schedule/grid").get_data(as_text=True))
    assert text.count(CHANGED_BADGE) == 1


def test_a_draft_is_shown_on_the_grid_unscheduled_and_charts_tabs(client, auth, fair):
    auth.login(fair.organiser)
    run = _draft(client, fair)

    current = client.get("/e/fair/schedule/grid").get_data(as_text=True)
    assert "0 meetings shown" in current and "Draft of run" not in current
    grid = client.get(f"/e/fair/schedule/grid?run={run.id}").get_data(as_text=True)
    assert f"Draft of run {run.id}" in grid
    assert _grid_table(grid).count(NEW_PLACE_BADGE) == len(fair.meetings)
    for person in fair.people:
        assert person.name in grid
    assert 'href="/e/fair/schedule/grid"' in grid, "a way back to the current schedule"
    assert f'href="/e/fair/schedule/runs/{run.id}"' in grid
    assert f'href="/e/fair/schedule/unscheduled?run={run.id}"' in grid, "the tabs keep the draft"
    assert "draggable" not in grid, "a draft is not edited by hand"

    now = client.get("/e/fair/schedule/unscheduled").get_data(as_text=True)
    assert f"{len(fair.meetings)} agreed meetings have no time yet" in now
    drafted = client.get(f"/e/fair/schedule/unscheduled?run={run.id}").get_data(as_text=True)
    assert f"Draft of run {run.id}" in drafted and "Every agreed meeting is scheduled" in drafted

    # Aiko and Eva have three meetings each, the four others two.
    charts = client.get(f"/e/fair/schedule/charts?run={run.id}").get_data(as_text=True)
    assert f"Draft of run {run.id}" in charts
    assert "<title>2: 4 participants</title>" in charts
    assert "<title>3: 2 participants</title>" in charts
    assert "<title>0: 6 participants</title>" in client.get("/e/fair/schedule/charts").get_data(
        as_text=True
    )


def test_a_run_that_is_no_longer_a_draft_shows_the_current_schedule_and_says_so(client, auth, fair):
    auth.login(fair.organiser)
    run = _draft(client, fair)
    client.post(f"/e/fair/schedule/runs/{run.id}/apply")
    text = client.get(f"/e/fair/schedule/grid?run={run.id}", follow_redirects=True).get_data(
        as_text=True
    )
    assert f"Run #{run.id} is no longer a draft (applied)" in text
    assert "Draft of run" not in text


def test_the_change_list_is_grouped_and_sorted(client, auth, scheduled):
    auth.login(scheduled.organiser)
    # Unlocked, unpublished: the run may move them; one is taken out so the run places it anew.
    operations.unschedule_meeting(scheduled.event, scheduled.meetings[6])
    run = _draft(client, scheduled)
    by_kind = client.get(f"/e/fair/schedule/runs/{run.id}").get_data(as_text=True)
    titles = re.findall(r"<summary><strong>(.*?)</strong> \((\d+)\)</summary>", by_kind)
    assert titles and {t for t, _ in titles} <= {
        "Moved",
        "Newly placed",
        "Removed from the schedule",
    }
    assert ("Newly placed", "1") in titles

    by_person = client.get(f"/e/fair/schedule/runs/{run.id}?group=person").get_data(as_text=True)
    people = [t for t, _ in re.findall(r"<summary><strong>(.*?)</strong> \((\d+)\)", by_person)]
    assert people == sorted(people, key=str.casefold) and "Aiko Sato" in people

    by_time = client.get(f"/e/fair/schedule/runs/{run.id}?group=time&sort=name").get_data(
        as_text=True
    )
    times = re.findall(r"<summary><strong>(.*?)</strong>", by_time)
    assert times and all(re.fullmatch(r"\w{3} \d\d \w{3} \d\d:\d\d", t) for t in times)
    assert times == sorted(times, key=lambda t: t[-5:]), "one day: in order of time"
    assert 'aria-current="true">name</a>' in by_time


def test_a_meeting_picked_from_its_page_opens_the_grid_ready_to_move_it(client, auth, fair):
    auth.login(fair.organiser)
    meeting = fair.meetings[0]  # not scheduled: the grid places it
    page = client.get(f"/e/fair/schedule/meetings/{meeting.id}").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" id="pick-on-grid"', page)
    assert link is not None and link.group(1) == f"/e/fair/schedule/grid?pick={meeting.id}"
    grid = client.get(link.group(1)).get_data(as_text=True)
    assert f'data-pick-meeting="{meeting.id}"' in grid
    assert f'data-pick-places="/e/fair/schedule/meetings/{meeting.id}/places?day=' in grid
    assert f'data-pick-move="/e/fair/schedule/meetings/{meeting.id}/move?back=grid&amp;day=' in grid


def test_the_way_back_from_a_draft_keeps_only_the_grid_s_own_arguments(client, auth, fair):
    auth.login(fair.organiser)
    run = _draft(client, fair)
    page = client.get(
        f"/e/fair/schedule/grid?run={run.id}&_scheme=javascript&_external=1&day=2030-01-24"
    ).get_data(as_text=True)
    back = re.search(r'<a href="([^"]*)">Back to the current schedule</a>', page)
    assert back is not None and back.group(1) == "/e/fair/schedule/grid?day=2030-01-24"


def test_a_meeting_taken_out_since_publishing_is_listed_under_the_grid(client, auth, scheduled):
    auth.login(scheduled.organiser)
    event, aiko_ben = scheduled.event, scheduled.meetings[0]
    operations.publish(event, "final")
    page = client.get("/e/fair/schedule/grid").get_data(as_text=True)
    assert 'id="taken-out"' not in page
    operations.unschedule_meeting(event, aiko_ben)
    page = client.get("/e/fair/schedule/grid").get_data(as_text=True)
    listed = re.search(r'<section class="card" id="taken-out">(.*?)</section>', page, re.S)
    assert listed is not None and "Taken out since publishing (1)" in listed.group(1)
    assert "Aiko Sato &amp; Ben Okafor" in listed.group(1)
    assert f"/e/fair/schedule/grid?pick={aiko_ben.id}" in listed.group(1)
