"""Two small but complete events for the security tests, built through the app's own
operations: participants in every status, requests in every state, meetings placed by a real
scheduler run and published, a cancelled and an unplaced meeting, a draft and a queued run,
outbox messages, calendar feed tokens, and a CSV upload waiting for its column mapping.

Every private value of an event carries a marker, `zz<slug><level><n>`: `memb` for what any
approved participant of that event may see (the listed profiles), `priv` for what only its
organisers may see (email addresses, request messages, hidden, pending and rejected people). A
response is checked for leaks by looking for markers (and for the secrets in `World.secrets`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, time

from partnering.admin.uploads import save_upload
from partnering.agenda.operations import renew_feed_token
from partnering.auth.operations import get_or_create_account
from partnering.bulk.models import BulkJob
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.meetings import operations as requests
from partnering.outbox.models import OutboxMessage
from partnering.registrations.models import Organisation, Participant
from partnering.scheduling import operations as scheduling

MARKER = re.compile(r"zz(alpha|beta)(memb|priv)\d+")
MEMBER, PRIVATE = "memb", "priv"


@dataclass(frozen=True)
class Person:
    participant_id: int
    account_id: int
    email: str
    markers: frozenset[str]
    """The markers in this person's own data (they may see those)."""


@dataclass(frozen=True)
class Side:
    """One event, as plain ids (they outlive the app context that made them)."""

    slug: str
    event_id: int
    organiser: Person
    people: dict[str, Person]
    """visible, colleague (of visible), other, hidden, pending, rejected, and peer: an
    approved, listed participant in contact with nobody (the attacker inside the event)."""
    meetings: dict[str, int]
    requests: dict[str, int]
    runs: dict[str, int]
    publications: dict[str, int]
    messages: dict[str, int]
    bulk_jobs: dict[str, int]
    slots: list[int]
    tables: list[int]
    feed_secrets: dict[str, str]
    login_nonces: dict[str, str]
    upload: str
    """A CSV upload waiting for its column mapping."""

    def secrets(self, *, except_of: str | None = None) -> list[str]:
        """Feed secrets and login nonces of the event's people, but those of `except_of`."""
        return [
            secret
            for owned in (self.feed_secrets, self.login_nonces)
            for key, secret in owned.items()
            if key != except_of
        ]


@dataclass(frozen=True)
class World:
    alpha: Side
    beta: Side
    admin_account_id: int
    """A site administrator who takes part in neither event (creates events)."""


def build_world() -> World:
    admin = get_or_create_account("site.admin@example.org", "Site Admin")
    admin.is_admin = True
    db.session.commit()
    alpha = _build_side("alpha", date(2030, 3, 5))
    beta = _build_side("beta", date(2030, 4, 9))
    return World(alpha=alpha, beta=beta, admin_account_id=admin.id)


