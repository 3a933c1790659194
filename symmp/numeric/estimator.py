"""``estimate_mp``: the match probability of an allocation, proved or estimated.

Call :func:`estimate_mp`; everything else in :mod:`symmp.numeric` is what it
is built from. Its body is its steps: plan the run (:func:`~.plan.plan_run`:
checked settings, the ledger key, fixed chunks), let a certificate answer,
reuse what the ledger holds, run the missing tasks, summarise.

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

import os
import time
from collections.abc import Sequence

from ..allocation import Allocation
from ..analysis import classify
from .plan import BATCH_MEMORY, DEFAULT_STARTS, RunPlan, default_batch, plan_run
from .result import MPResult, wilson_interval
from .runs.executors import run_tasks
from .runs.ledger import Ledger
from .runs.progress import Progress, substeps
from .solvers import TrialOutcome

__all__ = ["estimate_mp", "default_batch", "DEFAULT_STARTS", "BATCH_MEMORY"]


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
        A tqdm progress bar (trials, rate and ETA; the widget in a notebook);
        default on when stderr is a terminal or in a notebook, off with False.

    Returns
    -------
    MPResult

    Raises
    ------
    SymmpError
        For malformed options (one line: what was received, what is allowed).
    """
    started = time.perf_counter()
    plan = plan_run(
        allocation, trials, seed, solver, starts=starts, tol=tol, max_iter=max_iter,
        solver_options=solver_options, distribution=distribution, sigma=sigma, shared=shared,
        workers=workers, executor=executor, batch=batch, target_halfwidth=target_halfwidth,
    )
    classification = classify(allocation) if use_certificate else None
    if classification is not None and classification.verdict in ("maximal", "minimal") and not cross_check:
        return _proved_by_certificate(plan, classification, started)
    ledger = Ledger(store) if store is not None else None
    try:
        run = _Run(plan, ledger, target_halfwidth)
        run.reuse_ledger()
        run.run_tasks(executor, workers, progress)
    finally:
        if ledger is not None:
            ledger.close()
    return _summarise(plan, run, classification, started, store)


def _proved_by_certificate(plan: RunPlan, classification, started: float) -> MPResult:
    """The result when the analyzer proves MP = 1 or 0 (no trial run)."""
    value = 1.0 if classification.verdict == "maximal" else 0.0
    return MPResult(
        mp=value, ci95=(value, value), matches=0, trials=0, method="certificate",
        lower_bound=False, starts=0, proved=0,
        seconds=time.perf_counter() - started, solver=plan.solver, settings={},
        seed=plan.seed, certificate=classification.certificate,
        verdict=classification.verdict, error_bound=classification.error_bound,
    )


class _Run:
    """The state of one run: the outcomes so far, by trial index, and which chunks are whole."""

    def __init__(self, plan: RunPlan, ledger: Ledger | None, target_halfwidth: float | None) -> None:
        self.plan, self.ledger, self.target_halfwidth = plan, ledger, target_halfwidth
        self.chunks = plan.chunks()
        self.done: dict[int, TrialOutcome] = {}
        self.stored: set[int] = set()
        self.key: str | None = None
        self.computed = 0
        self.used_chunks, self.stopped = len(self.chunks), False

    def reuse_ledger(self) -> None:
        """Read back the trials a ledger already holds for this run."""
        if self.ledger is not None:
            self.key = self.ledger.register(self.plan.ledger_settings())
            self.done = self.ledger.finished(self.key, range(self.plan.trials))
        self.stored = set(self.done)

    def prefix_stop(self, complete: list[bool]) -> int | None:
        """The first prefix of whole chunks whose Wilson interval is narrow enough, if any."""
        if self.target_halfwidth is None:
            return None
        n = matches = 0
        for c, chunk in enumerate(self.chunks):
            if not complete[c]:
                return None
            n += len(chunk)
            matches += sum(self.done[i].matched for i in chunk)
            lo, hi = wilson_interval(matches, n)
            if (hi - lo) / 2 <= self.target_halfwidth:
                return c + 1
        return None

    def run_tasks(self, executor: str, workers: int, progress: bool | None) -> None:
        """Solve the trials still missing, recording each finished task; stop early if asked.

        While a progress bar is shown, a chunk's missing trials run as a few
        sub-tasks (:mod:`.runs.progress`); a chunk counts as whole once all
        of its trials are done, so early stopping still looks at whole chunks.
        """
        bar = Progress(self.plan.trials, len(self.stored), progress)
        tasks, task_chunk = [], []
        for c, chunk in enumerate(self.chunks):
            todo = tuple(i for i in chunk if i not in self.done)
            for piece in substeps(todo, bar.step_size(len(chunk))) if todo else ():
                tasks.append(self.plan.task(piece))
                task_chunk.append(c)
        complete = [all(i in self.done for i in chunk) for chunk in self.chunks]
        stop_at = self.prefix_stop(complete)
        try:
            if stop_at is None and tasks:
                ledger, key = self.ledger, self.key
                keep = (lambda _position, outcomes: ledger.record(key, outcomes)) if ledger is not None else None
                runner = run_tasks(tasks, executor, workers, keep)
                try:
                    for position, outcomes in runner:
                        if ledger is not None:
                            ledger.record(key, outcomes)
                        for outcome in outcomes:
                            self.done[outcome.index] = outcome
                        self.computed += len(outcomes)
                        c = task_chunk[position]
                        complete[c] = all(i in self.done for i in self.chunks[c])
                        bar.advance(len(outcomes))
                        stop_at = self.prefix_stop(complete)
                        if stop_at is not None:
                            break
                finally:
                    runner.close()
        finally:
            bar.close()
        if stop_at is not None:
            self.used_chunks, self.stopped = stop_at, stop_at < len(self.chunks)


def _summarise(plan: RunPlan, run: _Run, classification, started: float, store) -> MPResult:
    """MP, its interval and the counts over the trials of the used chunks, in order."""
    indices = [i for chunk in run.chunks[: run.used_chunks] for i in chunk]
    outcomes = tuple(run.done[i] for i in indices)
    matches = sum(o.matched for o in outcomes)
    n = len(outcomes)
    return MPResult(
        mp=matches / n,
        ci95=wilson_interval(matches, n),
        matches=matches,
        trials=n,
        method=plan.method,
        lower_bound=any(not o.matched and not o.proved for o in outcomes),
        starts=plan.options.starts if plan.info.uses_starts else 0,
        proved=sum(o.proved for o in outcomes),
        seconds=time.perf_counter() - started,
        solver=plan.solver,
        settings=plan.settings,
        seed=plan.seed,
        certificate=classification.certificate if classification is not None else None,
        verdict=classification.verdict if classification is not None else None,
        error_bound=classification.error_bound if classification is not None else None,
        reused=sum(1 for i in indices if i in run.stored),
        computed=run.computed,
        stopped_early=run.stopped,
        store=os.fspath(store) if store is not None else None,
        outcomes=outcomes,
    )
