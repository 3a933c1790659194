"""``exact-relu``: every trial of a piecewise-linear network decided by its activation patterns.

Applies to ``relu`` and ``relu2`` models with activation ``relu`` or
``leaky_relu`` whose learnable weights sit in the last hidden layer's
weights and/or D (for ``relu2``: W1 fixed, so the first layer's features
act(W1 X) are the inputs of a shallow problem), or, for ``relu2``, in W1
alone (both layers' patterns enumerated, :mod:`symmp.numeric.relu.two_layer`;
its open combinations are not decided over Q, so such a trial may stay
unproved). Not exact: learnables in two layers of ``relu2`` (W1 with W2 or
D), and d >= 2 with a unit whose W row and D entries are both learnable
(bilinear per pattern): the optimisers decide those, as a lower bound.

Per trial (:func:`~symmp.numeric.relu.exact.solve_layer`): enumerate the
combinations of the units' realisable patterns, decide each by least
squares plus sign constraints, and re-check the first candidate's weights by
a forward pass of the **real network** (``model.forward`` on all matrices)
at ``tol``. Verdicts:

- match: re-checked at ``tol``, ``proved=True``;
- no match, ``proved=True``: every combination rejected, to the margins of
  :mod:`symmp.numeric.relu.feasibility` or, where the float route left it
  open, exactly over Q (:mod:`symmp.numeric.relu.rational`; a match found
  that way is checked by the real layer in rationals, residual exactly 0),
  the enumeration complete (each unit's cells exact, or a superset where
  general position could not be confirmed); ``details["exact_decided"]``
  counts the combinations decided exactly;
- no match, ``proved=False``: some combination neither the float nor the
  exact route decided (``details["unclear"]``; none seen on the benchmark
  family's 12,000 trials);
- more than ``max_combinations`` combinations (``options.extra``, default
  :data:`DEFAULT_LIMIT`): the trial goes to the optimiser named by
  ``extra["fallback"]`` (default ``adahessian``, with ``fallback_starts``,
  ``fallback_tol`` and ``options.max_iter`` steps); its outcome keeps that
  solver's method and says ``details["fallback"] = True``, and the result's
  note counts such trials. ``fallback: "none"`` leaves them unproved misses.

Examples
--------
>>> import symmp.numeric
>>> from symmp import Allocation, ShallowReLU
>>> from symmp.numeric.sampling import draw_trials
>>> allocation = Allocation.from_entries(ShallowReLU(2, 3, 1), [("W", 0, 0), ("W", 1, 1)], m=2)
>>> outcomes = exact_relu_solve(allocation, draw_trials(allocation, 0, range(20)), SolverOptions())
>>> all(o.proved for o in outcomes), {o.method for o in outcomes}
(True, {'exact-relu'})
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...allocation import Allocation
from ...analysis.provers import Certificate, ProverContext, register_prover
from ...models import ACTIVATIONS
from ..relu.exact import Layer, LayerOutcome, bilinear_units, solve_layer
from ..relu.two_layer import solve_first_layer
from ..relu.witness import no_witness, yes_witness
from ..sampling import Trial, draw_trials
from . import SOLVERS, SolverOptions, TrialOutcome, register_solver

__all__ = [
    "exact_relu_solve", "applies_exact_relu", "first_layer_only", "exact_layer", "relu_witness_prover", "DEFAULT_LIMIT",
    "FALLBACK_DEFAULTS", "WITNESS_DRAWS",
]

#: combinations a trial may enumerate before it falls back to the optimiser
DEFAULT_LIMIT = 20_000
#: the fallback optimiser's settings (``extra`` keys ``fallback``, ``fallback_starts``, ``fallback_tol``)
FALLBACK_DEFAULTS = {"fallback": "adahessian", "fallback_starts": 1, "fallback_tol": 1e-5}
_PIECEWISE_LINEAR = ("relu", "leaky_relu")


def _layer_names(model) -> tuple[list[str], str]:
    """(fixed leading matrices, the hidden matrix before D)."""
    names = list(model.matrix_shapes)
    return names[:-2], names[-2]


def applies_exact_relu(allocation: Allocation) -> bool:
    """True for relu/relu2 models with a piecewise-linear activation whose learnables lie in the
    last hidden layer and D, with no bilinear unit, or in relu2's W1 alone (see module doc)."""
    model = allocation.model
    if model.polynomial or getattr(model, "activation", None) not in _PIECEWISE_LINEAR:
        return False
    if model.kind not in ("relu", "relu2"):
        return False
    if first_layer_only(allocation):
        return True
    before, hidden = _layer_names(model)
    if any(name in allocation.matrices for name in before):
        return False
    return not bilinear_units(allocation.mask(hidden).astype(bool), allocation.mask("D").astype(bool))


