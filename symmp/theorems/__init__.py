"""The theorems of THEORY.md as executable statements, one module per statement.

Each module defines one :class:`~symmp.theorems.base.Theorem` (id, title,
LaTeX statement, hypotheses, conclusion, instances over a grid of sizes and
near-misses, check) and registers it in :data:`THEOREMS`; a theorem whose
hypotheses prove a verdict also registers a prover that
:func:`symmp.classify` consults (:mod:`symmp.analysis.provers`). Add a
theorem by adding a module and importing it below.

>>> from symmp.theorems import THEOREMS, verify
>>> sorted(THEOREMS)[:2]
['fact-1', 'fact-2']

Run them with ``symmp theorems verify`` (``symmp theorems list`` lists them).
"""

from __future__ import annotations

from . import (  # noqa: F401  (each module registers its statement, in this order)
    fact_1_dimension,
    fact_2_affine,
    linear_estimator,
    linear_dichotomy,
    lrnn_d_rows,
    lrnn_b_columns,
    w_rows,
    w_columns,
    row_over_budget,
    fewer_than_d_rows,
    standard_w_only,
    lffn_first_layer,
    lffn_last_layer,
    flow_bound,
    monotonicity,
    parity,
    reductions,
)
from .base import THEOREMS, Instance, InstanceCheck, Theorem, TheoremCheck, register_theorem, verify
from .lines import w_columns_theorem, w_rows_theorem

__all__ = [
    "THEOREMS",
    "Theorem",
    "TheoremCheck",
    "InstanceCheck",
    "Instance",
    "verify",
    "register_theorem",
    "w_rows_theorem",
    "w_columns_theorem",
]
