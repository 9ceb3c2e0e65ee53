"""Re-planning the rest of the event from now, on the run/apply/publish path: slots that started
are frozen with their meetings, no-shows and the meetings of people not checked in by the
cut-off are released, late meetings fitted in; applying and publishing sends calendar updates
(a higher SEQUENCE) to those whose agenda changed."""

from __future__ import annotations

import email
import re

import pytest

from partnering.agenda.calendars import agenda_calendar
from partnering.attendance.models import CheckInMethod
from partnering.attendance.operations import check_in, mark_no_show
from partnering.events.models import Slot
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.outbox.models import OutboxMessage
from partnering.scheduling import operations
from partnering.scheduling.placement import EventRows, current_schedule
from partnering.scheduling.review import review_run
from partnering.scheduling.runs import problem_for_run
from scheduler import check
from tests.partnering.attendance.conftest import tokyo


def _morning_so_far(day, set_clock):
    """Everyone but Femi checked in before nine; at 09:40 Aiko says Chloé did not come."""
    set_clock("08:50")
    for person in (day.aiko, day.ben, day.chloe, day.dmitri, day.eva):
        check_in(day.event, person, day.organiser.account, CheckInMethod.DESK)
    set_clock("09:40")
    mark_no_show(day.meetings["ac"], day.aiko.account, as_organiser=False)


def _late(day, *people) -> Meeting:
    meeting = Meeting(event_id=day.event.id, participants=list(people))
    db.session.add(meeting)
    db.session.commit()
    return meeting


def _where(meeting: Meeting):
    db.session.refresh(meeting)
    slot = db.session.get(Slot, meeting.slot_id) if meeting.slot_id else None
    return (slot.start if slot else None), meeting.table_id


def test_replan_freezes_the_past_releases_no_shows_and_the_absent(
    event_day, set_clock, quick_solver
):
    day = event_day
    _morning_so_far(day, set_clock)
    chloe_eva = _late(day, day.chloe, day.eva)
    ben_femi = _late(day, day.ben, day.femi)
    before = {key: (_where(m), m.sequence) for key, m in day.meetings.items()}

    now = set_clock("10:05")
    run = operations.start_replan(
        day.event, day.organiser.account, time_limit=5, absent_cutoff=tokyo("10:00")
    )
    assert run.status == "done", run.error
    assert (run.replan_from, run.absent_cutoff) == (now, tokyo("10:00"))
    moved = operations.apply_run(run, day.organiser.account)

    # The past stays as it was: 09:00 both meetings, 10:00 Aiko & Eva (started at 10:05).
    for key in ("ab", "de", "ae"):
        assert (_where(day.meetings[key]), day.meetings[key].sequence) == before[key], key
    # The no-show is fitted in again later the same day: both sides are here.
    start, _ = _where(day.meetings["ac"])
    assert start is not None and start >= tokyo("10:30")
    # Femi did not check in by 10:00: his afternoon meeting is released, nothing new for him.
    assert _where(day.meetings["df"]) == (None, None)
    assert _where(ben_femi) == (None, None)
    # Published meetings to come keep their places; the late meeting goes after now.
    assert _where(day.meetings["bc"]) == before["bc"][0]
    start, _ = _where(chloe_eva)
    assert start is not None and start > now
    assert moved == 3  # the no-show, Femi's meeting, the late one
    left = {u.meeting.id: u.reason for u in review_run(run).unscheduled}
    expected = "Femi Adeyemi had not checked in by 10:00: released for the rest of that day"
    assert left == {day.meetings["df"].id: expected, ben_femi.id: expected}

    problem = problem_for_run(run)
    assert check(problem, current_schedule(problem, EventRows(day.event))) == []


def test_publishing_the_replan_updates_the_calendars_that_changed(
    event_day, set_clock, quick_solver
):
    day = event_day
    _morning_so_far(day, set_clock)
    no_show = day.meetings["ac"]
    old_sequence = no_show.sequence
    aiko_before = agenda_calendar(day.aiko).decode()
    assert f"SEQUENCE:{old_sequence}" in _entry(aiko_before, no_show.uid)
    db.session.execute(db.delete(OutboxMessage))
    db.session.commit()

    set_clock("10:05")
    run = operations.start_replan(
        day.event, day.organiser.account, time_limit=5, absent_cutoff=tokyo("10:00")
    )
    operations.apply_run(run, day.organiser.account)
    operations.publish(day.event, "final", day.organiser.account)

    db.session.refresh(no_show)
    assert no_show.sequence > old_sequence and no_show.published_at is not None
    entry = _entry(agenda_calendar(day.aiko).decode(), no_show.uid)
    assert f"SEQUENCE:{no_show.sequence}" in entry
    assert f"DTSTART;TZID=Asia/Tokyo:{day.event.local(no_show.slot.start):%Y%m%dT%H%M%S}" in entry

    sent = {
        (m.recipient, _calendar_method(m.raw))
        for m in db.session.execute(db.select(OutboxMessage)).scalars()
    }
    assert (day.aiko.email, "REQUEST") in sent and (day.chloe.email, "REQUEST") in sent
    assert (day.dmitri.email, "CANCEL") in sent and (day.femi.email, "CANCEL") in sent
    # Nobody whose agenda stayed the same is written to.
    assert not any(who == day.ben.email for who, _ in sent)


def _entry(calendar: str, uid: str) -> str:
    unfolded = calendar.replace("\r\n ", "")
    for block in re.findall(r"BEGIN:VEVENT.*?END:VEVENT", unfolded, re.S):
        if f"UID:{uid}" in block:
            return block
    raise AssertionError(f"no entry {uid} in the calendar")