def first_layer_only(allocation: Allocation) -> bool:
    """``relu2`` with learnables in W1 alone (:mod:`..relu.two_layer`)."""
    return allocation.model.kind == "relu2" and set(allocation.matrices) == {"W1"}


def _solve_first(allocation: Allocation, trial: Trial, tol: float, limit: int) -> LayerOutcome:
    """One relu2 W1-only trial by :func:`~..relu.two_layer.solve_first_layer`, as a LayerOutcome."""
    s = trial.student
    scale = float(np.linalg.norm(trial.targets)) or 1.0

    def check(w1: np.ndarray) -> float:
        out = np.asarray(allocation.model.forward({**s, "W1": w1}, trial.inputs), dtype=float)
        return float(np.linalg.norm(out - trial.targets) / scale)

    status, w1, tried, unclear = solve_first_layer(
        s["W1"], s["W2"], s["D"], trial.inputs, trial.targets, allocation.mask("W1").astype(bool),
        _alpha(allocation.model.activation), tol=tol, limit=limit, check=check,
        teacher=tuple(trial.teacher[name] for name in ("W1", "W2", "D")))
    residual = check(w1) if w1 is not None else float("inf")
    return LayerOutcome(status, w1, None, residual, tried, tried if status != "over_limit" else limit + 1, unclear)


def _alpha(activation: str) -> float:
    """The slope of the inactive side (0 for ReLU, the leak for leaky ReLU)."""
    return float(-ACTIVATIONS[activation].function(np.array(-1.0)))


def exact_layer(allocation: Allocation, trial: Trial) -> Layer:
    """The trial as a shallow problem on the last hidden layer's inputs."""
    model = allocation.model
    before, hidden = _layer_names(model)
    act = ACTIVATIONS[model.activation].function
    x = trial.inputs
    for name in before:
        x = act(trial.student[name] @ x)
    return Layer(
        trial.student[hidden], trial.student["D"], x, trial.targets,
        allocation.mask(hidden).astype(bool), allocation.mask("D").astype(bool), _alpha(model.activation),
        raw_inputs=trial.inputs if before else None, leading=tuple(trial.student[name] for name in before),
        teacher=tuple(trial.teacher[name] for name in model.matrix_shapes),
    )


def _checker(allocation: Allocation, trial: Trial):
    _, hidden = _layer_names(allocation.model)
    size = float(np.linalg.norm(trial.targets))
    scale = size if size > 0 else 1.0

    def check(w: np.ndarray, d: np.ndarray) -> float:
        weights = {**trial.student, hidden: w, "D": d}
        out = np.asarray(allocation.model.forward(weights, trial.inputs), dtype=float)
        return float(np.linalg.norm(out - trial.targets) / scale)

    return check


def exact_relu_solve(
    allocation: Allocation, trials: Sequence[Trial], options: SolverOptions
) -> list[TrialOutcome]:
    """Solver ``exact-relu`` (see module doc)."""
    if not applies_exact_relu(allocation):
        raise ValueError("exact-relu needs a relu/relu2 model with relu or leaky_relu and learnables "
                         "in the last hidden layer and D (no bilinear unit at d >= 2), or in relu2's W1 alone")
    extra = {**FALLBACK_DEFAULTS, **dict(options.extra)}
    limit = int(extra.get("max_combinations", DEFAULT_LIMIT))
    outcomes: dict[int, TrialOutcome] = {}
    over: list[tuple[int, Trial, int]] = []
    for k, trial in enumerate(trials):
        if first_layer_only(allocation):
            result = _solve_first(allocation, trial, options.tol, limit)
        else:
            result = solve_layer(
                exact_layer(allocation, trial), tol=options.tol, limit=limit, check=_checker(allocation, trial)
            )
        details = {
            "combinations": result.combinations,
            "combinations_total": result.total,
            "limit": limit,
            "cells_exact": result.exact_cells,
            "unclear": result.unclear,
            "exact_decided": result.details.get("exact", {}).get("decided", 0),
        }
        if result.status == "over_limit":
            over.append((k, trial, result.total))
            continue
        outcomes[k] = TrialOutcome(
            index=trial.index, matched=result.status == "match", proved=result.status in ("match", "no"),
            residual=float(result.residual), starts=0, method="exact-relu", details=details,
        )
    if over:
        name = str(extra["fallback"])
        fallen = [t for _, t, _ in over]
        if name == "none":
            found = [
                TrialOutcome(t.index, False, False, float("inf"), 0, "exact-relu", {}) for t in fallen
            ]
        else:
            sub = SolverOptions(
                starts=int(extra["fallback_starts"]), tol=float(extra["fallback_tol"]),
                max_iter=options.max_iter, seed=options.seed, extra={},
            )
            found = SOLVERS[name](allocation, fallen, sub)
        for (k, _, total), outcome in zip(over, found):
            outcomes[k] = TrialOutcome(
                index=outcome.index, matched=outcome.matched, proved=outcome.proved,
                residual=outcome.residual, starts=outcome.starts, method=outcome.method,
                details={**outcome.details, "fallback": True, "combinations_total": total, "limit": limit},
            )
    return [outcomes[k] for k in range(len(trials))]


