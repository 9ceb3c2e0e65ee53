"""The unscheduled page says, beside why each meeting is left out, what change would let it in:
a table more in a session, a raised limit, a shared time, or placing it where it already fits."""

from __future__ import annotations

import html

from partnering.extensions import db
from partnering.scheduling import operations


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
