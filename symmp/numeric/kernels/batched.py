"""Batched linear solves where one singular member spoils no other.

``np.linalg.solve`` on a stack raises for the whole stack when any member is
singular; the solvers here want the others' answers and the singular ones
marked.

Examples
--------
>>> import numpy as np
>>> a = np.array([np.eye(2), np.zeros((2, 2))])
>>> x, ok = solve_each(a, np.ones((2, 2, 1)))
>>> ok.tolist(), x[0, :, 0].tolist(), bool(np.isnan(x[1]).all())
([True, False], [1.0, 1.0], True)
"""

from __future__ import annotations

import numpy as np

__all__ = ["solve_each"]


def solve_each(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``a[k] x[k] = b[k]`` for every ``k`` of the stack.

    Parameters
    ----------
    a : ndarray, shape (k, n, n)
    b : ndarray, shape (k, n, m)

    Returns
    -------
    x : ndarray, shape (k, n, m)
        NaN for the singular members.
    ok : ndarray of bool, shape (k,)
        Which members were solved.
    """
    try:
        return np.linalg.solve(a, b), np.ones(len(a), dtype=bool)
    except np.linalg.LinAlgError:
        out = np.full(b.shape, np.nan, dtype=np.result_type(a, b))
        ok = np.zeros(len(a), dtype=bool)
        for k in range(len(a)):
            try:
                out[k] = np.linalg.solve(a[k], b[k])
                ok[k] = True
            except np.linalg.LinAlgError:
                pass
        return out, ok
