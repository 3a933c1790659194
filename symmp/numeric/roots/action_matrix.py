"""All finite complex roots of many square quadratic systems of one family at once.

The action-matrix method, batched in numpy: with the family's template
(:mod:`symmp.numeric.roots.template`, built once and exactly), per system

1. a fixed random orthogonal change of unknowns and mix of equations; the
   template is filled with the coefficients and its excess columns
   eliminated (the template's sparse plan, or one LU with partial
   pivoting), which gives the normal form of every monomial of
   ``R = x_a B \\ B`` in the basis ``B``, hence the ``N x N`` matrix of
   multiplication by ``x_a`` on ``C[x] / I``. For every root ``z`` the
   vector of basis monomials at ``z`` is an eigenvector of its transpose;
   the root is read off its entries at ``1, x_1, ..., x_q`` (or through the
   normal form of a coordinate that is not a standard monomial);
2. every root gets complex Newton steps. A system is ``complete`` when all
   its ``N`` roots are finite, converged (:data:`ROOT_TOL`, :data:`STEP_TOL`)
   and pairwise distinct (:data:`DISTINCT`); systems the sparse plan leaves
   incomplete are redone with the LU, and what is still incomplete (roots
   far out, ill-conditioned) is reported so: its roots are returned, but
   the caller must not take them for all the roots.

This is floating point: the roots are approximations, and ``complete`` is a
numerical judgement, not a proof. :mod:`symmp.numeric.solvers.algebraic`
confirms every real root on the real model.

Examples
--------
>>> import numpy as np
>>> # x^2 - 1 = 0, y^2 - 4 = 0: four roots (+-1, +-2)
>>> c = np.array([[-1.0, -4.0]]); J = np.zeros((1, 2, 2))
>>> H = np.zeros((1, 2, 2, 2)); H[0, 0, 0, 0] = 2.0; H[0, 1, 1, 1] = 2.0
>>> roots, complete = quadratic_roots(c, J, H)
>>> sorted(np.round(roots[0].real, 6).tolist())
[[-1.0, -2.0], [-1.0, 2.0], [1.0, -2.0], [1.0, 2.0]]
>>> bool(complete[0])
True
"""

from __future__ import annotations

import numpy as np

from .forms import NotZeroDimensional, general_form, general_position, term_coefficients
from .template import (
    MAX_UNKNOWNS,
    ActionTemplate,
    dense_template,
    build_template,
)
from ..kernels.batched import solve_each

__all__ = [
    "quadratic_roots",
    "choose_method",
    "ActionTemplate",
    "NotZeroDimensional",
    "dense_template",
    "build_template",
    "MAX_UNKNOWNS",
    "ROOT_TOL",
    "STEP_TOL",
]

#: a root has converged when its relative residual (residual over the equation's
#: coefficient norm times 1 + |x|^2) is below this ...
ROOT_TOL = 1e-8
#: ... and its last Newton step moved it by at most this, relative to 1 + |x|
STEP_TOL = 1e-9
#: complex Newton steps refining every computed root
REFINE = 1
#: further steps for the systems whose roots have not all converged yet
EXTRA_REFINE = 4
#: roots beyond this size (unknowns as given: scale them to order one) are
#: ill-conditioned whatever the elimination; their failing alone does not trigger the dense redo
FAR = 1e3
#: two computed roots closer than this (relative) are one root found twice: the system
#: is not complete (the families here have simple roots)
DISTINCT = 1e-7


def _evaluate(constant, linear, hessian, z):
    """Residuals and Jacobians of every system at complex points ``z (k, P, q)``."""
    k, q = constant.shape
    hz = np.matmul(hessian.reshape(k, q * q, q), z.transpose(0, 2, 1)).reshape(k, q, q, -1).transpose(0, 3, 1, 2)
    jac = linear[:, None] + hz
    res = constant[:, None] + np.matmul(linear[:, None] + 0.5 * hz, z[..., None])[..., 0]
    return res, jac


