"""The solver contract: checks every registered solver must pass (as scikit-learn's estimator checks).

:func:`solver_checks` lists ``(solver name, check)`` pairs for every solver
registered at the time of the call; ``tests/numeric/test_solver_contract.py``
parametrises over them, and :func:`check_solver` runs them all on one
solver (a plugin's own test can call it). Each check runs the solver on an
allocation it applies to (:func:`example_allocation`: the first of
:data:`CANDIDATES` it applies to, or one given) with a few trials.

The contract:

- one outcome per trial, in the trials' order, with their indices;
- a trial's outcome does not depend on the batch it is in (alone, in a
  batch, in another order: identical outcomes);
- nor on the number of workers (``estimate_mp`` with 1 and 2 workers);
- the same seed gives the same numbers;
- a miss is marked proved only by a solver that declares ``proves_misses``;
- a claimed match is a match of the real model: where the outcome carries
  the learned values (``details["theta"]``) the real model's forward pass
  at them reproduces the teacher's outputs to ``tol``; where it does not,
  the reported residual is at most ``tol`` (the residual contract: the
  solver computes it on the real model, and proved matches say so);
- a solver-specific option it does not declare is refused with the same
  one-line error as for every solver, and asking for it where it does not
  apply names what it needs.

Examples
--------
>>> import symmp.numeric
>>> names = {name for name, _ in solver_checks()}
>>> {"newton", "linear", "algebraic"} <= names
True
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np

from ...allocation import Allocation
from ...errors import SymmpError
from ...models import LFFN, LRNN, LinearEstimator
from ...spec import allocation_from_spec
from ..estimator import estimate_mp
from ..sampling import draw_trials
from . import SOLVER_INFO, SolverOptions, TrialOutcome

__all__ = [
    "CANDIDATES",
    "CHECKS",
    "example_allocation",
    "solver_checks",
    "check_solver",
    "check_outcomes_in_trial_order",
    "check_batch_independence",
    "check_workers_independence",
    "check_same_seed_same_numbers",
    "check_misses_proved_only_when_declared",
    "check_matches_on_the_real_model",
    "check_unknown_option_refused",
    "check_does_not_apply_says_why",
]

#: small allocations the checks run on, cheapest first: each solver gets the first it applies to
CANDIDATES: tuple[Callable[[], Allocation], ...] = (
    # two unknowns on the diagonal of a 2 x 2 W (certified by elimination, newton, fsolve)
    lambda: Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0), ("W", 1, 1)], m=2),
    # affine outputs (linear)
    lambda: Allocation.spread(LinearEstimator(n=3, d=2), "W", r=4, K=2, m=2),
    # W rows of an lrnn: block-triangular (sequential)
    lambda: Allocation.from_entries(
        LRNN(5, 2, 2, 2), [("W", 0, c) for c in range(4)] + [("W", 1, c) for c in range(1, 5)], m=4
    ),
    # W-only lrnn whose Markov reduction is square quadratic (algebraic, homotopy)
    lambda: Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4),
    # a shallow ReLU network with a learnable first-layer entry (the ReLU optimisers)
    lambda: allocation_from_spec({
        "model": "relu", "dims": {"n0": 3, "h": 4, "d": 1}, "m": 3,
        "learnable": {"W": [[0, 0]], "D": [[0, 0], [0, 1]]},
    }),
    # a deep linear network (anything else that applies to polynomial models)
    lambda: Allocation.in_rows(LFFN([3, 3, 2]), "W1", rows=[0], k=2, m=2),
)
#: trials per check (small: the whole suite runs in seconds per solver)
TRIALS = 6
#: iterations per start for the ReLU optimisers in the checks (their default is 3000)
_RELU_STEPS = 150


def example_allocation(name: str) -> Allocation:
    """The first of :data:`CANDIDATES` that solver ``name`` applies to (SymmpError if none)."""
    info = SOLVER_INFO[name]
    for make in CANDIDATES:
        allocation = make()
        if info.applies_to(allocation):
            return allocation
    raise SymmpError(f"solver {name!r} applies to none of the contract's candidate allocations")


def _options(name: str, seed: int = 5) -> SolverOptions:
    info = SOLVER_INFO[name]
    starts = min(info.defaults["starts"], 3) if info.uses_starts else 1
    max_iter = min(info.defaults["max_iter"], _RELU_STEPS)
    return SolverOptions(starts=starts, tol=info.defaults["tol"], max_iter=max_iter, seed=seed)


def _trials(allocation: Allocation, seed: int = 5, indices=(4, 0, 7, 2, 9, 1)):
    return draw_trials(allocation, seed, list(indices[:TRIALS]))


def _solve(name, allocation, trials, options) -> list[TrialOutcome]:
    return SOLVER_INFO[name].fn(allocation, trials, options)


def _same(a: list[TrialOutcome], b: list[TrialOutcome], what: str) -> None:
    left = [json.dumps(o.to_dict(), sort_keys=True) for o in a]
    right = [json.dumps(o.to_dict(), sort_keys=True) for o in b]
    for x, y in zip(left, right):
        if x != y:
            raise AssertionError(f"{what}: {x[:300]} != {y[:300]}")
    if len(left) != len(right):
        raise AssertionError(f"{what}: {len(left)} outcomes against {len(right)}")


def check_outcomes_in_trial_order(name: str, allocation: Allocation) -> None:
    """One well-formed outcome per trial, in the given (unsorted) order, with the trials' indices."""
    trials = _trials(allocation)
    outcomes = _solve(name, allocation, trials, _options(name))
    assert [o.index for o in outcomes] == [t.index for t in trials], [o.index for o in outcomes]
    for o in outcomes:
        assert isinstance(o, TrialOutcome)
        assert isinstance(o.matched, bool) and isinstance(o.proved, bool), o
        assert isinstance(o.starts, int) and o.starts >= 0 and isinstance(o.method, str), o
        assert isinstance(o.residual, float) and (o.residual >= 0 or np.isnan(o.residual)), o
        json.dumps(o.to_dict())  # JSON-able: it goes to the ledger


