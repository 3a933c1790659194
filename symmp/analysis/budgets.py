"""Equation budgets of rows and columns (THEORY.md section 4).

A row (column) of a matrix can contribute at most its *budget* of
independent equations, however many learnable entries it holds. The closed
forms come from each model's :meth:`~symmp.models.Model.equation_budgets`;
:func:`measured_budgets` finds the same numbers as exact generic ranks (the
tests check one against the other, and models without a closed form, such as
ReLU networks at a fixed activation pattern, use the measured ones).

Examples
--------
>>> from symmp.models import LinearEstimator
>>> equation_budgets(LinearEstimator(n=3, d=2), m=2)["W"].rows
[2, 2]
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Model
from .ranks import exact_rank

__all__ = ["Budget", "equation_budgets", "measured_budgets"]


@dataclass(frozen=True)
class Budget:
    """Row and column budgets of one matrix; ``measured`` when found by rank."""

    rows: list[int]
    columns: list[int]
    measured: bool = False

    def to_dict(self) -> dict:
        return {"rows": list(self.rows), "columns": list(self.columns), "measured": self.measured}


def measured_budgets(model: Model, m: int, *, seed: int = 0) -> dict[str, Budget]:
    """Budgets as exact generic ranks of whole rows and whole columns."""
    out = {}
    for name, (rows, cols) in model.matrix_shapes.items():
        row_budgets = [
            exact_rank(model, [(name, i, j) for j in range(cols)], m, seed=seed) for i in range(rows)
        ]
        column_budgets = [
            exact_rank(model, [(name, i, j) for i in range(rows)], m, seed=seed) for j in range(cols)
        ]
        out[name] = Budget(row_budgets, column_budgets, measured=True)
    return out


def equation_budgets(model: Model, m: int, *, seed: int = 0) -> dict[str, Budget]:
    """Closed-form budgets where the model has them, measured ones otherwise."""
    closed = model.equation_budgets(m)
    if closed is None:
        return measured_budgets(model, m, seed=seed)
    return {name: Budget(list(rows), list(cols)) for name, (rows, cols) in closed.items()}
