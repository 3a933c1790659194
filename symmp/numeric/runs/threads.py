"""A fixed BLAS thread count while trials are solved, so threading never changes a verdict.

OpenBLAS splits large products and factorisations across threads, and the
split changes the order of floating-point sums: the last digits of a residual,
and so a verdict near the match threshold, depended on the machine's cores
(issue 18: a trial at residual 6.8e-10 with two threads, 2.8e-12 with one).
Every process that solves trials (the main process with ``workers=1``, local
worker processes, Dask workers) therefore runs each task inside
:func:`fixed_blas_threads`, which holds every BLAS and OpenMP pool of the
process at :data:`BLAS_THREADS` threads for the task's duration
(``threadpoolctl``) and restores them afterwards.

The count is a constant of the code, not of the machine or the environment
(``OPENBLAS_NUM_THREADS`` and friends are overridden), so it is not part of a
run's ledger key: a change of :data:`BLAS_THREADS` would change what verdicts
depend on and must come with a new solver ``revision``. Parallelism comes from
workers, one task per core, never from threads inside a task.

Examples
--------
>>> with fixed_blas_threads():
...     blas_thread_counts() in ([], [1], [1, 1])
True
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_info, threadpool_limits

__all__ = ["BLAS_THREADS", "fixed_blas_threads", "blas_thread_counts"]

#: threads of every BLAS/OpenMP pool while a task solves trials
BLAS_THREADS = 1


@contextmanager
def fixed_blas_threads() -> Iterator[None]:
    """Hold every BLAS and OpenMP thread pool at :data:`BLAS_THREADS` inside the block."""
    with threadpool_limits(limits=BLAS_THREADS):
        yield


def blas_thread_counts() -> list[int]:
    """The thread count of each BLAS pool loaded in this process (for tests and reports)."""
    return [pool["num_threads"] for pool in threadpool_info() if pool.get("user_api") == "blas"]
