"""The plan of an MP run: its checked settings, its identity in the ledger, its tasks.

:func:`plan_run` checks every argument of
:func:`~symmp.numeric.estimate_mp` (one-line :class:`~symmp.errors.SymmpError`
for bad input), resolves ``auto``, fills in the solver's defaults and
returns a :class:`RunPlan`: the solver options, the settings that key the
run ledger, and the fixed chunks of trial indices the tasks are made of.

Examples
--------
>>> from symmp import Allocation, LinearEstimator
>>> allocation = Allocation.spread(LinearEstimator(n=3, d=2), "W", r=4, K=2, m=2)
>>> plan = plan_run(allocation, trials=5, seed=1, batch=2)
>>> plan.method, plan.chunks()
('linear', [(0, 1), (2, 3), (4,)])
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Sequence
from dataclasses import dataclass

from ..allocation import Allocation
from ..analysis.cost import check_time, classify_seconds
from ..analysis.ranks import DEFAULT_POINTS
from ..errors import ParameterError, SymmpError
from .problems.quadratic import QuadraticProblem
from .runs.budget import run_seconds
from .runs.executors import Task, parse_executor
from .runs.threads import BLAS_THREADS
from .sampling import check_sampling
from .solvers import GENERIC_DEFAULTS, SOLVER_INFO, SolverInfo, SolverOptions, check_options, get_solver
from .solvers.auto import resolve_solver

__all__ = ["RunPlan", "plan_run", "default_batch", "allocation_facts", "DEFAULT_STARTS", "BATCH_MEMORY"]

#: default random starts per trial for local solvers
DEFAULT_STARTS = GENERIC_DEFAULTS["starts"]
#: bytes of working arrays a default-sized task may hold: a fixed number (not the machine's
#: memory or ``SYMMP_MEMORY_LIMIT_GB``), since the batch is part of a run's identity
BATCH_MEMORY = 1 << 30
#: copies per trial of a Jacobian evaluation's arrays that a batched solver keeps at once
_COPIES_PER_TRIAL = 8
_BYTES_PER_ENTRY = 8


def default_batch(allocation: Allocation, solver: str) -> int:
    """The default trials per task of ``solver`` (a registered name, not ``"auto"``) on ``allocation``.

    The solver's own default, lowered (to at least 1) where a task's working
    arrays would exceed :data:`BATCH_MEMORY`, counting per trial a few copies
    (``_COPIES_PER_TRIAL``: iterates, factorisations, temporaries) of what one
    numeric Jacobian evaluation holds: the ``E x r`` Jacobian of the
    learnable weights (``E = d*m`` equations), every matrix, the inputs and
    the model's intermediates (:meth:`~symmp.models.Model.working_entries`
    less its full Jacobian), plus, where the outputs have degree <= 2, the
    ``E x r x r`` Hessian of the exact quadratic model the polynomial solvers
    build (:class:`~symmp.numeric.problems.quadratic.QuadraticProblem`). ``"auto"`` is
    resolved first. It depends only on the allocation and the solver, never
    on the machine or the number of workers, so a run's identity (and its
    numbers) stays the same everywhere.

    Examples
    --------
    >>> from symmp import LFFN, LRNN, Allocation
    >>> default_batch(Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4), "algebraic")
    1000
    >>> big = LFFN([300, 300, 300])  # 180,000 weights; 90,000 equations at m = 300
    >>> default_batch(Allocation.in_rows(big, "W1", rows=[0], k=3, m=300), "newton")
    12
    """
    get_solver(solver)
    solver = resolve_solver(allocation, solver)
    model, m, r = allocation.model, allocation.m, allocation.r
    equations = model.output_dim * m
    full_jacobian = equations * model.n_weights
    entries = equations * r + model.n_weights + model.working_entries(m) - full_jacobian
    if QuadraticProblem.applies(allocation):
        entries += equations * r * r
    per_trial = _COPIES_PER_TRIAL * _BYTES_PER_ENTRY * entries
    return max(1, min(SOLVER_INFO[solver].defaults["batch"], BATCH_MEMORY // per_trial))


def allocation_facts(allocation: Allocation) -> str:
    """What solvers' applicability is about, in one phrase: the model, where the
    learnables sit and how the outputs depend on them.

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> allocation_facts(Allocation.in_rows(LRNN(n=3, b=1, d=1, T=2), "W", [0], k=2, m=2))
    'lrnn with 2 learnable entries in W, m = 2: outputs polynomial of degree 2 in them'
    """
    model = allocation.model
    where = ", ".join(f"{count} in {name}" for name, count in
                      ((name, int(allocation.mask(name).sum())) for name in allocation.matrices))
    where = where.replace(" in ", " learnable entries in ", 1) if len(allocation.matrices) == 1 else (
        f"{allocation.r} learnable entries ({where})")
    if not model.polynomial:
        activation = getattr(model, "activation", "a nonlinear")
        dependence = ("affine (only D is learnable)" if set(allocation.matrices) <= {"D"}
                      else f"not polynomial ({activation} activation)")
    else:
        degree = int(model.output_degree(allocation.masks()))
        dependence = "affine" if degree <= 1 else f"polynomial of degree {degree}"
    return f"{model.kind} with {where}, m = {allocation.m}: outputs {dependence} in them"


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


@dataclass(frozen=True)
class RunPlan:
    """Everything a run is: what it solves, with what, in which chunks (see :func:`plan_run`)."""

    allocation: Allocation
    trials: int
    seed: int
    #: the solver asked for (may be ``"auto"``) and the one that runs
    solver: str
    method: str
    options: SolverOptions
    #: what keys the run in the ledger besides the spec and the seed
    settings: dict
    spec_json: str
    #: the sampling keywords of :func:`~symmp.numeric.sampling.draw_trial`
    sampling: dict
    batch: int

    @property
    def info(self) -> SolverInfo:
        """The registry entry of :attr:`method`."""
        return SOLVER_INFO[self.method]

    def ledger_settings(self) -> dict:
        """The settings whose hash is the run's ledger key."""
        return {"spec": json.loads(self.spec_json), "seed": self.seed, **self.settings}

    def chunks(self) -> list[tuple[int, ...]]:
        """Trial indices ``0 .. trials-1`` in fixed chunks of :attr:`batch` (never by workers)."""
        return [tuple(range(s, min(s + self.batch, self.trials))) for s in range(0, self.trials, self.batch)]

    def task(self, indices: tuple[int, ...]) -> Task:
        """The self-contained task that solves trials ``indices``."""
        fn = self.info.fn
        return Task(self.spec_json, self.method, self.options.to_dict(), self.sampling, self.seed, indices,
                    fn if _portable(fn) else None)


