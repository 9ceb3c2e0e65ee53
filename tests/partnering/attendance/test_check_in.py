"""Check-in: the organiser's phone opens the signed URL of a printed agenda's QR code and checks
the person in with one button, or finds them by name; participants check themselves in on an
event day. Each check-in keeps its time, who made it and how."""

from __future__ import annotations

import html
import re

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from partnering.attendance.models import CheckIn, CheckInMethod
from partnering.attendance.operations import check_in
from partnering.attendance.qr import qr_svg
from partnering.attendance.tokens import SALT, check_in_token, check_in_url
from partnering.extensions import db
from partnering.registrations.operations import delete_registration
from tests.keys import TEST_SECRET_KEY
from tests.partnering.attendance.conftest import tokyo
from tests.qr_codes import read_qr_path


def _check_ins():
    return db.session.execute(db.select(CheckIn).order_by(CheckIn.id)).scalars().all()


def _path(url: str) -> str:
    return url.removeprefix("http://localhost")


def test_the_printed_agenda_carries_the_signed_check_in_url_as_a_qr_code(
    client, event_day, login_as
):
    login_as(event_day.aiko)
    page = client.get("/e/fair/agenda/print").get_data(as_text=True)
    [path] = re.findall(r'<svg [^>]*class="qr".*? d="([^"]+)"', page)
    assert read_qr_path(path) == [check_in_url(event_day.aiko)]
    expected = qr_svg(check_in_url(event_day.aiko), title="Check-in code")
    assert str(expected) in page
    assert "<script" not in str(expected) and "style=" not in str(expected)
    # Another participant's sheet carries another code.
    assert str(qr_svg(check_in_url(event_day.ben), title="Check-in code")) not in page


def test_organiser_checks_in_by_the_scanned_url(client, event_day, login_as, set_clock):
    at = set_clock("08:42")
    login_as(event_day.organiser)
    url = _path(check_in_url(event_day.aiko))
    page = client.get(url)
    assert page.status_code == 200
    shown = page.get_data(as_text=True)
    assert "Aiko Sato" in shown and "Kobe Bio" in shown
    action = f"/e/fair/check-in/people/{event_day.aiko.id}"
    assert f'action="{action}"' in shown

    client.post(action)
    [made] = _check_ins()
    assert (made.participant_id, made.checked_in_at, made.method) == (
        event_day.aiko.id,
        at,
        CheckInMethod.DESK,
    )
    assert made.checked_in_by_id == event_day.organiser.account_id
    assert str(made.day) == "2030-01-24"
    assert "Checked in</span> at 08:42" in client.get(url).get_data(as_text=True)


def test_checking_in_twice_keeps_the_first_time(client, event_day, login_as, set_clock):
    set_clock("08:42")
    login_as(event_day.organiser)
    client.post(f"/e/fair/check-in/people/{event_day.aiko.id}")
    set_clock("09:15")
    page = client.post(f"/e/fair/check-in/people/{event_day.aiko.id}", follow_redirects=True)
    assert "Aiko Sato was already checked in at 08:42" in page.get_data(as_text=True)
    [made] = _check_ins()
    assert made.checked_in_at == tokyo("08:42")


def test_forged_and_foreign_check_in_urls_are_not_found(
    client, event_day, create_event, create_participant, login_as, set_clock
):
    set_clock("08:42")
    login_as(event_day.organiser)
    token = check_in_token(event_day.aiko)
    # Another participant's id under Aiko's signature, a token signed for another purpose,
    # and one signed with another key: none opens a page.
    payload, signature = token.split(".", 1)
    forged_id = URLSafeSerializer(TEST_SECRET_KEY, salt=SALT).dumps(
        {"e": event_day.event.id, "p": event_day.ben.id}
    )
    assert forged_id != token
    for bad in [
        forged_id.split(".", 1)[0] + "." + signature,
        URLSafeSerializer(TEST_SECRET_KEY, salt="login-link").dumps(
            {"e": event_day.event.id, "p": event_day.aiko.id}
        ),
        URLSafeSerializer("x" * 40, salt=SALT).dumps(
            {"e": event_day.event.id, "p": event_day.aiko.id}
        ),
        "nonsense",
    ]:
        assert client.get(f"/e/fair/check-in/t/{bad}").status_code == 404, bad
    # A participant of another event: not under this event's URL.
    other = create_event(slug="other")
    stranger = create_participant(other, name="Sam Stranger")
    assert client.get(f"/e/fair/check-in/t/{check_in_token(stranger)}").status_code == 404
    assert _check_ins() == []


def test_only_organisers_open_the_scanned_url(client, event_day, login_as, set_clock):
    set_clock("08:42")
    login_as(event_day.ben)
    assert client.get(_path(check_in_url(event_day.aiko))).status_code == 403
    assert client.post(f"/e/fair/check-in/people/{event_day.aiko.id}").status_code == 403
    assert _check_ins() == []


