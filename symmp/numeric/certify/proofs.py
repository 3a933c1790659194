"""Proofs about one trial's system: real zeros by Krawczyk, "no real zero" by certified homotopy.

Used by the ``certified`` solver (:mod:`symmp.numeric.solvers.certified`):
:func:`prove_real_zero` proves a real zero near a candidate (fixing surplus
unknowns at the candidate's values), :func:`square_rows` picks a
well-conditioned square subsystem, :func:`prove_by_homotopy` certifies every
solution phc finds and concludes when their count is the Bezout number.

Examples
--------
>>> from symmp.numeric.certify.proofs import prove_real_zero
>>> callable(prove_real_zero)
True
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import qr

from .krawczyk import box_has_no_real_point, boxes_disjoint, krawczyk
from .phc import solve_with_phc
from .system import TrialSystem, to_ball

__all__ = ["prove_real_zero", "square_rows", "prove_by_homotopy", "as_complex"]


def prove_real_zero(system: TrialSystem, theta: np.ndarray, rows=None) -> tuple:
    """Krawczyk proof of a real zero near ``theta``; returns (proved, box, free)."""
    E, r = system.n_equations, system.r
    rows = list(range(E)) if rows is None else list(rows)
    if len(rows) > r:
        return False, None, None
    free = list(range(r))
    if len(rows) < r:  # fix the surplus unknowns where the candidate has them
        jac = system.float_jacobian(theta)[rows]
        _, _, pivots = qr(jac, mode="economic", pivoting=True)
        free = sorted(int(p) for p in pivots[: len(rows)])
    fixed = [to_ball(v) for v in theta]

    def full(values):
        point = list(fixed)
        for position, value in zip(free, values):
            point[position] = value
        return point

    result = krawczyk(
        lambda values: system.ball_residual(full(values))[rows],
        lambda values: system.ball_jacobian(full(values))[np.ix_(rows, free)],
        theta[free],
    )
    return result.proved, result.box, free


def square_rows(system: TrialSystem, theta: np.ndarray) -> list[int]:
    """r equations whose Jacobian at ``theta`` is best conditioned (pivoted QR)."""
    jac = system.float_jacobian(theta)
    _, _, pivots = qr(jac.T, mode="economic", pivoting=True)
    return sorted(int(p) for p in pivots[: system.r])


def prove_by_homotopy(system: TrialSystem, polys, rows, bezout: int, settings: dict) -> tuple[str | None, dict]:
    """Solve the square subsystem ``rows`` with phc and certify every solution.

    Returns ``("yes" | "no" | None, details)``: "yes" with a certified real
    zero of the whole system, "no" when all ``bezout`` solutions are
    certified distinct and none is real, None (with a reason) otherwise.
    """
    points = solve_with_phc([polys[k] for k in rows], timeout=float(settings["phc_timeout"]))
    r = system.r
    boxes: list[tuple] = []
    real_boxes: list[tuple] = []
    failed = 0
    for point in points:
        scale = 1.0 + float(np.max(np.abs(point)))
        if np.max(np.abs(point.imag)) <= 1e-8 * scale:
            ok, box, _ = prove_real_zero(system, point.real.copy(), rows)
            if ok:
                boxes.append(box)
                real_boxes.append(box)
            else:
                failed += 1
            continue
        result = krawczyk(
            lambda values: system.ball_residual(values)[rows],
            lambda values: system.ball_jacobian(values)[rows],
            point,
            complex_box=True,
        )
        if result.proved and box_has_no_real_point(result.box):
            boxes.append(result.box)
        else:
            failed += 1
    distinct = all(
        boxes_disjoint(as_complex(a), as_complex(b))
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
    )
    details = {
        "phc_solutions": len(points),
        "certified": len(boxes),
        "uncertified": failed,
        "real": len(real_boxes),
        "bezout": bezout,
    }
    if real_boxes and len(rows) == system.n_equations:
        return "yes", details
    if real_boxes:  # overdetermined: a real subsystem zero must miss another equation
        others = [k for k in range(system.n_equations) if k not in rows]
        for box in real_boxes:
            values = system.ball_residual(list(box))
            if not any(not values[k].contains(0) for k in others):
                return None, {**details, "reason": "a real zero of the square subsystem is not excluded"}
    if distinct and len(boxes) == bezout:
        return "no", details
    return None, {**details, "reason": "fewer certified distinct solutions than the Bezout number"}


def as_complex(box: tuple) -> tuple:
    from flint import acb

    return tuple(b if isinstance(b, acb) else acb(b) for b in box)
