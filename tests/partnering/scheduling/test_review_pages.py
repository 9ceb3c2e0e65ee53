"""What the review pages read: meetings agreed after a run, one person's unscheduled meetings
explained for them alone, the charts' geometry and the must-meet badge."""

from __future__ import annotations

from partnering.extensions import db
from partnering.meetings.models import MeetingStatus
from partnering.scheduling.charts import LABEL_WIDTH, Bar, bar_chart
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.problem import problem_for_event, schedulable_meeting_ids
from partnering.scheduling.review import schedule_state, unscheduled_of


def _later_meetings(fair, create_participant, create_meeting):
    """After the fair's run: one more agreed meeting the solver can take, one with somebody
    not approved and one cancelled (neither of those is in a problem)."""
    _, b, _, _, _, f = fair.people
    waiting = create_participant(fair.event, name="Pending Person", status="pending")
    create_meeting(fair.event, b, f)
    create_meeting(fair.event, b, waiting)
    create_meeting(fair.event, f, b, status=MeetingStatus.CANCELLED)


def test_the_run_page_counts_only_schedulable_meetings_agreed_after_it(
    client, auth, fair, create_participant, create_meeting
):
    auth.login(fair.organiser)
    client.post("/e/fair/schedule/runs", data={"time_limit": 5, "keep_published": "y"})
    run = db.session.execute(db.select(ScheduleRun)).scalar_one()
    page = client.get(f"/e/fair/schedule/runs/{run.id}").get_data(as_text=True)
    assert "agreed after this run started" not in page
    _later_meetings(fair, create_participant, create_meeting)
    page = client.get(f"/e/fair/schedule/runs/{run.id}").get_data(as_text=True)
    assert "1 meeting was agreed after this run started" in page


def test_schedulable_meetings_are_those_of_the_problem(fair, create_participant, create_meeting):
    _later_meetings(fair, create_participant, create_meeting)
    expected = set(problem_for_event(fair.event).meeting_by_id)
    assert len(expected) == len(fair.meetings) + 1
    assert schedulable_meeting_ids(fair.event) == expected


def test_one_persons_unscheduled_meetings_are_those_of_the_whole_schedule(fair):
    aiko = fair.people[0]
    whole = [
        (left.meeting.id, left.reason)
        for left in schedule_state(fair.event).unscheduled
        if aiko in left.meeting.participants
    ]
    theirs = [(left.meeting.id, left.reason) for left in unscheduled_of(fair.event, aiko)]
    assert theirs == whole
    assert {mid for mid, _ in theirs} == {m.id for m in fair.meetings if aiko in m.participants}
    assert all(reason for _, reason in theirs)


def test_the_person_page_lists_their_unscheduled_meetings(client, auth, fair):
    auth.login(fair.organiser)
    page = client.get(f"/e/fair/schedule/people/{fair.people[0].id}").get_data(as_text=True)
    for other in ("Ben Okafor", "Chloé Martin", "Eva Rossi"):
        assert other in page
    assert "Femi Adeyemi" not in page  # none of Aiko's meetings


def test_bars_are_scaled_to_the_tallest_and_labels_never_overlap():
    chart = bar_chart([Bar(str(n), n) for n in (1, 2, 4)])
    assert [b.height for b in chart.bars] == [40.0, 80.0, 160.0]
    assert [b.y + b.height for b in chart.bars] == [chart.height] * 3
    assert chart.peak == 4 and all(b.labelled for b in chart.bars)
    many = bar_chart([Bar(str(n), n % 7) for n in range(40)])
    assert all(0 <= b.x and b.x + b.width <= many.width for b in many.bars)
    labelled = [b.label_x for b in many.bars if b.labelled]
    assert len(labelled) < 40
    assert all(b - a >= LABEL_WIDTH for a, b in zip(labelled, labelled[1:], strict=False))


def test_an_empty_chart_has_a_peak_of_one():
    assert bar_chart([]).peak == 1


def test_the_grid_badges_exactly_the_must_meet_meetings(client, auth, fair):
    auth.login(fair.organiser)
    client.post("/e/fair/schedule/runs", data={"time_limit": 5, "keep_published": "y"})
    run = db.session.execute(db.select(ScheduleRun)).scalar_one()
    client.post(f"/e/fair/schedule/runs/{run.id}/apply")
    grid = client.get("/e/fair/schedule/grid").get_data(as_text=True)
    must = [m for m in fair.meetings if m.priority >= 2]
    cells = grid.split("<tbody>", 1)[1]  # past the legend, which shows the badge once
    assert must and cells.count("badge-must") == len(must)
    assert all(m.is_must_meet == (m in must) for m in fair.meetings)
