""" "Download my data" holds the participant's check-ins, and the no-show marks they made or
that were made on their meetings; nobody else's."""

from __future__ import annotations

import json

from partnering.attendance.models import CheckInMethod
from partnering.attendance.operations import check_in, mark_no_show


def test_my_data_holds_my_check_ins_and_the_no_show_marks_by_or_about_me(
    client, event_day, login_as, set_clock
):
    set_clock("09:20")
    check_in(event_day.event, event_day.aiko, event_day.organiser.account, CheckInMethod.DESK)
    check_in(event_day.event, event_day.ben, event_day.ben.account, CheckInMethod.SELF)
    set_clock("10:10")
    # by Aiko on her own meeting; by Chloé on her meeting with Aiko; by Eva about Dmitri
    mark_no_show(event_day.meetings["ab"], event_day.aiko.account, as_organiser=False)
    mark_no_show(event_day.meetings["ac"], event_day.chloe.account, as_organiser=False)
    mark_no_show(event_day.meetings["de"], event_day.eva.account, as_organiser=False)

    login_as(event_day.aiko)
    data = json.loads(client.get("/e/fair/my-data.json").data)
    [mine] = data["check_ins"]
    assert (mine["day"], mine["method"], mine["by_themselves"]) == ("2030-01-24", "desk", False)
    assert mine["at"].startswith("2030-01-24T00:20")  # 09:20 in Tokyo, in UTC
    marks = {(m["meeting_with"][0]["name"], m["marked_by"], m["status"]) for m in data["no_shows"]}
    assert marks == {("Ben Okafor", "you", "marked"), ("Chloé Martin", "Chloé Martin", "marked")}

    login_as(event_day.ben)
    data = json.loads(client.get("/e/fair/my-data.json").data)
    assert [(c["method"], c["by_themselves"]) for c in data["check_ins"]] == [("self", True)]
    assert [(m["meeting_with"][0]["name"], m["marked_by"]) for m in data["no_shows"]] == [
        ("Aiko Sato", "Aiko Sato")
    ]

    login_as(event_day.femi)
    data = json.loads(client.get("/e/fair/my-data.json").data)
    assert (data["check_ins"], data["no_shows"]) == ([], [])
