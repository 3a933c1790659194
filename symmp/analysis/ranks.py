"""Exact generic ranks rho_A and rho_full (THEORY.md section 3).

The Jacobian of the outputs is evaluated at random integer points reduced
modulo a large prime and its rank found by exact elimination
(:func:`symmp.modlinalg.rank_mod_p`). The rank at any point never exceeds
the generic rank, so a rank found is a certified lower bound; a rank below
the generic one at all of k independent random points has probability at most
``((rho + 1) * deg / p) ** k`` (Schwartz-Zippel: some (rho + 1)-minor is a
nonzero polynomial of degree at most ``(rho + 1) * deg`` in the random
quantities, where ``deg`` bounds the degree of a Jacobian entry).

Large Jacobians are never formed: a ``q x c`` Jacobian with many more
weights than outputs is replaced by ``J R`` (``R`` a uniform random
``c x k`` matrix mod p, ``k`` = the smaller side capped by the a-priori rank
bound), computed by forward-mode Jacobian-vector products
(:mod:`symmp.analysis.projection`); a very wide or tall explicit matrix is
reduced to its small side the same way before elimination. The rank of
``J R`` never exceeds that of ``J``, so a rank found is still a certified
lower bound; the (rho + 1)-minor of ``J(x) R`` is a polynomial of degree
``(rho + 1) * (deg + 1)`` in the point and the projection together, so with
``s`` projections (0, 1 or 2), whose entries take any residue with
probability at most ``(1 + 2**-20) / p``, the bound becomes
``((rho + 1) * (deg + s * (1 + 2**-20)) / p) ** k``. A rank that reaches an a-priori upper
bound (the model's bound on rho_full; r for rho_A) is exact, and its
evaluation stops there (no more points, the elimination stops early).

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

import os

import numpy as np
from threadpoolctl import threadpool_limits

from ..allocation import Allocation
from ..arithmetic import DEFAULT_PRIME, ModularArithmetic
from ..models import Entry, Model
from ..modlinalg import rank_mod_p
from .projection import NEAR_UNIFORM, project_columns, project_rows, projected_jacobian

__all__ = [
    "RankReport",
    "generic_ranks",
    "exact_rank",
    "schwartz_zippel_bound",
    "random_point",
    "METHODS",
]

DEFAULT_POINTS = 3
#: ``auto``: explicit Jacobians while small, projections when large;
#: ``full``: always the explicit Jacobian, never projected (the reference);
#: ``projected``: always reduced by random projections (for testing).
METHODS = ("auto", "full", "projected")
#: Largest explicit Jacobian (entries) ``auto`` builds.
EXPLICIT_ENTRIES = 1 << 22
#: ``auto`` reduces an explicit matrix to its small side when the sides differ
#: by this factor and the small side exceeds :data:`SMALL_SIDE`.
ASPECT = 4
SMALL_SIDE = 64


def blas_threads() -> int:
    """BLAS threads for the rank evaluation: ``SYMMP_BLAS_THREADS`` or 1.

    One thread by default: on a shared two-core machine the exact products
    ran 3-4 times faster on one BLAS thread than on two (measured, issue 15).
    """
    text = os.environ.get("SYMMP_BLAS_THREADS", "1")
    return int(text) if text.isdigit() and int(text) > 0 else 1


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
    projections : int
        Random projections multiplied into the Jacobians (0: explicit; 1:
        ``J R``; 2: ``S J R``), counted in the bounds.
    points_used : tuple of int
        Points evaluated for (rho_A, rho_full): fewer than ``points`` when the
        rank reached its a-priori upper bound (then it is exact).
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
    projections: int = 0
    points_used: tuple[int, int] = (0, 0)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def schwartz_zippel_bound(rank: int, degree: int, prime: int, points: int, projections: int = 0) -> float:
    """Probability that a rank below the generic one is seen at every point.

    With ``projections`` random projection matrices multiplied into the
    Jacobian, each (rank + 1)-minor gains degree ``projections`` per row in
    their entries, which take any residue with probability at most
    ``(1 + NEAR_UNIFORM) / prime``:
    ``((rank + 1) * (degree + projections * (1 + NEAR_UNIFORM)) / prime) ** points``.

    Examples
    --------
    >>> schwartz_zippel_bound(3, 2, 101, 2)
    0.006...
    >>> schwartz_zippel_bound(3, 2, 101, 2, projections=1) > schwartz_zippel_bound(3, 2, 101, 2)
    True
    """
    per_point = min(1.0, (rank + 1) * (degree + projections * (1 + NEAR_UNIFORM)) / prime)
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
    method: str = "auto",
) -> int:
    """Largest exact rank, over ``points`` random points, of the Jacobian of
    the outputs with respect to ``entries`` (a certified lower bound on the
    generic rank)."""
    ranks, _, _ = _ranks_at_points(model, [list(entries)], [None], m, points, prime, seed, method)
    return ranks[0]


def _set_rank(model, weights, inputs, entries, cap, ar, rng, method, options) -> tuple[int, int]:
    """(rank at this point, projections used) of the Jacobian by ``entries``;
    the elimination stops at ``cap``."""
    rows, cols = model.output_dim * np.shape(inputs)[-1], len(entries)
    k = min(rows, cols, cap)
    if method == "projected" or (method == "auto" and rows * cols > EXPLICIT_ENTRIES and cols > rows):
        matrix, projections = projected_jacobian(model, weights, inputs, entries, k, ar, rng, **options), 1
    else:
        matrix, projections = model.jacobian(weights, inputs, entries, ar, **options), 0
    if method == "projected" and matrix.shape[0] > k:
        matrix, projections = project_rows(matrix, k, ar, rng), projections + 1
    elif method == "auto" and min(matrix.shape) > SMALL_SIDE and max(matrix.shape) >= ASPECT * min(matrix.shape):
        # reduce a wide or tall explicit matrix to its small side before elimination
        if matrix.shape[1] > matrix.shape[0]:
            matrix, projections = project_columns(matrix, k, ar, rng), projections + 1
        else:
            matrix, projections = project_rows(matrix, k, ar, rng), projections + 1
    return rank_mod_p(matrix, ar.p, limit=cap), projections


def _ranks_at_points(model, entry_sets, caps, m, points, prime, seed, method):
    """Best rank of each entry set over the points, the projections used and
    the points evaluated; a set stops once its rank reaches its cap."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    with threadpool_limits(limits=blas_threads(), user_api="blas"):
        return _evaluate(model, entry_sets, caps, m, points, prime, seed, method)


