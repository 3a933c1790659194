"""Certificates that a system of quadratic equations has no real root (S-lemma type).

For equations ``f_e(z) = c_e + J_e z + z^T H_e z / 2``, ``e = 1..E``, in
``z in R^q``, write ``f_e(z) = [1, z] M_e [1, z]^T`` with the symmetric
``(q+1) x (q+1)`` matrix ``M_e = [[c_e, J_e / 2], [J_e^T / 2, H_e / 2]]``.
If some combination ``M(lam) = sum_e lam_e M_e`` is positive definite, then
``sum_e lam_e f_e(z) > 0`` for every real ``z``, so the equations have **no
common real root**. (This is the degree-2 Positivstellensatz certificate; it
is sufficient, not necessary: a system without real roots need not have one.)

Finding ``lam`` is a small semidefinite program,

    maximize t  subject to  M(lam) - t I >= 0,  tr M(lam) = 1,

whose optimum ``t*`` is positive exactly when a certificate exists
(``t* <= 1 / (q+1)``; any certificate can be scaled to trace 1). It is
solved for many systems at once by a batched primal-dual interior-point
method (HKM direction, Mehrotra predictor-corrector), starting from a
strictly feasible pair: every iterate is feasible for the program and for
its dual, so the current ``t`` bounds ``t*`` from below and the dual value
bounds it from above, and a system is settled either way (certified, or
``impossible``: no such certificate exists) within a few iterations
(:func:`find_certificates`; 3-7 on the lrnn families of the benchmark).

A certificate is accepted only when the smallest eigenvalue of ``M(lam)``,
recomputed from ``lam`` (:func:`certificate_margin`), exceeds
:data:`MARGIN` times ``sum |lam_e|`` (each ``M_e`` scaled to unit Frobenius
norm): then every perturbation of the coefficients smaller than that margin
keeps it valid. This is floating point: strong evidence for the systems as
given, not a proof about the exact ones they approximate.

Examples
--------
>>> import numpy as np
>>> # system 0: x^2 + y^2 + 1 = 0, x y - 2 = 0 (no real root: the first is > 0)
>>> # system 1: x^2 - 1 = 0, y^2 - 4 = 0 (real roots: no certificate can exist)
>>> c = np.array([[1.0, -2.0], [-1.0, -4.0]]); J = np.zeros((2, 2, 2))
>>> H = np.zeros((2, 2, 2, 2))
>>> H[0, 0] = 2 * np.eye(2); H[0, 1, 0, 1] = H[0, 1, 1, 0] = 1.0
>>> H[1, 0, 0, 0] = H[1, 1, 1, 1] = 2.0
>>> found = find_certificates(homogenized_forms(c, J, H))
>>> found.certified.tolist(), found.impossible.tolist()
([True, False], [False, True])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kernels.batched import solve_each

__all__ = ["homogenized_forms", "find_certificates", "certificate_margin", "CertificateSearch", "MARGIN"]

#: a certificate must have ``lambda_min(M(lam)) > MARGIN * sum |lam_e|`` (unit-norm forms)
MARGIN = 1e-7
#: interior-point iterations before a system is left undecided
MAX_ITERATIONS = 25
_STEP = 0.95  # fraction of the step to the boundary of the cone


@dataclass(frozen=True)
class CertificateSearch:
    """Outcome of :func:`find_certificates` for ``k`` systems.

    Attributes
    ----------
    certified : ndarray of bool, shape (k,)
        A certificate was found and verified: no real root.
    impossible : ndarray of bool, shape (k,)
        The search stopped early: its dual bound showed that no combination
        reaches the required margin (up to rounding). Says nothing about
        real roots; a cue to move on to another method.
    lam : ndarray, shape (k, E)
        The combination (meaningful where ``certified``).
    margin : ndarray, shape (k,)
        ``lambda_min(M(lam)) / sum |lam_e|`` (:func:`certificate_margin`) for
        the systems whose candidate was checked (every certified one, and any
        rejected by the check), -inf for the others.
    iterations : ndarray of int, shape (k,)
    """

    certified: np.ndarray
    impossible: np.ndarray
    lam: np.ndarray
    margin: np.ndarray
    iterations: np.ndarray


def homogenized_forms(constant: np.ndarray, linear: np.ndarray, hessian: np.ndarray) -> np.ndarray:
    """The symmetric matrices ``M_e`` of the equations, each scaled to unit Frobenius norm.

    Parameters
    ----------
    constant : ndarray, shape (k, E)
    linear : ndarray, shape (k, E, q)
    hessian : ndarray, shape (k, E, q, q)
        ``hessian[t, e]`` is the second derivative of equation ``e``.

    Returns
    -------
    ndarray, shape (k, E, q + 1, q + 1)

    Examples
    --------
    >>> import numpy as np
    >>> M = homogenized_forms(np.array([[3.0]]), np.array([[[4.0]]]), np.zeros((1, 1, 1, 1)))
    >>> np.round(M[0, 0] * np.sqrt(17), 6).tolist()  # 3 + 4 z = [1 z] [[3, 2], [2, 0]] [1 z]^T
    [[3.0, 2.0], [2.0, 0.0]]
    """
    constant = np.asarray(constant, dtype=float)
    linear = np.asarray(linear, dtype=float)
    hessian = np.asarray(hessian, dtype=float)
    k, e, q = linear.shape
    forms = np.empty((k, e, q + 1, q + 1))
    forms[:, :, 0, 0] = constant
    forms[:, :, 0, 1:] = forms[:, :, 1:, 0] = linear / 2
    forms[:, :, 1:, 1:] = (hessian + hessian.transpose(0, 1, 3, 2)) / 4
    norms = np.linalg.norm(forms, axis=(2, 3), keepdims=True)
    return forms / np.where(norms > 0, norms, 1.0)


def certificate_margin(forms: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``lambda_min(sum_e lam_e M_e) / sum_e |lam_e|`` per system (NaN-safe: -inf).

    Positive means ``lam`` is a certificate of no real root. Only the
    symmetric part of the forms counts (it is what the quadratic forms see).

    Examples
    --------
    >>> import numpy as np
    >>> forms = np.array([[np.eye(2), np.diag([1.0, -2.0])]])  # 1 + z^2 and 1 - 2 z^2
    >>> certificate_margin(forms, np.array([[1.0, 0.0]])).round(3).tolist()
    [1.0]
    >>> bool(certificate_margin(forms, np.array([[0.0, 1.0]]))[0] < 0)
    True
    """
    combined = np.einsum("ke,keij->kij", lam, forms)
    combined = 0.5 * (combined + combined.transpose(0, 2, 1))
    finite = np.isfinite(combined).all(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        lowest = np.linalg.eigvalsh(np.where(finite[:, None, None], combined, 0.0))[:, 0]
        margin = lowest / np.abs(lam).sum(axis=1)
    return np.where(finite & np.isfinite(margin), margin, -np.inf)


def _max_steps(factors_inverse: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Largest ``a`` keeping ``V + a dV`` positive definite, from ``L^-1`` (``V = L L^T``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        lowest = np.linalg.eigvalsh(factors_inverse @ directions @ factors_inverse.transpose(0, 2, 1))[:, 0]
        return np.where(lowest < 0, -1.0 / lowest, np.inf)


def find_certificates(
    forms: np.ndarray, *, max_iterations: int = MAX_ITERATIONS, margin: float = MARGIN
) -> CertificateSearch:
    """Search every system for a positive-definite combination of its forms.

    Parameters
    ----------
    forms : ndarray, shape (k, E, p, p)
        Symmetric forms (:func:`homogenized_forms`).
    max_iterations : int
        Interior-point iterations; systems still open are neither certified
        nor ``impossible``.
    margin : float
        Required :func:`certificate_margin`.

    Returns
    -------
    CertificateSearch

    Examples
    --------
    >>> import numpy as np
    >>> # z^2 - 1 (real roots +-1) and 2 z^2 + 1 (none): the second alone is a certificate
    >>> forms = np.array([[np.diag([-1.0, 1.0]), np.diag([1.0, 2.0])]])
    >>> found = find_certificates(forms)
    >>> bool(found.certified[0]), bool(found.margin[0] > MARGIN)
    (True, True)

    Notes
    -----
    In the standard pair of semidefinite programs the search is the dual
    ``max b^T y s.t. Z = C - sum_i y_i A_i >= 0`` with ``y = (u, t)``,
    ``lam = lam_0 + N u`` (``N`` spans the ``lam`` with ``tr M(lam) = 0``),
    ``C = M(lam_0)``, ``A_u = -M(N_u)``, ``A_t = I``, ``b = e_t``; its primal
    ``min tr(C X) s.t. tr(A_i X) = b_i, X >= 0`` has the strictly feasible
    point ``X = I / p``, and ``t = lambda_min(C) - 1`` makes ``Z`` strictly
    feasible. Every iterate stays feasible, so ``tr(C X)`` bounds ``t*``
    from above and ``t`` from below: a system is certified once ``t``
    clears the margin and ``impossible`` once ``tr(C X)`` falls below it.
    """
    forms = np.asarray(forms, dtype=float)
    forms = 0.5 * (forms + forms.transpose(0, 1, 3, 2))  # the quadratic forms see only this
    k, e, p, _ = forms.shape
    traces = np.einsum("keii->ke", forms)
    size = np.einsum("ke,ke->k", traces, traces)
    usable = size > 1e-24
    basis = np.linalg.qr(traces[:, :, None], mode="complete")[0]  # column 0 along tr, the rest across
    null = basis[:, :, 1:]  # (k, E, E-1)
    lam0 = traces / np.where(usable, size, 1.0)[:, None]
    eye = np.eye(p)
    C = np.einsum("ke,keij->kij", lam0, forms)
    A = np.concatenate([-np.einsum("keu,keij->kuij", null, forms), np.broadcast_to(eye, (k, 1, p, p))], axis=1)
    flat = A.reshape(k, e, p * p)
    b = np.zeros(e)
    b[-1] = 1.0
    y = np.zeros((k, e))
    with np.errstate(invalid="ignore"):
        y[:, -1] = np.linalg.eigvalsh(np.where(np.isfinite(C), C, 0.0))[:, 0] - 1.0
    Z = C - y[:, -1, None, None] * eye
    X = np.broadcast_to(eye / p, (k, p, p)).copy()
    certified = np.zeros(k, dtype=bool)
    impossible = np.zeros(k, dtype=bool)
    margins = np.full(k, -np.inf)
    iterations = np.zeros(k, dtype=int)
    active = np.flatnonzero(usable & np.isfinite(forms).all(axis=(1, 2, 3)))
    for _ in range(max_iterations):
        if active.size == 0:
            break
        n = active.size
        Xa, Za, Aa, Fa = X[active], Z[active], A[active], flat[active]
        try:
            factors = np.linalg.cholesky(np.concatenate([Xa, Za]))
        except np.linalg.LinAlgError:  # an iterate lost definiteness to rounding: stop those
            bad = np.array([not np.all(np.linalg.eigvalsh(v) > 0) for v in np.concatenate([Xa, Za])])
            keep = ~(bad[:n] | bad[n:])
            active = active[keep]
            continue
        inverse = np.linalg.inv(factors)
        Zi = inverse[n:].transpose(0, 2, 1) @ inverse[n:]
        mu = np.einsum("kij,kji->k", Xa, Za) / p
        residual = b - np.matmul(Fa, Xa.reshape(n, p * p, 1))[..., 0]
        spread = np.matmul(np.matmul(Xa[:, None], Aa), Zi[:, None])  # X A_j Z^-1
        schur = np.matmul(Fa, spread.reshape(n, e, p * p).transpose(0, 2, 1))
        schur_factor, regular = solve_each(schur, np.broadcast_to(np.eye(e), schur.shape))
        if not regular.all():  # dependent forms (zero, repeated, proportional): those stay open
            active = active[regular]
            continue

        def direction(target, second=None):
            G = target[:, None, None] * Zi - Xa
            if second is not None:
                G = G - second
            rhs = residual - np.matmul(Fa, G.reshape(n, p * p, 1))[..., 0]
            dy = np.matmul(schur_factor, rhs[:, :, None])[..., 0]
            dZ = -np.matmul(dy[:, None, :], Fa).reshape(n, p, p)
            dX = G - Xa @ dZ @ Zi
            return dy, 0.5 * (dX + dX.transpose(0, 2, 1)), dZ

        def steps(dX, dZ):
            reach = _max_steps(inverse, np.concatenate([dX, dZ]))
            return reach[:n], reach[n:]

        # predictor (affine scaling), then Mehrotra's centring and second-order correction
        dy, dX, dZ = direction(np.zeros(n))
        primal, dual = steps(dX, dZ)
        primal, dual = np.minimum(1.0, primal), np.minimum(1.0, dual)
        gap = np.einsum("kij,kji->k", Xa + primal[:, None, None] * dX, Za + dual[:, None, None] * dZ) / p
        sigma = np.clip((gap / np.where(mu > 0, mu, 1.0)) ** 3, 0.0, 1.0)
        second = dX @ dZ @ Zi
        dy, dX, dZ = direction(sigma * mu, 0.5 * (second + second.transpose(0, 2, 1)))
        primal, dual = steps(dX, dZ)
        primal, dual = np.minimum(1.0, _STEP * primal), np.minimum(1.0, _STEP * dual)
        X[active] = Xa + primal[:, None, None] * dX
        Z[active] = Za + dual[:, None, None] * dZ
        y[active] += dual[:, None] * dy
        iterations[active] += 1
        lam = lam0[active] + np.einsum("keu,ku->ke", null[active], y[active, :-1])
        scale = np.abs(lam).sum(axis=1)
        upper = np.einsum("kij,kji->k", C[active], X[active])  # >= t*, X is feasible
        done = y[active, -1] > margin * scale
        if done.any():  # verify from lam itself
            verified = certificate_margin(forms[active[done]], lam[done])
            margins[active[done]] = verified
            done[done] = verified > margin
        hopeless = ~done & (upper < margin * scale)
        certified[active[done]] = True
        impossible[active[hopeless]] = True
        active = active[~done & ~hopeless]
    lam = lam0 + np.einsum("keu,ku->ke", null, y[:, :-1])
    return CertificateSearch(certified, impossible, lam, margins, iterations)