def _build_side(slug: str, day: date) -> Side:
    counter = itertools.count(1)

    owners: dict[str, str] = {}  # marker -> person key
    owner: list[str] = [""]

    def mark(level: str) -> str:
        marker = f"zz{slug}{level}{next(counter)}"
        owners[marker] = owner[0]
        return marker

    event = create_event(
        slug=slug,
        name=f"{slug.title()} Partnering Day",
        timezone="Europe/Paris",
        venue="Hall 1",
        description="A public description of the event.",
        topics_text="Oncology\nDiagnostics",
    )
    add_sessions(event, [SessionSpec(day, time(9), time(12)), SessionSpec(day, time(14), time(16))])
    add_tables(event, 4, seats=4)
    db.session.flush()

    organisations: dict[str, Organisation] = {}

    def person(
        key: str,
        first: str,
        *,
        org: str,
        level: str,
        role: str = "participant",
        status: str = "approved",
        show: bool = True,
    ) -> Participant:
        owner[0] = key
        # Organisations of listed people are public (the registration page may offer them);
        # those of hidden, pending and rejected people are private.
        org_name = org if level == MEMBER else f"{org} {mark(PRIVATE)}"
        if org_name not in organisations:
            organisations[org_name] = Organisation(
                event_id=event.id, name=org_name, kind="sme", country="France"
            )
        account = get_or_create_account(
            f"{first}.{mark(PRIVATE)}@{slug}.example", f"{first.title()} {mark(level)}"
        )
        participant = Participant(
            event_id=event.id,
            account=account,
            organisation=organisations[org_name],
            role=role,
            status=status,
            show_profile=show,
            job_title=f"Head of {mark(level)}",
            topics_text="Oncology",
            offer=f"We offer {mark(level)}",
            seek=f"We seek {mark(level)}",
            description=f"About us {mark(level)}",
        )
        db.session.add(participant)
        return participant

    organiser = person("organiser", "olga", org="Office", level=MEMBER, role="organiser")
    people = {
        "visible": person("visible", "alice", org="Listed Bio", level=MEMBER),
        "colleague": person("colleague", "frank", org="Listed Bio", level=MEMBER),
        "other": person("other", "bob", org="Other Pharma", level=MEMBER),
        "hidden": person("hidden", "carol", org="Quiet Labs", level=PRIVATE, show=False),
        "pending": person("pending", "dave", org="Waiting Co", level=PRIVATE, status="pending"),
        "rejected": person("rejected", "erin", org="Turned Down", level=PRIVATE, status="rejected"),
        # The attacker inside the event: approved, listed, and in contact with nobody.
        "peer": person("peer", "pat", org="Peer Inc", level=MEMBER),
    }
    owner[0] = ""
    db.session.commit()
    alice, frank, bob, carol = (people[k] for k in ("visible", "colleague", "other", "hidden"))

    def ask(sender, recipient, **kw):
        return requests.send_request(
            sender, recipient, message=f"Private note {mark(PRIVATE)}", priority=1, **kw
        )

    accepted = ask(alice, bob)
    requests.accept_request(accepted)
    with_hidden = ask(carol, bob)  # a hidden profile takes no requests, but may ask
    requests.accept_request(with_hidden)
    run = scheduling.start_run(event, organiser.account, time_limit=5)
    scheduling.apply_run(run, organiser.account)
    publication = scheduling.publish(event, "final")
    scheduling.cancel_meeting(with_hidden.meeting, organiser.account, as_organiser=True)
    late = ask(carol, frank)
    requests.accept_request(late)  # agreed after publishing: not placed
    draft = scheduling.start_run(event, organiser.account, time_limit=5)
    queued = scheduling.create_run(event, organiser.account, time_limit=5)
    pending = ask(carol, alice)
    declined = ask(frank, bob)
    requests.decline_request(declined)
    withdrawn = ask(bob, frank)
    requests.withdraw_request(withdrawn)

    feeds = {
        key: renew_feed_token(people[key]).secret
        for key in ("visible", "other", "hidden", "rejected", "peer")
    }
    messages = (
        db.session.execute(
            db.select(OutboxMessage).filter_by(event_id=event.id).order_by(OutboxMessage.id)
        )
        .scalars()
        .all()
    )
    assert len(messages) > 2, "requests and publishing queue emails"
    sent, failed = messages[0], messages[-1]
    sent.status = "sent"
    failed.status, failed.last_error = "failed", f"550 mailbox unavailable {mark(PRIVATE)}"
    bulk_job = BulkJob(
        event_id=event.id, kind="resend_failed", status="done", params={}, result=mark(PRIVATE)
    )
    # An export's file is the event's private data: only its organisers may download it.
    export_job = BulkJob(
        event_id=event.id,
        kind="export_agendas",
        status="done",
        params={},
        download=mark(PRIVATE).encode(),
    )
    db.session.add_all([bulk_job, export_job])
    db.session.commit()
    assert accepted.meeting.is_placed and accepted.meeting.published_at is not None
    assert not late.meeting.is_placed and draft.status == "done" and queued.status == "queued"

    everyone = {"organiser": organiser, **people}
    keys = {p.id: key for key, p in everyone.items()}

    def who(p: Participant) -> Person:
        own = frozenset(m for m, k in owners.items() if k == keys[p.id])
        return Person(p.id, p.account_id, p.account.email, own)

    return Side(
        slug=slug,
        event_id=event.id,
        organiser=who(organiser),
        people={key: who(p) for key, p in people.items()},
        meetings={
            "published": accepted.meeting.id,
            "cancelled": with_hidden.meeting.id,
            "unplaced": late.meeting.id,
        },
        requests={
            "pending": pending.id,
            "accepted": accepted.id,
            "declined": declined.id,
            "withdrawn": withdrawn.id,
        },
        runs={"applied": run.id, "draft": draft.id, "queued": queued.id},
        publications={"done": publication.id},
        messages={"sent": sent.id, "failed": failed.id},
        bulk_jobs={"done": bulk_job.id, "export": export_job.id},
        slots=[s.id for s in event.slots],
        tables=[t.id for t in event.tables],
        feed_secrets=feeds,
        login_nonces={key: p.account.login_nonce for key, p in everyone.items()},
        upload=save_upload(event, _csv(slug, mark).encode()),
    )


def _csv(slug: str, mark) -> str:
    """A participant list to import, with one new person and one existing address."""
    return (
        "Name,Email,Organisation,Type,Country\n"
        f"Newcomer {mark(PRIVATE)},new.{mark(PRIVATE)}@{slug}.example,New Org,sme,Japan\n"
    )
