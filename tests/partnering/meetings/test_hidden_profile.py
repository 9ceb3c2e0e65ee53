"""A hidden profile means "nobody can ask me": no request reaches it, by the page or by a
crafted POST."""

from partnering.extensions import db
from partnering.meetings import rules
from partnering.meetings.models import MeetingRequest

REQUEST = {"priority": "1", "message": "Let us meet"}


def test_nobody_can_send_a_request_to_a_hidden_profile(
    client, auth, create_event, create_participant
):
    event = create_event()
    me = create_participant(event, name="Marie Curie")
    hidden = create_participant(event, name="Hana Hidden")
    hidden.show_profile = False
    db.session.commit()
    assert rules.send_refusal(me, hidden) == "Hana Hidden does not take meeting requests."
    auth.login(me)
    client.post(f"/e/osaka/meetings/request/{hidden.id}", data=REQUEST)
    assert db.session.execute(db.select(MeetingRequest)).first() is None


def test_a_hidden_person_may_still_answer_someone_they_asked(
    send, create_event, create_participant
):
    event = create_event()
    me = create_participant(event, name="Marie Curie")
    hidden = create_participant(event, name="Hana Hidden")
    hidden.show_profile = False
    db.session.commit()
    send(hidden, me)  # they asked first: asking back is agreeing
    assert rules.send_refusal(me, hidden) is None
