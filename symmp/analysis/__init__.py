"""Exact analysis of allocations: generic ranks, budgets, flow bounds, verdicts.

Call :func:`classify` when you want the verdict (maximal / minimal /
intermediate) with its certificate; :func:`generic_ranks` for rho_A and
rho_full alone; :func:`equation_budgets` and :func:`flow_bound` to see where
a rank deficit comes from.
"""

from __future__ import annotations

from .budgets import Budget, equation_budgets, measured_budgets
from .classify import Classification, classify, is_affine
from .flow import FlowReport, Waste, flow_bound
from .provers import Certificate, ProverContext, register_prover, registered_provers
from . import null_projection, reductions  # noqa: F401  (register the reduction provers)
from .ranks import RankReport, exact_rank, generic_ranks, schwartz_zippel_bound
from .sequential import SequentialReport, SequentialStructure, analyze_sequential, find_sequential_structure

__all__ = [
    "classify",
    "Classification",
    "is_affine",
    "generic_ranks",
    "exact_rank",
    "RankReport",
    "schwartz_zippel_bound",
    "equation_budgets",
    "measured_budgets",
    "Budget",
    "flow_bound",
    "FlowReport",
    "Waste",
    "Certificate",
    "ProverContext",
    "register_prover",
    "registered_provers",
    "find_sequential_structure",
    "analyze_sequential",
    "SequentialStructure",
    "SequentialReport",
]
