"""Flow upper bound on rho_A and the weights an allocation wastes.

A max-flow through the bipartite network source -> row (capacity: row
budget) -> column (one unit per learnable entry) -> column -> sink
(capacity: column budget), per matrix, with the total capped by rho_full, is
an **upper bound** on rho_A (rank is subadditive over the rows and columns of
any cut). It is exact for the linear estimator and lrnn D but can
overestimate elsewhere (THEORY.md section 4), so it explains and never
decides.

Examples
--------
>>> from symmp import Allocation, LinearEstimator
>>> from symmp.analysis.budgets import equation_budgets
>>> a = Allocation.in_rows(LinearEstimator(n=4, d=2), "W", [0], k=4, m=2)
>>> report = flow_bound(a, equation_budgets(a.model, a.m), target_rank=4)
>>> report.bound, report.wasted
(2, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from ..allocation import Allocation
from .budgets import Budget

__all__ = ["FlowReport", "Waste", "flow_bound"]


@dataclass(frozen=True)
class Waste:
    """A row or column holding more learnable entries than its budget."""

    matrix: str
    axis: str  # "row" or "column"
    index: int
    learnable: int
    budget: int

    @property
    def excess(self) -> int:
        return self.learnable - self.budget

    def sentence(self) -> str:
        return (
            f"{self.axis} {self.index} of {self.matrix} holds {self.learnable} learnable "
            f"weight{'s' if self.learnable != 1 else ''} but can supply only {self.budget} "
            f"equation{'s' if self.budget != 1 else ''}"
        )

    def to_dict(self) -> dict:
        return {**self.__dict__, "excess": self.excess}


@dataclass(frozen=True)
class FlowReport:
    """Flow bound, its per-matrix parts, wasted rows/columns and uncovered equations."""

    bound: int
    per_matrix: dict[str, int]
    waste: list[Waste]
    uncovered: int

    @property
    def wasted(self) -> int:
        """Entries beyond their row or column budget (counted per line)."""
        return sum(w.excess for w in self.waste)

    def to_dict(self) -> dict:
        return {
            "bound": self.bound,
            "per_matrix": dict(self.per_matrix),
            "waste": [w.to_dict() for w in self.waste],
            "uncovered": self.uncovered,
        }


def flow_bound(allocation: Allocation, budgets: dict[str, Budget], target_rank: int) -> FlowReport:
    """Max-flow upper bound on rho_A, and the lines that waste weights."""
    per_matrix: dict[str, int] = {}
    waste: list[Waste] = []
    for name in allocation.matrices:
        budget = budgets[name]
        graph = nx.DiGraph()
        for _, i, j in (e for e in allocation.ordered_entries if e[0] == name):
            graph.add_edge("source", ("row", i), capacity=budget.rows[i])
            graph.add_edge(("row", i), ("col", j), capacity=1)
            graph.add_edge(("col", j), "sink", capacity=budget.columns[j])
        per_matrix[name] = int(nx.maximum_flow_value(graph, "source", "sink"))
        for axis, counts, limits in (
            ("row", allocation.per_row(name), budget.rows),
            ("column", allocation.per_column(name), budget.columns),
        ):
            waste += [
                Waste(name, axis, k, count, limit)
                for k, (count, limit) in enumerate(zip(counts, limits))
                if count > limit
            ]
    bound = min(sum(per_matrix.values()), target_rank, allocation.r)
    return FlowReport(bound, per_matrix, waste, max(target_rank - bound, 0))
