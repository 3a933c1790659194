"""``estimate_mp``: the match probability of an allocation, proved or estimated.

Call :func:`estimate_mp`; everything else in :mod:`symmp.numeric` is what it
is built from.

1. Unless ``use_certificate=False``, the analyzer runs first: a ``maximal``
   or ``minimal`` verdict is a proof that MP is exactly 1 or 0 (method
   ``"certificate"``, no trial). ``cross_check=True`` runs the trials anyway.
2. Trials ``0 .. trials-1`` are drawn from ``seed``
   (:func:`symmp.numeric.sampling.draw_trial`) and decided in fixed batches
   of ``batch`` indices by the solver, on the chosen executor. Finished
   batches go to the ledger at once, so a killed run resumes where it stopped.
3. MP is matches / trials with a Wilson 95% interval. With
   ``target_halfwidth`` the run stops at the first prefix of whole batches
   whose interval is that narrow (a prefix, so the answer does not depend on
   which worker finished first).

Examples
--------
>>> from symmp import Allocation, LRNN
>>> allocation = Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0), ("W", 1, 1)], m=2)
>>> result = estimate_mp(allocation, trials=40, seed=1, solver="newton", starts=4)
>>> result.trials, result.method, result.lower_bound
(40, 'newton', True)
>>> 0 < result.mp < 1
True
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence

from ..allocation import Allocation
from ..analysis.ranks import DEFAULT_POINTS
from ..analysis.cost import check_time, classify_seconds
from ..errors import SymmpError
from .executors import Task, parse_executor, run_tasks
from .ledger import Ledger
from .result import MPResult, wilson_interval
from .runs.budget import run_seconds
from .runs.threads import BLAS_THREADS
from .sampling import check_sampling
from .solvers import GENERIC_DEFAULTS, SOLVER_INFO, SolverOptions, TrialOutcome, get_solver
from .solvers.auto import resolve_solver

__all__ = ["estimate_mp", "default_batch", "DEFAULT_STARTS", "BATCH_MEMORY"]

#: default random starts per trial for local solvers
DEFAULT_STARTS = GENERIC_DEFAULTS["starts"]
#: solvers whose ``starts`` are meaningful
_LOCAL = {"newton", "fsolve", "adahessian", "adam", "gd", "certified", "homotopy", "algebraic"}
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
    build (:class:`~symmp.numeric.problem.QuadraticProblem`). ``"auto"`` is
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
    from .problem import QuadraticProblem

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


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SymmpError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def estimate_mp(
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
    store: str | os.PathLike | None = None,
    batch: int | None = None,
    target_halfwidth: float | None = None,
    use_certificate: bool = True,
    cross_check: bool = False,
    progress: bool | None = None,
) -> MPResult:
    """Estimate (or prove) the match probability MP of ``allocation``.

    Parameters
    ----------
    allocation : Allocation
    trials : int
        Number of random trials (1,000 is the reference protocol).
    seed : int
        Seed of every draw; trial i depends only on (seed, i).
    solver : str
        ``"auto"`` (default), ``"linear"``, ``"newton"``, ``"fsolve"``,
        ``"sequential"``, or any registered solver (``certified``, ...).
    starts, tol, max_iter : int, float, int, optional
        Random starts per trial, match threshold on the relative residual,
        iterations (steps) per start. None takes the chosen solver's own
        defaults: 10, 1e-9, 100 for the polynomial solvers; 1, 1e-5, 3000 for
        the ReLU optimisers (``adahessian``, ``adam``, ``gd``).
    solver_options : dict, optional
        Solver-specific settings (``SolverOptions.extra``).
    distribution, sigma, shared
        Sampling options, see :func:`symmp.numeric.sampling.draw_trial`.
    workers : int
        Worker processes (1: run in this process).
    executor : str
        ``"local"`` or ``"dask"`` / ``"dask:ADDRESS"`` (extra ``distributed``).
    store : path, optional
        SQLite ledger to record finished trials in and resume from
        (None: keep nothing). The CLI defaults to ``symmp-runs.sqlite``.
    batch : int, optional
        Trials per task; part of the run's identity, like the seed. Default:
        the solver's (1,000 for the solvers vectorised across trials, whose
        calls have a fixed cost; 25 otherwise), lowered for large models so
        that a task's working arrays stay near :data:`BATCH_MEMORY`
        (:func:`default_batch`).
    target_halfwidth : float, optional
        Stop once the Wilson interval's half-width is at most this. Checked
        at the end of each batch: a run of one batch (1,000 trials of a
        vectorised solver, by default) cannot stop early; pass a smaller
        ``batch`` for that.
    use_certificate : bool
        Let a maximal/minimal verdict of :func:`symmp.analysis.classify` answer.
    cross_check : bool
        Run the trials even when a certificate answers (its verdict is still reported).
    progress : bool, optional
        Progress bar on stderr; default only when stderr is a terminal.

    Returns
    -------
    MPResult

    Raises
    ------
    SymmpError
        For malformed options (one line: what was received, what is allowed).
    """
    started = time.perf_counter()
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
        raise SymmpError(f"tol must be a number in (0, 1), got {tol!r}")
    if target_halfwidth is not None and (
        isinstance(target_halfwidth, bool)
        or not isinstance(target_halfwidth, (int, float))
        or not 0 < target_halfwidth < 0.5
    ):
        raise SymmpError(f"target_halfwidth must be a number in (0, 0.5), got {target_halfwidth!r}")
    parse_executor(executor)
    shared = tuple(shared) if not isinstance(shared, str) else shared
    check_sampling(distribution, sigma, shared, allocation)
    if info.applies is not None and solver != "auto" and not info.applies(allocation):
        raise SymmpError(
            f"solver {solver!r} does not apply to this allocation ({info.description}); "
            "use --solver auto"
        )
    extra = dict(solver_options or {})
    try:
        json.dumps(extra)
    except TypeError:
        raise SymmpError("solver_options must be JSON-able (numbers, strings, lists, dicts)") from None

    seconds = run_seconds(allocation, trials, starts if method in _LOCAL else 1, max_iter, workers)
    if use_certificate:
        seconds += analysis_seconds
    check_time(seconds, f"this run of {trials:,} trials",
               "use fewer --trials, --starts or --max-iter, smaller sizes, or more --workers")

    classification = None
    if use_certificate:
        from ..analysis import classify

        classification = classify(allocation)
        if classification.verdict in ("maximal", "minimal") and not cross_check:
            value = 1.0 if classification.verdict == "maximal" else 0.0
            return MPResult(
                mp=value, ci95=(value, value), matches=0, trials=0, method="certificate",
                lower_bound=False, starts=0, proved=0,
                seconds=time.perf_counter() - started, solver=solver, settings={},
                seed=seed, certificate=classification.certificate,
                verdict=classification.verdict, error_bound=classification.error_bound,
            )

    local = method in _LOCAL
    options = SolverOptions(
        starts=starts if local else 1, tol=float(tol), max_iter=max_iter, seed=seed, extra=extra
    )
    sampling = {"distribution": distribution, "sigma": float(sigma), "shared": list(shared)}
    spec_json = json.dumps(allocation.to_spec(), sort_keys=True)
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
    task_sampling = {**sampling, "shared": tuple(shared)}

    ledger = Ledger(store) if store is not None else None
    try:
        done: dict[int, TrialOutcome] = {}
        key = None
        if ledger is not None:
            key = ledger.register({"spec": json.loads(spec_json), "seed": seed, **settings})
            done = ledger.finished(key, range(trials))
        stored = set(done)
        chunks = [tuple(range(s, min(s + batch, trials))) for s in range(0, trials, batch)]
        tasks, task_chunk = [], []
        for c, chunk in enumerate(chunks):
            todo = tuple(i for i in chunk if i not in done)
            if todo:
                tasks.append(Task(spec_json, method, options.to_dict(), task_sampling, seed, todo))
                task_chunk.append(c)
        bar = _Progress(trials, len(stored), progress)
        computed = 0
        used_chunks = len(chunks)
        stopped = False
        complete = [all(i in done for i in chunk) for chunk in chunks]

        def prefix_stop() -> int | None:
            if target_halfwidth is None:
                return None
            n = matches = 0
            for c, chunk in enumerate(chunks):
                if not complete[c]:
                    return None
                n += len(chunk)
                matches += sum(done[i].matched for i in chunk)
                lo, hi = wilson_interval(matches, n)
                if (hi - lo) / 2 <= target_halfwidth:
                    return c + 1
            return None

        stop_at = prefix_stop()
        if stop_at is None and tasks:
            keep = (lambda _position, outcomes: ledger.record(key, outcomes)) if ledger is not None else None
            runner = run_tasks(tasks, executor, workers, keep)
            try:
                for position, outcomes in runner:
                    if ledger is not None:
                        ledger.record(key, outcomes)
                    for outcome in outcomes:
                        done[outcome.index] = outcome
                    computed += len(outcomes)
                    complete[task_chunk[position]] = True
                    bar.advance(len(outcomes))
                    stop_at = prefix_stop()
                    if stop_at is not None:
                        break
            finally:
                runner.close()
        bar.close()
        if stop_at is not None:
            used_chunks, stopped = stop_at, stop_at < len(chunks)
    finally:
        if ledger is not None:
            ledger.close()

    indices = [i for chunk in chunks[:used_chunks] for i in chunk]
    outcomes = tuple(done[i] for i in indices)
    matches = sum(o.matched for o in outcomes)
    n = len(outcomes)
    return MPResult(
        mp=matches / n,
        ci95=wilson_interval(matches, n),
        matches=matches,
        trials=n,
        method=method,
        lower_bound=any(not o.matched and not o.proved for o in outcomes),
        starts=options.starts if local else 0,
        proved=sum(o.proved for o in outcomes),
        seconds=time.perf_counter() - started,
        solver=solver,
        settings=settings,
        seed=seed,
        certificate=classification.certificate if classification is not None else None,
        verdict=classification.verdict if classification is not None else None,
        error_bound=classification.error_bound if classification is not None else None,
        reused=sum(1 for i in indices if i in stored),
        computed=computed,
        stopped_early=stopped,
        store=os.fspath(store) if store is not None else None,
        outcomes=outcomes,
    )


class _Progress:
    """A one-line progress bar on stderr, only on a terminal."""

    def __init__(self, total: int, already: int, enabled: bool | None) -> None:
        self.total, self.count = total, already
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.started = time.perf_counter()
        self._draw()

    def advance(self, count: int) -> None:
        self.count += count
        self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * self.count / max(self.total, 1))
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.count}/{self.total} trials "
            f"{elapsed:.1f}s"
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()

