"""The paper's theorems as executable statements that symmp verifies.

>>> from theorems import THEOREMS, verify
>>> sorted(THEOREMS)[:2]
['fewer-than-d-rows', 'linear-estimator']

Run them all with ``symmp theorems`` or ``python -m theorems``.
"""

from .base import InstanceCheck, Theorem, TheoremCheck, verify
from .catalog import THEOREMS

__all__ = ["THEOREMS", "Theorem", "TheoremCheck", "InstanceCheck", "verify"]
