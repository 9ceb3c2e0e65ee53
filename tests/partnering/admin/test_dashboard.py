from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest


def request(event, sender, recipient, status="pending"):
    db.session.add(
        MeetingRequest(event_id=event.id, sender=sender, recipient=recipient, status=status)
    )


def test_dashboard_counts_match_the_event(client, as_organiser, create_participant):
    event = as_organiser.event
    aiko = create_participant(event, name="Aiko Tanaka")
    bruno = create_participant(event, name="Bruno Costa")
    chen = create_participant(event, name="Chen Wei")
    create_participant(event, name="Dana Pending", status="pending")
    create_participant(event, name="Eve Rejected", status="rejected")
    request(event, bruno, aiko)
    request(event, chen, aiko, status="accepted")
    request(event, aiko, bruno, status="declined")
    db.session.add(
        Meeting(
            event_id=event.id, participants=[chen, aiko], slot=event.slots[0], table=event.tables[0]
        )
    )
    db.session.add(Meeting(event_id=event.id, participants=[bruno, chen], status="cancelled"))
    db.session.commit()

    page = client.get("/e/osaka/admin/")
    assert page.status_code == 200
    html = page.data.decode()
    assert '<span class="badge badge-pending">pending</span></a> 1' in html
    assert '<span class="badge badge-approved">approved</span></a> 4' in html
    assert '<span class="badge badge-rejected">rejected</span></a> 1' in html
    assert '<span class="badge badge-declined">declined</span> 1' in html
    assert "1 with a time and table" in html
    # Aiko received two requests, Bruno one: Aiko first.
    assert html.index("Aiko Tanaka") < html.index("Bruno Costa")
    assert '<td class="num">2</td>' in html
    # Bruno's only meeting is cancelled: he has no meeting; the organiser is not listed.
    no_meeting = html[html.index('id="without-meeting"') :]
    assert "Bruno Costa" in no_meeting
    assert "Aiko Tanaka" not in no_meeting and "Chen Wei" not in no_meeting
    assert "Olivia Organiser" not in no_meeting
    assert "Review 1 pending registration" in html


def test_empty_event_dashboard_says_what_to_do_next(client, auth, site_admin, create_event):
    create_event(days=(), tables=0)
    auth.login(site_admin)
    html = client.get("/e/osaka/admin/").data.decode()
    assert "Set the meeting sessions" in html
    assert "Add tables" in html
    assert "import participants from a CSV file" in html
    assert "No requests yet" in html and "No approved participants yet" in html


def test_participants_cannot_see_the_dashboard(client, auth, create_event, create_participant):
    event = create_event()
    auth.login(create_participant(event))
    assert client.get("/e/osaka/admin/").status_code == 403


def test_organiser_menu_links_to_the_admin_pages(client, as_organiser):
    html = client.get("/e/osaka/").data.decode()
    for path in ("/e/osaka/admin/", "/e/osaka/admin/participants", "/e/osaka/admin/settings"):
        assert f'href="{path}"' in html
