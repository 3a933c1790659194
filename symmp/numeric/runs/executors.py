"""Where trials run: in process, in local worker processes, or on dask.distributed.

A *task* is a batch of trial indices with everything needed to redo it from
scratch (spec, solver, options, sampling, seed); :func:`solve_chunk` runs one
anywhere. Tasks are formed from fixed index ranges, never from the number of
workers, so every executor computes bit-identical outcomes.

``executor`` strings: ``"local"`` (processes from this machine;
``workers=1`` runs in this process), ``"dask"`` (a fresh
``LocalCluster``), ``"dask:ADDRESS"`` (an existing scheduler). Dask is the
optional extra ``distributed``.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ...errors import SymmpError
from ...spec import allocation_from_spec
from .. import sampling
from ..solvers import SolverOptions, get_solver
from .finite import mark_failures
from .threads import fixed_blas_threads
from .workers import end_workers, init_worker

__all__ = ["Task", "solve_chunk", "parse_executor", "run_tasks"]


@dataclass(frozen=True)
class Task:
    """One batch of trials, self-contained (picklable)."""

    spec_json: str
    solver: str
    options: dict
    sampling: dict
    seed: int
    indices: tuple[int, ...]
    #: the solver function itself when it pickles (by reference): then a worker runs it even
    #: if the solver was registered only in the parent process (a plugin, a test); None: by name
    fn: Callable | None = None


@lru_cache(maxsize=16)
def _allocation(spec_json: str):
    return allocation_from_spec(json.loads(spec_json))


def solve_chunk(task: Task) -> list:
    """Draw and solve the trials of ``task``; returns their :class:`TrialOutcome` list.

    The solver runs with a fixed BLAS thread count
    (:func:`~symmp.numeric.runs.threads.fixed_blas_threads`), in every process;
    trials that end on non-finite numbers are marked failed
    (:func:`~symmp.numeric.runs.finite.mark_failures`).
    """
    allocation = _allocation(task.spec_json)
    # the same numbers whatever the machine's threading; overflows are reported per trial
    with fixed_blas_threads(), np.errstate(all="ignore"):
        trials = [
            sampling.draw_trial(allocation, task.seed, i, **task.sampling) for i in task.indices
        ]
        solve = task.fn if task.fn is not None else get_solver(task.solver)
        outcomes = solve(allocation, trials, SolverOptions(**task.options))
    return mark_failures(trials, outcomes)


def parse_executor(text: str) -> tuple[str, str | None]:
    """``"local"`` -> ("local", None); ``"dask"`` / ``"dask:ADDR"`` -> ("dask", ADDR or None).

    Examples
    --------
    >>> parse_executor("dask:tcp://127.0.0.1:8786")
    ('dask', 'tcp://127.0.0.1:8786')
    """
    if not isinstance(text, str):
        raise SymmpError(f"executor must be 'local', 'dask' or 'dask:ADDRESS', got {text!r}")
    if text == "local":
        return ("local", None)
    if text == "dask":
        return ("dask", None)
    if text.startswith("dask:") and len(text) > 5:
        return ("dask", text[5:])
    raise SymmpError(f"executor must be 'local', 'dask' or 'dask:ADDRESS', got {text!r}")


def run_tasks(
    tasks: Sequence[Task],
    executor: str = "local",
    workers: int = 1,
    keep: Callable[[int, list], None] | None = None,
) -> Iterator[tuple[int, list]]:
    """Run ``tasks``; yield ``(task position, outcomes)`` as each finishes.

    Closing the generator early (e.g. an early stop) cancels what has not
    started; tasks that had already finished, or finish while the workers
    shut down, are passed to ``keep(position, outcomes)`` so that no computed
    trial is lost (the estimator records them in its ledger).
    """
    kind, address = parse_executor(executor)
    if kind == "dask":
        yield from _run_dask(tasks, address, workers, keep)
    elif workers == 1:
        for position, task in enumerate(tasks):
            yield position, solve_chunk(task)
    else:
        yield from _run_processes(tasks, workers, keep)


def _run_processes(tasks, workers, keep):
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # the fork server imports symmp once and forks every worker from there, so a worker
        # starts in milliseconds instead of re-importing numpy, scipy and symmp (about a
        # second each; it matters for runs of few tasks). Outcomes do not change: a task
        # depends only on its own contents.
        context.set_forkserver_preload(["symmp.numeric"])
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context,
        initializer=init_worker, initargs=(os.getpid(),),  # no orphans, no worker tracebacks
    )
    pending: dict = {}
    try:
        pending = {pool.submit(solve_chunk, task): position for position, task in enumerate(tasks)}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=pending.get):
                position = pending.pop(future)
                yield position, future.result()
    except KeyboardInterrupt:  # SIGINT, or SIGTERM (errors.Terminated): stop now, keep what finished
        end_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if keep is not None:  # finished but never handed out (early stop)
            for future, position in sorted(pending.items(), key=lambda item: item[1]):
                if future.done() and not future.cancelled() and future.exception() is None:
                    keep(position, future.result())


def _run_dask(tasks, address, workers, keep):
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SymmpError(
            "executor 'dask' needs dask.distributed, which is not installed; "
            "install the extra: pip install 'symmp[distributed]'"
        ) from None
    cluster = None
    try:
        if address is None:
            cluster = _local_cluster(LocalCluster, workers)
            client = Client(cluster)
        else:
            try:
                client = Client(address, timeout="10s")
            except (OSError, TimeoutError, ValueError) as err:  # ValueError: malformed address
                raise SymmpError(
                    f"cannot reach the dask scheduler at {address!r}: {err} "
                    "(expected dask:HOST:PORT or dask:tcp://HOST:PORT)"
                ) from None
    except SymmpError:
        if cluster is not None:
            cluster.close()
        raise
    handed: set = set()
    futures: list = []
    try:
        futures = client.map(solve_chunk, list(tasks), pure=False)
        position = {future.key: k for k, future in enumerate(futures)}
        for future in as_completed(futures):
            handed.add(future.key)
            yield position[future.key], future.result()
    finally:
        if keep is not None:  # finished but never handed out (early stop)
            for k, future in enumerate(futures):
                if future.key not in handed and future.status == "finished":
                    keep(k, future.result())
        client.close()
        if cluster is not None:
            cluster.close()


def _local_cluster(local_cluster, workers: int):
    """A ``LocalCluster`` whose worker processes leave Ctrl-C to the run and log only errors.

    The workers are spawned with SIGINT ignored (a Python process keeps an
    inherited SIG_IGN), so a Ctrl-C at the terminal reaches the run alone,
    which records what finished and closes the cluster; their warnings about
    tasks cancelled at that close are silenced.
    """
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return local_cluster(
            n_workers=workers, threads_per_worker=1, processes=True,
            dashboard_address=":0", scheduler_kwargs={"dashboard": False},  # no fixed port 8787
            silence_logs=logging.CRITICAL,
        )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
