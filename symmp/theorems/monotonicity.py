"""Monotonicity of MP in m (THEORY.md section 8): MP(A, m) >= MP(A, m') for m' > m.

Matching m samples is a subset of the equations of matching m' samples
(same draws), so an allocation proved maximal at some m' >= m is maximal at
m. For a model linear in its inputs (every polynomial model of symmp) with
k-dimensional flattened inputs, MP(A, m') is the same for every m' >= k (the
exact input reduction: generic inputs of full row rank k determine the
linear map), so m' = k is the one to try. Registered as a prover of stage
``maximal``: it classifies the allocation at m' = k.

Instances: W-rows and W-columns allocations at m < T*b (maximal by
monotonicity from Theorem W-rows / W-columns at m = T*b).

Examples
--------
>>> from symmp import LRNN, Allocation, classify
>>> allocation = Allocation.in_rows(LRNN(4, 2, 1, 2), "W", [0], k=4, m=2)
>>> classify(allocation).certificate
"monotonicity in m: maximal at m' = 4"
"""

from __future__ import annotations

import numpy as np

from ..allocation import Allocation
from ..analysis.provers import Certificate, ProverContext, register_prover
from ..numeric.certify.system import linear_in_inputs
from .base import Instance, Theorem, register_theorem
from .checks import verdict_check
from .lines import lrnn_grid, lrnn_sizes
from .w_columns import columns_instance
from .w_rows import rows_instance

__all__ = ["THEOREM", "prove", "saturating_m"]


def saturating_m(allocation: Allocation) -> int | None:
    """k, the m beyond which MP no longer changes (None when the model is not linear in its inputs)."""
    model = allocation.model
    if not model.polynomial or not linear_in_inputs(model):
        return None
    return int(np.prod(model.input_shape(1)))


def prove(allocation: Allocation, context: ProverContext) -> Certificate | None:
    """Maximal at m' = k > m (classified with every certificate there), else None."""
    k = saturating_m(allocation)
    if k is None or allocation.m >= k or context.classify is None:
        return None
    wider = Allocation.from_entries(allocation.model, sorted(allocation.entries), m=k, seed=allocation.seed)
    inner = context.classify(wider, points=context.points, seed=context.seed)
    if inner.verdict != "maximal":
        return None
    return Certificate(
        "maximal",
        f"monotonicity in m: maximal at m' = {k}",
        (
            f"the same allocation with m' = {k} samples is maximal ({inner.certificate}); matching "
            f"m = {allocation.m} samples is a subset of matching m' (THEORY.md section 8), so "
            f"MP(m) >= MP(m') = 1: MP = 1",
            *(f"at m' = {k}: {reason}" for reason in inner.reasons[-2:]),
        ),
        error_bound=inner.error_bound,
        evidence={"monotonicity": {"m_prime": k, "certificate_at_m_prime": inner.certificate}},
    )


def _one(n, b, d, T):
    label = f"n={n} b={b} d={d} T={T}"
    for m in range(1, T * b):
        if n >= T * b and d <= n:
            yield Instance(f"{label} W-rows at m={m}", rows_instance(n, b, d, T, m))
        if n >= T * d and b <= n and n >= T * b:
            yield Instance(f"{label} W-columns at m={m}", columns_instance(n, b, d, T, m))


def _instances(grid: str):
    for n, b, d, T in lrnn_grid(grid):
        if T * b >= 2:
            yield from _one(n, b, d, T)


THEOREM = register_theorem(
    Theorem(
        id="monotonicity",
        title="MP is non-increasing in m",
        statement=r"$\mathrm{MP}(A, m) \ge \mathrm{MP}(A, m')$ for $m' > m$; in particular an allocation "
        r"with $\mathrm{MP}(A, m') = 1$ has $\mathrm{MP}(A, m) = 1$ (e.g. Theorem W-rows at $m = Tb$ for "
        r"every $m \le Tb$).",
        reference="THEORY.md section 8",
        conclusion="MP = 1",
        hypotheses=None,
        instances=_instances,
        check=lambda instance, trials, seed: verdict_check(instance, trials, seed, "MP = 1"),
        sized=lambda sizes: _one(*lrnn_sizes(sizes)),
    )
)
register_prover("monotonicity", prove, stage="maximal", order=10)
