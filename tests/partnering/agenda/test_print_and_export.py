import csv

import icalendar

from partnering.scheduling import operations


def test_participant_prints_their_agenda(client, auth, published):
    auth.login(published.aiko)
    page = client.get("/e/osaka/agenda/print").get_data(as_text=True)
    assert "Aiko Tanaka" in page and "Kobe Bio" in page
    assert (
        "10:00–10:30" in page and "T01" in page and "Marc Dubois" in page and "Lyon Pharma" in page
    )
    assert "Grand Front Osaka" in page and "All times are in Asia/Tokyo" in page
    assert "print.css" in page


def test_organiser_prints_anyones_agenda_tables_and_days(client, auth, published):
    auth.login(published.organiser)
    person = client.get(f"/e/osaka/agenda/print/people/{published.jun.id}").get_data(as_text=True)
    assert "Jun Park" in person and "Aiko Tanaka" in person
    tables = client.get("/e/osaka/agenda/print/tables").get_data(as_text=True)
    assert tables.count('class="sheet"') == 2  # the two tables that hold a meeting
    assert "Table T01" in tables and "Aiko Tanaka (Kobe Bio) · Marc Dubois (Lyon Pharma)" in tables
    days = client.get("/e/osaka/agenda/print/days").get_data(as_text=True)
    assert "Thursday 24 January 2030" in days and "09:00" in days and "16:30" in days


def test_participants_cannot_print_the_organisers_sheets(client, auth, published):
    auth.login(published.aiko)
    assert client.get("/e/osaka/agenda/print/tables").status_code == 403
    assert client.get("/e/osaka/agenda/print/days").status_code == 403
    assert client.get(f"/e/osaka/agenda/print/people/{published.jun.id}").status_code == 403


def test_agendas_export_writes_one_calendar_per_participant_and_an_index(
    runner, published, tmp_path
):
    operations.cancel_meeting(published.second, published.organiser.account, as_organiser=True)
    out = tmp_path / "agendas"
    result = runner.invoke(args=["agendas", "export", "osaka", str(out)])
    assert result.exit_code == 0, result.output
    with (out / "index.csv").open(encoding="utf-8") as index:
        rows = {row["email"]: row for row in csv.DictReader(index)}
    people = ["aiko@example.jp", "marc@example.fr", "jun@example.kr", published.organiser.email]
    assert set(rows) == set(people)
    assert rows["aiko@example.jp"]["meetings"] == "1"  # the cancelled one does not count
    assert rows["jun@example.kr"]["meetings"] == "0"
    calendar = icalendar.Calendar.from_ical((out / rows["aiko@example.jp"]["file"]).read_bytes())
    statuses = sorted(str(e["status"]) for e in calendar.walk("VEVENT"))
    assert statuses == ["CANCELLED", "CONFIRMED"]
    description = str(calendar.walk("VEVENT")[0]["description"])
    assert f"Profile: http://localhost/e/osaka/people/{published.marc.id}" in description


def test_agendas_export_of_an_unknown_event_is_one_line(runner, ctx, tmp_path):
    result = runner.invoke(args=["agendas", "export", "nope", str(tmp_path)])
    assert result.exit_code != 0
    assert result.output.strip() == "Error: no event with slug 'nope'"