def _calendar_method(raw: bytes) -> str | None:
    for part in email.message_from_bytes(raw).walk():
        if part.get_content_type() == "text/calendar":
            found = re.search(r"METHOD:(\w+)", part.get_payload(decode=True).decode())
            return found[1] if found else None
    return None


def test_the_problem_says_what_is_frozen_and_released(event_day, set_clock):
    day = event_day
    _morning_so_far(day, set_clock)
    set_clock("10:05")
    run = operations.create_run(
        day.event,
        None,
        time_limit=5,
        replan_from=tokyo("10:05"),
        absent_cutoff=tokyo("10:00"),
    )
    problem = problem_for_run(run)
    ref = {m.id: m for m in problem.meetings}
    slot_ref = {s.id: s for s in day.event.slots}
    frozen = {slot_ref[s].ref for s in slot_ref if slot_ref[s].start <= tokyo("10:05")}
    assert len(frozen) == 3
    for key in ("ab", "de", "ae"):
        fixed = ref[day.meetings[key].ref].fixed
        assert fixed is not None and fixed.slot == day.meetings[key].slot.ref
    assert ref[day.meetings["ac"].ref].fixed is None
    assert ref[day.meetings["df"].ref].fixed is None
    assert ref[day.meetings["bc"].ref].fixed is not None
    people = {p.id: p for p in problem.participants}
    # Past slots are open to nobody but the meetings kept there.
    assert people[day.chloe.ref].available & frozen == set()
    assert people[day.aiko.ref].available & frozen == {
        day.meetings["ab"].slot.ref,
        day.meetings["ae"].slot.ref,
    }
    # The absent is away for the rest of the day.
    assert people[day.femi.ref].available == set()


def test_without_a_cut_off_nobody_is_released_for_not_checking_in(
    event_day, set_clock, quick_solver
):
    day = event_day
    _morning_so_far(day, set_clock)
    set_clock("10:05")
    run = operations.start_replan(day.event, None, time_limit=5, absent_cutoff=None)
    operations.apply_run(run, None)
    assert _where(day.meetings["df"])[0] == tokyo("14:00")


@pytest.mark.parametrize(
    ("now", "cutoff", "message"),
    [
        ("08:30", None, "The event has not started yet: there is nothing to freeze."),
        ("10:05", "10:30", "The check-in cut-off (10:30) is later than now (10:05)"),
        ("16:45", None, "Every slot of the event has started: nothing is left to re-plan."),
    ],
)
def test_refused_when_there_is_nothing_to_replan(event_day, set_clock, now, cutoff, message):
    set_clock(now)
    with pytest.raises(operations.ScheduleRefused, match=re.escape(message)):
        operations.start_replan(
            event_day.event, None, time_limit=5, absent_cutoff=cutoff and tokyo(cutoff)
        )
    assert db.session.execute(db.select(db.func.count()).select_from(Meeting)).scalar() == 6


def test_the_organiser_replans_from_the_schedule_page(
    client, event_day, login_as, set_clock, quick_solver
):
    day = event_day
    _morning_so_far(day, set_clock)
    set_clock("10:05")
    login_as(day.organiser)
    page = client.get("/e/fair/schedule/").get_data(as_text=True)
    assert "Re-plan the rest of the event" in page
    response = client.post(
        "/e/fair/schedule/replan",
        data={"replan-time_limit": "5", "replan-absent_cutoff": "10:00"},
    )
    assert response.status_code == 302
    run_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Re-plan of the rest of the event from Thu 24 Jan 2030, 10:05" in run_page
    assert "not checked in by 10:00" in run_page

    bad = client.post(
        "/e/fair/schedule/replan",
        data={"replan-time_limit": "5", "replan-absent_cutoff": "25:99"},
        follow_redirects=True,
    )
    assert "Not a valid time value" in bad.get_data(as_text=True)


def test_a_normal_run_during_the_event_keeps_what_has_started(
    client, event_day, set_clock, quick_solver, login_as
):
    """Even when published meetings may move, and for a meeting placed by hand but neither
    published nor locked, a run started at 10:05 leaves the 09:00-10:00 slots as they are and
    puts nothing new there."""
    day = event_day
    set_clock("08:00")
    by_hand = _late(day, day.ben, day.dmitri)
    operations.move_meeting(day.event, by_hand, day.slot("09:30"), day.table("T03"))
    by_hand.locked = False
    db.session.commit()
    late = _late(day, day.chloe, day.femi)
    started = ("ab", "de", "ac", "ae")
    before = {key: _where(day.meetings[key]) for key in started}
    hand_place = _where(by_hand)

    now = set_clock("10:05")
    run = operations.start_run(day.event, day.organiser.account, time_limit=5, keep_published=False)
    assert run.status == "done", run.error
    assert (run.replan_from, run.absent_cutoff) == (now, None)
    problem = problem_for_run(run)
    fixed = {m.id: m.fixed for m in problem.meetings}
    for meeting in [by_hand, *(day.meetings[key] for key in started)]:
        assert fixed[meeting.ref] is not None, meeting.ref
    operations.apply_run(run, day.organiser.account)

    for key in started:
        assert _where(day.meetings[key]) == before[key], key
    assert _where(by_hand) == hand_place
    start, _ = _where(late)
    assert start is not None and start > now
    login_as(day.organiser)
    page = client.get(f"/e/fair/schedule/runs/{run.id}").get_data(as_text=True)
    assert "Re-plan of the rest of the event from" in page


def test_a_run_before_the_event_or_after_it_is_a_whole_run(event_day, set_clock, quick_solver):
    for hh_mm, day in (("08:30", "2030-01-24"), ("09:00", "2030-01-25")):
        set_clock(hh_mm, day)
        run = operations.start_run(event_day.event, None, time_limit=5)
        assert run.replan_from is None
        operations.reject_run(run, event_day.organiser.account)
