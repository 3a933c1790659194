"""Jacobians reduced to their small side by random projections, modulo p.

The rank of a ``q x c`` Jacobian ``J`` (q = d*m outputs, c weights) equals
the rank of ``J R`` for a uniformly random ``c x k`` matrix ``R`` over Z/pZ
with ``k >= rank(J)``, except with probability at most
``rank(J) (1 + NEAR_UNIFORM) / p`` (a
nonzero ``rank(J)``-minor of ``J R`` is a polynomial of degree ``rank(J)`` in
the entries of R: Schwartz-Zippel). ``J R`` never needs J: its column ``k``
is the directional derivative of the outputs along the random direction
``R[:, k]`` (entries near-uniform: :func:`random_balanced`), a Jacobian-vector product computed in forward mode from the
model's Jacobian factors, ``dY = sum_f L_f dM R_f`` (:meth:`Model.jacobian_factors`).
The work is ``k`` times the cost of one such product, never ``q`` times all
weights. A tall explicit matrix is reduced on the left the same way
(``S J``, ``S`` random ``k x q``).

Examples
--------
>>> import numpy as np
>>> from symmp.arithmetic import ModularArithmetic
>>> from symmp.models import LinearEstimator
>>> model, ar = LinearEstimator(n=3, d=2), ModularArithmetic(101)
>>> weights, inputs = {"W": ar.random((2, 3), np.random.default_rng(0))}, ar.eye(3)
>>> projected_jacobian(model, weights, inputs, model.all_entries(), 4, ar,
...                    np.random.default_rng(1)).shape
(6, 4)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..arithmetic import ModularArithmetic
from ..modlinalg import balanced_residues, matmul_balanced
from ..models import Entry, Model

__all__ = ["projected_jacobian", "project_rows", "project_columns", "DIRECTION_ENTRIES", "NEAR_UNIFORM", "random_balanced"]

#: Entries of one chunk of random directions of one matrix (int64: 32 MiB),
#: bounding the memory of the forward-mode products.
DIRECTION_ENTRIES = 1 << 22


def _grouped(entries: Sequence[Entry], model: Model) -> list[tuple[str, np.ndarray, np.ndarray, bool]]:
    """Per matrix: name, rows, columns of its entries in ``entries`` (their
    order) and whether they are the whole matrix in row-major order."""
    order: dict[str, list[int]] = {}
    for position, (name, _, _) in enumerate(entries):
        order.setdefault(name, []).append(position)
    out = []
    for name, positions in order.items():
        rows = np.array([entries[k][1] for k in positions], dtype=np.intp)
        cols = np.array([entries[k][2] for k in positions], dtype=np.intp)
        height, width = model.matrix_shapes[name]
        whole = len(positions) == height * width and bool(
            np.all(rows * width + cols == np.arange(height * width))
        )
        out.append((name, rows, cols, whole))
    return out


#: A projection entry takes any one residue with probability at most
#: ``(1 + NEAR_UNIFORM) / p`` (see :func:`random_balanced`).
NEAR_UNIFORM = 2.0**-20


def random_balanced(shape: tuple[int, ...], p: int, rng: np.random.Generator) -> np.ndarray:
    """Random residues mod p as balanced float64 ``floor(u p) - (p - 1) // 2``
    from uniform doubles ``u`` (53 random bits): each residue has probability
    at most ``(2**53 / p + 3) / 2**53 <= (1 + NEAR_UNIFORM) / p``, which is
    what the Schwartz-Zippel bound needs (three times faster than exact
    integer draws).

    Examples
    --------
    >>> x = random_balanced((1000,), 7, np.random.default_rng(0))
    >>> sorted(set(x.tolist()))
    [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
    """
    draws = rng.random(shape)
    draws *= p
    np.floor(draws, out=draws)
    np.minimum(draws, p - 1, out=draws)
    draws -= (p - 1) // 2
    return draws


def _apply_factors(factors: list, directions: np.ndarray, p: int) -> np.ndarray:
    """``sum_f L_f dM_k R_f`` for every direction ``dM_k`` of ``directions``
    (k, rows, cols; balanced float64 residues), as balanced (k, d, m).

    The left factors are stacked so that the directions are read once
    (``[L_1; L_2; ...] dM``) when multiplying on the left first is cheaper;
    otherwise each ``dM R_f`` is formed first.
    """
    count, rows, cols = directions.shape
    lefts = [balanced_residues(f.left, p) for f in factors]
    rights = [balanced_residues(f.right, p) for f in factors]
    d, m = lefts[0].shape[0], rights[0].shape[1]
    total = np.zeros((count, d, m))
    if d * rows * cols + d * cols * m <= rows * cols * m + d * rows * m:
        stacked = np.ascontiguousarray(directions.transpose(1, 0, 2)).reshape(rows, count * cols)
        first = matmul_balanced(np.concatenate(lefts), stacked, p).reshape(len(factors), d, count, cols)
        for f, right in enumerate(rights):
            block = np.ascontiguousarray(first[f].transpose(1, 0, 2)).reshape(count * d, cols)
            total += matmul_balanced(block, right, p).reshape(count, d, m)
    else:
        flat = directions.reshape(count * rows, cols)
        for left, right in zip(lefts, rights):
            first = matmul_balanced(flat, right, p).reshape(count, rows, m)
            stacked = np.ascontiguousarray(first.transpose(1, 0, 2)).reshape(rows, count * m)
            total += matmul_balanced(left, stacked, p).reshape(d, count, m).transpose(1, 0, 2)
    return total


def projected_jacobian(
    model: Model,
    weights: dict,
    inputs: np.ndarray,
    entries: Sequence[Entry],
    k: int,
    ar: ModularArithmetic,
    rng: np.random.Generator,
    **options,
) -> np.ndarray:
    """``J_E R`` modulo p, shape ``(d*m, k)``, for ``R`` uniform ``|E| x k``.

    ``J_E`` is the Jacobian of the flattened outputs with respect to
    ``entries`` at ``(weights, inputs)``; each column of the result is one
    forward-mode Jacobian-vector product along a random direction supported
    on ``entries``. Directions are drawn from ``rng`` in chunks (at most
    :data:`DIRECTION_ENTRIES` numbers a matrix at once). Models whose factors
    vary per sample (activation patterns) are projected from the explicit
    Jacobian instead.
    """
    p = ar.p
    d, m = model.output_dim, np.shape(inputs)[-1]
    groups = _grouped(entries, model)
    factors = {name: model.jacobian_factors(weights, inputs, name, ar, **options) for name, *_ in groups}
    if any(f.per_sample for fs in factors.values() for f in fs):
        jacobian = model.jacobian(weights, inputs, entries, ar, **options)
        return project_columns(jacobian, k, ar, rng)
    out = np.zeros((k, d, m), dtype=np.int64)
    largest = max(model.matrix_shapes[name][0] * model.matrix_shapes[name][1] for name, *_ in groups)
    chunk = max(1, min(k, DIRECTION_ENTRIES // largest))
    for start in range(0, k, chunk):
        count = min(chunk, k - start)
        total = np.zeros((count, d, m))
        for name, rows, cols, whole in groups:
            shape = model.matrix_shapes[name]
            if whole:
                directions = random_balanced((count,) + shape, p, rng)
            else:
                directions = np.zeros((count,) + shape)
                directions[:, rows, cols] = random_balanced((count, rows.size), p, rng)
            if factors[name]:  # the outputs depend on this matrix
                total += _apply_factors(factors[name], directions, p)
        out[start : start + count] = np.mod(total.astype(np.int64), p)
    return out.reshape(k, d * m).T.copy()


def project_columns(matrix: np.ndarray, k: int, ar: ModularArithmetic, rng: np.random.Generator) -> np.ndarray:
    """``matrix @ R`` modulo p for a random ``cols x k`` matrix R (:func:`random_balanced`)."""
    product = matmul_balanced(balanced_residues(matrix, ar.p), random_balanced((matrix.shape[1], k), ar.p, rng), ar.p)
    return np.mod(product.astype(np.int64), ar.p)


def project_rows(matrix: np.ndarray, k: int, ar: ModularArithmetic, rng: np.random.Generator) -> np.ndarray:
    """``S @ matrix`` modulo p for a random ``k x rows`` matrix S (:func:`random_balanced`)."""
    product = matmul_balanced(random_balanced((k, matrix.shape[0]), ar.p, rng), balanced_residues(matrix, ar.p), ar.p)
    return np.mod(product.astype(np.int64), ar.p)
