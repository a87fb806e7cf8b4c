"""``flask --app server worker``: runs batch items from the Redis queue with the app's services, and the job
function each RQ job calls."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from rq import SimpleWorker, get_current_job
from rq.defaults import DEFAULT_MAINTENANCE_TASK_INTERVAL, DEFAULT_WORKER_TTL

from ..batches.runners import QueueRunner
from .services import services


def run_items(item_ids: list[str]) -> None:
    """RQ job: run a run of batch items; on the last of its retries an unexpected error fails them."""
    job = get_current_job()
    services().batches.run_items(item_ids, final=job is None or not job.retries_left)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option(
    "--maintenance-interval",
    type=click.IntRange(min=1),
    default=DEFAULT_MAINTENANCE_TASK_INTERVAL,
    show_default=True,
    help="Seconds between looks for the jobs of workers that died (RQ retries them).",
)
@with_appcontext
def worker(burst: bool, maintenance_interval: int) -> None:
    """Run batch items from the Redis queue (REDIS_URL, BATCH_QUEUE) until stopped."""
    runner = services().batches.runner
    if not isinstance(runner, QueueRunner):
        raise click.UsageError("REDIS_URL is not set: batches run inside the server, there is no queue to work on.")
    # A simple worker runs each job in this process (no fork), with the app's database pool and context.
    # It looks between two waits for a job, so it waits no longer than the interval.
    SimpleWorker(
        [runner.queue],
        connection=runner.redis,
        maintenance_interval=maintenance_interval,
        worker_ttl=min(DEFAULT_WORKER_TTL, maintenance_interval + 30),
    ).work(burst=burst, logging_level="INFO")