def _portable(fn) -> bool:
    """True when ``fn`` pickles (by reference): a worker then runs it even where only its module,
    not its registration, exists (a solver registered at run time, e.g. in a test)."""
    try:
        pickle.dumps(fn)
    except Exception:  # noqa: BLE001 - lambdas, closures: workers look the name up instead
        return False
    return True


def plan_run(
    allocation: Allocation,
    trials: int = 1000,
    seed: int = 0,
    solver: str = "auto",
    *,
    starts: int | None = None,
    tol: float | None = None,
    max_iter: int | None = None,
    solver_options: dict | None = None,
    distribution: str = "gaussian",
    sigma: float = 1.0,
    shared: Sequence[str] = (),
    workers: int = 1,
    executor: str = "local",
    batch: int | None = None,
    target_halfwidth: float | None = None,
) -> RunPlan:
    """Check the arguments of :func:`~symmp.numeric.estimate_mp` and plan the run.

    Parameters are those of :func:`~symmp.numeric.estimate_mp` (``workers``,
    ``executor`` and ``target_halfwidth`` are only checked: they do not
    change a run's identity or its numbers).

    Raises
    ------
    SymmpError
        For malformed options (one line: what was received, what is allowed),
        a solver that does not apply (saying what it needs) or a
        solver-specific option the solver does not declare.
    """
    if not isinstance(allocation, Allocation):
        raise SymmpError(f"allocation must be an Allocation, got {type(allocation).__name__}")
    _check_int(trials, "trials", 1)
    _check_int(seed, "seed", 0)
    get_solver(solver)
    analysis_seconds = classify_seconds(allocation, DEFAULT_POINTS)  # certificate, solver choice
    check_time(analysis_seconds, "analysing this allocation before the trials",
               "use smaller sizes (T, widths, layers, m)")
    method = resolve_solver(allocation, solver)
    get_solver(method)
    info = SOLVER_INFO[method]
    starts = info.defaults["starts"] if starts is None else starts
    tol = info.defaults["tol"] if tol is None else tol
    max_iter = info.defaults["max_iter"] if max_iter is None else max_iter
    batch = default_batch(allocation, method) if batch is None else batch
    _check_int(starts, "starts", 1)
    _check_int(max_iter, "max_iter", 1)
    _check_int(workers, "workers", 1)
    _check_int(batch, "batch", 1)
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 < tol < 1:
        raise ParameterError(f"tol must be a number in (0, 1), got {tol!r}")
    if target_halfwidth is not None and (
        isinstance(target_halfwidth, bool)
        or not isinstance(target_halfwidth, (int, float))
        or not 0 < target_halfwidth < 0.5
    ):
        raise ParameterError(f"target_halfwidth must be a number in (0, 0.5), got {target_halfwidth!r}")
    parse_executor(executor)
    shared = tuple(shared) if not isinstance(shared, str) else shared
    check_sampling(distribution, sigma, shared, allocation)
    if solver != "auto" and not info.applies_to(allocation):
        raise SymmpError(
            f"solver {solver!r} does not apply to this allocation ({allocation_facts(allocation)}): "
            f"it needs {info.needs}; use --solver auto"
        )
    extra = dict(solver_options or {})
    try:
        json.dumps(extra)
    except TypeError:
        raise ParameterError("solver_options must be JSON-able (numbers, strings, lists, dicts)") from None
    check_options(method, extra)
    seconds = analysis_seconds + run_seconds(
        allocation, trials, starts if info.uses_starts else 1, max_iter, workers)
    check_time(seconds, f"this run of {trials:,} trials",
               "use fewer --trials, --starts or --max-iter, smaller sizes, or more --workers")

    options = SolverOptions(
        starts=starts if info.uses_starts else 1, tol=float(tol), max_iter=max_iter, seed=seed, extra=extra
    )
    sampling = {"distribution": distribution, "sigma": float(sigma), "shared": list(shared)}
    settings = {
        "solver": method,
        "options": options.to_dict(),
        "sampling": sampling,
        "batch": batch,
    }
    settings["blas_threads"] = BLAS_THREADS  # fixed per task (runs/threads.py); numbers depend on it
    if info.environment is not None:  # tools the verdicts depend on (absent: keys as before)
        settings["environment"] = info.environment()
    if info.revision:  # what the verdicts mean changed (absent: keys as before)
        settings["revision"] = info.revision
    return RunPlan(
        allocation=allocation, trials=trials, seed=seed, solver=solver, method=method, options=options,
        settings=settings, spec_json=json.dumps(allocation.to_spec(), sort_keys=True),
        sampling={**sampling, "shared": tuple(shared)}, batch=batch,
    )
