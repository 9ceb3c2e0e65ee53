import io

from partnering.admin.participant_csv import (
    check_rows,
    export_rows,
    guess_mapping,
    read_csv,
    write_csv,
)
from partnering.auth.models import Account
from partnering.extensions import db
from partnering.registrations.models import Participant
from tests.csv_uploads import MAPPING, upload

HEADER = "Full name;E-mail;Company;Type;Country;Interests;About;Stand\n"
CLEAN = (
    HEADER
    + "Aiko Tanaka;aiko@takeda.example;Takeda;pharma;Japan;Oncology;Small molecules;T01\n"
    + "Bruno Costa;Bruno@BioLab.example;BioLab;SME / start-up;Brazil;Oncology | Diagnostics;;\n"
)


def participants_of(event):
    db.session.expire_all()
    return {
        p.email: p
        for p in db.session.execute(db.select(Participant).filter_by(event_id=event.id)).scalars()
    }


def test_headings_guess_the_columns():
    headers = ["E-Mail Address", "Full Name", "Organization", "Org type", "Stand", "Notes"]
    assert guess_mapping(headers) == {
        "name": 1,
        "email": 0,
        "organisation": 2,
        "kind": 3,
        "country": None,
        "topics": None,
        "description": None,
        "booth": 4,
    }


def test_rows_keep_their_line_numbers_across_quoted_line_breaks():
    table = read_csv(b'Name,Email\n"Multi\nline",a@example.org\n\nB,b@example.org\n')
    assert [line for line, _ in table.rows] == [2, 5]


def test_every_bad_row_is_reported_with_its_line(create_event):
    event = create_event(topics_text="Oncology\nDiagnostics")
    text = (
        "Name,Email,Type,Booth,Topics\n"
        "Aiko Tanaka,aiko@example.org,pharma,T01,Oncology\n"
        ",nobody@example.org,,,\n"
        "Bruno Costa,not-an-email,,,\n"
        "Chen Wei,AIKO@example.org,,,\n"
        "Dana Roy,dana@example.org,bank,T99,Astrology\n"
    )
    rows, problems = check_rows(
        event, read_csv(text.encode()), {"name": 0, "email": 1, "kind": 2, "booth": 3, "topics": 4}
    )
    assert [row.name for row in rows] == ["Aiko Tanaka"]
    assert problems[0] == "Line 3: the name is missing."
    assert problems[1] == "Line 4: “not-an-email” is not an email address."
    assert problems[2] == "Line 5: aiko@example.org is already on line 2."
    assert problems[3].startswith("Line 6: unknown organisation type “bank”")
    assert "there is no table “T99” for a booth" in problems[3]
    assert "unknown topics: Astrology" in problems[3]


def test_name_and_email_columns_are_required(create_event):
    event = create_event()
    rows, problems = check_rows(event, read_csv(b"A,B\nx,y\n"), {"name": 0, "email": None})
    assert rows == [] and problems == ["Choose the column that holds: Email."]


