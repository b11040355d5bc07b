"""The RQ side: ``flask jobs worker`` serves the queue inside an app context."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.jobs.service import QUEUE_NAME, run_job


def execute(job_id: str) -> None:
    """Entry point RQ calls; the worker process already holds an app context."""
    run_job(job_id)


@click.group("jobs")
def jobs_group():
    """Background job tools."""


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool):
    """Run an RQ worker for DataVet's queue (needs REDIS_URL)."""
    from redis import Redis
    from rq import SimpleWorker

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("Set REDIS_URL to run a worker; without it jobs run in the web process.")
    connection = Redis.from_url(url)
    # SimpleWorker runs jobs in this process, inside the app context this command holds.
    SimpleWorker([QUEUE_NAME], connection=connection).work(burst=burst)
