"""Every approved participant's agenda as a file (`<ref>.ics`), and index.csv listing them
(participant, email, file, meetings) for mailing them with other tools: written to a folder by
`flask agendas export`, or into one ZIP by the organiser's export job."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from partnering.agenda.calendars import agenda_calendar, published_meetings
from partnering.csv_cells import SafeWriter
from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Participant, RegistrationStatus

INDEX = "index.csv"


def agenda_files(event: Event) -> Iterator[tuple[str, bytes]]:
    """(file name, contents) of each approved participant's agenda, then of index.csv. URLs
    in the calendars are built from the caller's public_urls."""
    people = db.session.execute(
        db.select(Participant)
        .filter_by(event_id=event.id, status=RegistrationStatus.APPROVED)
        .order_by(Participant.id)
    ).scalars()
    index = io.StringIO(newline="")
    writer = SafeWriter(index)
    writer.writerow(["participant", "email", "file", "meetings"])
    for person in people:
        filename = f"{person.ref}.ics"
        yield filename, agenda_calendar(person)
        meetings = sum(1 for m in published_meetings(person) if m.is_active)
        writer.writerow([person.name, person.email, filename, meetings])
    yield INDEX, index.getvalue().encode("utf-8")


def agendas_zip(event: Event) -> tuple[bytes, int]:
    """Every agenda and index.csv in one ZIP; and how many agendas it holds."""
    out = io.BytesIO()
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for filename, contents in agenda_files(event):
            archive.writestr(filename, contents)
            count += filename != INDEX
    return out.getvalue(), count
