"""Numeric match probabilities: sampling, solvers, the estimator, runs that resume.

Call :func:`estimate_mp` when you want MP of an allocation: it returns an
:class:`MPResult` (MP, Wilson 95% interval, method, whether it is only a lower
bound). The pieces, for other uses: :func:`draw_trial` (one random
teacher/student/input instance), :class:`MatchProblem` (batched residuals and
analytic Jacobians), :data:`SOLVERS` (per-trial deciders, extensible with
:func:`register_solver`).

Layout, by job (a subpackage imports only the ones above it in this list,
plus :mod:`.sampling`):

- :mod:`.problems` -- the systems solved: a batch's match equations
  (``match``), their exact quadratic model (``quadratic``), the lrnn Markov
  reduction (``markov``);
- :mod:`.kernels` -- batched linear algebra, the shared Newton steps and
  real-model confirmation, random starts from each trial's seed stream;
- :mod:`.roots` -- every root of a square quadratic system: coefficient
  forms, elimination templates (exact mod p), action matrices, certificates
  of no real root, the reduced lrnn family's template;
- :mod:`.relu` -- masked networks, the training loop and update rules of
  the ReLU optimisers (which register ``adahessian``, ``adam``, ``gd``);
- :mod:`.certify` -- proofs for the ``certified`` solver (interval
  arithmetic, exact elimination, homotopy via phc);
- :mod:`.solvers` -- the registry (what each solver applies to, its
  options, batch and rank in ``auto``) and one module per solver;
- :mod:`.runs` -- the run ledger and the executors;
- top level: :mod:`.estimator` (``estimate_mp``: plan, certificate, reuse
  the ledger, run tasks, summarise), :mod:`.plan` (checked settings, the
  ledger key, chunks), :mod:`.result`, :mod:`.sweep`, :mod:`.sampling`.

A new solver is one module in ``solvers/`` (its family's helpers in the
folder of their job) with one :func:`register_solver` call declaring what it
applies to, its options, starts, batch and place in ``auto``; the contract
suite (:mod:`.solvers.checks`, run by ``tests/numeric/test_solver_contract.py``)
then checks it.

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

from .problems.match import MatchProblem
from .result import MPResult, wilson_interval
from .sampling import DISTRIBUTIONS, Trial, draw_trial, draw_trials
from .solvers import (
    SOLVER_INFO,
    SOLVERS,
    SolverOptions,
    TrialOutcome,
    check_options,
    get_solver,
    register_solver,
    unregister_solver,
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
    "unregister_solver",
    "check_options",
    "get_solver",
    "DEFAULT_STARTS",
]


# solvers living outside ``solvers/``: the ReLU optimisers register on import
from .relu import optimisers  # noqa: E402,F401

# certificates that need numerics register with symmp.analysis.provers on import
from .certify import provers as _certificate_provers  # noqa: E402,F401
