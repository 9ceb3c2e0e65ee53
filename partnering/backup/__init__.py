"""One event, whole, as a `partnering-event/1` JSON document: to back it up, move it to another
database, or copy it under a new slug.

The document (every key is required; lists are in the order the rows were created):

    format          "partnering-event/1"
    event           every column of the event (slug, name, deadlines, limits, schedule_state,
                    published_at, created_at, ...)
    accounts        the accounts the event refers to: email, name, created_at (never a login
                    secret or the site-administrator flag: those belong to the site)
    sessions        ref, day, start, end
    slots           ref, session (a session ref or null), start, end, external_ref
    tables          ref, name, seats, hidden, position, external_ref
    organisations   ref, name, kind, country, external_ref
    participants    ref, account (an email of `accounts`), organisation, booth (a table ref),
                    profile and limits, unavailable_slots (slot refs), feed_token (the calendar
                    subscription's secret and created_at, or null)
    meetings        ref, uid, sequence, announced_sequence, status, priority, participants,
                    allowed_slots, slot, table, locked, published_at, cancelled_at,
                    cancelled_by (an email), external_ref, timestamps
    requests        sender, recipient, message, priority, status, meeting (a meeting ref or
                    null), created_at, answered_at
    schedule_runs   the finished runs as history: who and when, parameters, status, figures,
                    error; not the problem and result they stored
    check_ins       participant, day, checked_in_at, method, checked_in_by (an email or null),
                    checked_out_at, checked_out_by (null while there; optional on import)
    no_shows        meeting, slot (where it was marked), status, marked_by (an email),
                    marked_at, undone_at
    invitations     participant, invited_at, invited_by (an email or null)
    registration_digest
                    sent_through (registrations up to then were in a digest), or null

Files written before check_ins, no_shows, invitations and registration_digest were added are
read as having none of them.

Rows refer to each other by refs given in the file (`slot-3`, `person-12`, ...) and to accounts
by email; no database id appears. Instants are ISO 8601 in UTC.

Left out, on purpose:
- a run's stored problem and result: they name rows by ids of this database (`p40`, `m7`), which
  would mean other rows after a move; so the export is refused while a run is queued, running,
  or waits as a draft for review (apply or reject it first);
- the outbox: sent emails are history of this site, and waiting ones carry this site's links;
  `unsent_emails` counts those left behind, for a warning.
"""

from partnering.backup.document import FORMAT, BackupRefused
from partnering.backup.export import export_event, unsent_emails
from partnering.backup.restore import Restored, restore_event

__all__ = [
    "FORMAT",
    "BackupRefused",
    "Restored",
    "export_event",
    "restore_event",
    "unsent_emails",
]
