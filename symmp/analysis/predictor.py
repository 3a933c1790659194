"""A heuristic predictor of MP for intermediate allocations (THEORY.md section 9).

Call :func:`predict_mp` for a score in [0, 1] that is meant to **rank**
intermediate allocations (rho_A = rho_full, no certificate of MP = 1) by their
match probability; :func:`structure_features` gives the structural numbers it
is built from. It proves nothing: it is a heuristic, validated only by the
rank correlation it reaches on a corpus of measured MPs
(``examples/mp_predictor.py`` prints it; the README states it), and it was
fixed before that corpus was measured (nothing in it is fitted).

The score follows THEORY.md section 9 ("spreading learnable weights across
matrices, layers, rows and columns, without exceeding any budget, raises MP;
more polynomial equations give a solution more chances"), plus one term from
the certificates of sections 6 and 8: a no-real-solution certificate is a
positive-definite combination of the equations' quadratic forms, and a
quadratic form can only be definite when it has square terms. An unknown that
multiplies itself (an entry of the lrnn's W on the diagonal, met twice on a
path through W^2) gives squares; pairs of different unknowns only give cross
terms, which are indefinite. So the score falls with the share of squares
among the nonlinear couplings:

``score = (1 - square_share) * mean(row_spread, column_spread, matrix_spread, budget_slack, quadratic_share)``

- ``row_spread``, ``column_spread``: for each matrix with k learnable entries,
  (lines covered - 1) / (min(k, lines) - 1) (1 when a single line is
  possible), averaged with weights k;
- ``matrix_spread``: (matrices used - 1) / (min(r, matrices) - 1) (1 when one);
- ``budget_slack``: 1 - the mean over the learnable rows and columns of
  (entries in the line) / (its budget), clipped to [0, 1];
- ``quadratic_share``: quadratic / all equations of the lifted system;
- ``square_share``: learnables whose output derivative depends on themselves
  over all nonzero second-order couplings (pairs counted once), found
  exactly: the Jacobian modulo a prime at a random point, and again with one
  learnable moved (a changed column j when learnable i moves means
  d^2 F / du_i du_j != 0; wrong only with probability about deg/p).

Examples
--------
>>> from symmp import Allocation, LRNN
>>> model = LRNN(n=2, b=1, d=1, T=2)
>>> diagonal = Allocation.diagonal(model, "W", m=2)
>>> anti = Allocation.diagonal(model, "W", m=2, anti=True)
>>> structure_features(diagonal)["square_share"], structure_features(anti)["square_share"]
(1.0, 0.0)
>>> predict_mp(diagonal) < predict_mp(anti)      # measured: 0.71 against 0.85
True
"""

from __future__ import annotations

import numpy as np

from ..allocation import Allocation
from ..arithmetic import DEFAULT_PRIME, ModularArithmetic
from .budgets import equation_budgets
from .sequential import lifted_counts

__all__ = ["structure_features", "predict_mp", "rows_covered", "second_order_couplings"]


def rows_covered(allocation: Allocation) -> int:
    """Rows (over all matrices) holding at least one learnable entry: a naive baseline."""
    return sum(sum(1 for count in allocation.per_row(name) if count) for name in allocation.matrices)


def _line_spread(counts_by_matrix: dict[str, list[int]]) -> float:
    total, weighted = 0, 0.0
    for counts in counts_by_matrix.values():
        k, covered = sum(counts), sum(1 for c in counts if c)
        possible = min(k, len(counts))
        weighted += k * (1.0 if possible <= 1 else (covered - 1) / (possible - 1))
        total += k
    return weighted / total if total else 0.0


def second_order_couplings(allocation: Allocation, *, seed: int = 0, prime: int = DEFAULT_PRIME) -> tuple[int, int]:
    """(squares, pairs): learnables coupled to themselves, and pairs of distinct
    learnables coupled, in the second derivatives of the outputs.

    Exact modulo ``prime`` at one random point (a structural zero is always
    found; a nonzero is missed only where a polynomial of degree about the
    model's vanishes at the random point, probability about deg/p).
    """
    model = allocation.model
    ar = ModularArithmetic(prime)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x9E5]))
    weights = {name: ar.random(shape, rng) for name, shape in model.matrix_shapes.items()}
    inputs = ar.random(model.input_shape(allocation.m), rng)
    entries = list(allocation.ordered_entries)
    base = model.jacobian(weights, inputs, entries, ar)
    coupled = np.zeros((len(entries), len(entries)), dtype=bool)
    for i, (name, row, col) in enumerate(entries):
        moved = {key: value.copy() for key, value in weights.items()}
        moved[name][row, col] = (int(moved[name][row, col]) + 1 + int(rng.integers(prime - 1))) % prime
        changed = model.jacobian(moved, inputs, entries, ar) != base
        coupled[i] = changed.any(axis=0)
    coupled |= coupled.T
    squares = int(np.trace(coupled))
    pairs = int(np.triu(coupled, 1).sum())
    return squares, pairs


def structure_features(allocation: Allocation, *, seed: int = 0) -> dict[str, float]:
    """The structural numbers behind :func:`predict_mp` (see the module docstring).

    Also reports the raw counts: ``r``, ``rows_covered``, ``columns_covered``,
    ``matrices_used``, ``linear_equations``, ``quadratic_equations``,
    ``auxiliary_unknowns``, ``squares``, ``pairs``. Polynomial models only.
    """
    model = allocation.model
    names = allocation.matrices
    rows = {name: allocation.per_row(name) for name in names}
    columns = {name: allocation.per_column(name) for name in names}
    budgets = equation_budgets(model, allocation.m, seed=seed)
    loads = []
    for name in names:
        budget = budgets[name]
        loads += [c / b for c, b in zip(rows[name], budget.rows) if c and b]
        loads += [c / b for c, b in zip(columns[name], budget.columns) if c and b]
        loads += [float("inf") for c, b in zip(rows[name] + columns[name], budget.rows + budget.columns)
                  if c and not b]
    counts = lifted_counts(allocation)
    linear, quadratic = counts["equations"]["linear"], counts["equations"]["quadratic"]
    squares, pairs = second_order_couplings(allocation, seed=seed)
    available = len(model.matrix_shapes)
    used = len(names)
    return {
        "r": allocation.r,
        "rows_covered": rows_covered(allocation),
        "columns_covered": sum(sum(1 for c in columns[name] if c) for name in names),
        "matrices_used": used,
        "linear_equations": linear,
        "quadratic_equations": quadratic,
        "auxiliary_unknowns": counts["unknowns"].get("auxiliary", 0),
        "squares": squares,
        "pairs": pairs,
        "row_spread": _line_spread(rows),
        "column_spread": _line_spread(columns),
        "matrix_spread": 1.0 if min(allocation.r, available) <= 1 else (used - 1) / (min(allocation.r, available) - 1),
        "budget_slack": float(np.clip(1.0 - np.mean(loads), 0.0, 1.0)) if loads else 0.0,
        "quadratic_share": quadratic / (linear + quadratic) if linear + quadratic else 0.0,
        "square_share": squares / (squares + pairs) if squares + pairs else 0.0,
    }


def predict_mp(allocation: Allocation, *, seed: int = 0) -> float:
    """A score in [0, 1] meant to rank intermediate allocations by MP (not an MP estimate).

    See the module docstring for the formula; the weights are fixed, not fitted.
    """
    f = structure_features(allocation, seed=seed)
    spread = np.mean([f["row_spread"], f["column_spread"], f["matrix_spread"], f["budget_slack"],
                      f["quadratic_share"]])
    return float((1.0 - f["square_share"]) * spread)
