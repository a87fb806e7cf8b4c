"""Where batch items run: on threads of the server (the default), or as RQ jobs that ``flask worker``
processes take from Redis (with REDIS_URL), on any number of machines sharing the database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry

from ..errors import Unavailable

JOB = "freelance.web.worker.run_items"
"""The RQ job function: it runs a run of items with the worker's own services."""

_log = logging.getLogger(__name__)


class ThreadRunner:
    """Items run on ``workers`` threads of this process: nothing to install. Items not started when the
    process stops stay pending."""

    def __init__(self, workers: int):
        self._pool = ThreadPoolExecutor(max(workers, 1), thread_name_prefix="batch")

    def submit(self, chunks: list[list[str]], run: Callable[[list[str]], None]) -> None:
        for chunk in chunks:
            self._pool.submit(_logged, run, chunk)

    def close(self) -> None:
        """Drop the items not started and wait for those running."""
        self._pool.shutdown(wait=True, cancel_futures=True)


class QueueRunner:
    """Items go to the RQ queue ``name`` in Redis at ``url``, one job per run of items, retried up to 3 times; a
    job taking over ``timeout`` seconds is stopped (and retried)."""

    def __init__(self, url: str, name: str, timeout: int = 180):
        self.timeout = timeout
        self.redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        self.queue = Queue(name, connection=self.redis)

    def submit(self, chunks: list[list[str]], run: Callable[[list[str]], None]) -> None:
        """Enqueue one job per run of items in one round trip (``run`` is the worker's, not called here); raise
        Unavailable when Redis cannot be reached."""
        jobs = [
            Queue.prepare_data(
                JOB,
                (chunk,),
                job_id=f"batch-items-{chunk[0]}",
                timeout=self.timeout,
                retry=Retry(max=3),
                result_ttl=3600,
            )
            for chunk in chunks
        ]
        try:
            with self.redis.pipeline() as pipeline:
                self.queue.enqueue_many(jobs, pipeline=pipeline)
                pipeline.execute()
        except RedisError as exc:
            raise Unavailable(f"The batch queue (Redis) cannot be reached, so no batch can start: {exc}") from exc

    def close(self) -> None:
        self.redis.close()


def _logged(run: Callable[[list[str]], None], chunk: list[str]) -> None:
    try:
        run(chunk)
    except Exception:  # the items are marked failed; a thread has nowhere else to report
        _log.exception("Batch items %s failed", chunk)