def _evaluate(model, entry_sets, caps, m, points, prime, seed, method):
    ar = ModularArithmetic(prime)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED]))
    # the projections draw from their own stream: the points are those of
    # the explicit method, whatever is projected
    projection_rng = np.random.default_rng(np.random.SeedSequence([seed, 0x9A0]))
    caps = [min(len(entries), model.n_weights if cap is None else cap) for entries, cap in zip(entry_sets, caps)]
    best = [0] * len(entry_sets)
    used = [0] * len(entry_sets)
    projections = 0
    for _ in range(points):
        if all(b >= c for b, c in zip(best, caps)):
            break
        weights, inputs = random_point(model, m, ar, rng)
        options = _point_options(model, m, ar, rng)
        for k, entries in enumerate(entry_sets):
            if not entries or best[k] >= caps[k]:
                continue
            rank, projected = _set_rank(model, weights, inputs, entries, caps[k], ar, projection_rng, method, options)
            best[k], used[k] = max(best[k], rank), used[k] + 1
            projections = max(projections, projected)
    return best, projections, used


def generic_ranks(
    allocation: Allocation,
    *,
    points: int = DEFAULT_POINTS,
    prime: int = DEFAULT_PRIME,
    seed: int | None = None,
    method: str = "auto",
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
    method : {"auto", "full", "projected"}
        How the Jacobians are formed (:data:`METHODS`); every method decides
        the same exact ranks except with the probability in the bounds.
    """
    if points < 1:
        raise ValueError(f"points must be >= 1, got {points}")
    model = allocation.model
    seed = (allocation.seed or 0) if seed is None else seed
    upper = model.rank_upper_bound(allocation.m)
    (rank, target), projections, (used_a, used_full) = _ranks_at_points(
        model,
        [list(allocation.ordered_entries), model.all_entries()],
        [min(allocation.r, upper), upper],
        allocation.m,
        points,
        prime,
        seed,
        method,
    )
    degree = model.jacobian_entry_degree()
    certified = target >= upper
    return RankReport(
        rank=rank,
        target_rank=target,
        target_certified=certified,
        rank_bound=schwartz_zippel_bound(rank, degree, prime, points, projections),
        target_bound=0.0 if certified else schwartz_zippel_bound(target, degree, prime, points, projections),
        points=points,
        prime=prime,
        degree=degree,
        upper_bound=upper,
        projections=projections,
        points_used=(used_a, used_full),
    )
