"""Every approved participant's agenda as a file (`<ref>.ics`), and index.csv listing them
(participant, email, file, meetings) for mailing them with other tools: written to a folder by
`flask agendas export`, or into one ZIP by the organiser's export job."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from partnering.agenda.calendars import agenda_calendar
from partnering.csv_cells import SafeWriter
from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.loading import shown_person
from partnering.registrations.models import Participant, RegistrationStatus
from partnering.scheduling.people import published_meetings_of

INDEX = "index.csv"
BATCH = 500
"""People whose agendas are built from one load."""


def agenda_files(event: Event) -> Iterator[tuple[str, bytes]]:
    """(file name, contents) of each approved participant's agenda, then of index.csv. URLs
    in the calendars are built from the caller's public_urls. People and their meetings are
    loaded BATCH at a time, in a fixed number of queries per batch."""
    ids = list(
        db.session.execute(
            db.select(Participant.id)
            .filter_by(event_id=event.id, status=RegistrationStatus.APPROVED)
            .order_by(Participant.id)
        ).scalars()
    )
    index = io.StringIO(newline="")
    writer = SafeWriter(index)
    writer.writerow(["participant", "email", "file", "meetings"])
    for start in range(0, len(ids), BATCH):
        chosen = ids[start : start + BATCH]
        people = db.session.execute(
            db.select(Participant)
            .where(Participant.id.in_(chosen))
            .order_by(Participant.id)
            .options(*shown_person())
        ).scalars()
        meetings = published_meetings_of(chosen)
        for person in people:
            filename = f"{person.ref}.ics"
            yield filename, agenda_calendar(person, meetings[person.id])
            active = sum(1 for m in meetings[person.id] if m.is_active)
            writer.writerow([person.name, person.email, filename, active])
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
