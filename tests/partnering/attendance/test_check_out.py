"""Check-out: a participant who leaves early is checked out (by the desk or by themselves) on
that day's check-in row; a re-plan from now releases their meetings after the check-out, and
the run's review says why."""

from __future__ import annotations

import pytest

from partnering.attendance.models import CheckIn, CheckInMethod
from partnering.attendance.operations import (
    AttendanceRefused,
    check_in,
    check_out,
    undo_check_out,
)
from partnering.attendance.tokens import check_in_url
from partnering.events.models import Slot
from partnering.extensions import db
from partnering.scheduling import operations
from partnering.scheduling.review import review_run
from tests.partnering.attendance.conftest import tokyo


def _everyone_in(day, set_clock):
    set_clock("08:50")
    for person in (day.aiko, day.ben, day.chloe, day.dmitri, day.eva, day.femi):
        check_in(day.event, person, day.organiser.account, CheckInMethod.DESK)


def _row(person) -> CheckIn:
    return db.session.execute(db.select(CheckIn).filter_by(participant_id=person.id)).scalar_one()


def test_check_out_keeps_the_time_and_who_and_the_first_time(event_day, set_clock):
    day = event_day
    _everyone_in(day, set_clock)
    at = set_clock("14:10")
    check_out(day.event, day.ben, day.organiser.account)
    set_clock("14:20")
    check_out(day.event, day.ben, day.ben.account)
    row = _row(day.ben)
    assert (row.checked_out_at, row.checked_out_by_id) == (at, day.organiser.account_id)
    assert row.checked_in_at == tokyo("08:50")


def test_undo_check_out_clears_it_and_refuses_when_not_checked_out(event_day, set_clock):
    day = event_day
    _everyone_in(day, set_clock)
    set_clock("14:10")
    check_out(day.event, day.ben, day.organiser.account)
    undo_check_out(day.event, day.ben)
    row = _row(day.ben)
    assert (row.checked_out_at, row.checked_out_by_id) == (None, None)
    with pytest.raises(AttendanceRefused, match="Ben Okafor is not checked out today"):
        undo_check_out(day.event, day.ben)


def test_check_out_without_check_in_that_day_is_refused(event_day, set_clock):
    day = event_day
    set_clock("14:10")
    with pytest.raises(AttendanceRefused, match="Ben Okafor is not checked in today"):
        check_out(day.event, day.ben, day.ben.account)
    assert db.session.execute(db.select(CheckIn)).scalars().all() == []


def test_check_out_outside_the_event_days_is_refused(event_day, set_clock):
    day = event_day
    set_clock("10:00", day="2030-01-20")
    with pytest.raises(AttendanceRefused, match="next is"):
        check_out(day.event, day.ben, day.ben.account)


def _start(meeting):
    db.session.refresh(meeting)
    return db.session.get(Slot, meeting.slot_id).start if meeting.slot_id else None


def test_replan_releases_exactly_the_meetings_after_the_check_out(
    event_day, set_clock, quick_solver
):
    day = event_day
    _everyone_in(day, set_clock)
    set_clock("09:10")
    check_out(day.event, day.chloe, day.chloe.account)
    before = {key: _start(m) for key, m in day.meetings.items()}

    set_clock("09:15")
    run = operations.start_replan(
        day.event, day.organiser.account, time_limit=5, absent_cutoff=None
    )
    assert run.status == "done", run.error
    operations.apply_run(run, day.organiser.account)

    # Chloé's meetings at 09:30 and 14:30 are released; nothing else moves.
    assert _start(day.meetings["ac"]) is None and _start(day.meetings["bc"]) is None
    for key in ("ab", "de", "ae", "df"):
        assert _start(day.meetings[key]) == before[key], key
    reason = "Chloé Martin checked out at 09:10: released for the rest of that day"
    left = {u.meeting.id: u.reason for u in review_run(run).unscheduled}
    assert left == {day.meetings["ac"].id: reason, day.meetings["bc"].id: reason}


