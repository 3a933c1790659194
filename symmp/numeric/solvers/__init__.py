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
(the same roots by path tracking) and ``auto`` (the strongest applicable).
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
from collections.abc import Callable, Mapping, Sequence
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
    "unregister_solver",
    "get_solver",
    "solver_applies",
    "check_options",
    "auto_order",
    "solver_help",
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
    """Registry entry: what a solver is, what it applies to, how it is run.

    Everything the estimator, ``auto``, the CLI and the contract suite
    (``tests/numeric/test_solver_contract.py``) need to know about a solver
    is declared here, at its registration (:func:`register_solver`).
    """

    name: str
    fn: SolverFn
    applies: Callable[[Allocation], bool] | None
    description: str
    #: the solver's own defaults for ``starts``, ``tol``, ``max_iter`` and ``batch``
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
    #: one line: what the solver applies to (the reason given when it does not)
    needs: str = "any allocation"
    #: whether ``starts`` means something to it (otherwise it runs with ``starts = 1``
    #: and results report 0 starts)
    uses_starts: bool = False
    #: the keys ``SolverOptions.extra`` may hold, each with one line of help; any
    #: other key is refused (:func:`check_options`)
    options: Mapping[str, str] = field(default_factory=dict)
    #: its place in ``auto``'s order (lowest first); None: ``auto`` never picks it
    auto_rank: float | None = None
    #: a further condition for ``auto`` to pick it (e.g. a cost limit), beyond ``applies``
    auto_applies: Callable[[Allocation], bool] | None = None
    #: whether a no-match from it can be proved (``TrialOutcome.proved`` on a miss): only
    #: for exact or certified deciders; a local solver's miss is never proved
    proves_misses: bool = False

    def applies_to(self, allocation: Allocation) -> bool:
        """True when the solver applies to ``allocation``."""
        return self.applies is None or bool(self.applies(allocation))


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
    needs: str | None = None,
    description: str = "",
    uses_starts: bool = False,
    options: Mapping[str, str] | None = None,
    defaults: dict | None = None,
    auto_rank: float | None = None,
    auto_applies: Callable[[Allocation], bool] | None = None,
    proves_misses: bool = False,
    environment: Callable[[], dict] | None = None,
    exhaustive: str | None = None,
    revision: int = 0,
) -> SolverFn:
    """Register ``fn`` under ``name`` with what it applies to and how it is run.

    Parameters
    ----------
    name : str
    fn : callable
        ``fn(allocation, trials, options) -> list[TrialOutcome]``, one outcome
        per trial in order. A module-level function also runs in worker
        processes where only the module defining it is importable.
    applies : callable, optional
        ``applies(allocation) -> bool``; None means "any allocation".
    needs : str, optional
        One line: what it applies to (error messages say it when it does
        not); default "any allocation", or the description.
    description : str
        One line for ``--help``.
    uses_starts : bool
        Whether ``SolverOptions.starts`` means something to it (local
        solvers); otherwise it is run with ``starts = 1``.
    options : mapping, optional
        Its keys of ``SolverOptions.extra``, each with one line of help;
        :func:`check_options` refuses any other key.
    defaults : dict, optional
        The solver's own defaults for ``starts``, ``tol``, ``max_iter`` and
        ``batch`` where they differ from :data:`GENERIC_DEFAULTS` (used when
        the caller gives none).
    auto_rank : float, optional
        Its place in ``auto``'s order, lowest first (``auto`` takes the first
        that applies); None keeps ``auto`` from picking it.
    auto_applies : callable, optional
        A further condition for ``auto`` to pick it (a cost limit).
    proves_misses : bool
        Whether its no-matches can be proved (exact or certified deciders);
        the contract suite fails a solver that marks a miss proved without it.
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

    Examples
    --------
    >>> def echo(allocation, trials, options):
    ...     return [TrialOutcome(t.index, False, False, float("inf"), 0, "echo") for t in trials]
    >>> _ = register_solver("echo", echo, needs="anything", options={"loud": "say more"})
    >>> SOLVER_INFO["echo"].options
    {'loud': 'say more'}
    >>> unregister_solver("echo")
    """
    unknown = set(defaults or {}) - set(GENERIC_DEFAULTS)
    if unknown:
        raise ValueError(f"defaults may set only {sorted(GENERIC_DEFAULTS)}, got {sorted(unknown)}")
    if not isinstance(name, str) or not name:
        raise ValueError(f"solver name must be a non-empty string, got {name!r}")
    SOLVERS[name] = fn
    SOLVER_INFO[name] = SolverInfo(
        name, fn, applies, description, {**GENERIC_DEFAULTS, **(defaults or {})}, environment, exhaustive,
        revision, needs=needs or ("any allocation" if applies is None else description),
        uses_starts=bool(uses_starts), options=dict(options or {}), auto_rank=auto_rank,
        auto_applies=auto_applies, proves_misses=bool(proves_misses),
    )
    return fn


def unregister_solver(name: str) -> None:
    """Remove solver ``name`` from the registry (plugins and tests that register their own).

    Examples
    --------
    >>> unregister_solver("no-such-solver")  # nothing to remove: no error
    """
    SOLVERS.pop(name, None)
    SOLVER_INFO.pop(name, None)


def solver_applies(name: str, allocation: Allocation) -> bool:
    """True when solver ``name`` is registered and applies to ``allocation``."""
    info = SOLVER_INFO.get(name)
    return info is not None and info.applies_to(allocation)


def get_solver(name: str) -> SolverFn:
    """The registered solver ``name``, or a one-line error naming the choices."""
    if name not in SOLVERS:
        raise SymmpError(
            f"unknown solver {name!r}; available: {', '.join(sorted(SOLVERS))}"
        )
    return SOLVERS[name]


def check_options(name: str, extra: Mapping) -> None:
    """Refuse keys of ``extra`` that solver ``name`` does not declare (one-line :class:`SymmpError`).

    The same check, and the same message, for every registered solver;
    values are checked by the solver itself.

    Examples
    --------
    >>> import symmp.numeric
    >>> check_options("newton", {"patience": 5})
    >>> check_options("newton", {"patiense": 5})
    Traceback (most recent call last):
    ...
    symmp.errors.SymmpError: unknown newton option(s) 'patiense'; allowed: 'landing', 'metric', 'patience', 'progress', 'reduce', 'width'
    """
    allowed = SOLVER_INFO[name].options
    unknown = sorted(set(extra) - set(allowed), key=str)
    if unknown:
        raise SymmpError(
            f"unknown {name} option(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(map(repr, sorted(allowed))) or 'none'}"
        )


def auto_order() -> list[str]:
    """The solvers ``auto`` considers, in its order (registrations with an ``auto_rank``).

    Examples
    --------
    >>> import symmp.numeric
    >>> auto_order()[0], auto_order()[-1]
    ('linear', 'newton')
    """
    ranked = [info for info in SOLVER_INFO.values() if info.auto_rank is not None]
    return [info.name for info in sorted(ranked, key=lambda info: (info.auto_rank, info.name))]


def solver_help() -> str:
    """One line for ``--solver``'s help: auto's order, then the other registered solvers."""
    ranked = auto_order()
    others = sorted(name for name in SOLVER_INFO if name not in ranked and name != "auto")
    return (
        f"auto (default: the first that applies of {', '.join(ranked)})"
        + (f", or {', '.join(others)}" if others else "")
        + " (any registered solver)"
    )


# every built-in solver registers itself on import
for _module in ("linear", "newton", "fsolve", "sequential", "certified", "homotopy", "algebraic", "complete", "staged", "auto"):
    importlib.import_module(f"{__name__}.{_module}")