def check_batch_independence(name: str, allocation: Allocation) -> None:
    """The same trial gives the same outcome alone, in a batch, and in a reversed smaller batch."""
    trials, options = _trials(allocation), _options(name)
    together = _solve(name, allocation, trials, options)
    alone = [_solve(name, allocation, [t], options)[0] for t in trials[:3]]
    reversed_tail = _solve(name, allocation, trials[::-1][:4], options)[::-1]
    _same(together[:3], alone, f"{name}: a trial alone against in a batch")
    _same(together[-4:], reversed_tail, f"{name}: a trial in another batch")


def check_workers_independence(name: str, allocation: Allocation) -> None:
    """``estimate_mp`` with 1 and with 2 worker processes: identical outcomes (fixed chunks)."""
    options = _options(name)
    common = dict(
        trials=4, seed=options.seed, solver=name, starts=options.starts, max_iter=options.max_iter,
        batch=2, use_certificate=False, progress=False,
    )
    serial = estimate_mp(allocation, workers=1, **common)
    parallel = estimate_mp(allocation, workers=2, **common)
    _same(list(serial.outcomes), list(parallel.outcomes), f"{name}: 1 worker against 2")


def check_same_seed_same_numbers(name: str, allocation: Allocation) -> None:
    """Two calls with the same seed and trials: identical outcomes."""
    trials, options = _trials(allocation), _options(name)
    _same(_solve(name, allocation, trials, options), _solve(name, allocation, _trials(allocation), options),
          f"{name}: same seed")


