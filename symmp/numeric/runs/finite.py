"""Non-finite numbers are failures, not verdicts.

A trial whose draw overflows (teacher outputs or inputs beyond the doubles,
e.g. ``--sigma 1e150`` on a ReLU network) or whose solver ends on numbers that
are not finite (a NaN residual, a non-finite final loss) has not been decided:
:func:`mark_failures` turns its outcome into a *failed* one, a no-match that
is never proved, with ``details["failed"]`` saying why. Failed trials are
counted and reported (:attr:`symmp.numeric.result.MPResult.failed`), and the
CLI exits non-zero when every trial failed.

An infinite residual alone is not a failure: solvers report ``inf`` when no
candidate was found at all (say a system with no real root).

Examples
--------
>>> import math
>>> from symmp.numeric.solvers import TrialOutcome
>>> outcome = TrialOutcome(0, False, False, math.nan, 1, "adam", {})
>>> failure_reason(None, outcome)
'the solver ended on a NaN residual'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..solvers import TrialOutcome

__all__ = ["FAILED", "failure_reason", "mark_failures"]

#: the details key of a failed trial's reason
FAILED = "failed"


def _finite(array) -> bool:
    return bool(np.all(np.isfinite(np.asarray(array, dtype=float))))


def failure_reason(trial, outcome: TrialOutcome) -> str | None:
    """Why ``outcome`` (of ``trial``, or None) is not a verdict, or None when it is one."""
    if outcome.details.get(FAILED):
        return outcome.details[FAILED]
    if trial is not None:
        if not _finite(trial.inputs) or not _finite(trial.targets):
            return ("the draw overflowed: the teacher's outputs are not finite doubles "
                    "(use a smaller --sigma)")
        if not all(_finite(value) for value in trial.teacher.values()):
            return "the draw overflowed: the teacher's weights are not finite (use a smaller --sigma)"
    if math.isnan(outcome.residual):
        return "the solver ended on a NaN residual"
    loss = outcome.details.get("relative_loss", 0.0)
    if not outcome.matched and (loss is None or
                                (isinstance(loss, float) and not math.isfinite(loss))):
        return "overflow or NaN in the solver: its final loss is not a finite number"
    return None


def mark_failures(trials: Sequence, outcomes: Sequence[TrialOutcome]) -> list[TrialOutcome]:
    """``outcomes`` with every undecided one (see :func:`failure_reason`) marked failed."""
    by_index = {trial.index: trial for trial in trials}
    marked = []
    for outcome in outcomes:
        reason = failure_reason(by_index.get(outcome.index), outcome)
        if reason is not None:
            outcome = replace(outcome, matched=False, proved=False, residual=math.inf,
                              details={**outcome.details, FAILED: reason})
        marked.append(outcome)
    return marked
