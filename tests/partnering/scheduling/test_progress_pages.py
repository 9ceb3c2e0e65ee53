"""A scheduler run's and a publication's pages are followed by the one progress poller
(job-progress.js): their JSON names the job's state the way it reads (active, label, announce)
and the page marks where each value goes."""

from __future__ import annotations

from partnering.scheduling import operations


def test_a_waiting_runs_page_and_json_speak_the_pollers_language(client, auth, fair, queue):
    auth.login(fair.organiser)
    run = operations.start_run(fair.event, None, time_limit=5)
    page = client.get(f"/e/fair/schedule/runs/{run.id}").get_data(as_text=True)
    assert "job-progress.js" in page and "data-progress-url=" in page
    for field in ("label", "best_shown", "bound_shown", "elapsed", "remaining", "phase_shown"):
        assert f'data-field="{field}"' in page
    assert 'data-value-field="elapsed" data-max-field="time_limit"' in page
    progress = client.get(f"/e/fair/schedule/runs/{run.id}/progress").get_json()
    assert progress["active"] and progress["phase_shown"] == "waiting for a worker"
    assert progress["best_shown"] is None
    assert progress["announce"] == "Waiting to start, waiting for a worker. Best so far none yet."


def test_a_waiting_publications_json_speaks_the_pollers_language(client, auth, fair, queue):
    auth.login(fair.organiser)
    run = operations.start_run(fair.event, None, time_limit=5)
    queue.execute(queue.dequeue())
    operations.apply_run(run, None)
    job = operations.start_publication(fair.event, None, "final")
    page = client.get("/e/fair/schedule/").get_data(as_text=True)
    for field in ("label", "emails_queued", "emails_left"):
        assert f'data-field="{field}"' in page
    progress = client.get(f"/e/fair/schedule/publications/{job.id}/progress").get_json()
    assert progress["active"] and progress["announce_key"] == "Waiting to start"
    assert progress["announce"] == f"Waiting to start: {job.emails_left} emails to go."
