"""No-shows: either side of a meeting, or an organiser, marks it once its slot has started; the
mark keeps who and when; only the person who set it can undo it."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy.exc import IntegrityError

from partnering.attendance.models import NoShow, NoShowStatus
from partnering.extensions import db


def _marks():
    return db.session.execute(db.select(NoShow).order_by(NoShow.id)).scalars().all()


def _text(response) -> str:
    plain = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(plain))


def test_a_side_marks_a_started_meeting_and_undoes_it(client, event_day, login_as, set_clock):
    meeting = event_day.meetings["ac"]  # 09:30, Aiko & Chloé
    at = set_clock("09:40")
    login_as(event_day.aiko)
    page = client.post(f"/e/fair/today/meetings/{meeting.id}/no-show", follow_redirects=True)
    assert "Marked as a no-show" in _text(page)
    [mark] = _marks()
    assert (mark.meeting_id, mark.slot_id, mark.marked_by_id, mark.marked_at, mark.status) == (
        meeting.id,
        meeting.slot_id,
        event_day.aiko.account_id,
        at,
        NoShowStatus.MARKED,
    )
    assert "No-show marked by Aiko Sato at 09:40" in _text(client.get("/e/fair/today"))

    # Chloé sees it, cannot undo it, cannot mark it again.
    login_as(event_day.chloe)
    text = _text(client.get("/e/fair/today"))
    assert "No-show marked by Aiko Sato at 09:40" in text and "Undo no-show" not in text
    page = client.post(f"/e/fair/today/meetings/{meeting.id}/no-show/undo", follow_redirects=True)
    assert "Aiko Sato marked this meeting as a no-show: only they can undo it." in _text(page)
    page = client.post(f"/e/fair/today/meetings/{meeting.id}/no-show", follow_redirects=True)
    assert "Aiko Sato already marked this meeting as a no-show at 09:40." in _text(page)
    assert [m.status for m in _marks()] == [NoShowStatus.MARKED]

    login_as(event_day.aiko)
    set_clock("09:50")
    client.post(f"/e/fair/today/meetings/{meeting.id}/no-show/undo")
    [mark] = _marks()
    db.session.refresh(mark)
    assert mark.status == NoShowStatus.UNDONE and mark.undone_at is not None
    text = _text(client.get("/e/fair/today"))
    assert "No-show mark taken back" in text and "marked by" not in text
    assert "Mark as no-show" in text


def test_not_before_the_meeting_starts(client, event_day, login_as, set_clock):
    meeting = event_day.meetings["ae"]  # 10:00
    set_clock("09:59")
    login_as(event_day.eva)
    page = client.post(f"/e/fair/today/meetings/{meeting.id}/no-show", follow_redirects=True)
    assert "This meeting starts at 10:00: it can be marked as a no-show once it has started." in (
        _text(page)
    )
    assert _marks() == []
    # The button shows once the slot has started.
    button = f'action="/e/fair/today/meetings/{meeting.id}/no-show"'
    assert button not in client.get("/e/fair/today").get_data(as_text=True)
    set_clock("10:00")
    assert button in client.get("/e/fair/today").get_data(as_text=True)


def test_only_the_meetings_sides_and_organisers(client, event_day, login_as, set_clock):
    meeting = event_day.meetings["ab"]  # 09:00, Aiko & Ben
    set_clock("09:10")
    login_as(event_day.femi)
    assert client.post(f"/e/fair/today/meetings/{meeting.id}/no-show").status_code == 404
    assert client.post(f"/e/fair/check-in/meetings/{meeting.id}/no-show").status_code == 403
    assert _marks() == []

    login_as(event_day.organiser)
    page = client.post(f"/e/fair/check-in/meetings/{meeting.id}/no-show", follow_redirects=True)
    text = _text(page)
    assert "Marked as a no-show" in text
    assert "No-show marked by Olga Organiser" in text and "Undo no-show" in text
    [mark] = _marks()
    assert mark.marked_by_id == event_day.organiser.account_id

    login_as(event_day.ben)  # a side, but not who marked it
    page = client.post(f"/e/fair/today/meetings/{meeting.id}/no-show/undo", follow_redirects=True)
    assert "Olga Organiser marked this meeting as a no-show: only they can undo it." in _text(page)


def test_the_organisers_meeting_page_offers_it_once_started(client, event_day, login_as, set_clock):
    meeting = event_day.meetings["bc"]  # 14:30
    login_as(event_day.organiser)
    set_clock("14:29")
    assert "Mark as no-show" not in _text(client.get(f"/e/fair/schedule/meetings/{meeting.id}"))
    set_clock("14:31")
    assert "Mark as no-show" in _text(client.get(f"/e/fair/schedule/meetings/{meeting.id}"))


def test_the_database_allows_one_standing_mark_per_meeting_and_slot(event_day, set_clock):
    meeting = event_day.meetings["ab"]
    at = set_clock("09:10")
    for who in (event_day.aiko, event_day.ben):
        db.session.add(
            NoShow(
                event_id=event_day.event.id,
                meeting=meeting,
                slot_id=meeting.slot_id,
                marked_by_id=who.account_id,
                marked_at=at,
            )
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
