"""Fact 2 (affine case, THEORY.md section 3): affine outputs give MP in {0, 1}, MP = 1 iff ranks agree.

Instances: lrnn D-only and B-only and lffn single-layer allocations with
full and deficient ranks. Near-miss: a non-affine allocation with
0 < MP < 1 proved (the lrnn n = 2, T = 2 diagonal W). The ReLU exception
(a D-only ReLU allocation can have 0 < MP < 1) is why ``classify`` leaves
ReLU D-only allocations ``undecided``.

Examples
--------
>>> THEOREM.id
'fact-2'
"""

from __future__ import annotations

from ..allocation import Allocation
from ..models import LFFN, LRNN
from .base import Theorem, register_theorem
from .dichotomy import affine_hypotheses, affine_instance, dichotomy_check, diagonal_near_miss

__all__ = ["THEOREM"]


def _instances(grid: str):
    rnn, ffn = LRNN(4, 1, 2, 2), LFFN([3, 3, 2])
    yield affine_instance("lrnn D rows 2+2", Allocation.spread(rnn, "D", r=4, K=2, m=2))
    yield affine_instance("lrnn D rows 3+1", Allocation.from_entries(rnn, [("D", 0, 0), ("D", 0, 1), ("D", 0, 2), ("D", 1, 0)], m=2))
    yield affine_instance("lrnn B column", Allocation.from_entries(rnn, [("B", i, 0) for i in range(4)], m=2))
    yield affine_instance("lffn W2 rows 3+3", Allocation.spread(ffn, "W2", r=6, K=2, m=3))
    if grid == "full":
        for seed in range(4):
            yield affine_instance(f"lffn W1 random seed={seed}", Allocation.random(ffn, 6, 3, matrices=["W1"], seed=seed))
    yield diagonal_near_miss()


THEOREM = register_theorem(
    Theorem(
        id="fact-2",
        title="Fact 2 (affine): MP is 0 or 1",
        statement=r"If the outputs are affine in the learnable weights, then $\mathrm{MP} \in \{0, 1\}$ "
        r"and $\mathrm{MP} = 1$ iff $\rho_A = \rho_{\mathrm{full}}$ (polynomial models; not for ReLU features).",
        reference="THEORY.md section 3",
        conclusion="MP in {0, 1}",
        hypotheses=affine_hypotheses,
        instances=_instances,
        check=dichotomy_check,
    )
)
