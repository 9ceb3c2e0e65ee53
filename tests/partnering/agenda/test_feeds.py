"""Calendar download and subscription, read back by icalendar and vobject."""

from datetime import UTC, datetime

import icalendar
import vobject

from partnering.agenda.models import FeedToken
from partnering.extensions import db
from partnering.scheduling import operations


def events_of(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    vobject.readOne(data.decode())  # the second, independent parser accepts it too
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def feed_path(client, auth, participant) -> str:
    auth.login(participant)
    client.post("/e/osaka/agenda/feed")
    token = db.session.execute(
        db.select(FeedToken).filter_by(participant_id=participant.id)
    ).scalar_one()
    return f"/e/osaka/agenda/feed/{participant.id}/{token.secret}.ics"


def test_download_is_the_participants_own_agenda(client, auth, published):
    auth.login(published.aiko)
    response = client.get("/e/osaka/agenda/agenda.ics")
    assert response.content_type == "text/calendar; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    found = events_of(response.data)
    assert set(found) == {published.first.uid, published.second.uid}
    event = found[published.first.uid]
    assert str(event["summary"]) == "Meeting with Marc Dubois (Lyon Pharma)"
    assert str(event["location"]) == "Table T01, Grand Front Osaka"
    assert "Let us talk about antibody assays" in str(event["description"])
    assert f"/e/osaka/people/{published.marc.id}" in str(event["description"])
    # 10:00 in Asia/Tokyo is 01:00 UTC for a client
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2030, 1, 24, 1, 0, tzinfo=UTC)
    assert event["dtstart"].params["TZID"] == "Asia/Tokyo"


def test_download_needs_login(client, published):
    assert client.get("/e/osaka/agenda/agenda.ics").status_code == 302


def test_the_agenda_page_offers_webcal_and_https_links(client, auth, published):
    path = feed_path(client, auth, published.jun)
    page = client.get("/e/osaka/agenda/").get_data(as_text=True)
    assert f"webcal://localhost{path}" in page
    assert f"http://localhost{path}" in page


def test_feed_works_without_login_and_carries_refresh_properties(client, auth, published):
    path = feed_path(client, auth, published.marc)
    auth.logout()
    response = client.get(path)
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    text = response.get_data(as_text=True)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text and "X-PUBLISHED-TTL:PT1H" in text
    calendar = icalendar.Calendar.from_ical(response.data)
    assert str(calendar["x-wr-calname"]) == "Osaka Partnering Day – Marc Dubois"
    assert set(events_of(response.data)) == {published.first.uid}


def test_secret_has_at_least_128_bits_and_renewing_revokes_the_old_link(client, auth, published):
    old = feed_path(client, auth, published.aiko)
    secret = old.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(secret) * 6 >= 128
    client.post("/e/osaka/agenda/feed")
    assert client.get(old).status_code == 404
    new = db.session.execute(db.select(FeedToken)).scalar_one()
    assert (
        client.get(f"/e/osaka/agenda/feed/{published.aiko.id}/{new.secret}.ics").status_code == 200
    )


def test_unknown_secrets_are_404_and_a_secret_opens_only_its_owners_agenda(client, auth, published):
    path = feed_path(client, auth, published.aiko)
    secret = path.rsplit("/", 1)[1]
    assert client.get(f"/e/osaka/agenda/feed/{published.aiko.id}/nope.ics").status_code == 404
    assert client.get(f"/e/other/agenda/feed/{published.aiko.id}/{secret}").status_code == 404
    # The id in a link is not the key (links made before an event moved here carry another
    # database's ids): a borrowed secret still shows its owner's agenda, never the id's.
    borrowed = client.get(f"/e/osaka/agenda/feed/{published.marc.id}/{secret}")
    assert borrowed.status_code == 200
    name = str(icalendar.Calendar.from_ical(borrowed.data)["x-wr-calname"])
    assert name.endswith("Aiko Tanaka")


def test_uids_stay_and_sequence_rises_after_a_move(client, auth, published):
    path = feed_path(client, auth, published.aiko)
    before = events_of(client.get(path).data)
    event = published.event
    operations.move_meeting(event, published.first, event.slots[6], event.tables[2])
    operations.publish(event, "final")
    after = events_of(client.get(path).data)
    assert set(after) == set(before)
    moved_before, moved_after = before[published.first.uid], after[published.first.uid]
    assert moved_after.decoded("sequence") > moved_before.decoded("sequence")
    assert moved_after.decoded("dtstart") != moved_before.decoded("dtstart")
    assert after[published.second.uid].decoded("sequence") == before[published.second.uid].decoded(
        "sequence"
    )


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled(client, auth, published):
    path = feed_path(client, auth, published.jun)
    before = events_of(client.get(path).data)[published.second.uid]
    operations.cancel_meeting(published.second, published.organiser.account, as_organiser=True)
    after = events_of(client.get(path).data)[published.second.uid]
    assert str(after["status"]) == "CANCELLED"
    assert after.decoded("sequence") > before.decoded("sequence")


def test_feed_links_in_other_events_are_404(client, auth, published, create_event):
    path = feed_path(client, auth, published.aiko)
    create_event(slug="kyoto", name="Kyoto Day")
    assert client.get(path.replace("/e/osaka/", "/e/kyoto/")).status_code == 404