def test_replan_keeps_the_meetings_before_the_check_out(event_day, set_clock, quick_solver):
    day = event_day
    _everyone_in(day, set_clock)
    set_clock("14:10")
    check_out(day.event, day.dmitri, day.dmitri.account)
    before = {key: _start(m) for key, m in day.meetings.items()}

    set_clock("14:12")
    run = operations.start_replan(
        day.event, day.organiser.account, time_limit=5, absent_cutoff=None
    )
    operations.apply_run(run, day.organiser.account)
    # Dmitri's 14:00 meeting started before he left: it stays; nothing after it was his.
    assert {key: _start(m) for key, m in day.meetings.items()} == before
    assert review_run(run).unscheduled == []


def test_desk_checks_out_and_undoes(client, event_day, login_as, set_clock):
    day = event_day
    _everyone_in(day, set_clock)
    set_clock("14:10")
    login_as(day.organiser)
    listed = client.get("/e/fair/check-in/?q=Ben").get_data(as_text=True)
    action = f"/e/fair/check-in/people/{day.ben.id}/check-out"
    assert f'action="{action}"' in listed and "Check out" in listed

    page = client.post(action, follow_redirects=True).get_data(as_text=True)
    assert "Ben Okafor is checked out (14:10)." in page
    row = _row(day.ben)
    assert (row.checked_out_at, row.checked_out_by_id) == (tokyo("14:10"), day.organiser.account_id)
    listed = client.get("/e/fair/check-in/?q=Ben").get_data(as_text=True)
    assert "Checked out 14:10" in listed and f'action="{action}/undo"' in listed

    page = client.post(f"{action}/undo", follow_redirects=True).get_data(as_text=True)
    assert "Ben Okafor&#39;s check-out is taken back." in page
    assert _row(day.ben).checked_out_at is None


def test_the_scanned_code_offers_check_out_and_its_undo(client, event_day, login_as, set_clock):
    day = event_day
    _everyone_in(day, set_clock)
    set_clock("14:10")
    login_as(day.organiser)
    url = check_in_url(day.ben).removeprefix("http://localhost")
    action = f"/e/fair/check-in/people/{day.ben.id}/check-out"
    assert f'action="{action}"' in client.get(url).get_data(as_text=True)
    client.post(action)
    page = client.get(url).get_data(as_text=True)
    assert "Checked out</span> at 14:10" in page and f'action="{action}/undo"' in page


def test_desk_refuses_to_check_out_who_has_not_checked_in(client, event_day, login_as, set_clock):
    set_clock("14:10")
    login_as(event_day.organiser)
    page = client.post(
        f"/e/fair/check-in/people/{event_day.ben.id}/check-out", follow_redirects=True
    ).get_data(as_text=True)
    assert "Ben Okafor is not checked in today: only someone checked in can check out." in page
    assert db.session.execute(db.select(CheckIn)).scalars().all() == []


def test_participant_checks_out_on_the_today_page(client, event_day, login_as, set_clock):
    day = event_day
    _everyone_in(day, set_clock)
    set_clock("11:30")
    login_as(day.ben)
    page = client.get("/e/fair/today").get_data(as_text=True)
    assert 'action="/e/fair/today/check-out"' in page
    assert "I am leaving: check me out" in page and "data-confirm=" in page

    page = client.post("/e/fair/today/check-out", follow_redirects=True).get_data(as_text=True)
    assert "You are checked out (11:30)." in page
    assert "Checked out</span> at 11:30" in page
    assert 'action="/e/fair/today/check-out"' not in page
    row = _row(day.ben)
    assert (row.checked_out_at, row.checked_out_by_id) == (tokyo("11:30"), day.ben.account_id)


def test_participant_cannot_check_out_before_checking_in(client, event_day, login_as, set_clock):
    set_clock("11:30")
    login_as(event_day.ben)
    page = client.get("/e/fair/today").get_data(as_text=True)
    assert "I am leaving" not in page
    page = client.post("/e/fair/today/check-out", follow_redirects=True).get_data(as_text=True)
    assert "Ben Okafor is not checked in today" in page
