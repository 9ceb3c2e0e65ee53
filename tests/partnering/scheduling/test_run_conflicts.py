"""Runs never fail on fixed meetings that can no longer keep their places: the run releases
exactly those, places them anew where it can, and its page names each conflict in people's
words before anything else."""

from __future__ import annotations

import re

from partnering.extensions import db
from partnering.outbox.models import OutboxMessage
from partnering.registrations.models import unavailable_slot
from partnering.scheduling import operations
from partnering.scheduling.placement import EventRows, current_schedule
from partnering.scheduling.problem import problem_for_event
from partnering.scheduling.review import review_run
from scheduler import check


def _published(fair):
    run = operations.start_run(fair.event, None, time_limit=5)
    operations.apply_run(run, None)
    operations.publish(fair.event, "final")


def _unavailable_behind_the_apps_back(participant, slot_id):
    """As a restored backup (or data from before availability checks) may leave it."""
    db.session.execute(
        unavailable_slot.insert().values(participant_id=participant.id, slot_id=slot_id)
    )
    db.session.commit()


def test_a_published_meeting_in_an_unavailable_slot_is_placed_anew(fair, placed):
    _published(fair)
    meeting = fair.meetings[0]
    aiko = fair.people[0]
    before = placed(fair.event)
    old_slot = meeting.slot_id
    _unavailable_behind_the_apps_back(aiko, old_slot)

    run = operations.start_run(fair.event, None, time_limit=5)
    assert run.status == "done", run.error
    conflicts = run.summary["conflicts"]
    assert [c["rule"] for c in conflicts] == ["unavailable"]
    assert conflicts[0]["meetings"] == [meeting.ref]

    operations.apply_run(run, None)
    after = placed(fair.event)
    assert after[meeting.id][0] != old_slot, "the conflicting meeting kept its slot"
    [outcome] = review_run(run).conflicts[0].outcomes
    assert outcome.move.before[0].id == old_slot, "an applied run forgot where it was fixed"
    assert outcome.move.after[0].id == after[meeting.id][0]
    for other, place in before.items():
        if other != meeting.id:
            assert after[other] == place, "a published meeting without conflict moved"
    problem = problem_for_event(fair.event)
    assert check(problem, current_schedule(problem, EventRows(fair.event))) == []


def test_the_run_page_lists_each_conflict_first_in_names_times_and_tables(
    client, auth, fair, placed
):
    _published(fair)
    meeting = fair.meetings[0]
    old_slot, old_table = meeting.slot, meeting.table
    _unavailable_behind_the_apps_back(fair.people[0], old_slot.id)
    run = operations.start_run(fair.event, None, time_limit=5)
    review = review_run(run)
    [shown] = review.conflicts
    [outcome] = shown.outcomes
    assert outcome.move.before == (old_slot, old_table)
    assert outcome.move.after is not None and outcome.move.after[0] != old_slot

    auth.login(fair.organiser)
    text = client.get(f"/e/fair/schedule/runs/{run.id}").get_data(as_text=True)
    section = text[text.index('id="conflicts"') :]
    assert text.index('id="conflicts"') < text.index("Draft result"), "conflicts come first"
    section = section[: section.index("</section>")]
    assert "Aiko Sato" in section and "Ben Okafor" in section
    assert "Participant not available" in section
    assert old_table.name in section and "moved to" in section
    assert not re.search(r"\b[mps]\d+\b", section), "internal ids on the page"


def test_a_conflict_that_cannot_be_placed_again_is_left_out_with_its_reason(fair, placed):
    _published(fair)
    aiko = fair.people[0]
    hers = [m for m in fair.meetings if aiko in m.participants]
    # Aiko is now available in no slot at all: her meetings can go nowhere.
    for slot in fair.event.slots:
        _unavailable_behind_the_apps_back(aiko, slot.id)
    run = operations.start_run(fair.event, None, time_limit=5)
    assert run.status == "done", run.error
    conflicts = review_run(run).conflicts
    outcomes = [o for c in conflicts for o in c.outcomes]
    assert {o.move.meeting.id for o in outcomes} == {m.id for m in hers}
    assert all(o.move.after is None and "Aiko Sato" in o.reason for o in outcomes)
    operations.apply_run(run, None)
    assert not {m.id for m in hers} & set(placed(fair.event))


def test_the_moved_meeting_is_published_as_an_update_with_a_higher_sequence(fair):
    _published(fair)
    meeting = fair.meetings[0]
    sequence = meeting.sequence
    _unavailable_behind_the_apps_back(fair.people[0], meeting.slot_id)
    run = operations.start_run(fair.event, None, time_limit=5)
    operations.apply_run(run, None)
    operations.publish(fair.event, "final")
    db.session.refresh(meeting)
    assert meeting.sequence > sequence
    assert meeting.announced_sequence == meeting.sequence
    updates = db.session.execute(
        db.select(OutboxMessage.recipient).filter_by(kind="update")
    ).scalars()
    assert set(updates) == {p.email for p in meeting.participants}


def test_the_overview_names_a_conflict_in_the_current_schedule(client, auth, fair):
    _published(fair)
    meeting = fair.meetings[0]
    _unavailable_behind_the_apps_back(fair.people[0], meeting.slot_id)
    auth.login(fair.organiser)
    text = client.get("/e/fair/schedule/").get_data(as_text=True)
    warning = text[text.index('id="schedule-conflicts"') :]
    warning = warning[: warning.index("</section>")]
    assert "1 scheduled meeting breaks a rule now" in warning
    assert "Participant not available" in warning and "Aiko Sato" in warning
    assert not re.search(r"\b[mps]\d+\b", warning), "internal ids on the page"


def test_the_run_command_repairs_and_says_what_it_did_by_name(runner, fair, placed):
    _published(fair)
    meeting = fair.meetings[0]
    old_slot = meeting.slot_id
    _unavailable_behind_the_apps_back(fair.people[0], old_slot)
    result = runner.invoke(args=["schedule", "run", "fair", "--wait", "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.output.splitlines() if x.startswith("Repaired:")]
    assert "Aiko Sato & Ben Okafor: Participant not available" in line
    assert "now " in line
    assert not re.search(r"\b[mps]\d+\b", line)
    assert placed(fair.event)[meeting.id][0] != old_slot