def test_a_participant_who_scans_their_own_code_is_shown_their_day(
    client, event_day, login_as, set_clock
):
    set_clock("08:42")
    login_as(event_day.aiko)
    own = _path(check_in_url(event_day.aiko))
    response = client.get(own)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/e/fair/today")
    page = client.get("/e/fair/today").get_data(as_text=True)
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    assert "This code is for the check-in desk to scan." in text
    assert _check_ins() == []  # scanning is no check-in: the button on Today is
    client.post("/e/fair/today/check-in")
    [arrival] = _check_ins()
    assert (arrival.participant_id, arrival.method) == (event_day.aiko.id, CheckInMethod.SELF)

    # Somebody else's code, or a forged one, is still no business of a participant.
    assert client.get(_path(check_in_url(event_day.ben))).status_code == 403
    assert client.get("/e/fair/check-in/t/garbage").status_code == 403
    # Signed out, the code asks to log in first.
    login_as(event_day.aiko)
    client.post("/logout")
    assert "/login" in client.get(own).headers["Location"]


def test_desk_search_by_name_or_organisation(client, event_day, login_as, set_clock):
    set_clock("08:42")
    login_as(event_day.organiser)
    text = client.get("/e/fair/check-in/?q=lagos").get_data(as_text=True)
    assert "Ben Okafor" in text and "Eva Rossi" in text and "Aiko Sato" not in text
    assert "0 of 6 participants checked in" in text
    client.post(f"/e/fair/check-in/people/{event_day.ben.id}")
    text = client.get("/e/fair/check-in/?q=okaf").get_data(as_text=True)
    assert "Checked in 08:42" in text and "1 of 6 participants checked in" in text
    # Wildcards are plain characters.
    assert "Nobody found" in client.get("/e/fair/check-in/?q=%25").get_data(as_text=True)


def test_pending_participants_are_not_checked_in(
    client, event_day, create_participant, login_as, set_clock
):
    set_clock("08:42")
    pending = create_participant(event_day.event, name="Pat Pending", status="pending")
    login_as(event_day.organiser)
    page = client.post(f"/e/fair/check-in/people/{pending.id}", follow_redirects=True)
    assert "only approved participants can check in" in page.get_data(as_text=True)
    assert _check_ins() == []


def test_self_check_in_on_the_event_day_only(client, event_day, login_as, set_clock):
    login_as(event_day.eva)
    set_clock("18:00", day="2030-01-23")
    page = client.post("/e/fair/today/check-in", follow_redirects=True)
    assert "Check-in opens on the event's days; the next is Thursday 24 January" in (
        html.unescape(page.get_data(as_text=True))
    )
    assert _check_ins() == []

    at = set_clock("09:55")
    page = client.post("/e/fair/today/check-in", follow_redirects=True)
    text = re.sub(r"\s+", " ", page.get_data(as_text=True))
    assert "You are checked in (09:55)" in text
    assert "Checked in</span> at 09:55" in text
    [made] = _check_ins()
    assert (made.participant_id, made.checked_in_at, made.method, made.checked_in_by_id) == (
        event_day.eva.id,
        at,
        CheckInMethod.SELF,
        event_day.eva.account_id,
    )


def test_the_database_allows_one_check_in_per_person_and_day(event_day):
    for _ in range(2):
        db.session.add(
            CheckIn(
                event_id=event_day.event.id,
                participant=event_day.aiko,
                day=tokyo("09:00").date(),
                checked_in_at=tokyo("09:00"),
                method=CheckInMethod.DESK,
            )
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_deleted_registration_takes_its_check_ins_along(event_day, set_clock):
    set_clock("08:42")
    for person in (event_day.aiko, event_day.ben):
        check_in(event_day.event, person, event_day.organiser.account, CheckInMethod.DESK)
    delete_registration(event_day.aiko)
    assert [c.participant_id for c in _check_ins()] == [event_day.ben.id]


def test_the_organiser_takes_back_a_check_in_made_by_mistake(
    client, event_day, login_as, set_clock
):
    set_clock("08:42")
    login_as(event_day.organiser)
    client.post(f"/e/fair/check-in/people/{event_day.aiko.id}")
    client.post(f"/e/fair/check-in/people/{event_day.ben.id}")
    page = client.post(f"/e/fair/check-in/people/{event_day.aiko.id}/undo", follow_redirects=True)
    assert "Aiko Sato's check-in is taken back." in html.unescape(page.get_data(as_text=True))
    assert [c.participant_id for c in _check_ins()] == [event_day.ben.id]
    again = client.post(f"/e/fair/check-in/people/{event_day.aiko.id}/undo", follow_redirects=True)
    assert "Aiko Sato is not checked in today." in again.get_data(as_text=True)

    login_as(event_day.ben)
    assert client.post(f"/e/fair/check-in/people/{event_day.ben.id}/undo").status_code == 403
    assert [c.participant_id for c in _check_ins()] == [event_day.ben.id]
