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

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ... import modlinalg

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


def _monomials(q: int, degree: int) -> list[tuple[int, ...]]:
    """Exponent tuples of every monomial of degree <= ``degree``, largest first in grevlex."""
    out = set()
    for total in range(degree + 1):
        for combo in itertools.combinations_with_replacement(range(q), total):
            exponent = [0] * q
            for i in combo:
                exponent[i] += 1
            out.add(tuple(exponent))
    return sorted(out, key=lambda e: (sum(e), tuple(-x for x in reversed(e))), reverse=True)


def quadratic_terms(q: int) -> list[tuple[int, ...]]:
    """The monomials of a quadratic: 1, x_i, then x_i x_k (i <= k), in that order.

    Examples
    --------
    >>> [tuple(int(e) for e in term) for term in quadratic_terms(2)]
    [(0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2)]
    """
    unit = np.eye(q, dtype=int)
    out = [tuple([0] * q)] + [tuple(unit[i]) for i in range(q)]
    out += [tuple(unit[i] + unit[k]) for i in range(q) for k in range(i, q)]
    return out


def term_coefficients(constant: np.ndarray, linear: np.ndarray, hessian: np.ndarray) -> np.ndarray:
    """Coefficients in :func:`quadratic_terms` order, shape ``(k, q, terms)``, of ``c + J x + x^T H x / 2``."""
    k, q = constant.shape
    upper_i, upper_k = np.triu_indices(q)
    symmetric = 0.5 * (hessian + hessian.transpose(0, 1, 3, 2))
    quadratic = np.where(upper_i == upper_k, 0.5, 1.0) * symmetric[:, :, upper_i, upper_k]
    return np.concatenate([constant[:, :, None], linear, quadratic], axis=2)


@lru_cache(maxsize=None)
def general_position(q: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed random orthogonal matrices (equation mix, change of unknowns) for size ``q``.

    Examples
    --------
    >>> mix, turn = general_position(2)
    >>> bool(np.allclose(mix @ mix.T, np.eye(2)))
    True
    """
    rng = np.random.default_rng(7919 + q)
    mix = np.linalg.qr(rng.standard_normal((q, q)))[0]
    turn = np.linalg.qr(rng.standard_normal((q, q)))[0]
    return mix, turn


def general_form(coefficients: np.ndarray) -> np.ndarray:
    """Coefficients ``(k, q, terms)`` after the fixed change of unknowns and mix of equations
    (:func:`general_position`: structured systems such as x^2 = 1, y^2 = 4 come out in
    general position for the template), each equation scaled to unit norm."""
    k, q, _ = coefficients.shape
    mix, turn = general_position(q)
    constant, linear = coefficients[:, :, 0], coefficients[:, :, 1 : q + 1]
    upper_i, upper_k = np.triu_indices(q)
    hessian = np.zeros((k, q, q, q))
    diagonal = upper_i == upper_k
    hessian[:, :, upper_i, upper_k] = np.where(diagonal, 2.0, 1.0) * coefficients[:, :, q + 1 :]
    hessian[:, :, upper_k, upper_i] = hessian[:, :, upper_i, upper_k]
    linear_y = np.matmul(np.matmul(mix, linear), turn)
    turned = np.matmul(np.matmul(turn.T, hessian), turn)  # (k, e, q, q)
    hessian_y = np.matmul(mix, turned.reshape(k, q, q * q)).reshape(k, q, q, q)
    # per system (a stack of 1 x q products, not one k x q product: BLAS blocks a tall
    # product by its height, so a row's rounding would depend on the other systems)
    constant_y = np.matmul(constant[:, None, :], mix.T)[:, 0]
    out = term_coefficients(constant_y, linear_y, hessian_y)
    norms = np.linalg.norm(out, axis=2)
    return out / np.where(norms > 0, norms, 1.0)[:, :, None]


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


class NotZeroDimensional(ArithmeticError):
    """The family's systems have infinitely many roots (no finite action matrix)."""


def _standard_monomials(q: int, coefficients: np.ndarray) -> list[tuple[int, ...]]:
    """Standard monomials of the ideal of an exact instance mod p (grevlex Groebner basis, sympy).

    Raises :class:`NotZeroDimensional` when there are infinitely many.
    """
    import sympy
    from sympy.polys.orderings import grevlex

    xs = sympy.symbols(f"x1:{q + 1}")
    terms = quadratic_terms(q)
    polys = [
        sum(int(coefficients[e, t]) * sympy.prod([x**k for x, k in zip(xs, term)]) for t, term in enumerate(terms))
        for e in range(q)
    ]
    basis = sympy.groebner(polys, *xs, order="grevlex", modulus=_PRIME)
    if list(basis.exprs) == [1]:
        return []
    leads = [sympy.Poly(g, *xs).monoms(order=grevlex)[0] for g in basis.exprs]
    # zero-dimensional iff every variable has a pure power among the leading monomials
    top = []
    for i in range(q):
        powers = [lead[i] for lead in leads if sum(lead) == lead[i] and lead[i] > 0]
        if not powers:
            raise NotZeroDimensional("the system has a positive-dimensional set of roots")
        top.append(min(powers))
    candidates = _monomials(q, sum(top))
    return [m for m in candidates if not any(all(a >= b for a, b in zip(m, lead)) for lead in leads)]


def _macaulay_mod_p(q: int, degree: int, coefficients: np.ndarray):
    """Macaulay matrix mod p of degree ``degree``: rows ``x^mu f_e``, columns :func:`_monomials`."""
    columns = _monomials(q, degree)
    position = {m: i for i, m in enumerate(columns)}
    terms = quadratic_terms(q)
    rows = [(e, mu) for e in range(q) for mu in _monomials(q, degree - 2)]
    matrix = np.zeros((len(rows), len(columns)), dtype=np.int64)
    for i, (e, mu) in enumerate(rows):
        for t, term in enumerate(terms):
            matrix[i, position[tuple(a + b for a, b in zip(term, mu))]] = coefficients[e, t] % _PRIME
    return matrix, columns, rows


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
    basis = _standard_monomials(q, coefficients)
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
        macaulay, columns, rows = _macaulay_mod_p(q, degree, coefficients)
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
