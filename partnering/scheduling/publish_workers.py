"""A publication run to the end by the calling process (a command, a benchmark) with several
processes on its emails: once the database part has committed, the caller forks the others,
which share the email batches with it (`share_emails`). PostgreSQL only, whose skip-locked
batches they share; elsewhere the caller works alone. Processes, not threads: building emails
is Python work, which threads would take in turns."""

from __future__ import annotations

import multiprocessing
from multiprocessing.process import BaseProcess

from flask import Flask, current_app

from partnering.extensions import db
from partnering.locks import writing
from partnering.scheduling.models import PublishJob
from partnering.scheduling.publishing import share_emails


class ForkedWorkers:
    """`share` for execute_publication: starts `count - 1` processes beside the caller's."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.processes: list[BaseProcess] = []

    def __call__(self, job: PublishJob) -> None:
        if self.count < 2 or db.engine.dialect.name != "postgresql":
            return
        db.session.commit()  # nothing open in the connections the children leave alone
        app = current_app._get_current_object()
        fork = multiprocessing.get_context("fork")
        for _ in range(self.count - 1):
            process = fork.Process(target=_share, args=(app, job.id), daemon=True)
            process.start()
            self.processes.append(process)

    def join(self) -> None:
        for process in self.processes:
            process.join()


def _share(app: Flask, job_id: int) -> None:
    with app.app_context():
        db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
        with writing():
            share_emails(job_id)
