"""The meetings-per-participant chart counts as the schedule's overview does, and its labels fit
inside the drawing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from partnering.extensions import db
from partnering.meetings.models import MeetingRequest, RequestStatus
from partnering.scheduling.charts import build_charts
from partnering.scheduling.review import schedule_state

LABEL_WIDTH = 45
"""What the chart's template allows for one label, in the drawing's units."""


def test_chart_counts_the_people_and_meetings_the_overview_counts(
    client, auth, fair, create_participant, create_meeting
):
    event, organiser = fair.event, fair.organiser
    a, b, c, d, e, f = fair.people
    ab, ac, bc, de, *_ = fair.meetings
    slots, tables = event.slots, event.tables
    ab.slot, ab.table = slots[0], tables[0]
    ac.slot, ac.table = slots[1], tables[0]
    de.slot, de.table = slots[0], tables[1]
    bc.slot = slots[3]  # a time but no table: not placed, so not counted
    # An organiser who meets someone counts; an approved person without any agreed meeting is
    # outside both counts (the dashboard lists them).
    create_meeting(event, organiser, f, slot=slots[2], table=tables[0])
    create_participant(event, name="Gina Lonely")
    db.session.commit()

    bars = build_charts(event).meetings_per_participant
    assert [(bar.label, bar.value) for bar in bars] == [("0", 0), ("1", 6), ("2", 1)]

    figures = schedule_state(event).figures
    assert bars[0].value == len(figures.without_meeting)
    assert int(next(bar.label for bar in bars if bar.value)) == figures.fewest_meetings
    assert sum(bar.value for bar in bars) == len(figures.scheduled_by_participant)

    auth.login(organiser)
    overview = client.get("/e/fair/schedule/").get_data(as_text=True)
    assert "fewest meetings of anyone (0 with none)" in overview


def test_no_chart_label_is_clipped(client, auth, fair):
    # Requests sent over 30 days: 30 narrow bars, each labelled with a date wider than its bar.
    a, b = fair.people[0], fair.people[1]
    start = datetime(2029, 12, 1, 3, tzinfo=UTC)
    db.session.add_all(
        MeetingRequest(
            event_id=fair.event.id,
            sender_id=a.id,
            recipient_id=b.id,
            status=RequestStatus.DECLINED,
            created_at=start + timedelta(days=n),
        )
        for n in range(30)
    )
    db.session.commit()
    auth.login(fair.organiser)
    page = client.get("/e/fair/schedule/charts").get_data(as_text=True)
    charts = re.findall(
        r'<svg class="chart" viewBox="([-\d.]+) 0 ([\d.]+) [\d.]+".*?</svg>', page, re.S
    )
    drawn = re.findall(r'(<svg class="chart".*?</svg>)', page, re.S)
    assert len(charts) == len(drawn) == 2
    for (left, width), svg in zip(charts, drawn, strict=True):
        left, right = float(left), float(left) + float(width)
        labels = [
            float(x)
            for x in re.findall(r'<text x="([-\d.]+)" y="[\d.]+" text-anchor="middle">', svg)
        ]
        assert labels, "every chart has labels"
        assert min(labels) - LABEL_WIDTH / 2 >= left
        assert max(labels) + LABEL_WIDTH / 2 <= right