register_solver(
    "exact-relu",
    exact_relu_solve,
    applies=applies_exact_relu,
    needs="a relu/relu2 network with relu or leaky_relu, learnables in the last hidden layer and D "
    "and no unit with learnable W row and D entries at d >= 2, or in relu2's W1 alone",
    description="exact activation-pattern enumeration (relu, leaky_relu); proved verdicts, optimiser "
    "fallback over the combination limit",
    options={
        "max_combinations": f"pattern combinations a trial may enumerate (default {DEFAULT_LIMIT:,}); "
        "over it the trial falls back to the optimiser",
        "fallback": "optimiser for trials over the limit: adahessian (default), adam, gd, or none",
        "fallback_starts": "its starts (default 1)",
        "fallback_tol": "its match threshold on the relative residual (default 1e-5)",
    },
    defaults={"starts": 1, "tol": 1e-9, "max_iter": 3000, "batch": 100},
    # before adahessian (20): every verdict decided where it applies
    auto_rank=15,
    revision=1,  # 1: combinations the float route leaves open are decided exactly over Q
    proves_misses=True,
)


# ------------------------------------------------------------------ witnesses for classify
#: draws a witness search tries
WITNESS_DRAWS = 64


def relu_witness_prover(allocation: Allocation, context: ProverContext) -> Certificate | None:
    """0 < MP < 1 from a persistent yes and a persistent no trial (:mod:`..relu.witness`), for
    the allocations ``exact-relu`` applies to; None when draws ``0 .. WITNESS_DRAWS-1`` of the
    classification's seed hold no pair."""
    if not applies_exact_relu(allocation) or first_layer_only(allocation):
        return None
    yes = no = None
    tried = 0
    for trial in draw_trials(allocation, context.seed, range(WITNESS_DRAWS)):
        tried += 1
        layer = exact_layer(allocation, trial)
        outcome = solve_layer(layer, tol=1e-9, limit=DEFAULT_LIMIT)
        if outcome.status == "match" and yes is None:
            found = yes_witness(layer, outcome=outcome)
            yes = None if found is None else {"trial": trial.index, **found}
        elif outcome.status == "no" and no is None:
            found = no_witness(layer)
            no = None if found is None else {"trial": trial.index, **found}
        if yes is not None and no is not None:
            break
    if yes is None or no is None:
        return None
    return Certificate(
        "intermediate",
        "witnesses: a persistent exact match and a persistent exact no-match (activation patterns)",
        (
            f"yes witness: draw {yes['trial']} of seed {context.seed} matches in the activation-pattern "
            f"combination {yes['combination']} at the rational point in the evidence, where the equalities "
            "hold exactly (their nonzero rows of full row rank, zero rows at silent samples) and every "
            "sign constraint strictly: the match "
            "persists for nearby draws, MP > 0",
            f"no witness: draw {no['trial']} of seed {context.seed}: each of its {no['combinations']} "
            "combinations (every activation pattern of every unit not certified unrealisable, with "
            "D_j = 0 included for sign-split units) is infeasible by an exact certificate (y, w) whose "
            "matrix [M^T | G_S^T], on the unknowns it touches, has full row rank, so a certificate "
            "persists for nearby draws: MP < 1",
            "both witnesses persist in a neighbourhood of Gaussian draws, so 0 < MP < 1 (THEORY.md "
            "section 8); re-check with symmp.numeric.relu.witness (check_yes, no_witness)",
        ),
        error_bound=0.0,
        evidence={"relu_witnesses": {"seed": context.seed, "yes": yes, "no": no, "draws_tried": tried}},
    )


register_prover("relu-witnesses", relu_witness_prover, stage="intermediate", order=40)
