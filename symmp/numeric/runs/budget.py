"""The time a run of trials will take, estimated before any work (issue 18).

Per trial: a fixed ~2 ms (drawing, the solver's set-up, the ledger row) plus,
for every start and iteration, one Jacobian evaluation and step of ~20 ns per
entry (the ``E x r`` Jacobian of the learnable weights and the model's
working arrays, :meth:`~symmp.models.Model.working_entries`); the certificate
step adds :func:`symmp.analysis.cost.classify_seconds`. Workers divide the
trials' part. An order-of-magnitude guard (constants measured on a 2-core
machine), used by :func:`symmp.numeric.estimate_mp` to refuse up front runs
above :func:`symmp.analysis.cost.time_limit`.

Examples
--------
>>> from symmp import LRNN, Allocation
>>> allocation = Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0)], m=2)
>>> run_seconds(allocation, trials=10**12, starts=1, max_iter=100) > 3600
True
"""

from __future__ import annotations

from ...allocation import Allocation

__all__ = ["run_seconds"]

_SECONDS_PER_TRIAL = 2e-3
_SECONDS_PER_ENTRY_STEP = 2e-8


def run_seconds(allocation: Allocation, trials: int, starts: int, max_iter: int,
                workers: int = 1) -> float:
    """Estimated seconds of ``trials`` trials of ``starts`` x ``max_iter`` steps each."""
    model, m = allocation.model, allocation.m
    entries = model.output_dim * m * allocation.r + model.working_entries(m)
    per_trial = _SECONDS_PER_TRIAL + _SECONDS_PER_ENTRY_STEP * float(starts) * max_iter * entries
    return float(trials) * per_trial / workers
