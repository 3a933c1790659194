"""Exact generic ranks rho_A and rho_full (THEORY.md section 3).

The Jacobian of the outputs is evaluated at random integer points reduced
modulo a large prime and its rank found by exact elimination
(:func:`symmp.modlinalg.rank_mod_p`). The rank at any point never exceeds
the generic rank, so a rank found is a certified lower bound; a rank below
the generic one at all of k independent random points has probability at most
``((rho + 1) * deg / p) ** k`` (Schwartz-Zippel: some (rho + 1)-minor is a
nonzero polynomial of degree at most ``(rho + 1) * deg`` in the random
quantities, where ``deg`` bounds the degree of a Jacobian entry).

Floating point never decides a rank here.

Examples
--------
>>> from symmp import Allocation, LinearEstimator
>>> model = LinearEstimator(n=2, d=2)
>>> report = generic_ranks(Allocation.from_entries(model, [("W", 0, 0), ("W", 0, 1)], m=2))
>>> report.rank, report.target_rank
(2, 4)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..allocation import Allocation
from ..arithmetic import DEFAULT_PRIME, ModularArithmetic
from ..models import Entry, Model
from ..modlinalg import rank_mod_p

__all__ = ["RankReport", "generic_ranks", "exact_rank", "schwartz_zippel_bound", "random_point"]

DEFAULT_POINTS = 3


@dataclass(frozen=True)
class RankReport:
    """Exact ranks of an allocation at random points modulo a prime.

    Attributes
    ----------
    rank : int
        rho_A, the largest rank found for the learnable entries.
    target_rank : int
        rho_full, the largest rank found for all weights.
    target_certified : bool
        True when ``target_rank`` reached an a-priori upper bound, so it is
        exact with no probability of error.
    rank_bound : float
        Probability that ``rank`` is below the generic rho_A.
    target_bound : float
        Probability that ``target_rank`` is below the generic rho_full (0 when
        certified).
    points, prime, degree : int
        Number of random points, the prime, and the degree bound of a
        Jacobian entry used in the bounds.
    upper_bound : int
        The model's a-priori upper bound on rho_full
        (:meth:`~symmp.models.Model.rank_upper_bound`).
    """

    rank: int
    target_rank: int
    target_certified: bool
    rank_bound: float
    target_bound: float
    points: int
    prime: int
    degree: int
    upper_bound: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def schwartz_zippel_bound(rank: int, degree: int, prime: int, points: int) -> float:
    """Probability that a rank below the generic one is seen at every point.

    Examples
    --------
    >>> schwartz_zippel_bound(3, 2, 101, 2)
    0.006...
    """
    per_point = min(1.0, (rank + 1) * degree / prime)
    return per_point**points


def random_point(model: Model, m: int, ar: ModularArithmetic, rng: np.random.Generator):
    """Uniform random residues for every weight matrix and the inputs."""
    weights = {name: ar.random(shape, rng) for name, shape in model.matrix_shapes.items()}
    return weights, ar.random(model.input_shape(m), rng)


def _point_options(model: Model, m: int, ar: ModularArithmetic, rng: np.random.Generator) -> dict:
    """Extra Jacobian options at a point: the slope pattern of a network with
    an activation (see :meth:`symmp.models.ShallowReLU.rank_pattern`)."""
    if model.polynomial:
        return {}
    return {"pattern": model.rank_pattern(m, ar, rng)}


def exact_rank(
    model: Model,
    entries: Sequence[Entry],
    m: int,
    *,
    points: int = DEFAULT_POINTS,
    prime: int = DEFAULT_PRIME,
    seed: int = 0,
) -> int:
    """Largest exact rank, over ``points`` random points, of the Jacobian of
    the outputs with respect to ``entries`` (a certified lower bound on the
    generic rank)."""
    ranks = _ranks_at_points(model, [list(entries)], m, points, prime, seed)
    return ranks[0]


def _ranks_at_points(model, entry_sets, m, points, prime, seed) -> list[int]:
    ar = ModularArithmetic(prime)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED]))
    best = [0] * len(entry_sets)
    everything = model.all_entries()
    index = {entry: k for k, entry in enumerate(everything)}
    column_sets = [[index[e] for e in entries] for entries in entry_sets]
    for _ in range(points):
        weights, inputs = random_point(model, m, ar, rng)
        options = _point_options(model, m, ar, rng)
        jacobian = model.jacobian(weights, inputs, everything, ar, **options)
        for k, columns in enumerate(column_sets):
            best[k] = max(best[k], rank_mod_p(jacobian[:, columns], prime) if columns else 0)
    return best


def generic_ranks(
    allocation: Allocation,
    *,
    points: int = DEFAULT_POINTS,
    prime: int = DEFAULT_PRIME,
    seed: int | None = None,
) -> RankReport:
    """rho_A and rho_full of an allocation, exactly, with their error bounds.

    Parameters
    ----------
    allocation : Allocation
    points : int
        Number of independent random points (k in the bound).
    prime : int
        Prime modulus below 2**31.
    seed : int, optional
        Seed of the random points; defaults to ``allocation.seed`` or 0.
    """
    if points < 1:
        raise ValueError(f"points must be >= 1, got {points}")
    model = allocation.model
    seed = (allocation.seed or 0) if seed is None else seed
    rank, target = _ranks_at_points(
        model, [list(allocation.ordered_entries), model.all_entries()], allocation.m, points, prime, seed
    )
    degree = model.jacobian_entry_degree()
    upper = model.rank_upper_bound(allocation.m)
    certified = target >= upper
    return RankReport(
        rank=rank,
        target_rank=target,
        target_certified=certified,
        rank_bound=schwartz_zippel_bound(rank, degree, prime, points),
        target_bound=0.0 if certified else schwartz_zippel_bound(target, degree, prime, points),
        points=points,
        prime=prime,
        degree=degree,
        upper_bound=upper,
    )
