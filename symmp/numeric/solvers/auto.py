"""``auto``: the strongest solver that applies to an allocation, at a sane cost.

In order:

1. ``linear`` for affine allocations (exact, every verdict proved);
2. ``adahessian`` for ReLU networks once registered (lower bound);
3. ``sequential`` when a block-triangular structure is found (matches proved
   by construction);
4. ``algebraic`` when the allocation is an lrnn W-only one whose Markov
   reduction is a square quadratic system (paper convention, T = 2,
   r = 2*d*b, d*b <= 5) with finitely many roots: Newton from the
   student's draw, then **every** complex root of what is left by an
   eigenvalue method (a lower bound on MP, since floating-point roots prove
   nothing, but no solution is missed for want of a start);
5. ``staged`` for every other polynomial allocation (:mod:`.staged`):
   ``newton`` first, then, on the trials still unmatched, ``complete``
   (every complex root of the square system or a square slice by a
   parameter homotopy) where the family is small, then ``certified``'s
   proofs when asked (``solver_options={"prove": True}``); a **lower
   bound** on MP unless every miss is proved (the note counts each stage).
   ``certified`` is no longer chosen on its own at <= 3 unknowns: its
   proofs cost 10-100x more per trial than newton + complete
   (``benchmarks/bench_families.py``); ask for them with ``prove``.
6. ``newton`` otherwise (a **lower bound** on MP; the result reports the starts).

Why ``algebraic`` before ``newton`` where both apply: on the benchmark's
lrnn cases (n = 8, 16, b = d = 2, r = 8 over K = 4 or 8 rows) it missed no
solvable trial where ``newton`` with 10 starts missed 6-23%, and it ran at
3500-6000 trials/s against ``newton``'s 500-1500. Why not ``homotopy``
(total-degree homotopy on the same reduced system): it finds the same roots
but tracks 2^(d*b) paths per trial, 120-180 trials/s there; ask for it with
``--solver homotopy``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...allocation import Allocation
from ..sampling import Trial
from . import SOLVERS, SolverOptions, TrialOutcome, register_solver, solver_applies

__all__ = ["resolve_solver", "auto_solve"]


def resolve_solver(allocation: Allocation, name: str = "auto") -> str:
    """The concrete solver ``name`` stands for (``name`` itself unless ``"auto"``).

    Examples
    --------
    >>> import symmp.numeric
    >>> from symmp import Allocation, LinearEstimator, LRNN
    >>> resolve_solver(Allocation.spread(LinearEstimator(n=3, d=2), "W", r=4, K=2, m=2))
    'linear'
    >>> resolve_solver(Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4))
    'algebraic'
    >>> resolve_solver(Allocation.spread(LRNN(8, 2, 2, 3), "W", r=8, K=4, m=6))
    'staged'
    """
    if name != "auto":
        return name
    if solver_applies("linear", allocation):
        return "linear"
    if not allocation.model.polynomial:
        return "adahessian" if "adahessian" in SOLVERS else "newton"
    if solver_applies("sequential", allocation):
        return "sequential"
    if solver_applies("algebraic", allocation):
        return "algebraic"
    if solver_applies("staged", allocation):
        return "staged"
    return "newton"


def auto_solve(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``auto``: delegate to :func:`resolve_solver`'s choice."""
    return SOLVERS[resolve_solver(allocation)](allocation, trials, options)


register_solver(
    "auto",
    auto_solve,
    description="the strongest applicable at a sane cost: linear, adahessian (relu), sequential, "
    "algebraic (square quadratic lrnn systems), staged (newton, complete, certified on request)",
)
