"""Elimination templates for families of square quadratic systems, built exactly mod p.

A family of square systems of ``q`` quadratics in ``q`` unknowns (the same
structure, coefficients varying) has, for a generic member, a fixed number
``N`` of finite complex roots: ``2^q`` (Bezout) when the top-degree forms
have no common zero, fewer when some roots lie at infinity. The quotient
ring ``C[x] / I`` then has dimension ``N``. A template says, once per
family, which linear algebra turns a member's coefficients into the matrix
of multiplication by one unknown on ``C[x] / I`` (whose eigenvectors give
the roots: :mod:`symmp.numeric.roots.action_matrix`).

From a random member mod ``p = 2^31 - 1`` (in generic coordinates), a
grevlex Groebner basis (sympy, over GF(p)) gives the standard monomials
``B`` (``N`` of them; :class:`NotZeroDimensional` when infinitely many).
With the action variable ``x_a`` (the one giving the fewest new monomials),
``R = x_a B \\ B`` and ``E`` the other monomials, the Macaulay matrix (every
``x^mu f_i``, columns the monomials in decreasing grevlex order) is grown in
degree until its exact echelon form reduces every monomial of ``R`` to
``B``; a square set of its rows and pivot columns is kept, with a sparse
elimination order for it (:func:`_elimination_plan`). Every rank and pivot
decision is exact mod p; a wrong one needs the random member to be a zero
of a nonzero polynomial of degree <= the template size in its
coefficients: probability <= size / p per decision (Schwartz-Zippel).
:func:`dense_template` is the template of dense systems (``N = 2^q``).

Examples
--------
>>> t = dense_template(3)
>>> t.roots, t.degree, t.size
(8, 4, 27)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ... import modlinalg
from .forms import (
    NotZeroDimensional,
    general_form,
    general_position,
    macaulay_mod_p,
    quadratic_terms,
    standard_monomials,
    term_coefficients,
)

__all__ = [
    "ActionTemplate",
    "NotZeroDimensional",
    "build_template",
    "dense_template",
    "quadratic_terms",
    "term_coefficients",
    "general_position",
    "general_form",
    "MAX_UNKNOWNS",
]

#: largest q with a template (dense q = 5: a 430 x 430 block per system)
MAX_UNKNOWNS = 5
#: static threshold pivoting of the sparse elimination: a pivot must be at least this
#: fraction of its column's largest entry on the template's floating-point sample
PIVOT_THRESHOLD = 0.1
_PRIME = modlinalg.DEFAULT_PRIME


def _pivots(matrix: np.ndarray) -> list[int]:
    """Pivot columns of the row echelon form of an integer matrix mod p (exact)."""
    return modlinalg.rref_mod_p(matrix, _PRIME)[1]


@dataclass(frozen=True)
class ActionTemplate:
    """The elimination template for a family of square systems of ``q`` quadratics.

    Attributes
    ----------
    q : int
        Unknowns (= equations).
    degree : int
        Degree of the Macaulay matrix the template's rows come from.
    size : int
        Rows (= pivot columns) of the square block solved per system.
    basis : tuple of exponent tuples
        The standard monomials ``B``: as many as the family's finite roots.
    variable : int
        The action variable ``a``.
    fill_row, fill_col, fill_eq, fill_term : ndarray
        Scatter map: template entry ``(fill_row[k], fill_col[k])`` is the
        coefficient ``fill_term[k]`` (index into :func:`quadratic_terms`) of equation
        ``fill_eq[k]``; columns ``< size`` are the square block's, the rest ``B``.
    action_source : ndarray
        For basis element ``j``: ``x_a b_j = b_i`` gives ``i`` (>= 0), else
        ``-1 - k``: ``x_a b_j`` is the square block's column ``r_columns[k]``.
    r_columns : ndarray
        Square-block columns of the monomials ``R = x_a B \\ B``.
    plan : tuple of (row, column, rows, columns)
        The sparse elimination of the excess columns, chosen once exactly
        (:func:`_elimination_plan`): pivot ``(row, column)``, the rows it
        updates and the columns of the pivot row.
    final_rows : ndarray
        The ``|R|`` rows left after the plan (entries only in ``R`` and ``B``).
    levels : tuple
        The plan grouped into levels of steps on disjoint rows
        (:func:`_levels`), each executed by one gather and one scatter.
    method : {"sparse", "dense"}
        The elimination :func:`~symmp.numeric.roots.action_matrix.quadratic_roots`
        uses by default for this template
        (:func:`~symmp.numeric.roots.action_matrix.choose_method` sets it).
    one, linear : int, ndarray
        Positions in ``B`` of the monomials 1 and ``x_1 .. x_q``; a
        coordinate ``x_i`` that is not standard has ``linear[i] = -1 - k``:
        its normal form is row ``k`` of the reduced ``R`` (which then
        lists, after the monomials ``x_a B \\ B``, those ``x_i``).
    """

    q: int
    degree: int
    size: int
    basis: tuple
    variable: int
    fill_row: np.ndarray
    fill_col: np.ndarray
    fill_eq: np.ndarray
    fill_term: np.ndarray
    action_source: np.ndarray
    r_columns: np.ndarray
    one: int
    linear: np.ndarray
    plan: tuple = ()
    final_rows: np.ndarray | None = None
    levels: tuple = ()
    method: str = "sparse"

    @property
    def roots(self) -> int:
        """Number of finite roots (with multiplicity) of a generic member of the family."""
        return len(self.basis)


def _elimination_plan(
    matrix: np.ndarray, reducible: np.ndarray, sample: np.ndarray | None = None
) -> tuple[tuple, np.ndarray]:
    """A sparse Gaussian elimination of the non-``reducible`` square columns, decided exactly mod p.

    ``matrix`` (size x (size + roots), entries mod p) is the template filled
    with the exact instance. Every excess column is eliminated in turn by a
    pivot that is **nonzero mod p** (so generically nonzero); among those,
    when ``sample`` (the template filled with a floating-point member of the
    family) is given, only pivots within :data:`PIVOT_THRESHOLD` of the
    largest magnitude of their column there qualify (static threshold
    pivoting), and the least Markowitz cost ``(column count - 1)(row count - 1)``
    wins. The pivot's row then leaves. The rows left hold only ``R`` and
    basis columns.
    """
    work = np.array(matrix, dtype=np.int64) % _PRIME
    values = None if sample is None else np.array(sample, dtype=float)
    size = work.shape[0]
    active = np.ones(size, dtype=bool)
    reducible_set = set(int(v) for v in reducible)
    remaining = set(c for c in range(size) if c not in reducible_set)
    plan = []
    while remaining:
        best = None
        for c in sorted(remaining):
            rows = np.flatnonzero(active & (work[:, c] != 0))
            if rows.size == 0:
                continue
            counts = (work[rows] != 0).sum(axis=1)
            allowed = np.ones(rows.size, dtype=bool)
            if values is not None:
                magnitude = np.abs(values[rows, c])
                allowed = magnitude >= PIVOT_THRESHOLD * magnitude.max()
            k = int(np.argmin(np.where(allowed, counts, np.iinfo(np.int64).max)))
            cost = (rows.size - 1) * (int(counts[k]) - 1)
            if best is None or cost < best[0]:
                best = (cost, int(rows[k]), c, rows)
        if best is None:
            raise ArithmeticError("the template's excess columns cannot all be eliminated")
        _, r, c, rows = best
        others = rows[rows != r]
        columns = np.flatnonzero(work[r] != 0)
        columns = columns[columns != c]
        inverse = pow(int(work[r, c]), _PRIME - 2, _PRIME)
        for o in others:
            factor = int(work[o, c]) * inverse % _PRIME
            work[o] = (work[o] - factor * work[r]) % _PRIME
            if values is not None:
                values[o] -= values[o, c] / values[r, c] * values[r]
        plan.append((r, c, others.astype(np.intp), columns.astype(np.intp)))
        active[r] = False
        remaining.discard(c)
    final = np.flatnonzero(active)
    square = work[np.ix_(final, reducible)]
    if len(final) != len(reducible) or modlinalg.rank_mod_p(square) != len(reducible):
        raise ArithmeticError("the rows left by the elimination do not determine R")
    return tuple(plan), final


def _levels(plan: tuple, width: int) -> tuple:
    """Group the plan's steps into levels whose steps touch disjoint rows.

    A step reads and writes only its pivot row and the rows it updates, so
    steps of one level commute and run together. A step's level is one more
    than the latest level of an earlier step sharing a row with it. Per
    level, in flat indices of a ``(rows, width)`` matrix: the updated rows'
    pivot-column entries, the matching pivots, and the update's targets,
    sources and owners (which updated row each target belongs to).
    """
    last_level: dict[int, int] = {}
    grouped: dict[int, list] = {}
    for r, c, rows, columns in plan:
        if rows.size == 0:
            continue
        touched = [int(r)] + [int(v) for v in rows]
        level = 1 + max((last_level.get(v, -1) for v in touched), default=-1)
        for v in touched:
            last_level[v] = level
        grouped.setdefault(level, []).append((r, c, rows, columns))
    levels = []
    for level in sorted(grouped):
        entries, pivots, targets, sources, owners = [], [], [], [], []
        for r, c, rows, columns in grouped[level]:
            for u in rows:
                owners.append(np.full(columns.size, len(entries), dtype=np.intp))
                entries.append(u * width + c)
                pivots.append(r * width + c)
                targets.append(u * width + columns)
                sources.append(r * width + columns)
        levels.append(
            (
                np.array(entries, dtype=np.intp),
                np.array(pivots, dtype=np.intp),
                np.concatenate(targets).astype(np.intp),
                np.concatenate(sources).astype(np.intp),
                np.concatenate(owners),
            )
        )
    return tuple(levels)


def build_template(
    coefficients: np.ndarray, *, sample: np.ndarray | None = None, max_degree: int | None = None
) -> ActionTemplate:
    """The template of the family of which ``coefficients`` is a generic exact instance.

    Parameters
    ----------
    coefficients : ndarray of int, shape (q, terms)
        A random member of the family, mod p, in :func:`quadratic_terms` order, in
        generic coordinates (a random change of unknowns and mix of equations).
    sample : ndarray of float, shape (q, terms), optional
        A floating-point member of the family (same term order, unknowns of
        order one): guides the sparse elimination's pivots towards large
        ones (:func:`_elimination_plan`). The structure still comes from the
        exact instance only.
    max_degree : int, optional
        Largest Macaulay degree tried (default ``2 q + 2``).

    Raises
    ------
    NotZeroDimensional
        Infinitely many roots.
    ArithmeticError
        No template up to ``max_degree``, or no finite root.
    """
    coefficients = np.asarray(coefficients, dtype=object)
    q = coefficients.shape[0]
    basis = standard_monomials(q, coefficients)
    if not basis:
        raise ArithmeticError("the family's systems have no root at all")
    in_basis = set(basis)

    def times(m, a):
        return tuple(x + (1 if k == a else 0) for k, x in enumerate(m))

    variable = min(range(q), key=lambda a: (sum(times(b, a) not in in_basis for b in basis), -a))
    reducible: list[tuple[int, ...]] = []
    for b in basis:
        m = times(b, variable)
        if m not in in_basis and m not in reducible:
            reducible.append(m)
    unit = np.eye(q, dtype=int)
    one = tuple([0] * q)
    if one not in in_basis:
        raise ArithmeticError("1 is not a standard monomial: the family's systems have no root")
    # a coordinate x_i that is not standard (few roots, lying on a hyperplane) is read off
    # through its normal form, computed with R's
    reducible += [m for m in map(tuple, unit) if m not in in_basis and m not in reducible]
    lowest = max(sum(m) for m in reducible) if reducible else 2
    for degree in range(max(lowest, 2), (max_degree or 2 * q + 2) + 1):
        macaulay, columns, rows = macaulay_mod_p(q, degree, coefficients)
        if any(m not in set(columns) for m in reducible):
            continue
        excess = [m for m in columns if m not in in_basis and m not in reducible]
        block_monomials = excess + reducible
        position = {m: i for i, m in enumerate(columns)}
        block = macaulay[:, [position[m] for m in block_monomials]]
        pivots = _pivots(block)
        reducible_columns = list(range(len(excess), len(block_monomials)))
        if not set(reducible_columns) <= set(pivots):
            continue
        chosen_rows = _pivots(np.ascontiguousarray(block[:, pivots].T))
        break
    else:
        raise ArithmeticError(f"no elimination template up to degree {max_degree or 2 * q + 2}")
    pivot_of = {block_monomials[c]: k for k, c in enumerate(pivots)}
    column_of = {**pivot_of, **{m: len(pivots) + j for j, m in enumerate(basis)}}
    terms = quadratic_terms(q)
    fill = []
    for r, i in enumerate(chosen_rows):
        e, mu = rows[i]
        for t, term in enumerate(terms):
            column = column_of.get(tuple(a + b for a, b in zip(term, mu)))
            if column is not None:  # a non-pivot excess monomial: its coefficient in R's rows is 0
                fill.append((r, column, e, t))
    fill_row, fill_col, fill_eq, fill_term = (np.array(v, dtype=np.intp) for v in zip(*fill))
    source = []
    for b in basis:
        m = times(b, variable)
        source.append(basis.index(m) if m in in_basis else -1 - reducible.index(m))
    r_columns = np.array([pivot_of[m] for m in reducible], dtype=np.intp)
    exact = np.zeros((len(pivots), len(pivots) + len(basis)), dtype=np.int64)
    exact[fill_row, fill_col] = [int(coefficients[e, t]) % _PRIME for e, t in zip(fill_eq, fill_term)]
    filled_sample = None
    if sample is not None:
        sample = general_form(np.asarray(sample, dtype=float)[None])[0]
        filled_sample = np.zeros(exact.shape)
        filled_sample[fill_row, fill_col] = sample[fill_eq, fill_term]
    plan, final_rows = _elimination_plan(exact, r_columns, filled_sample)
    levels = _levels(plan, len(pivots) + len(basis))
    return ActionTemplate(
        q=q,
        degree=degree,
        size=len(pivots),
        basis=tuple(basis),
        variable=variable,
        fill_row=fill_row,
        fill_col=fill_col,
        fill_eq=fill_eq,
        fill_term=fill_term,
        action_source=np.array(source, dtype=np.intp),
        r_columns=r_columns,
        one=basis.index(one),
        linear=np.array(
            [basis.index(m) if m in in_basis else -1 - reducible.index(m) for m in map(tuple, unit)],
            dtype=np.intp,
        ),
        plan=plan,
        final_rows=final_rows,
        levels=levels,
    )


@lru_cache(maxsize=None)
def dense_template(q: int, seed: int = 20250301) -> ActionTemplate:
    """The template (cached) of **dense** square quadratic systems in ``q`` unknowns (2^q roots).

    Built from a random dense instance mod p with :func:`build_template`.
    A family with structure (fewer finite roots) needs its own template,
    built from an exact instance of the family.

    Examples
    --------
    >>> t = dense_template(2)
    >>> t.roots, t.degree
    (4, 3)
    """
    if not 1 <= q <= MAX_UNKNOWNS:
        raise ValueError(f"q must be between 1 and {MAX_UNKNOWNS}, got {q}")
    rng = np.random.default_rng(seed)
    return build_template(rng.integers(1, _PRIME, size=(q, len(quadratic_terms(q)))))
