"""Page times at 150, 2,000 and 18,000 participants: a busy participant's pages and the organiser's.

    PYTHONPATH=. .venv/bin/python benchmarks/pages/run.py --database postgresql+psycopg://postgres@127.0.0.1:5432/partnering_bench_pages

For each size (the `osaka`, `large` and `bio` presets of `scheduler.generate`): an emptied
database, the event imported with every meeting the first-come baseline places arriving
placed and the busiest participant given placed meetings up to 40 (`with_busy_participant`:
a partner and a table free in each of their free slots; the `osaka` event has only 30 slots),
the schedule's database part published (preliminary; no agenda email is built), then
each page requested in turn through the Flask test client, logged in: "My meetings", the agenda
and the `.ics` of the participant with the most published meetings, and the organiser's
dashboard, registrations, grid (first day, first page, no filter), unscheduled list and charts.
N sequential requests of each page, median and max in ms: a participant's page after one
request not counted (a page's first request compiles its templates), the organiser's slower
pages without one (at 18,000 participants, `--organiser-requests 1` keeps the run short).
Prints one Markdown table. The database is emptied (every table dropped) first, unless
`--existing` measures the events a previous run left there.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace

from flask import Flask, url_for
from sqlalchemy import func, select

from benchmarks.first_come import placed_by_first_come
from partnering import create_app
from partnering.auth.models import Account
from partnering.auth.operations import get_or_create_account, start_login_session
from partnering.db_types import utcnow
from partnering.events.models import Event, Publication
from partnering.extensions import db
from partnering.meetings.models import Meeting, meeting_participant
from partnering.registrations.models import Participant, RegistrationStatus
from partnering.scheduling.problem_import import import_document
from partnering.scheduling.publishing import publish_and_plan
from scheduler.generate import PRESETS
from scheduler.problem import Fixed, Problem
from scheduler.problem import Meeting as ProblemMeeting
from scheduler.problem_json import problem_to_dict

PARTICIPANT_PAGES = [
    ("my meetings", "meetings.mine"),
    ("agenda", "agenda.mine"),
    ("agenda .ics", "agenda.download"),
]
ORGANISER_PAGES = [
    ("dashboard", "admin.dashboard"),
    ("registrations", "admin.participants"),
    ("grid", "scheduling.grid"),
    ("unscheduled", "scheduling.unscheduled"),
    ("charts", "scheduling.charts"),
]


BUSY = 40
"""Published meetings the measured participant gets (the issue's busy participant)."""


def placed_document(preset: str) -> dict:
    """The preset event with what the first-come baseline places arriving placed (as the
    publish bench imports it), and its busiest participant given meetings up to BUSY."""
    return problem_to_dict(with_busy_participant(placed_by_first_come(PRESETS[preset]())))


def with_busy_participant(problem: Problem, target: int = BUSY) -> Problem:
    """The problem with placed meetings added for the participant with the most placed ones,
    until they have `target` (or no free slot of theirs is left): in each slot where they are
    free, with the first partner who is free then, below their limit, without a booth and of
    another organisation, at their booth or the first free ordinary table that seats two.
    Their own limit is raised to what they get."""
    fixed = [m for m in problem.meetings if m.fixed is not None]
    count = Counter(p for m in fixed for p in m.participants)
    busy = {(p, m.fixed.slot) for m in fixed for p in m.participants}
    taken = {(m.fixed.slot, m.fixed.table) for m in fixed}
    who = problem.participant_by_id[max(count, key=lambda p: (count[p], p))]
    ordinary = [
        t.id for t in problem.tables if t.id not in problem.booth_tables and (t.seats or 2) >= 2
    ]
    candidates = sorted(
        (
            p
            for p in problem.participants
            if p.id != who.id and p.booth is None and p.organisation != who.organisation
        ),
        key=lambda p: (count[p.id], p.id),
    )
    added = []
    for slot in problem.slots:
        if count[who.id] >= target:
            break
        if slot.id not in who.available or (who.id, slot.id) in busy:
            continue
        tables = [who.booth] if who.booth else ordinary
        table = next((t for t in tables if (slot.id, t) not in taken), None)
        partner = next(
            (
                p
                for p in candidates
                if slot.id in p.available
                and (p.id, slot.id) not in busy
                and (p.max_meetings is None or count[p.id] < p.max_meetings)
            ),
            None,
        )
        if table is None or partner is None:
            continue
        added.append(
            ProblemMeeting(
                f"busy-{len(added) + 1}", (who.id, partner.id), fixed=Fixed(slot.id, table)
            )
        )
        busy |= {(who.id, slot.id), (partner.id, slot.id)}
        taken.add((slot.id, table))
        count[partner.id] += 1
        count[who.id] += 1
    limit = who.max_meetings
    raised = replace(who, max_meetings=None if limit is None else max(limit, count[who.id]))
    return replace(
        problem,
        participants=tuple(raised if p.id == who.id else p for p in problem.participants),
        meetings=problem.meetings + tuple(added),
    )


def busiest_participant(event_id: int) -> tuple[int, int]:
    """The participant with the most published meetings: (participant id, meetings)."""
    count = func.count().label("meetings")
    row = db.session.execute(
        select(meeting_participant.c.participant_id, count)
        .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
        .where(Meeting.event_id == event_id, Meeting.published_at.is_not(None))
        .group_by(meeting_participant.c.participant_id)
        .order_by(count.desc(), meeting_participant.c.participant_id)
        .limit(1)
    ).one()
    return row[0], row[1]


def add_organiser(event) -> int:
    """An organiser of the event (as the event's creator is), added once: returns their
    account's id."""
    account = get_or_create_account(f"organiser@{event.slug}.invalid", "Organiser")
    if not db.session.scalar(
        select(func.count())
        .select_from(Participant)
        .where(Participant.event_id == event.id, Participant.account_id == account.id)
    ):
        db.session.add(
            Participant(
                event=event, account=account, role="organiser", status=RegistrationStatus.APPROVED
            )
        )
    db.session.commit()
    return account.id


def timed(
    app: Flask, account_id: int, pages: list, slug: str, requests: int, warm_up: bool
) -> dict:
    """Each page `requests` times, after one untimed request with `warm_up`:
    {label: (median ms, max ms)}."""
    client = app.test_client()
    with app.app_context():
        key = start_login_session(db.session.get(Account, account_id))
        db.session.commit()
        db.session.remove()
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    with app.test_request_context():
        urls = [(label, url_for(endpoint, slug=slug)) for label, endpoint in pages]
    times = {}
    for label, url in urls:
        samples = []
        for n in range(requests + warm_up):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            if n or not warm_up:
                samples.append(elapsed)
        times[label] = (statistics.median(samples), max(samples))
        print(f"  {label}: {times[label][0]:.0f} ms median", file=sys.stderr, flush=True)
    return times


def measure(
    database: str, preset: str, requests: int, organiser_requests: int, existing: bool
) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "bench-pages-" + "x" * 32})
    figures: dict = {"preset": preset}
    with app.app_context():
        if existing:
            event = db.session.execute(select(Event).filter_by(slug=preset)).scalar_one()
        else:
            db.drop_all()
            db.create_all()
            event, _ = import_document(placed_document(preset), preset)
            publish_and_plan(event, Publication.PRELIMINARY, utcnow())
            db.session.commit()
        slug, event_id = event.slug, event.id
        figures["participants"] = db.session.scalar(
            select(func.count())
            .select_from(Participant)
            .where(Participant.event_id == event_id, Participant.role == "participant")
        )
        figures["published"] = db.session.scalar(
            select(func.count())
            .select_from(Meeting)
            .where(Meeting.event_id == event_id, Meeting.published_at.is_not(None))
        )
        participant_id, figures["meetings"] = busiest_participant(event_id)
        participant_account = db.session.get(Participant, participant_id).account_id
        organiser_account = add_organiser(event)
        db.session.remove()
    figures["pages"] = timed(app, participant_account, PARTICIPANT_PAGES, slug, requests, True)
    figures["pages"] |= timed(
        app, organiser_account, ORGANISER_PAGES, slug, organiser_requests, False
    )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL; it is emptied")
    parser.add_argument("--presets", default="osaka,large,bio")
    parser.add_argument("--requests", type=int, default=20, help="per participant page")
    parser.add_argument("--organiser-requests", type=int, default=5, help="per organiser page")
    parser.add_argument(
        "--existing",
        action="store_true",
        help="measure the events a previous run left in the database, without importing "
        "them again (to compare two versions of the code on the same data)",
    )
    args = parser.parse_args()
    rows = []
    for preset in args.presets.split(","):
        print(f"{preset}:", file=sys.stderr, flush=True)
        rows.append(
            measure(args.database, preset, args.requests, args.organiser_requests, args.existing)
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{platform.processor() or platform.machine()}, {platform.python_version()}, "
        f"load average {load}; {args.requests} requests per participant page, "
        f"{args.organiser_requests} per organiser page"
    )
    print()
    labels = [label for label, _ in PARTICIPANT_PAGES + ORGANISER_PAGES]
    print(
        "| event | participants | published meetings | the participant's meetings | "
        + " | ".join(f"{label} ms" for label in labels)
        + " |"
    )
    print("| --- |" + " ---: |" * (3 + len(labels)))
    for f in rows:
        cells = [f"{f['pages'][label][0]:.0f} (max {f['pages'][label][1]:.0f})" for label in labels]
        print(
            f"| {f['preset']} | {f['participants']:,} | {f['published']:,} | {f['meetings']} | "
            + " | ".join(cells)
            + " |"
        )


if __name__ == "__main__":
    main()
