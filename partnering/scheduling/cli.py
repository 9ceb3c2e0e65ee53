"""Scheduling's commands: `flask --app partnering schedule run|publish|status|export SLUG`,
and an event's scheduling problem out and in as a file (partnering-problem/1, which
`python -m scheduler` reads): `event export-problem SLUG`, `event import FILE --slug SLUG`."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from partnering.bulk.operations import BulkRefused, apply_here
from partnering.events.cli import event_by_slug
from partnering.events.models import Publication
from partnering.extensions import db
from partnering.jobs import jobs_running
from partnering.outbox.operations import deliver_soon
from partnering.scheduling import operations
from partnering.scheduling.models import PublishStatus, ScheduleRun
from partnering.scheduling.placement import (
    EventRows,
    current_placement,
    schedule_from_placement,
)
from partnering.scheduling.problem import problem_document, problem_for_event
from partnering.scheduling.problem_import import ImportRefused, import_document
from partnering.scheduling.publishing import active_publication, latest_publication
from partnering.scheduling.review import review_run, schedule_state
from partnering.scheduling.runs import execute_run
from partnering.wording import counted
from scheduler import FormatError, dump_json, explain, read_json, schedule_to_dict

NOT_RUNNING = (
    "Background jobs are not running: queued runs and emails wait until a job consumer is "
    "started (`flask --app partnering serve` or `huey_consumer partnering.jobs.huey`)."
)

schedule_group = AppGroup("schedule", help="Run, publish and export an event's schedule.")


@schedule_group.command("run")
@click.argument("slug")
@click.option("--time-limit", default=60, show_default=True, help="Seconds of search.")
@click.option(
    "--wait", is_flag=True, help="Run here to the end, printing progress, and apply the result."
)
@click.option("--move-published", is_flag=True, help="Let published meetings move (default: kept).")
def run_command(slug: str, time_limit: int, wait: bool, move_published: bool) -> None:
    """Schedule an event's agreed meetings."""
    event = event_by_slug(slug)
    try:
        if not wait:
            run = operations.start_run(
                event, None, time_limit=time_limit, keep_published=not move_published
            )
            click.echo(f"Run #{run.id} queued; follow it with `schedule status {slug}`.")
            return
        run = operations.create_run(
            event, None, time_limit=time_limit, keep_published=not move_published
        )
        click.echo(f"Run #{run.id}: solving for at most {time_limit} s.")
        execute_run(run.id, echo=click.echo)
        db.session.refresh(run)
        if not run.is_draft:
            raise click.ClickException(f"run #{run.id} {run.status}: {run.error}")
        if run.stopped_early:
            raise click.ClickException(
                f"run #{run.id} was stopped early by the organiser; its best schedule so far "
                "is a draft to review on the run's page (nothing applied)"
            )
        result = run.summary["result"]
        repaired = review_run(run).conflicts
        applied = apply_here(run, None)  # as the web's apply job, waited for here
    except (operations.ScheduleRefused, BulkRefused) as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(
        f"Applied run #{run.id}: {result['meetings_scheduled']} of {result['meetings_total']} "
        f"meetings scheduled (first-come: {run.summary['greedy']['meetings_scheduled']}), "
        f"{applied.changed} changed place."
    )
    for conflict in repaired:
        for outcome in conflict.outcomes:
            who = " & ".join(p.name for p in outcome.move.meeting.participants)
            after = outcome.move.after
            now = (
                f"now {event.local(after[0].start):%a %d %b %H:%M}, {after[1].name}"
                if after
                else f"left out: {outcome.reason}"
            )
            click.echo(f"Repaired: {who}: {conflict.rule}: {conflict.what}; {now}.")


@schedule_group.command("publish")
@click.argument("slug")
@click.option("--final", "state", flag_value=Publication.FINAL, help="Publish as final.")
@click.option(
    "--preliminary", "state", flag_value=Publication.PRELIMINARY, default=True, help="(default)"
)
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Publish here and queue every email before returning, or queue the publication for "
    "a job consumer.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=None,
    help="Processes queueing the emails when waiting, on PostgreSQL (default: PUBLISH_WORKERS).",
)
def publish_command(slug: str, state: Publication, wait: bool, workers: int | None) -> None:
    """Show the current schedule to participants and email them their agendas."""
    event = event_by_slug(slug)
    try:
        if not wait:
            job = operations.start_publication(event, None, state)
            click.echo(f"Publication #{job.id} queued; follow it with `schedule status {slug}`.")
            return
        workers = workers or current_app.config["PUBLISH_WORKERS"]
        job = operations.publish(event, state, workers=workers)
    except operations.ScheduleRefused as refused:
        raise click.ClickException(str(refused)) from None
    deliver_soon()
    click.echo(
        f"Published as {state}; {counted(job.newly_published, 'meeting')} newly published, "
        f"{counted(job.emails_queued, 'email')} queued."
    )


