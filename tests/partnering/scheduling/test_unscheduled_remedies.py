"""The unscheduled page says, beside why each meeting is left out, what change would let it in:
a table more in a session, a raised limit, a shared time, or placing it where it already fits."""

from __future__ import annotations

import html
import re
from itertools import combinations

from partnering.extensions import db
from partnering.scheduling import operations
from partnering.scheduling.review import schedule_state


def unscheduled_page(client, auth, organiser) -> str:
    auth.login(organiser)
    return html.unescape(client.get("/e/osaka/schedule/unscheduled").get_data(as_text=True))


def test_each_obstacle_comes_with_its_remedy(
    client, auth, create_event, create_participant, create_meeting
):
    event = create_event(tables=1)
    organiser = create_participant(event, name="Olga Organiser", role="organiser")
    names = ["Aiko Sato", "Ben Okafor", "Chloé Martin", "Dmitri Ivanov", "Eva Rossi", "Femi Ade"]
    a, b, c, d, e, f = (create_participant(event, name=n) for n in names)
    slots, table = event.slots, event.tables[0]
    # Only 09:00 suits Chloé and Dmitri, and its one table holds Aiko and Ben's meeting.
    c.unavailable_slots = d.unavailable_slots = slots[1:]
    create_meeting(event, a, b, slot=slots[0], table=table)
    create_meeting(event, c, d)
    # Aiko is full with one meeting; Eva is free when Aiko is.
    a.max_meetings = 1
    create_meeting(event, a, e)
    # Femi is free only in the afternoon, Ben only in the morning.
    f.unavailable_slots = slots[:6]
    b.unavailable_slots = slots[6:]
    create_meeting(event, b, f)
    db.session.commit()

    page = unscheduled_page(client, auth, organiser)
    assert "What would let it in" in page
    assert "3 agreed meetings have no time yet." in page
    assert "Add a table in the session of Thu 24 Jan 09:00–12:00." in page
    assert (
        "Raise Aiko Sato's meeting limit to 2: it then fits at Thu 24 Jan 09:30, Table T01." in page
    )
    assert (
        "Ask them to make a time they share available (their availability), or cancel the "
        "meeting." in page
    )


def test_a_meeting_that_fits_says_where_to_place_it(
    client, auth, create_event, create_participant, create_meeting
):
    event = create_event()
    organiser = create_participant(event, name="Olga Organiser", role="organiser")
    aiko, ben = (create_participant(event, name=n) for n in ("Aiko Sato", "Ben Okafor"))
    create_meeting(event, aiko, ben)
    page = unscheduled_page(client, auth, organiser)
    assert "1 agreed meeting has no time yet." in page
    assert (
        "Nothing stands in the way: place it by hand at Thu 24 Jan 09:00, Table T01, or run the "
        "scheduler again." in page
    )


def test_a_runs_left_out_meetings_come_with_their_remedy(
    client, auth, create_event, create_participant, create_meeting
):
    event = create_event(tables=1)
    organiser = create_participant(event, name="Olga Organiser", role="organiser")
    a, b, c, d = (create_participant(event) for _ in range(4))
    for person in (a, b, c, d):
        person.unavailable_slots = event.slots[1:]  # only 09:00, and one table
    create_meeting(event, a, b)
    create_meeting(event, c, d)
    run = operations.start_run(event, None, time_limit=5)
    auth.login(organiser)
    page = html.unescape(client.get(f"/e/osaka/schedule/runs/{run.id}").get_data(as_text=True))
    assert "Left out (1)" in page and "What would let it in" in page
    assert "Add a table in the session of Thu 24 Jan 09:00–12:00." in page


def test_a_long_list_comes_a_hundred_a_page_explained_as_the_whole_schedule_explains_it(
    client, auth, create_event, create_participant, create_meeting
):
    """Each page explains only its own meetings, with the same words the whole event's
    explanation gives them, in the same order, and the count says how many there are in all."""
    event = create_event(tables=2)
    organiser = create_participant(event, name="Olga Organiser", role="organiser")
    people = [create_participant(event, name=f"Person {n:02}") for n in range(17)]
    slots, tables = event.slots, event.tables
    # A placed meeting leaves one person full and another without a free time.
    people[0].max_meetings = 1
    people[1].unavailable_slots = slots[1:]
    create_meeting(event, people[0], people[1], slot=slots[0], table=tables[0])
    for n, (x, y) in enumerate(combinations(people[2:], 2)):
        create_meeting(event, x, y, priority=1 + n % 3)
    for other in people[2:10]:
        create_meeting(event, people[0], other)
    db.session.commit()
    whole = [(left.reason, left.fix) for left in schedule_state(event).unscheduled]
    assert len(whole) == 105 + 8

    auth.login(organiser)
    pages = []
    for page in (1, 2, 3):
        text = html.unescape(
            client.get(f"/e/osaka/schedule/unscheduled?page={page}").get_data(as_text=True)
        )
        assert "113 agreed meetings have no time yet." in text
        pages.append(re.findall(EXPLAINED, text))
    assert [len(rows) for rows in pages] == [100, 13, 13]  # past the end: the last page
    assert pages[0] + pages[1] == whole
    assert "Page 2 of 2" in text


EXPLAINED = re.compile(
    r'<td data-label="Why">(.*?)</td><td data-label="What would let it in">(.*?)</td>'
)
