"""Which computed complex roots are tried as real points.

A floating-point root of a real system whose solution is real comes out with
a small imaginary part; :func:`nearly_real` is the one test the root-finding
solvers use, each with its own tolerance (the two copies this module merged
had different ones, kept so that no verdict changes):

- :data:`NEAR_REAL` = 1e-4 for eigenvalue roots (``algebraic``: one batched
  eigenproblem, then Newton refinement, so real roots come out accurate);
- :data:`NEAR_REAL_ENDPOINTS` = 1e-3 for path-tracking endpoints
  (``homotopy``: an endpoint is only as accurate as the endgame left it).

Examples
--------
>>> import numpy as np
>>> nearly_real(np.array([[1.0 + 1e-6j, 2.0], [1.0 + 0.5j, 0.0]]), NEAR_REAL).tolist()
[True, False]
"""

from __future__ import annotations

import numpy as np

__all__ = ["nearly_real", "NEAR_REAL", "NEAR_REAL_ENDPOINTS"]

#: eigenvalue roots (``algebraic``) are tried as real when ``|Im x| <= NEAR_REAL (1 + |x|)``
NEAR_REAL = 1e-4
#: path-tracking endpoints (``homotopy``) are tried as real when ``|Im x| <= NEAR_REAL_ENDPOINTS (1 + |x|)``
NEAR_REAL_ENDPOINTS = 1e-3


def nearly_real(points: np.ndarray, tolerance: float) -> np.ndarray:
    """``max |Im x| <= tolerance * (1 + max |x|)`` over the last axis (one point a row).

    Non-finite points give False. ``points`` is complex, ``(..., q)``; the
    result has shape ``points.shape[:-1]``.
    """
    with np.errstate(invalid="ignore"):
        return np.abs(points.imag).max(axis=-1) <= tolerance * (1.0 + np.abs(points).max(axis=-1))