@schedule_group.command("status")
@click.argument("slug")
def status_command(slug: str) -> None:
    """The schedule's figures, the latest run and the latest publication."""
    event = event_by_slug(slug)
    operations.active_run(event)  # fails a run whose worker is gone, before it is shown
    state = schedule_state(event)
    f = state.figures
    click.echo(f"{event.name}: schedule {event.schedule_state}")
    click.echo(
        f"scheduled {f.meetings_scheduled} of {counted(f.meetings_total, 'agreed meeting')}; "
        f"fewest of anyone {f.fewest_meetings}; {len(f.without_meeting)} with none; "
        f"{counted(f.idle_gaps, 'idle gap')}; {counted(f.table_changes, 'table change')}"
    )
    latest = (
        db.session.execute(
            db.select(ScheduleRun).filter_by(event_id=event.id).order_by(ScheduleRun.id.desc())
        )
        .scalars()
        .first()
    )
    if latest is None:
        click.echo("no run yet")
    else:
        _echo_run(latest)
    publication = active_publication(event) or latest_publication(event)
    if publication is not None:
        line = f"latest publication #{publication.id} ({publication.state}): {publication.status}"
        if publication.status != PublishStatus.FAILED:
            queued = counted(publication.emails_queued, "email")
            line += f", {queued} queued, {publication.emails_left} to go"
        if publication.error:
            line += f" ({publication.error})"
        click.echo(line)
    if not jobs_running():
        click.echo(NOT_RUNNING)


def _echo_run(latest: ScheduleRun) -> None:
    line = f"latest run #{latest.id}: {latest.status}"
    if latest.is_active:
        line += f", {latest.phase or 'waiting'}, best {latest.best}, {latest.elapsed:.0f} s"
    if latest.stopped_early:
        line += " (stopped early by the organiser: the best schedule found so far)"
    if latest.error:
        line += f" ({latest.error})"
    click.echo(line)


@schedule_group.command("export")
@click.argument("slug")
def export_command(slug: str) -> None:
    """The current schedule as partnering-schedule/1 (the ids of `event export-problem`)."""
    event = event_by_slug(slug)
    problem = problem_for_event(event)
    placement = current_placement(problem, EventRows(event))
    reasons = explain(problem, placement)
    schedule = schedule_from_placement(problem, placement)
    schedule = replace(
        schedule,
        unscheduled=tuple(replace(u, reason=reasons[u.meeting]) for u in schedule.unscheduled),
        stats={"status": event.schedule_state},
    )
    sys.stdout.write(dump_json(schedule_to_dict(schedule)))


# --- the problem as a file -------------------------------------------------------------------


def read_document(path: Path) -> object:
    """A JSON file's document, for a command that imports it; a file that cannot be read or
    parsed is a one-line error."""
    try:
        return read_json(path)
    except FormatError as exc:
        raise click.ClickException(f"{exc}; nothing was imported") from None


@click.command("import")
@with_appcontext
@click.argument("problem_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--slug", required=True, help="The new event's address: /e/SLUG/.")
@click.option("--name", default=None, help="The event's name (default: the file's).")
def import_problem_command(problem_file: Path, slug: str, name: str | None) -> None:
    """Create an event from a partnering-problem/1 file."""
    doc = read_document(problem_file)
    try:
        event, problem = import_document(doc, slug, name)
    except ImportRefused as exc:
        raise click.ClickException(f"{problem_file}: {exc}; nothing was imported") from None
    click.echo(
        f"Imported {event.name!r} as /e/{event.slug}/: {counted(len(problem.slots), 'slot')}, "
        f"{counted(len(problem.tables), 'table')}, "
        f"{counted(len(problem.participants), 'participant')}, "
        f"{counted(len(problem.meetings), 'meeting')}."
    )


@click.command("export-problem")
@with_appcontext
@click.argument("slug")
def export_problem_command(slug: str) -> None:
    """Write the event's scheduling problem (partnering-problem/1) to stdout."""
    click.echo(problem_document(event_by_slug(slug)), nl=False)
