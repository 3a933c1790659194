"""The ``adahessian``, ``adam`` and ``gd`` solvers of ``symmp mp`` for ReLU-type networks.

A trial matches when the relative residual ``||Y - Y*|| / ||Y*||`` reaches
``options.tol`` (equivalently the relative loss ``sum(R^2) / sum(Y*^2)``
reaches ``tol**2``) within ``options.max_iter`` steps of one of
``options.starts`` starts. Misses are never proved (``proved=False``): the
MP these solvers give is an empirical **lower bound**. Recommended settings
are :data:`RELU_DEFAULTS` (the generic solver defaults, 100 iterations and a
residual of 1e-9, are far too strict for a first-order-like optimiser).

Allocations whose learnables all lie in the last matrix (D) are affine in
them (THEORY.md Fact 2 at the trial's own activation pattern): each trial is
then decided exactly by linear least squares (``method="least_squares"``,
``proved=True``) unless ``options.extra["exact_affine"]`` is False.

Start 0 is the student's own draw of its learnable entries; start ``k >= 1``
draws them afresh from ``trial_rng(options.seed, trial.index, 2)``, Gaussian
with the root-mean-square of that matrix in the student.

Examples
--------
>>> import symmp.numeric
>>> from symmp import Allocation, ShallowReLU
>>> from symmp.numeric.sampling import draw_trials
>>> from symmp.numeric.solvers import SolverOptions
>>> allocation = Allocation.from_entries(ShallowReLU(2, 3, 1), [("W", 0, 0), ("D", 0, 1)], m=2)
>>> outcomes = solve_relu(allocation, draw_trials(allocation, 0, range(3)), SolverOptions(starts=1, tol=1e-5, max_iter=50), "adahessian")
>>> [o.method for o in outcomes], outcomes[0].proved, sorted(outcomes[0].details)[:3]
(['adahessian', 'adahessian', 'adahessian'], False, ['exact_affine', 'loss_tol', 'matched_start'])
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np

from ...allocation import Allocation
from .adahessian import AdaHessian
from .first_order import Adam, GradientDescent
from ..problems.match import stack_trials
from .training import MaskedNet, train, trial_keys
from ..sampling import Trial, trial_rng
from ..solvers import SolverOptions, TrialOutcome, register_solver

__all__ = ["solve_relu", "applies_relu", "RELU_DEFAULTS", "RULES"]

#: settings the ReLU solvers are meant to run with (relative residual 1e-5 =
#: relative loss 1e-10, 3000 steps, one start)
RELU_DEFAULTS = {"starts": 1, "tol": 1e-5, "max_iter": 3000}

#: solver name -> update-rule class; ``options.extra`` keys lr, betas, eps,
#: hessian_power override the rule's defaults
RULES = {"adahessian": AdaHessian, "adam": Adam, "gd": GradientDescent}


def applies_relu(allocation: Allocation) -> bool:
    """True for chain networks with elementwise activations (``relu`` and ``relu2`` models)."""
    return not allocation.model.polynomial and hasattr(allocation.model, "activation")


#: solver name -> the ``options.extra`` keys of its update rule
RULE_KEYS = {"adahessian": ("lr", "betas", "eps", "hessian_power"), "adam": ("lr", "betas", "eps"), "gd": ("lr",)}
RULE_OPTIONS = {
    "lr": "step size",
    "betas": "the two moment decays, each in [0, 1)",
    "eps": "the denominator's epsilon",
    "hessian_power": "power of the Hessian diagonal in AdaHessian's denominator",
}
EXACT_AFFINE = "decide allocations whose network is affine in the learnables by least squares (default True)"


def _rule(name: str, extra: dict):
    keys = RULE_KEYS[name]
    kwargs = {k: (tuple(extra[k]) if k == "betas" else float(extra[k])) for k in keys if k in extra}
    return RULES[name](**kwargs)


def _fresh_start(trial: Trial, allocation: Allocation, seed: int, start: int) -> np.ndarray:
    rng = trial_rng(seed, trial.index, 2, start)
    order = allocation.ordered_entries
    scale = {name: float(np.sqrt(np.mean(trial.student[name] ** 2))) for name, _, _ in order}
    return rng.standard_normal(len(order)) * np.array([scale[name] for name, _, _ in order])


def solve_relu(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions, name: str
) -> list[TrialOutcome]:
    """Decide a batch of trials with masked training by rule ``name`` (see module docstring)."""
    if not applies_relu(allocation):
        raise ValueError(f"solver {name!r} needs a relu model, got {allocation.model.kind!r}")
    rule = _rule(name, dict(options.extra))
    names = list(allocation.model.matrix_shapes)
    net = MaskedNet.build(
        allocation,
        {n: stack_trials([t.student[n] for t in trials]) for n in names},
        stack_trials([t.inputs for t in trials]),
        stack_trials([t.targets for t in trials]),
    )
    loss_tol = options.tol**2
    exact_affine = bool(options.extra.get("exact_affine", True))
    common = {"loss_tol": loss_tol, "exact_affine": exact_affine}
    if net.affine and exact_affine:
        _, rel = net.least_squares()
        return [
            TrialOutcome(
                index=t.index, matched=bool(rel[k] <= loss_tol), proved=True,
                residual=float(np.sqrt(rel[k])), starts=0, method="least_squares",
                details={**common, "relative_loss": float(rel[k]), "steps": 0, "matched_start": None},
            )
            for k, t in enumerate(trials)
        ]
    count = len(trials)
    best = np.full(count, np.inf)
    matched = np.zeros(count, dtype=bool)
    steps = np.zeros(count, dtype=np.int64)  # steps of the deciding (last) start
    total = np.zeros(count, dtype=np.int64)
    used = np.zeros(count, dtype=np.int64)
    matched_start = [None] * count
    pending = np.arange(count)
    theta0 = net.initial_theta()
    indices = np.array([t.index for t in trials])
    for start in range(options.starts):
        if not pending.size:
            break
        sub = net.subset(pending)
        if start == 0:
            theta = theta0[pending]
        else:
            theta = np.stack([_fresh_start(trials[k], allocation, options.seed, start) for k in pending])
        run = train(
            sub, theta, rule, tol=loss_tol, max_steps=options.max_iter,
            keys=trial_keys(options.seed, indices[pending], start),
        )
        best[pending] = np.fmin(best[pending], run.relative_loss)
        steps[pending] = run.steps
        total[pending] += run.steps
        used[pending] = start + 1
        for k in pending[run.matched]:
            matched_start[k] = start
        matched[pending] = run.matched
        pending = pending[~run.matched]
    return [
        TrialOutcome(
            index=t.index, matched=bool(matched[k]), proved=False,
            residual=float(np.sqrt(best[k])) if np.isfinite(best[k]) else float("inf"),
            starts=int(used[k]), method=name,
            details={
                **common,
                "relative_loss": float(best[k]) if np.isfinite(best[k]) else None,
                "steps": int(steps[k]),
                "steps_total": int(total[k]),
                "max_steps": options.max_iter,
                "matched_start": matched_start[k],
                "rule": rule.to_dict(),
            },
        )
        for k, t in enumerate(trials)
    ]


def _register() -> None:
    descriptions = {
        "adahessian": "masked AdaHessian (exact Hessian-vector products), relu models; lower bound",
        "adam": "masked Adam, relu models; lower bound",
        "gd": "masked gradient descent, relu models; lower bound",
    }
    for name, text in descriptions.items():
        register_solver(
            name,
            partial(solve_relu, name=name),  # picklable: runs in worker processes
            applies=applies_relu,
            needs="a network with an elementwise activation (relu, relu2)",
            uses_starts=True,
            options={**{key: RULE_OPTIONS[key] for key in RULE_KEYS[name]}, "exact_affine": EXACT_AFFINE},
            description=text,
            defaults=RELU_DEFAULTS,
            # the ReLU networks' default: a lower bound, the strongest optimiser measured
            auto_rank=20 if name == "adahessian" else None,
        )


_register()
