"""Per-trial solvers: does the student have learnable values that match the teacher?

Every solver has the same call shape (like ``scipy.optimize``'s ``method=``)::

    solver(allocation, trials, options) -> list[TrialOutcome]

with one outcome per trial, in order. A solver works on a whole batch at once
(batched numpy where it can) and draws any random starts from
``trial_rng(options.seed, trial.index, ...)``, so a trial's outcome never
depends on which other trials share its batch.

Built in: ``linear`` (affine allocations, exact least squares), ``newton``
(batched Levenberg-Marquardt, analytic Jacobian), ``fsolve`` (scipy, the
paper's method), ``sequential`` (block-triangular linear solves),
``certified`` (proved verdicts), ``algebraic`` (every complex root of a
Markov-reduced square quadratic lrnn system, by eigenvalues), ``homotopy``
(the same roots by path tracking), ``exact-relu`` (activation patterns of
piecewise-linear networks) and ``auto`` (the strongest applicable).
``adahessian``, ``adam`` and ``gd`` register themselves from their own
modules when present.

Examples
--------
>>> import symmp.numeric
>>> from symmp.numeric.solvers import SOLVERS
>>> {"linear", "newton", "fsolve", "sequential", "auto"} <= set(SOLVERS)
True
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from ...allocation import Allocation
from ...errors import SymmpError

__all__ = [
    "SolverOptions",
    "TrialOutcome",
    "SolverFn",
    "SolverInfo",
    "SOLVERS",
    "SOLVER_INFO",
    "GENERIC_DEFAULTS",
    "VECTORISED_BATCH",
    "register_solver",
    "get_solver",
    "solver_applies",
]


@dataclass(frozen=True)
class SolverOptions:
    """Settings shared by every solver.

    Attributes
    ----------
    starts : int
        Random starts per trial (local solvers).
    tol : float
        A match is a relative residual ``||student(X) - Y|| / ||Y|| <= tol``.
    max_iter : int
        Iteration budget per start.
    seed : int
        Seed of the solver's own random draws (the run's seed).
    extra : dict
        Solver-specific settings (JSON-able), e.g. ``{"jacobian": "finite-difference"}``
        for ``fsolve``.
    """

    starts: int = 10
    tol: float = 1e-9
    max_iter: int = 100
    seed: int = 0
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-able settings (they key the run ledger)."""
        return asdict(self)


