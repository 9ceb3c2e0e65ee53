"""Turn an imported event into the days before its request deadline, and hand out login links.

Run with the app's configuration in the environment (PARTNERING_SQLALCHEMY_DATABASE_URI ...):

    python benchmarks/load/prepare.py --slug bio --participants 300 --organisers 6 --out plan.json

It sets the request deadline three days ahead, marks the placed meetings as published
(preliminary), gives every chosen participant a few pending requests to answer and a calendar
subscription, adds organisers, and writes a plan (JSON) with one single-use login link per
simulated user. Publishing is written directly: the app's publish also queues an agenda email
to every participant, which is not what the load test measures.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import timedelta
from pathlib import Path

from flask import url_for
from sqlalchemy import func, insert, select, update

from partnering import create_app
from partnering.agenda.models import FeedToken
from partnering.auth.operations import get_or_create_account, login_token
from partnering.db_types import utcnow
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest, meeting_participant
from partnering.registrations.models import Organisation, Participant

INCOMING_PER_USER = 4
SEARCH_WORDS = ["p0", "p1", "p12", "sme", "pharma", "investor", "academia", "o00", "JP", "US"]


def prepare(slug: str, participants: int, organisers: int, seed: int) -> dict:
    rng = random.Random(seed)
    event = db.session.execute(select(Event).filter_by(slug=slug)).scalar_one()
    now = utcnow()
    event.request_deadline = now + timedelta(days=3)
    event.schedule_state, event.published_at = "preliminary", now
    db.session.execute(
        update(Meeting)
        .where(Meeting.event_id == event.id, Meeting.slot_id.is_not(None))
        .where(Meeting.table_id.is_not(None))
        .values(published_at=now)
    )
    everyone = list(
        db.session.execute(
            select(Participant.id).filter_by(event_id=event.id, status="approved")
        ).scalars()
    )
    # Simulated participants are people with a published meeting, so their agendas show one.
    with_meetings = sorted(
        set(
            db.session.execute(
                select(meeting_participant.c.participant_id)
                .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
                .where(Meeting.event_id == event.id, Meeting.published_at.is_not(None))
            ).scalars()
        )
    )
    chosen = rng.sample(with_meetings, participants)
    pairs = {
        (sender, recipient)
        for recipient in chosen
        for sender in rng.sample(everyone, INCOMING_PER_USER)
        if sender != recipient
    }
    db.session.execute(
        insert(MeetingRequest),
        [
            {
                "event_id": event.id,
                "sender_id": sender,
                "recipient_id": recipient,
                "message": "We would like to discuss a licensing partnership.",
                "priority": 1,
                "status": "pending",
                "created_at": now,
            }
            for sender, recipient in sorted(pairs)
        ],
    )
    db.session.add_all(FeedToken(participant_id=pid) for pid in chosen)
    organisation = Organisation(event_id=event.id, name="Organising committee", kind="other")
    organiser_accounts = [
        get_or_create_account(f"organiser{n}@{slug}.invalid", f"Organiser {n}")
        for n in range(1, organisers + 1)
    ]
    db.session.add_all(
        Participant(
            event_id=event.id,
            account=account,
            organisation=organisation,
            role="organiser",
            status="approved",
        )
        for account in organiser_accounts
    )
    db.session.commit()

    people = db.session.execute(
        select(Participant).where(Participant.id.in_(chosen)).order_by(Participant.id)
    ).scalars()
    tokens = dict(
        db.session.execute(
            select(FeedToken.participant_id, FeedToken.secret).where(
                FeedToken.participant_id.in_(chosen)
            )
        ).all()
    )
    first, last = db.session.execute(
        select(func.min(Participant.id), func.max(Participant.id)).filter_by(event_id=event.id)
    ).one()
    plan = {
        "slug": slug,
        "participant_ids": [first, last],
        "search_words": SEARCH_WORDS,
        "participants": [
            {
                "login": url_for("auth.use_link", token=login_token(p.account)),
                "feed": url_for("agenda.feed", slug=slug, participant_id=p.id, secret=tokens[p.id]),
            }
            for p in people
        ],
        "organisers": [
            {"login": url_for("auth.use_link", token=login_token(a))} for a in organiser_accounts
        ],
    }
    rng.shuffle(plan["participants"])
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", required=True)
    parser.add_argument("--participants", type=int, required=True, help="simulated participants")
    parser.add_argument("--organisers", type=int, required=True, help="simulated organisers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="where to write the plan (JSON)")
    args = parser.parse_args(argv)
    app = create_app()
    with app.test_request_context():
        plan = prepare(args.slug, args.participants, args.organisers, args.seed)
    args.out.write_text(json.dumps(plan, indent=1))
    print(
        f"Prepared /e/{args.slug}/: {len(plan['participants'])} participant and "
        f"{len(plan['organisers'])} organiser logins in {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