def check_misses_proved_only_when_declared(name: str, allocation: Allocation) -> None:
    """A miss is marked proved only by a solver registered with ``proves_misses``."""
    if SOLVER_INFO[name].proves_misses:
        return
    for o in _solve(name, allocation, _trials(allocation), _options(name)):
        assert o.matched or not o.proved, f"{name}: trial {o.index} is a proved miss from a local solver"


def _forward_residual(allocation: Allocation, trial, theta) -> float:
    """Relative residual of the real model at the learnable values ``theta`` (forward pass)."""
    weights = {name: np.array(matrix, dtype=float) for name, matrix in trial.student.items()}
    for value, (name, row, col) in zip(np.asarray(theta, dtype=float), allocation.ordered_entries):
        weights[name][row, col] = value
    outputs = allocation.model.forward({k: v[None] for k, v in weights.items()}, np.asarray(trial.inputs)[None])
    target = np.asarray(trial.targets, dtype=float).reshape(-1)
    gap = np.linalg.norm(np.asarray(outputs).reshape(-1) - target)
    return float(gap / np.linalg.norm(target)) if np.linalg.norm(target) > 0 else float(gap)


def check_matches_on_the_real_model(name: str, allocation: Allocation) -> None:
    """Every claimed match is a match of the real model (see the module docstring)."""
    options = _options(name)
    trials = _trials(allocation)
    for trial, o in zip(trials, _solve(name, allocation, trials, options)):
        if not o.matched:
            continue
        assert o.residual <= options.tol, f"{name}: trial {o.index} matched with residual {o.residual}"
        theta = o.details.get("theta")
        if theta is not None:
            assert len(theta) == allocation.r, f"{name}: trial {o.index} returned {len(theta)} values"
            real = _forward_residual(allocation, trial, theta)
            # the forward pass is recomputed here, so its rounding may differ in the last bits
            assert real <= options.tol * 1.01 + 1e-15, f"{name}: trial {o.index}: the real model misses by {real}"


def check_unknown_option_refused(name: str, allocation: Allocation) -> None:
    """An undeclared solver-specific option is refused with the registry's one-line message."""
    try:
        estimate_mp(allocation, trials=1, solver=name, solver_options={"no_such_option": 1},
                    use_certificate=False, progress=False)
    except SymmpError as err:
        text = str(err)
        assert text.startswith(f"unknown {name} option(s) 'no_such_option'; allowed: "), text
        assert "\n" not in text
    else:
        raise AssertionError(f"{name} accepted an unknown option")


def check_does_not_apply_says_why(name: str, allocation: Allocation) -> None:
    """Where the solver does not apply, ``estimate_mp`` refuses it naming what it needs."""
    info = SOLVER_INFO[name]
    for make in CANDIDATES:
        other = make()
        if not info.applies_to(other):
            try:
                estimate_mp(other, trials=1, solver=name, use_certificate=False, progress=False)
            except SymmpError as err:
                assert f"it needs {info.needs}" in str(err), str(err)
                return
            raise AssertionError(f"{name} ran where it does not apply")


#: every check, in the order :func:`check_solver` runs them
CHECKS = (
    check_outcomes_in_trial_order,
    check_batch_independence,
    check_same_seed_same_numbers,
    check_misses_proved_only_when_declared,
    check_matches_on_the_real_model,
    check_unknown_option_refused,
    check_does_not_apply_says_why,
    check_workers_independence,
)


def solver_checks() -> list[tuple[str, Callable[[str, Allocation], None]]]:
    """``(name, check)`` for every check and every solver registered now (``auto`` excepted:
    it is whichever solver it resolves to, checked under that name)."""
    return [(name, check) for name in sorted(SOLVER_INFO) if name != "auto" for check in CHECKS]


def check_solver(name: str, allocation: Allocation | None = None) -> None:
    """Run every check of the contract on solver ``name`` (AssertionError at the first broken one)."""
    allocation = example_allocation(name) if allocation is None else allocation
    for check in CHECKS:
        check(name, allocation)
