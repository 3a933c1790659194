"""symmp: the expressive power of subset learning.

When only an *allocation* of a network's weights may learn and the rest stay
fixed at random values, can the network still reproduce a random teacher?
symmp decides that exactly where it can (generic ranks modulo a prime,
equation budgets, certificates from THEORY.md) and estimates the match
probability numerically where it must.

Start here:

>>> from symmp import Allocation, LinearEstimator, classify
>>> model = LinearEstimator(n=4, d=2)
>>> verdict = classify(Allocation.spread(model, "W", r=4, K=2, m=2))
>>> verdict.verdict, verdict.rank, verdict.target_rank
('maximal', 4, 4)
"""

from __future__ import annotations

__version__ = "0.1.0"

from .allocation import Allocation
from .analysis import Classification, classify, generic_ranks
from .errors import SpecError, SymmpError
from .models import LFFN, LRNN, DeepReLU2, LinearEstimator, Model, ShallowReLU, make_model
from .spec import allocation_from_spec, allocation_to_spec, load_spec

# the layers above analysis register their provers (theorems, numeric certificates) on import
from . import numeric, theorems  # noqa: E402,F401

__all__ = [
    "Allocation",
    "Classification",
    "classify",
    "generic_ranks",
    "Model",
    "LinearEstimator",
    "LRNN",
    "LFFN",
    "ShallowReLU",
    "DeepReLU2",
    "make_model",
    "load_spec",
    "allocation_from_spec",
    "allocation_to_spec",
    "SpecError",
    "SymmpError",
]