@dataclass(frozen=True)
class TrialOutcome:
    """The verdict on one trial.

    Attributes
    ----------
    index : int
        The trial's index.
    matched : bool
        A point with relative residual <= tol was found.
    proved : bool
        The verdict is proved: an exact or certified match, or a certified
        no-match. A local solver's miss is never proved.
    residual : float
        Best relative residual reached.
    starts : int
        Starts used.
    method : str
        The solver that decided this trial.
    details : dict
        JSON-able extras.
    """

    index: int
    matched: bool
    proved: bool
    residual: float
    starts: int
    method: str
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-able form (a non-finite ``residual`` becomes None, as in the ledger)."""
        out = asdict(self)
        if not math.isfinite(out["residual"]):
            out["residual"] = None
        return out


SolverFn = Callable[[Allocation, Sequence, SolverOptions], list[TrialOutcome]]


@dataclass(frozen=True)
class SolverInfo:
    """Registry entry: what a solver is and when it applies."""

    name: str
    fn: SolverFn
    applies: Callable[[Allocation], bool] | None
    description: str
    #: the solver's own defaults for ``starts``, ``tol``, ``max_iter``
    defaults: dict = field(default_factory=dict)
    #: ``environment() -> dict``: the run-time tools a verdict depends on (e.g. whether
    #: ``phc`` is installed); it joins the run ledger's key, so a run resumed where
    #: they differ does not mix verdicts of two kinds
    environment: Callable[[], dict] | None = None
    #: for solvers that compute every root instead of trying starts: what a no-match
    #: from them means (results then say so instead of counting starts)
    exhaustive: str | None = None
    #: bumped when the solver's verdicts or proofs change meaning between symmp versions;
    #: a nonzero revision joins the run ledger's key, so a resumed run never mixes the two
    revision: int = 0


#: defaults of ``starts``, ``tol`` (relative residual of a match), ``max_iter`` and
#: ``batch`` (trials per task of :func:`~symmp.numeric.estimate_mp`) for solvers that do
#: not set their own
GENERIC_DEFAULTS = {"starts": 10, "tol": 1e-9, "max_iter": 100, "batch": 25}
#: the batch of solvers vectorised across trials. A call has a fixed cost of 10-20 ms of
#: numpy overhead (``algebraic``), so small tasks spend much of their time on it
#: (``algebraic`` at K = 4: about 1.3x more trials per second in 500-trial calls than in
#: 200-trial ones, and 1.1x more again in 1,000-trial calls). A 1,000-trial task still
#: reaches the ledger within a second or two; a second worker pays only on runs of many
#: tasks anyway (each worker process first spends a second or more on imports and the
#: family's caches). :func:`~symmp.numeric.estimate_mp` lowers it for large models
#: (:data:`~symmp.numeric.estimator.BATCH_MEMORY`)
VECTORISED_BATCH = 1000

#: solver name -> function (the interface other modules plug into)
SOLVERS: dict[str, SolverFn] = {}
#: solver name -> :class:`SolverInfo`
SOLVER_INFO: dict[str, SolverInfo] = {}


def register_solver(
    name: str,
    fn: SolverFn,
    *,
    applies: Callable[[Allocation], bool] | None = None,
    description: str = "",
    defaults: dict | None = None,
    environment: Callable[[], dict] | None = None,
    exhaustive: str | None = None,
    revision: int = 0,
) -> SolverFn:
    """Register ``fn`` under ``name``.

    Parameters
    ----------
    name : str
    fn : callable
        ``fn(allocation, trials, options) -> list[TrialOutcome]``.
    applies : callable, optional
        ``applies(allocation) -> bool``; None means "any allocation".
    description : str
        One line for ``--help`` and error messages.
    defaults : dict, optional
        The solver's own defaults for ``starts``, ``tol``, ``max_iter`` and
        ``batch`` where they differ from :data:`GENERIC_DEFAULTS` (used when
        the caller gives none).
    environment : callable, optional
        ``environment() -> dict`` (JSON-able): the run-time tools its
        verdicts depend on; recorded in the run ledger's key.
    exhaustive : str, optional
        For a solver that computes every root rather than trying starts:
        what its no-match means (used in results' notes).
    revision : int
        Bump it when a change alters what the solver's stored verdicts
        mean (another stage, other proofs): nonzero revisions join the run
        ledger's key, so runs stored before the change are not resumed.
    """
    unknown = set(defaults or {}) - set(GENERIC_DEFAULTS)
    if unknown:
        raise ValueError(f"defaults may set only {sorted(GENERIC_DEFAULTS)}, got {sorted(unknown)}")
    SOLVERS[name] = fn
    SOLVER_INFO[name] = SolverInfo(
        name, fn, applies, description, {**GENERIC_DEFAULTS, **(defaults or {})}, environment, exhaustive,
        revision,
    )
    return fn


def solver_applies(name: str, allocation: Allocation) -> bool:
    """True when solver ``name`` is registered and applies to ``allocation``."""
    info = SOLVER_INFO.get(name)
    if info is None:
        return False
    return info.applies is None or bool(info.applies(allocation))


def get_solver(name: str) -> SolverFn:
    """The registered solver ``name``, or a one-line error naming the choices."""
    if name not in SOLVERS:
        raise SymmpError(
            f"unknown solver {name!r}; available: {', '.join(sorted(SOLVERS))}"
        )
    return SOLVERS[name]


# every built-in solver registers itself on import
for _module in ("linear", "newton", "fsolve", "sequential", "certified", "homotopy", "algebraic", "exact_relu", "auto"):
    importlib.import_module(f"{__name__}.{_module}")
