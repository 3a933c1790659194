"""MP across a family of allocations: r entries spread over K rows (or columns).

The paper's experiment (THEORY.md section 8, Fig. of the paper): an lrnn
with r = d*T*b learnable W entries spread as evenly as possible over
K = 1..n rows.

Examples
--------
>>> from symmp import LinearEstimator
>>> rows = sweep_family(LinearEstimator(n=4, d=2), "W", r=4, m=2, Ks=[1, 2], trials=5)
>>> [(row["K"], row["mp"], row["method"]) for row in rows]
[(1, 0.0, 'certificate'), (2, 1.0, 'certificate')]
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import __version__
from ..allocation import Allocation
from ..models import Model
from .estimator import estimate_mp

__all__ = ["sweep_family", "sweep_metadata", "SWEEP_COLUMNS", "RUN_KEYS"]

#: the run settings a sweep's metadata records (those of :func:`estimate_mp` that change numbers)
RUN_KEYS = ("seed", "solver", "trials", "starts", "tol", "max_iter", "distribution", "sigma",
            "target_halfwidth", "solver_options", "use_certificate", "cross_check")

#: the keys of each row of :func:`sweep_family`, in table order
SWEEP_COLUMNS = ["K", "r", "m", "mp", "ci_low", "ci_high", "matches", "trials", "method",
                 "lower_bound", "starts", "proved", "seconds", "verdict"]


def sweep_metadata(model: Model, matrix: str, r: int, m: int, Ks: Iterable[int], axis: str = "row",
                   **run) -> dict:
    """What a sweep's numbers depend on: model, sizes, the family, the run settings, the version.

    ``run`` holds the keyword arguments given to :func:`sweep_family`;
    settings left to the solver (``starts=None``, ...) are recorded as None.

    Examples
    --------
    >>> from symmp import LinearEstimator
    >>> meta = sweep_metadata(LinearEstimator(n=4, d=2), "W", r=4, m=2, Ks=[1, 2], seed=3, trials=5)
    >>> meta["model"], meta["dims"], meta["seed"], meta["trials"], meta["solver"]
    ('linear', {'n': 4, 'd': 2}, 3, 5, 'auto')
    """
    defaults = {"seed": 0, "solver": "auto", "trials": 1000, "distribution": "gaussian", "sigma": 1.0,
                "use_certificate": True, "cross_check": False}
    settings = {key: run.get(key, defaults.get(key)) for key in RUN_KEYS}
    return {
        "model": model.kind, "dims": model.dims(), "options": model.spec_extra(),
        "matrix": matrix, "axis": axis, "r": r, "m": m, "K": list(Ks), **settings,
        "symmp_version": __version__,
    }


def sweep_family(
    model: Model, matrix: str, r: int, m: int, Ks: Iterable[int], axis: str = "row", **run
) -> list[dict]:
    """One row per K: the MP of r entries of ``matrix`` spread over K lines.

    ``run`` is passed to :func:`symmp.numeric.estimate_mp` (trials, seed,
    solver, store, ...).
    """
    rows = []
    for K in Ks:
        allocation = Allocation.spread(model, matrix, r=r, K=K, m=m, axis=axis)
        result = estimate_mp(allocation, **run)
        rows.append({
            "K": K, "r": r, "m": m, "mp": result.mp, "ci_low": result.ci95[0],
            "ci_high": result.ci95[1], "matches": result.matches, "trials": result.trials,
            "method": result.method, "lower_bound": result.lower_bound, "starts": result.starts,
            "proved": result.proved, "seconds": round(result.seconds, 3), "verdict": result.verdict,
        })
    return rows
