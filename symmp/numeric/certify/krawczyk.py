"""The Krawczyk test: prove that a square polynomial system has exactly one
zero in a small box around an approximate solution, real or complex.

For ``f: K^r -> K^r`` (K = R or C), a box ``X`` with center ``c``, any matrix
``Y`` (here the float inverse of the Jacobian at ``c``) and an enclosure
``J(X)`` of the Jacobian over ``X``, the Krawczyk operator is

    K(X) = c - Y f(c) + (I - Y J(X)) (X - c).

If ``K(X)`` lies in the interior of ``X``, then ``f`` has exactly one zero in
``X`` and it is nonsingular (Krawczyk 1969; Moore 1977; Rump 1983). For
holomorphic ``f`` over complex rectangles the same mean-value argument holds
componentwise. Every quantity is computed with python-flint's arb/acb balls,
so roundoff is accounted for and the conclusion is a proof.

Examples
--------
>>> import numpy as np
>>> from flint import arb
>>> residual = lambda x: np.array([x[0] * x[0] - 2], dtype=object)
>>> jacobian = lambda x: np.array([[2 * x[0]]], dtype=object)
>>> krawczyk(residual, jacobian, np.array([1.41421356])).proved
True
>>> krawczyk(residual, jacobian, np.array([3.0])).proved
False

References
----------
R. Krawczyk, "Newton-Algorithmen zur Bestimmung von Nullstellen mit
Fehlerschranken", Computing 4 (1969). S. M. Rump, "Verification methods",
Acta Numerica 19 (2010), section 13.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from flint import acb, arb

from .system import to_ball

__all__ = ["KrawczykResult", "krawczyk", "boxes_disjoint", "box_has_no_real_point"]

BallFn = Callable[[list], np.ndarray]


@dataclass(frozen=True)
class KrawczykResult:
    """Outcome of one Krawczyk test.

    Attributes
    ----------
    proved : bool
        True: exactly one zero lies in ``box``.
    box : tuple
        The box (arb or acb balls), one per unknown.
    center : ndarray
        Its center (float or complex).
    radius : float
        Half-width of the box in every coordinate (per real/imaginary part).
    message : str
        Why it failed, when it did.
    """

    proved: bool
    box: tuple
    center: np.ndarray
    radius: float
    message: str = ""


def _mid(ball) -> complex:
    if isinstance(ball, acb):
        return complex(float(ball.real.mid()), float(ball.imag.mid()))
    return float(ball.mid())


def krawczyk(
    residual: BallFn,
    jacobian: BallFn,
    center: np.ndarray,
    *,
    complex_box: bool = False,
    inflations: tuple[float, ...] = (4.0, 64.0, 1024.0),
) -> KrawczykResult:
    """Try to prove a unique zero of a square system near ``center``.

    Parameters
    ----------
    residual, jacobian : callable
        Map a list of ``r`` balls to an object array of ``r`` balls (the
        residuals) or of ``r x r`` balls (the Jacobian enclosure over the box).
    center : ndarray
        Approximate zero, shape ``(r,)``, float (real box) or complex.
    complex_box : bool
        Work in C^r with acb rectangles (needed for nonreal zeros).
    inflations : tuple of float
        Box radii to try, as multiples of the Newton correction's size.

    Returns
    -------
    KrawczykResult
    """
    center = np.asarray(center, dtype=complex if complex_box else float)
    r = center.shape[0]
    exact_center = [to_ball(c, complex_box=complex_box) for c in center]
    jac_center = np.array([[_mid(v) for v in row] for row in jacobian(exact_center)])
    if not np.all(np.isfinite(jac_center)):
        return KrawczykResult(False, (), center, 0.0, "Jacobian not finite at the center")
    try:
        preconditioner = np.linalg.inv(jac_center)
    except np.linalg.LinAlgError:
        return KrawczykResult(False, (), center, 0.0, "singular Jacobian at the center")
    if not np.all(np.isfinite(preconditioner)) or np.linalg.cond(jac_center) > 1e13:
        return KrawczykResult(False, (), center, 0.0, "ill-conditioned Jacobian at the center")
    f_center = residual(exact_center)
    correction = preconditioner @ np.array([_mid(v) for v in f_center])
    scale = float(np.max(np.abs(center), initial=0.0)) + 1.0
    base = max(float(np.max(np.abs(correction))), 1e-15 * scale)
    convert = (lambda v: acb(complex(v))) if complex_box else (lambda v: arb(float(v)))
    y_balls = np.vectorize(convert, otypes=[object])(preconditioner)
    y_f = y_balls @ f_center
    message = ""
    for inflation in inflations:
        radius = inflation * base
        box = [to_ball(c, radius=radius, complex_box=complex_box) for c in center]
        deviation = np.array([b - c for b, c in zip(box, exact_center)], dtype=object)
        slope = np.eye(r, dtype=np.int64).astype(object) - y_balls @ jacobian(box)
        image = np.array(exact_center, dtype=object) - y_f + slope @ deviation
        if all(b.contains_interior(k) for b, k in zip(box, image)):
            return KrawczykResult(True, tuple(box), center, radius)
        message = "K(X) not inside X at any tried radius"
    return KrawczykResult(False, (), center, 0.0, message)


def boxes_disjoint(first: tuple, second: tuple) -> bool:
    """True when two boxes share no point (some coordinate balls do not overlap)."""
    return any(not a.overlaps(b) for a, b in zip(first, second))


def box_has_no_real_point(box: tuple) -> bool:
    """True when some coordinate of a complex box excludes the real axis."""
    return any(isinstance(b, acb) and not b.imag.contains(0) for b in box)
