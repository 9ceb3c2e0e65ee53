"""The Today page: the meeting going on or next, where and with whom, then the rest of the
day, from the app's clock in the event's timezone."""

from __future__ import annotations

import re


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_shows_the_meeting_going_on_then_the_rest_of_the_day(
    client, event_day, login_as, set_clock
):
    set_clock("10:05")
    login_as(event_day.aiko)
    page = client.get("/e/fair/today")
    assert page.status_code == 200
    text = _text(page)
    now = text[text.index("Now") :]
    assert now.startswith("Now 10:00–10:30 Table T01 with Eva Rossi · Lagos Pharma")
    earlier = text[text.index("Earlier today") :]
    assert "09:00–09:30" in earlier and "Ben Okafor" in earlier and "Chloé Martin" in earlier
    assert "Later today" not in text  # Aiko's day ends at 10:30


def test_next_meeting_before_it_starts_and_later_ones(client, event_day, login_as, set_clock):
    set_clock("12:40")
    login_as(event_day.ben)
    text = _text(client.get("/e/fair/today"))
    assert "Next 14:30–15:00 Table T01 with Chloé Martin · Lyon Capital" in text
    assert "Earlier today 09:00–09:30" in text

    set_clock("08:10")
    login_as(event_day.dmitri)
    text = _text(client.get("/e/fair/today"))
    assert "Next 09:00–09:30 Table T02 with Eva Rossi · Lagos Pharma" in text
    assert "Later today 14:00–14:30 · Table T02 with Femi Adeyemi · Lyon Capital" in text


def test_the_day_is_the_events_local_day(client, event_day, login_as, set_clock):
    # 00:30 in Tokyo on the 24th is still the 23rd in UTC: it is the event day all the same.
    set_clock("00:30")
    login_as(event_day.aiko)
    assert "Next 09:00–09:30 Table T01 with Ben Okafor" in _text(client.get("/e/fair/today"))


def test_before_and_after_the_event(client, event_day, login_as, set_clock):
    login_as(event_day.aiko)
    set_clock("18:00", day="2030-01-20")
    text = _text(client.get("/e/fair/today"))
    assert "No meetings today" in text and "Thursday 24 January" in text
    assert "Check in" not in text
    set_clock("09:00", day="2030-01-25")
    assert "The event is over" in _text(client.get("/e/fair/today"))


def test_the_agenda_links_to_today(client, event_day, login_as, set_clock):
    set_clock("10:05")
    login_as(event_day.aiko)
    agenda = client.get("/e/fair/agenda/").get_data(as_text=True)
    assert 'href="/e/fair/today"' in agenda


def test_only_for_approved_participants(client, event_day, create_participant, login_as):
    assert client.get("/e/fair/today").status_code == 302  # to the login page
    pending = create_participant(event_day.event, name="Pat Pending", status="pending")
    login_as(pending)
    assert client.get("/e/fair/today").status_code == 302
