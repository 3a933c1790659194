"""The theorems of THEORY.md as executable statements, one module per statement.

Each module defines one :class:`~symmp.theorems.base.Theorem` (id, title,
LaTeX statement, hypotheses, conclusion, instances over a grid of sizes and
near-misses, check) and registers it in :data:`THEOREMS`; a theorem whose
hypotheses prove a verdict also registers a prover that
:func:`symmp.classify` consults (:mod:`symmp.analysis.provers`). Add a
theorem by adding a module and importing it below.

>>> from symmp.theorems import THEOREMS, verify
>>> sorted(THEOREMS)[:2]
['fewer-than-d-rows', 'linear-estimator']

Run them with ``symmp theorems``.
"""

from __future__ import annotations

from . import (  # noqa: F401  (each module registers its statement)
    fewer_than_d_rows,
    linear_estimator,
    monotonicity,
    row_over_budget,
    standard_w_only,
    w_columns,
    w_rows,
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
