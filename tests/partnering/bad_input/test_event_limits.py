"""Event settings that used to be accepted and then break: sessions across a daylight-saving
change, dates in year 9999, deadlines in any order, sessions making tens of thousands of slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from partnering.events.models import Event
from partnering.events.operations import SessionSpec, replace_sessions, slot_times
from partnering.extensions import db


def _settings(event, **changes):
    data = {
        "name": event.name,
        "venue": "",
        "timezone": event.timezone,
        "slot_minutes": "30",
        "sessions_text": "2030-01-24 09:00-12:00",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("day", "real_hours"),
    [(date(2030, 3, 31), 3), (date(2030, 10, 27), 4)],  # last Sundays of March and October
    ids=["spring-forward", "fall-back"],
)
def test_slots_across_a_daylight_saving_change_are_real_half_hours(create_event, day, real_hours):
    event = create_event(timezone="Europe/Paris")
    spec = SessionSpec(day, time(1), time(4) if real_hours == 4 else time(5))
    times = slot_times(event, spec)
    starts = [start.astimezone(UTC) for start, _ in times]
    assert len(times) == real_hours * 2 and len(set(starts)) == len(starts)
    for (start, end), following in zip(times, times[1:] + [None], strict=True):
        assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=30)
        if following is not None:
            assert following[0].astimezone(UTC) == end.astimezone(UTC)
    replace_sessions(event, [spec])
    db.session.commit()
    stored = sorted(slot.start for slot in event.slots)
    assert stored == starts


def test_settings_page_generates_dst_slots_without_error(client, as_organiser):
    event = as_organiser.event
    # 01:00 CEST to 04:00 CET is four hours: the hour from 02:00 to 03:00 happens twice.
    data = _settings(event, timezone="Europe/Paris", sessions_text="2030-10-27 01:00-04:00")
    response = client.post("/e/osaka/admin/settings", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert len(event.slots) == 8
    assert event.slots[0].start == datetime(2030, 10, 26, 23, 0, tzinfo=UTC)
    assert all(slot.end - slot.start == timedelta(minutes=30) for slot in event.slots)


@pytest.mark.parametrize(
    "changes",
    [
        {"registration_deadline": "9999-12-31T23:59", "timezone": "America/New_York"},
        {"cancellation_cutoff": "0001-01-01T00:00", "timezone": "Pacific/Kiritimati"},
        {"sessions_text": "9999-12-31 22:00-23:30", "timezone": "Pacific/Honolulu"},
    ],
    ids=["year-9999", "year-1", "session-in-9999"],
)
def test_dates_at_the_ends_of_the_calendar_are_refused(client, as_organiser, changes):
    page = client.post("/e/osaka/admin/settings", data=_settings(as_organiser.event, **changes))
    assert page.status_code == 200
    assert b"between 2000 and 2200" in page.data or b"is not a year for an event" in page.data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"registration_deadline": "2030-01-20T00:00", "request_deadline": "2030-01-10T00:00"},
            b"after meeting requests close",
        ),
        ({"request_deadline": "2030-01-24T10:00"}, b"after the first session starts"),
        ({"registration_deadline": "2030-02-01T00:00"}, b"after the first session starts"),
        ({"cancellation_cutoff": "2030-01-25T00:00"}, b"after the last session ends"),
    ],
)
def test_deadlines_out_of_order_are_refused_next_to_the_field(
    client, as_organiser, changes, message
):
    page = client.post("/e/osaka/admin/settings", data=_settings(as_organiser.event, **changes))
    assert page.status_code == 200 and message in page.data


def test_deadlines_in_order_are_saved(client, as_organiser):
    data = _settings(
        as_organiser.event,
        registration_deadline="2030-01-10T18:00",
        request_deadline="2030-01-20T18:00",
        cancellation_cutoff="2030-01-24T11:00",
    )
    assert client.post("/e/osaka/admin/settings", data=data).status_code == 302


def test_sessions_making_too_many_slots_are_refused(client, as_organiser):
    lines = "\n".join(f"2030-02-{d:02d} 00:00-23:55" for d in range(1, 29))
    page = client.post(
        "/e/osaka/admin/settings",
        data=_settings(as_organiser.event, sessions_text=lines, slot_minutes="5"),
    )
    assert page.status_code == 200 and b"an event can have at most 2000" in page.data
    db.session.expire_all()
    assert len(db.session.get(Event, as_organiser.event.id).slots) == 12  # as before