def quadratic_roots(
    constant: np.ndarray,
    linear: np.ndarray,
    hessian: np.ndarray,
    *,
    template: ActionTemplate | None = None,
    refine: int = REFINE,
    method: str | None = None,
    quick: bool = False,
    resume: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """All finite complex roots of every system ``c + J x + x^T H x / 2 = 0`` of a family.

    Parameters
    ----------
    constant : ndarray, shape (k, q)
    linear : ndarray, shape (k, q, q)
        ``linear[t, e, i]``: coefficient of ``x_i`` in equation ``e``.
    hessian : ndarray, shape (k, q, q, q)
        ``hessian[t, e, i, j]``: second derivative of equation ``e``
        (symmetrised if it is not symmetric).
    template : ActionTemplate, optional
        The family's template (:func:`build_template`); default the dense
        one of :func:`~symmp.numeric.roots.template.dense_template` (``2^q`` roots).
    refine : int
        Complex Newton steps applied to every root.
    method : {"sparse", "dense"}, optional
        ``"sparse"``: the template's exact sparse elimination plan (static
        pivots, about a tenth of the dense work), and the systems it leaves
        incomplete are redone with ``"dense"``: one LU with partial pivoting
        of the whole square block. Default: the template's ``method``.
    quick : bool
        One pass only: ``method``'s elimination and ``refine`` Newton steps,
        without the further steps for laggard roots or the dense redo; the
        roots are usable, ``complete`` is mostly False. For callers that
        settle most systems from some root (a confirmed real solution) and
        finish the others with ``resume``.
    resume : ndarray, shape (k, N, q), optional
        The roots of a quick pass: finish them (further Newton steps for the
        laggards, then the dense redo where still needed) instead of
        eliminating again.

    Returns
    -------
    roots : ndarray, shape (k, N, q), complex
        The ``N = template.roots`` roots (NaN where a system's elimination failed).
    complete : ndarray, shape (k,), bool
        Every root of the system was found finite and converged (relative
        residual, the residual over the equation's coefficient norm times
        ``1 + |x|^2``, below :data:`ROOT_TOL`, and a last Newton step below
        :data:`STEP_TOL` relative), and the roots are pairwise distinct
        (:data:`DISTINCT`).

    Notes
    -----
    Scale the unknowns so that the roots that matter are of order one; the
    template is well conditioned for such systems.
    """
    constant = np.asarray(constant, dtype=float)
    linear = np.asarray(linear, dtype=float)
    hessian = np.asarray(hessian, dtype=float)
    k, q = constant.shape
    template = template or dense_template(q)
    if template.q != q:
        raise ValueError(f"the template is for {template.q} unknowns, the systems have {q}")
    method = method or template.method
    if method not in ("sparse", "dense"):
        raise ValueError(f"method must be 'sparse' or 'dense', got {method!r}")
    _, turn = general_position(q)
    given = term_coefficients(constant, linear, hessian)
    coefficients = general_form(given)
    original = np.linalg.norm(given, axis=2)
    original = np.where(original > 0, original, 1.0)
    scaled = (constant / original, linear / original[:, :, None], hessian / original[:, :, None, None])
    roots = np.full((k, template.roots, q), np.nan + 0j)
    complete = np.zeros(k, dtype=bool)
    todo = np.arange(k)
    attempts = (method,) if quick else ((method, "dense") if method == "sparse" else ("dense",))
    if resume is not None:
        resume = np.asarray(resume, dtype=complex)
        if resume.shape != roots.shape:
            raise ValueError(f"resume must have shape {roots.shape}, got {resume.shape}")
        attempts = ("resume", "dense")
    extra = 0 if quick else EXTRA_REFINE
    for attempt in attempts:
        if todo.size == 0:
            break
        part = [a[todo] for a in scaled]
        if attempt == "resume":  # the quick pass's roots, finished
            found, finite = resume[todo].copy(), np.isfinite(resume[todo]).all(axis=(1, 2))
            found, done, retry = _polish(part, found, finite, 0, extra)
        else:
            found, finite = _eliminate(coefficients[todo], template, attempt, turn)
            found, done, retry = _polish(part, found, finite, refine, extra)
        roots[todo], complete[todo] = found, done
        # the sparse elimination's static pivots can lose accuracy: redo densely, unless
        # only roots beyond FAR failed (ill-conditioned whatever the elimination)
        todo = todo[~done & retry]
    return roots, complete


def choose_method(template: ActionTemplate, samples: tuple) -> ActionTemplate:
    """``template`` with ``method`` set by trying both eliminations on sample systems.

    ``samples`` is ``(constant, linear, hessian)`` of a few floating-point
    members of the family (fixed draws, so the choice is reproducible). The
    sparse plan costs about half an LU, and a system it leaves incomplete is
    redone with the LU, so it is kept unless it leaves incomplete more than
    half of the samples the LU completes (families whose static pivots are
    ill-conditioned); then the dense LU becomes the default.
    """
    from dataclasses import replace

    sparse = quadratic_roots(*samples, template=template, method="sparse")[1].sum()
    dense = quadratic_roots(*samples, template=template, method="dense")[1].sum()
    return replace(template, method="sparse" if 2 * sparse >= dense else "dense")


def _normal_forms(coefficients: np.ndarray, template: ActionTemplate, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Normal forms of ``R`` in the basis, shape ``(k, |R|, roots)``, and which systems gave finite ones.

    ``x_a b = r`` is ``-(row j of the result) . B`` modulo the ideal, ``r = R[j]``.
    """
    size, k = template.size, coefficients.shape[0]
    values = coefficients[:, template.fill_eq, template.fill_term]  # (k, entries)
    if method == "dense":
        filled = np.zeros((k, size, size + template.roots))
        filled[:, template.fill_row, template.fill_col] = values
        solved, ok = solve_each(filled[:, :, :size], filled[:, :, size:])
        return solved[:, template.r_columns, :], ok
    width = size + template.roots
    work = np.zeros((size * width, k))  # flat (row, column) -> the k systems' entries, contiguous
    work[template.fill_row * width + template.fill_col] = values.T
    for entries, pivots, targets, sources, owners in template.levels:  # arithmetic in place on the gathers
        factors = work[entries]
        factors /= work[pivots]
        update = factors[owners]
        update *= work[sources]
        changed = work[targets]
        changed -= update
        work[targets] = changed
    last = work.reshape(size, width, k)[template.final_rows]
    square = last[:, template.r_columns].transpose(2, 0, 1)
    return solve_each(square, last[:, size:].transpose(2, 0, 1))


def _newton_step(scaled, roots):
    """One complex Newton step of every root (systems ``scaled``); non-finite steps are skipped.

    Returns the new roots and each step's size relative to ``1 + |x|`` (inf if not finite).
    """
    k, count, q = roots.shape
    res, jac = _evaluate(*scaled, roots)
    step, _ = solve_each(jac.reshape(-1, q, q), res.reshape(-1, q, 1))
    step = step.reshape(k, count, q)
    finite = np.isfinite(step)
    size = np.abs(step).max(axis=2) / (1.0 + np.abs(roots).max(axis=2))
    return np.where(finite, roots - step, roots), np.where(finite.all(axis=2), size, np.inf)


def _relative_residual(scaled, roots):
    """Residual over ``1 + |x|^2`` (equations of unit coefficient norm), NaN-safe (inf)."""
    res, _ = _evaluate(*scaled, roots)
    relative = np.linalg.norm(res, axis=2) / (1.0 + np.sum(np.abs(roots) ** 2, axis=2))
    return np.where(np.isfinite(relative), relative, np.inf)


def _eliminate(coefficients, template, method, turn):
    """Roots (original unknowns) read off the action matrix, unrefined, and which systems gave finite ones."""
    k, q = coefficients.shape[:2]
    count = template.roots
    with np.errstate(all="ignore"):
        forms, ok = _normal_forms(coefficients, template, method)
        action = np.zeros((k, count, count))
        source = template.action_source
        inside = np.flatnonzero(source >= 0)
        action[:, source[inside], inside] = 1.0
        outside = np.flatnonzero(source < 0)
        action[:, :, outside] = -forms[:, -1 - source[outside], :].transpose(0, 2, 1)
        finite = ok & np.isfinite(action).all(axis=(1, 2))
        action[~finite] = 0.0
        _, vectors = np.linalg.eig(action.transpose(0, 2, 1))
        coordinates = np.empty((k, q, count), dtype=complex)
        for i, where in enumerate(template.linear):  # x_i at each root: an entry, or its normal form
            if where >= 0:
                coordinates[:, i] = vectors[:, where]
            else:
                coordinates[:, i] = -np.matmul(forms[:, -1 - where][:, None, :], vectors)[:, 0]
        roots = coordinates / vectors[:, template.one, None, :]
        roots = roots.transpose(0, 2, 1) @ turn.T  # (k, roots, q), back to x = turn y
    roots[~finite] = np.nan
    return roots, finite


def _polish(scaled, roots, finite, refine, extra):
    """Newton-refined roots, completeness, and whether a dense redo could help, per system.

    ``refine`` steps for every root (at least one when ``extra`` is 0, to
    measure the last step), then up to ``extra`` more for the systems whose
    roots have not all converged.
    """
    with np.errstate(all="ignore"):
        step = np.full(roots.shape[:2], np.inf)
        for _ in range(max(refine, 1 if extra == 0 else 0)):
            roots, step = _newton_step(scaled, roots)
        # converged: a small residual and a last Newton step that no longer moves the root
        good = (_relative_residual(scaled, roots) <= ROOT_TOL) & (step <= STEP_TOL)
        for _ in range(extra):  # roots far out converge later: more steps for the laggards only
            lagging = np.flatnonzero(finite & ~good.all(axis=1))
            if lagging.size == 0:
                break
            part = [a[lagging] for a in scaled]
            roots[lagging], step = _newton_step(part, roots[lagging])
            good[lagging] = (_relative_residual(part, roots[lagging]) <= ROOT_TOL) & (step <= STEP_TOL)
    roots[~finite] = np.nan
    distinct = _distinct(roots)
    complete = finite & good.all(axis=1) & distinct
    with np.errstate(invalid="ignore"):
        near_failure = (~good & ~(np.abs(roots).max(axis=2) > FAR)).any(axis=1)
    return roots, complete, ~finite | near_failure | ~distinct


def _distinct(roots: np.ndarray) -> np.ndarray:
    """Whether the roots of each system are pairwise apart (two copies of one root mean one was lost).

    Compared through a fixed random linear form of the roots (distinct roots
    give distinct values with probability one), relative to the roots' size.
    """
    k, count, q = roots.shape
    if count < 2:
        return np.ones(k, dtype=bool)
    form = np.random.default_rng(31 + q).standard_normal(q)
    form /= np.linalg.norm(form)
    with np.errstate(invalid="ignore"):
        value = roots @ form  # (k, count)
        size = 1.0 + np.abs(roots).max(axis=2)
        gap = np.abs(value[:, :, None] - value[:, None, :])
        apart = gap > DISTINCT * np.maximum(size[:, :, None], size[:, None, :])
    apart[:, np.arange(count), np.arange(count)] = True
    return apart.all(axis=(1, 2))