def test_bytes_that_are_not_utf8_are_refused_on_upload(client, as_organiser):
    page = client.post(
        "/e/osaka/admin/participants/import",
        data={"file": (io.BytesIO("Name\nJosé\n".encode("latin-1")), "people.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 200 and b"is not UTF-8" in page.data


def test_column_page_shows_the_guess_and_a_preview(client, as_organiser):
    token = upload(client, CLEAN)
    page = client.get("/e/osaka/admin/participants/import/columns", query_string={"upload": token})
    assert page.status_code == 200
    assert b'<option selected value="1">E-mail</option>' in page.data
    assert b"Aiko Tanaka" in page.data and b"2 rows in the file" in page.data


def test_clean_file_imports_approved_participants(client, as_organiser):
    event = as_organiser.event
    token = upload(client, CLEAN)
    page = client.post(
        "/e/osaka/admin/participants/import/columns",
        query_string={"upload": token},
        data=dict(MAPPING, upload=token),
        follow_redirects=True,
    )
    assert b"2 participants created, 0 updated" in page.data
    people = participants_of(event)
    aiko, bruno = people["aiko@takeda.example"], people["bruno@biolab.example"]
    assert aiko.name == "Aiko Tanaka" and aiko.status == "approved"
    assert (aiko.organisation.name, aiko.organisation.kind) == ("Takeda", "pharma")
    assert aiko.organisation.country == "Japan" and aiko.booth.name == "T01"
    assert aiko.topics == ["Oncology"] and aiko.description == "Small molecules"
    assert bruno.organisation.kind == "sme" and bruno.topics == ["Oncology", "Diagnostics"]
    # The upload is spent.
    again = client.get("/e/osaka/admin/participants/import/columns", query_string={"upload": token})
    assert again.status_code == 302


def test_a_file_with_one_bad_row_imports_nothing(client, as_organiser):
    event = as_organiser.event
    token = upload(client, CLEAN + "Chen Wei;chen@fudan;Fudan;academia;China;;;\n")
    page = client.post(
        "/e/osaka/admin/participants/import/columns",
        query_string={"upload": token},
        data=dict(MAPPING, upload=token),
    )
    assert page.status_code == 200
    assert "Line 4: “chen@fudan” is not an email address.".encode() in page.data
    assert b"Nothing was imported" in page.data
    assert set(participants_of(event)) == {as_organiser.email}
    assert (
        db.session.execute(db.select(Account).filter_by(email="aiko@takeda.example")).first()
        is None
    )


def test_existing_emails_are_updated_not_duplicated(client, as_organiser, create_participant):
    event = as_organiser.event
    aiko = create_participant(
        event, name="A. Tanaka", email="aiko@takeda.example", status="rejected"
    )
    token = upload(client, CLEAN)
    page = client.post(
        "/e/osaka/admin/participants/import/columns",
        query_string={"upload": token},
        data=dict(MAPPING, upload=token),
        follow_redirects=True,
    )
    assert b"1 participant created, 1 updated" in page.data
    people = participants_of(event)
    assert len(people) == 3
    updated = people["aiko@takeda.example"]
    assert updated.id == aiko.id
    assert updated.status == "rejected"  # an organiser's decision is not undone by a file
    # The name and profile are the account owner's; the booth is the organiser's.
    assert updated.name == "A. Tanaka" and updated.description == ""
    assert updated.booth.name == "T01"


def test_an_upload_belongs_to_its_event(client, as_organiser, create_event, create_participant):
    token = upload(client, CLEAN)
    kobe = create_event(slug="kobe")
    create_participant(kobe, email=as_organiser.email, role="organiser")
    response = client.get(
        "/e/kobe/admin/participants/import/columns", query_string={"upload": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/e/kobe/admin/participants/import")


def test_a_forged_upload_token_is_refused(client, as_organiser):
    response = client.get(
        "/e/osaka/admin/participants/import/columns", query_string={"upload": "../../etc/passwd"}
    )
    assert response.status_code == 302


def test_export_has_the_import_columns_and_round_trips(client, as_organiser, create_participant):
    event = as_organiser.event
    token = upload(client, CLEAN)
    client.post(
        "/e/osaka/admin/participants/import/columns",
        query_string={"upload": token},
        data=dict(MAPPING, upload=token),
    )
    response = client.get("/e/osaka/admin/participants/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = read_csv(response.data)
    assert table.headers[:8] == [
        "Name",
        "Email",
        "Organisation",
        "Organisation type",
        "Country",
        "Topics",
        "Description",
        "Booth",
    ]
    mapping = guess_mapping(table.headers)
    rows, problems = check_rows(event, table, mapping)
    assert problems == []
    aiko = next(row for row in rows if row.email == "aiko@takeda.example")
    assert (aiko.organisation, aiko.kind, aiko.country, aiko.booth) == (
        "Takeda",
        "pharma",
        "Japan",
        "T01",
    )


def test_export_follows_the_filters(client, as_organiser, create_participant):
    create_participant(as_organiser.event, name="Pending Person", status="pending")
    response = client.get("/e/osaka/admin/participants/export.csv?status=pending")
    assert [row[0] for row in read_csv(response.data).rows] == [2]
    assert b"Pending Person" in response.data and b"Olivia Organiser" not in response.data


def test_export_rows_write_plain_csv(create_event, create_participant):
    event = create_event()
    person = create_participant(event, name='Zoë "Z" Müller', organisation="Acme, Inc.")
    text = write_csv(export_rows([person]))
    assert '"Zoë ""Z"" Müller"' in text and '"Acme, Inc."' in text


def test_participants_cannot_import_or_export(client, auth, create_event, create_participant):
    event = create_event()
    auth.login(create_participant(event))
    assert client.get("/e/osaka/admin/participants/import").status_code == 403
    assert client.get("/e/osaka/admin/participants/export.csv").status_code == 403
