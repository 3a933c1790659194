"""Shared check of the affine dichotomy statements (Fact 2 and its special cases).

An instance's payload is an allocation whose outputs are affine in the
learnables; the statement says MP is 0 or 1 and MP = 1 iff rho_A = rho_full.
An instance is labelled with the conclusion its ranks predict (``expected``);
the check requires :func:`symmp.classify` to prove exactly that, and the
engine's estimate to agree. A near-miss is a non-affine allocation with
0 < MP < 1 proved (the dichotomy fails there).

Examples
--------
>>> from symmp import Allocation, LinearEstimator
>>> instance = affine_instance("2+2", Allocation.spread(LinearEstimator(3, 2), "W", r=4, K=2, m=2))
>>> instance.payload[1]
'MP = 1'
"""

from __future__ import annotations

from ..allocation import Allocation
from ..analysis import generic_ranks, is_affine
from ..models import LRNN
from .base import Instance, InstanceCheck
from .checks import verdict_check

__all__ = ["affine_instance", "dichotomy_check", "diagonal_near_miss", "affine_hypotheses"]


def affine_hypotheses(allocation: Allocation) -> tuple[bool, list[str]]:
    """The outputs are affine in the learnables (exact max-plus degree)."""
    if is_affine(allocation):
        return True, []
    return False, ["the outputs are not affine in the learnable weights"]


def affine_instance(label: str, allocation: Allocation) -> Instance:
    """An instance with the conclusion its exact ranks predict."""
    ranks = generic_ranks(allocation, points=2)
    expected = "MP = 1" if ranks.rank == ranks.target_rank else "MP = 0"
    return Instance(f"{label} ({expected})", (allocation, expected))


def diagonal_near_miss() -> Instance:
    """Not affine: the lrnn n = 2, T = 2 diagonal W allocation (0 < MP < 1 proved)."""
    return Instance(
        "lrnn n=2 T=2 diagonal W (not affine)",
        (Allocation.diagonal(LRNN(2, 1, 1, 2), "W", m=2), "MP = 1"),
        near_miss=True,
    )


def dichotomy_check(instance: Instance, trials: int, seed: int) -> InstanceCheck:
    """The verdict proves the predicted conclusion (or, for a near-miss, refutes MP in {0, 1})."""
    allocation, expected = instance.payload
    inner = Instance(instance.label, allocation, instance.near_miss)
    if instance.near_miss:
        # the dichotomy fails: 0 < MP < 1 refutes both MP = 1 and MP = 0
        return verdict_check(inner, trials, seed, "MP = 1")
    return verdict_check(inner, trials, seed, expected, hypotheses=affine_hypotheses)
