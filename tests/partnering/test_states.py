"""The state machines' enums: what the models store, what people read, and that a state
column only ever holds a member."""

from __future__ import annotations

import pytest

from partnering.events.models import Event, Publication
from partnering.meetings.models import Meeting, MeetingRequest, MeetingStatus, RequestStatus
from partnering.outbox.models import BADGES, OutboxMessage, OutboxStatus
from partnering.registrations.models import Participant, RegistrationStatus
from partnering.scheduling.models import RunStatus, ScheduleRun
from partnering.states import STATE_LENGTH

MACHINES = {
    Event: ("schedule_state", Publication),
    Participant: ("status", RegistrationStatus),
    Meeting: ("status", MeetingStatus),
    MeetingRequest: ("status", RequestStatus),
    ScheduleRun: ("status", RunStatus),
    OutboxMessage: ("status", OutboxStatus),
}


@pytest.mark.parametrize("model", MACHINES, ids=lambda m: m.__name__)
def test_a_state_column_stores_the_values_and_reads_back_members(model):
    name, states = MACHINES[model]
    column = model.__table__.c[name]
    assert column.type.enums == [s.value for s in states]
    assert column.type.length == STATE_LENGTH >= max(len(s) for s in states)
    assert column.type.enum_class is states
    assert all(s.label and s.label[0].isupper() for s in states)


@pytest.mark.parametrize("model", MACHINES, ids=lambda m: m.__name__)
def test_a_stored_string_becomes_its_member_and_an_unknown_one_is_refused(model):
    name, states = MACHINES[model]
    row = model()
    last = list(states)[-1]
    setattr(row, name, last.value)
    assert getattr(row, name) is last and getattr(row, name).label == last.label
    with pytest.raises(ValueError, match="'lost' is not a valid"):
        setattr(row, name, "lost")


def test_parse_finds_a_member_by_its_value_only():
    assert OutboxStatus.parse("failed") is OutboxStatus.FAILED
    assert OutboxStatus.parse("Failed") is None
    assert OutboxStatus.parse("") is None


def test_every_email_state_has_a_badge():
    assert set(BADGES) == set(OutboxStatus)


def test_a_run_says_what_it_is_without_the_page_spelling_states():
    run = ScheduleRun(status=RunStatus.DONE, summary={"stopped_early": True})
    assert run.is_draft and run.has_result and not run.is_active
    assert run.status_label == "Draft (stopped early): ready to review"
    run.status = RunStatus.CANCELLED
    assert run.ended_without_result and not run.has_result
    assert run.status_label == "Cancelled"
