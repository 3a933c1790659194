"""``auto``: the strongest solver that applies to an allocation, at a sane cost.

The order is the registry's (each registration's ``auto_rank``; see
:func:`~symmp.numeric.solvers.auto_order`): the first solver that applies
(and meets its ``auto_applies`` cost limit) is taken. Built in, in order:

1. ``linear`` for affine allocations (exact, every verdict proved);
2. ``adahessian`` for ReLU networks once registered (lower bound);
3. ``sequential`` when a block-triangular structure is found (matches proved
   by construction);
4. ``certified`` when it applies **and** the system has at most
   :data:`AUTO_CERTIFIED_UNKNOWNS` unknowns, where exact elimination decides
   a trial in milliseconds (every verdict proved);
5. ``algebraic`` when the allocation is an lrnn W-only one whose Markov
   reduction is a square quadratic system (paper convention, T = 2,
   r = 2*d*b, d*b <= 5) with finitely many roots: Newton from the
   student's draw, then **every** complex root of what is left by an
   eigenvalue method (a lower bound on MP, since floating-point roots prove
   nothing, but no solution is missed for want of a start);
6. ``staged`` for every other polynomial allocation: ``newton`` first, then,
   on the trials still unmatched, ``complete`` (every complex root of the
   square system or a square slice by a parameter homotopy) where the family
   has at most 8 unknowns and 64 generic roots, then ``certified``'s proofs
   when asked (``solver_options={"prove": True}``); a **lower bound** on MP
   unless every miss is proved (the note counts what each stage settled);
7. ``newton`` otherwise: batched damped Newton with ``starts`` random
   restarts per trial, a **lower bound** on MP (the result says so and
   reports the starts).

Why ``certified`` stops at 3 unknowns here: beyond that it needs Krawczyk
proofs and homotopy continuation per trial, measured at 2-6 trials/s on
lrnn systems with 8 unknowns (``benchmarks/bench_mp.py``), against
thousands for ``algebraic``. Ask for it explicitly (``--solver certified``,
up to ``MAX_CERTIFIED_UNKNOWNS`` unknowns) when proved verdicts matter more
than time; ``benchmarks/bench_mp.py`` measures the other solvers' miss
rates against it.

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
from . import SOLVER_INFO, SOLVERS, SolverOptions, TrialOutcome, auto_order, register_solver
from .certified import AUTO_CERTIFIED_UNKNOWNS

__all__ = ["resolve_solver", "auto_solve", "AUTO_CERTIFIED_UNKNOWNS"]


def resolve_solver(allocation: Allocation, name: str = "auto") -> str:
    """The concrete solver ``name`` stands for (``name`` itself unless ``"auto"``).

    For ``"auto"``: the first solver of :func:`~symmp.numeric.solvers.auto_order`
    that applies to ``allocation`` and meets its ``auto_applies`` condition.

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
    for candidate in auto_order():
        info = SOLVER_INFO[candidate]
        if info.applies_to(allocation) and (info.auto_applies is None or info.auto_applies(allocation)):
            return candidate
    return "newton"  # unreachable while newton (which applies to everything) is registered


def auto_solve(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``auto``: delegate to :func:`resolve_solver`'s choice."""
    return SOLVERS[resolve_solver(allocation)](allocation, trials, options)


register_solver(
    "auto",
    auto_solve,
    description="the strongest applicable at a sane cost, in the registry's order (auto_rank)",
)
