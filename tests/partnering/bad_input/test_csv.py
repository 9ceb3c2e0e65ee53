"""CSV files in and out: formula cells neutralised in every export, control characters and
rows longer than the header refused by line on import, without losing the upload."""

from __future__ import annotations

import csv
import io

from partnering.admin.participant_csv import check_rows, read_csv
from partnering.csv_cells import neutralised
from tests.partnering.admin.test_participant_csv import CLEAN, MAPPING, participants_of, upload


def _import(client, token, mapping=MAPPING):
    return client.post(
        "/e/osaka/admin/participants/import/columns",
        query_string={"upload": token},
        data=dict(mapping, upload=token),
    )


def test_a_row_longer_than_the_header_is_reported_by_line(client, as_organiser):
    token = upload(
        client, CLEAN + "Chen Wei;chen@fudan.example;Fudan;academia;China;;;;extra;more\n"
    )
    page = _import(client, token)
    assert page.status_code == 200
    assert b"Line 4: 10 cells, but the header has 8 columns" in page.data
    assert set(participants_of(as_organiser.event)) == {as_organiser.email}
    # The upload is kept: the mapping page still opens for another try.
    again = client.get("/e/osaka/admin/participants/import/columns", query_string={"upload": token})
    assert again.status_code == 200


def test_a_forged_column_choice_is_a_form_error(client, as_organiser):
    token = upload(client, CLEAN)
    page = _import(client, token, dict(MAPPING, name="x", email="99999999999999999999"))
    assert page.status_code == 200
    assert set(participants_of(as_organiser.event)) == {as_organiser.email}


def test_control_characters_in_cells_are_refused_by_line(client, as_organiser):
    bad = (
        CLEAN + 'Chen\x0bWei;chen@fudan.example;"Fudan\nUniversity";academia;China;;"Line\none";\n'
    )
    token = upload(client, bad)
    page = _import(client, token)
    assert page.status_code == 200
    text = page.data.decode()
    assert "Line 4: the name must not contain control characters" in text
    assert "the organisation must be a single line" in text
    assert "description" not in text.split("Line 4:")[1].split("</")[0]  # a text may span lines
    assert set(participants_of(as_organiser.event)) == {as_organiser.email}


def test_check_rows_allows_line_breaks_in_the_description(create_event):
    event = create_event()
    table = read_csv(b'Name,Email,Description\nAiko,aiko@example.jp,"one\ntwo"\n')
    rows, problems = check_rows(event, table, {"name": 0, "email": 1, "description": 2})
    assert problems == [] and rows[0].description == "one\ntwo"


def test_neutralised_cells():
    for cell in ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralised(cell) == "'" + cell
    assert neutralised("Marie Curie") == "Marie Curie" and neutralised(3) == 3


def test_participant_export_neutralises_formulas(client, as_organiser, create_participant):
    create_participant(as_organiser.event, name='=HYPERLINK("http://evil.example","x")')
    response = client.get("/e/osaka/admin/participants/export.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    names = [row[0] for row in rows]
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_agendas_index_neutralises_formulas(runner, create_event, create_participant, tmp_path):
    event = create_event()
    create_participant(event, name="@cmd|' /C calc'!A0")
    result = runner.invoke(args=["agendas", "export", "osaka", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with (tmp_path / "out" / "index.csv").open(newline="", encoding="utf-8") as index:
        rows = list(csv.reader(index))
    assert rows[1][0] == "'@cmd|' /C calc'!A0"
