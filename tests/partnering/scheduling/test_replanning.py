"""Re-planning: after publication, a re-run fits late meetings around the published ones,
which never move; the diff shows what is added; cancellations free their places."""

from __future__ import annotations

from partnering.scheduling import operations
from partnering.scheduling.placement import EventRows, current_schedule
from partnering.scheduling.problem import problem_for_event
from partnering.scheduling.review import review_run
from scheduler import check, schedule_from_dict


def test_rerun_keeps_published_meetings_and_adds_the_late_ones(fair, create_meeting, placed):
    first = operations.start_run(fair.event, None, time_limit=5)
    operations.apply_run(first, None)
    operations.publish(fair.event, "preliminary")
    published = placed(fair.event)
    b, c, f = fair.people[1], fair.people[2], fair.people[5]
    late = [create_meeting(fair.event, b, f), create_meeting(fair.event, c, f, priority=2)]
    cancelled = fair.meetings[6]
    operations.cancel_meeting(cancelled, fair.organiser.account, as_organiser=True)

    rerun = operations.start_run(fair.event, None, time_limit=5)
    assert rerun.status == "done", rerun.error
    review = review_run(rerun)
    assert {m.meeting.id for m in review.diff.added} == {m.id for m in late}
    assert review.diff.moved == [] and review.diff.removed == []

    operations.apply_run(rerun, None)
    now = placed(fair.event)
    for meeting_id, place in published.items():
        if meeting_id != cancelled.id:
            assert now[meeting_id] == place, "a published meeting moved"
    assert cancelled.id not in now
    assert all(m.id in now for m in late)
    problem = problem_for_event(fair.event)
    assert check(problem, current_schedule(problem, EventRows(fair.event))) == []


def test_without_keep_published_published_meetings_are_not_fixed(fair):
    run = operations.start_run(fair.event, None, time_limit=5)
    operations.apply_run(run, None)
    operations.publish(fair.event, "preliminary")
    free = operations.start_run(fair.event, None, time_limit=5, keep_published=False)
    assert all("fixed" not in m for m in free.problem["meetings"])
    kept = operations.start_run(fair.event, None, time_limit=5)
    assert all("fixed" in m for m in kept.problem["meetings"])
    assert check(problem_for_event(fair.event), schedule_from_dict(kept.result)) == []
