"""The "My meetings" page, and bringing a colleague into a meeting."""

from partnering.extensions import db
from partnering.meetings.models import Meeting


def test_empty_page_says_what_to_do_next(client, auth, create_event, create_participant):
    event = create_event()
    auth.login(create_participant(event))
    page = client.get("/e/osaka/meetings/")
    assert page.status_code == 200
    assert b"No agreed meetings yet" in page.data and b"Browse participants" in page.data


def test_page_lists_incoming_outgoing_agreed_and_history(
    client, auth, send, agreed, create_event, create_participant
):
    event = create_event()
    me = create_participant(event)
    send(create_participant(event, name="Incoming Ines"), me, message="Ines asks")
    send(me, create_participant(event, name="Outgoing Otto"), message="I ask Otto")
    send(me, create_participant(event, name="Declined Dora"), status="declined")
    agreed(me, create_participant(event, name="Agreed Aki", organisation="Aki Bio"))
    auth.login(me)
    page = client.get("/e/osaka/meetings/").get_data(as_text=True)
    incoming, rest = page.split('id="meetings"')
    agreed_part, rest = rest.split('id="outgoing"')
    outgoing, history = rest.split('id="history"')
    assert "Incoming Ines" in incoming and "Ines asks" in incoming and "Accept" in incoming
    assert "Agreed Aki" in agreed_part and "Aki Bio" in agreed_part
    assert "Not scheduled yet" in agreed_part and "once the organiser publishes" in agreed_part
    assert "Outgoing Otto" in outgoing and "Withdraw" in outgoing
    assert "Declined Dora" in history and "Declined" in history


def test_time_and_table_show_once_the_schedule_is_published(
    client, auth, agreed, create_event, create_participant
):
    event = create_event()
    me = create_participant(event)
    slot, table = event.slots[2], event.tables[1]
    agreed(me, create_participant(event), slot_id=slot.id, table_id=table.id)
    auth.login(me)
    hidden = client.get("/e/osaka/meetings/").get_data(as_text=True)
    placed_at = f'<td data-label="Table">{table.label}</td>'
    assert "10:00–10:30" not in hidden and placed_at not in hidden
    event.schedule_state = "preliminary"
    db.session.commit()
    shown = client.get("/e/osaka/meetings/").get_data(as_text=True)
    assert "10:00–10:30" in shown and placed_at in shown  # 10:00 Tokyo time


def test_a_colleague_joins_a_meeting(rows, client, auth, agreed, create_event, create_participant):
    event = create_event()
    me = create_participant(event, organisation="Bio Rio")
    colleague = create_participant(event, name="Carla Colleague", organisation="Bio Rio")
    other = create_participant(event)
    meeting = agreed(me, other)
    auth.login(me)
    page = client.get("/e/osaka/meetings/")
    assert b"Carla Colleague" in page.data and b"Bring a colleague" in page.data
    client.post(
        f"/e/osaka/meetings/{meeting.id}/colleagues",
        data={f"m{meeting.id}-colleague": colleague.id},
    )
    assert [p.id for p in rows.get(Meeting, meeting.id).participants] == sorted(
        [me.id, other.id, colleague.id]
    )


def test_only_colleagues_of_the_same_organisation_can_join(
    rows, client, auth, agreed, create_event, create_participant
):
    event = create_event()
    me = create_participant(event, organisation="Bio Rio")
    outsider = create_participant(event, organisation="Elsewhere")
    meeting = agreed(me, create_participant(event))
    auth.login(me)
    page = client.post(
        f"/e/osaka/meetings/{meeting.id}/colleagues",
        data={f"m{meeting.id}-colleague": outsider.id},
        follow_redirects=True,
    )
    assert b"Choose a colleague" in page.data
    assert len(rows.get(Meeting, meeting.id).participants) == 2


def test_a_colleague_busy_at_the_meeting_time_cannot_join(
    rows, client, auth, agreed, create_event, create_participant
):
    event = create_event()
    me = create_participant(event, organisation="Bio Rio")
    colleague = create_participant(event, name="Carla Colleague", organisation="Bio Rio")
    slot = event.slots[0]
    meeting = agreed(me, create_participant(event), slot_id=slot.id, table_id=event.tables[0].id)
    agreed(colleague, create_participant(event), slot_id=slot.id, table_id=event.tables[1].id)
    auth.login(me)
    page = client.post(
        f"/e/osaka/meetings/{meeting.id}/colleagues",
        data={f"m{meeting.id}-colleague": colleague.id},
        follow_redirects=True,
    )
    assert b"Carla Colleague already has a meeting at that time" in page.data
    assert len(rows.get(Meeting, meeting.id).participants) == 2


def test_a_meeting_cannot_outgrow_the_largest_table(
    rows, client, auth, agreed, create_event, create_participant
):
    event = create_event()  # tables of 4 seats
    me = create_participant(event, organisation="Bio Rio")
    colleagues = [create_participant(event, organisation="Bio Rio") for _ in range(3)]
    meeting = agreed(me, create_participant(event), *colleagues[:2])
    auth.login(me)
    page = client.post(
        f"/e/osaka/meetings/{meeting.id}/colleagues",
        data={f"m{meeting.id}-colleague": colleagues[2].id},
        follow_redirects=True,
    )
    assert b"No table seats more than 4 people" in page.data
    assert len(rows.get(Meeting, meeting.id).participants) == 4
