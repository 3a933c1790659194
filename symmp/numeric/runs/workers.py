"""Worker processes that never outlive the run that started them.

A local worker (a :class:`~concurrent.futures.ProcessPoolExecutor` process,
forked from the forkserver, so not a child of the run) starts with
:func:`init_worker`, which

- leaves SIGINT to the run: the run's process answers Ctrl-C, records what
  finished and ends its workers (:func:`end_workers`); a worker does not print
  a traceback of its own;
- watches the run's process from a daemon thread every :data:`WATCH_SECONDS`
  and exits at once when it is gone (killed with SIGKILL, say) or a zombie, so
  that no worker keeps computing for nobody. Once the workers are gone, the
  forkserver and the resource tracker see their pipes close and exit too.

Examples
--------
>>> import os
>>> process_alive(os.getpid(), process_start_time(os.getpid()))
True
"""

from __future__ import annotations

import os
import signal
import threading
import time

__all__ = ["WATCH_SECONDS", "init_worker", "end_workers", "process_alive", "process_start_time"]

#: how often a worker checks that its run is still alive
WATCH_SECONDS = 0.5


def process_start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (``/proc/PID/stat`` field 22), None without /proc."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[19]


def process_alive(pid: int, start_time: str | None) -> bool:
    """Whether ``pid`` is still the process that had ``start_time``, and not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel (a zombie then counts as alive)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return fields[0] not in ("Z", "X") and (start_time is None or fields[19] == start_time)


def _watch(pid: int, start_time: str | None) -> None:
    while process_alive(pid, start_time):
        time.sleep(WATCH_SECONDS)
    os._exit(1)  # the run is gone: nobody will read this worker's results


def init_worker(run_pid: int) -> None:
    """Initializer of a local worker: ignore SIGINT, exit when process ``run_pid`` dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    start_time = process_start_time(run_pid)
    threading.Thread(target=_watch, args=(run_pid, start_time), daemon=True,
                     name="symmp-parent-watch").start()


def end_workers(pool) -> None:
    """Stop a :class:`ProcessPoolExecutor`'s workers now (after an interrupt), without waiting."""
    processes = list(getattr(pool, "_processes", None) or {})
    pool.shutdown(wait=False, cancel_futures=True)
    for pid in processes:
        try:
            os.kill(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
