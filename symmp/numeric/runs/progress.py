"""Progress of a run: a tqdm bar (the notebook widget in notebooks), off on request.

The bar counts trials. A run's tasks are its fixed chunks (``batch`` trials,
part of the run's identity); while a bar is shown, each task is cut into
:data:`STEPS_PER_CHUNK` sub-tasks of at least :data:`MIN_STEP_TRIALS` trials
so the bar moves within a chunk, with rate
and ETA. Every trial depends only on ``(seed, index)``, so cutting a chunk
changes no outcome and no ledger key (tests/numeric/test_progress.py checks
both for every solver).

Examples
--------
>>> substeps((0, 1, 2, 3, 4, 5, 6), 3)
[(0, 1, 2), (3, 4, 5), (6,)]
>>> bar = Progress(total=10, already=4, enabled=False)
>>> bar.advance(6); bar.close()
"""

from __future__ import annotations

import math
import sys

__all__ = ["Progress", "progress_enabled", "substeps", "STEPS_PER_CHUNK", "MIN_STEP_TRIALS"]

#: sub-tasks per chunk while a bar is shown (the bar's steps within a chunk)
STEPS_PER_CHUNK = 10
#: ... but never fewer trials than this in one sub-task: a vectorised solver's
#: call has a fixed cost of 10-20 ms of numpy overhead, so ten 100-trial calls
#: took twice as long as one 1,000-trial call (lrnn_spread_k4, newton: 0.95 s
#: against 0.47 s); 250-trial steps keep the bar moving at about a tenth of that cost
MIN_STEP_TRIALS = 250


def substeps(indices: tuple[int, ...], size: int) -> list[tuple[int, ...]]:
    """``indices`` cut into consecutive pieces of at most ``size``."""
    size = max(1, int(size))
    return [indices[s : s + size] for s in range(0, len(indices), size)]


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except AttributeError:
        return False
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def progress_enabled(progress: bool | None) -> bool:
    """``progress`` itself when given; by default on for a terminal or a notebook."""
    if progress is not None:
        return bool(progress)
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty or _in_notebook()


class Progress:
    """A trial counter drawn by ``tqdm.auto`` (nothing when disabled)."""

    def __init__(self, total: int, already: int, enabled: bool | None, label: str = "trials") -> None:
        self.enabled = progress_enabled(enabled)
        self._bar = None
        if self.enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total, initial=already, unit="trial", desc=label, file=sys.stderr,
                dynamic_ncols=True, smoothing=0.1, leave=True,
            )

    def step_size(self, chunk: int) -> int:
        """Trials per sub-task for a chunk of ``chunk`` trials (the whole chunk when off)."""
        if not self.enabled:
            return max(1, chunk)
        return max(MIN_STEP_TRIALS, math.ceil(chunk / STEPS_PER_CHUNK))

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
