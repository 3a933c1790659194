"""Numeric match probabilities: sampling, solvers, the estimator, runs that resume.

Call :func:`estimate_mp` when you want MP of an allocation: it returns an
:class:`MPResult` (MP, Wilson 95% interval, method, whether it is only a lower
bound). The pieces, for other uses: :func:`draw_trial` (one random
teacher/student/input instance), :class:`MatchProblem` (batched residuals and
analytic Jacobians), :data:`SOLVERS` (per-trial deciders, extensible with
:func:`register_solver`).

Examples
--------
>>> from symmp import Allocation, LinearEstimator
>>> allocation = Allocation.spread(LinearEstimator(n=3, d=2), "W", r=4, K=2, m=2)
>>> estimate_mp(allocation, trials=20, use_certificate=False).mp
1.0
>>> estimate_mp(allocation).method      # the analyzer's certificate answers at once
'certificate'
"""

from __future__ import annotations

from .problem import MatchProblem
from .result import MPResult, wilson_interval
from .sampling import DISTRIBUTIONS, Trial, draw_trial, draw_trials
from .solvers import (
    SOLVER_INFO,
    SOLVERS,
    SolverOptions,
    TrialOutcome,
    get_solver,
    register_solver,
)
from .estimator import DEFAULT_STARTS, estimate_mp

__all__ = [
    "estimate_mp",
    "MPResult",
    "wilson_interval",
    "draw_trial",
    "draw_trials",
    "Trial",
    "DISTRIBUTIONS",
    "MatchProblem",
    "SOLVERS",
    "SOLVER_INFO",
    "SolverOptions",
    "TrialOutcome",
    "register_solver",
    "get_solver",
    "DEFAULT_STARTS",
]


# solvers living outside ``solvers/``: the ReLU optimisers register on import
from . import relu_solve  # noqa: E402,F401

# certificates that need numerics register with symmp.analysis.provers on import
from .certify import provers as _certificate_provers  # noqa: E402,F401
