"""The exact (rational) route of ``exact-relu`` and the ReLU witnesses of 0 < MP < 1."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import flint
import numpy as np
import pytest

import symmp.numeric  # noqa: F401  (registers the solvers and provers)
from symmp import Allocation, ShallowReLU, classify
from symmp.models import DeepReLU2
from symmp.numeric.relu.exact import build_blocks
from symmp.numeric.relu.exact_system import combination_system, exact_match, exact_weights
from symmp.numeric.relu.rational import LinearSystem, decide_exact
from symmp.numeric.relu.witness import check_yes, no_witness, yes_witness
from symmp.numeric.sampling import draw_trials
from symmp.numeric.solvers import SOLVERS, SolverOptions
from symmp.numeric.solvers.exact_relu import exact_layer
from symmp.spec import load_spec

from .test_exact_relu import _brute, _random_allocation

SPECS = Path(__file__).resolve().parents[2] / "examples" / "specs"
Q = flint.fmpq


def _exact_only(layer) -> bool:
    """Every combination of every dead-unit group decided by the rational route alone."""
    blocks, _ = build_blocks(layer)
    units = [b for b in blocks if b.kind != "D"]
    dying = [b for b in units if b.can_die]
    for mask in range(2 ** len(dying)):
        dead = [b for i, b in enumerate(dying) if mask >> i & 1]
        alive = [b for b in units if b not in dead]
        sizes = [b.M.shape[0] for b in alive]
        for options in itertools.product(*(range(n) for n in sizes)):
            system, layout = combination_system(layer, list(zip(alive, options)), dead)
            verdict = decide_exact(system)
            assert verdict.status != "unclear"
            if verdict.status == "feasible":
                weights = exact_weights(layer, layout, verdict.theta)
                if weights is not None:
                    assert exact_match(layer, *weights)
                    return True
    return False


def test_decide_exact_small_systems():
    one = [Q(1)]
    # x >= 0, x <= -1: infeasible by a Farkas vector; x >= 0, x = 2: feasible; x > 0, x = 0: Motzkin
    assert decide_exact(LinearSystem([], [], [one, [Q(-1)]], [Q(0), Q(-1)], (), 1)).status == "infeasible"
    found = decide_exact(LinearSystem([one], [Q(2)], [one], [Q(0)], (), 1))
    assert found.status == "feasible" and found.theta == [Q(2)]
    assert decide_exact(LinearSystem([one], [Q(0)], [one], [Q(0)], (0,), 1)).status == "infeasible"
    assert decide_exact(LinearSystem([one], [Q(0)], [one], [Q(0)], (), 1)).status == "feasible"
    # a solution far out (x >= 10^9) is found exactly
    far = decide_exact(LinearSystem([], [], [[Q(1, 10**9)]], [Q(-1)], (), 1))
    assert far.status == "feasible" and far.theta[0] >= 10**9


def test_rational_route_alone_agrees_with_brute_force():
    rng = np.random.default_rng(23)
    checked = matched = 0
    for case in range(80):
        allocation = _random_allocation(rng)
        for trial in draw_trials(allocation, 100 + case, range(2)):
            layer = exact_layer(allocation, trial)
            truth = _brute(layer)
            assert _exact_only(layer) == truth, (allocation.to_spec(), trial.index)
            checked += 1
            matched += truth
    assert checked == 160 and 0 < matched < checked


def test_rational_route_on_relu2_features():
    model = DeepReLU2(2, 3, 2, 1)
    allocation = Allocation.from_entries(model, [("W2", 0, 0), ("W2", 1, 2), ("D", 0, 1)], m=2)
    hits = 0
    for trial in draw_trials(allocation, 7, range(30)):
        layer = exact_layer(allocation, trial)
        truth = _brute(layer)
        assert _exact_only(layer) == truth
        assert SOLVERS["exact-relu"](allocation, [trial], SolverOptions())[0].matched == truth
        hits += truth
    assert 0 < hits < 30


@pytest.mark.parametrize("dims, activation, entries, seed, index", [
    ((3, 3, 1, 4), "leaky_relu", [("D", 0, 2), ("W", 1, 0), ("W", 1, 2), ("W", 2, 0), ("W", 2, 1)], 10, 23),
    ((2, 6, 2, 2), "leaky_relu", [("W", 0, 1), ("W", 3, 0), ("W", 3, 1), ("W", 4, 1), ("W", 5, 0)], 23, 68),
    ((3, 5, 1, 3), "leaky_relu", [("D", 0, 2), ("D", 0, 4), ("W", 0, 2), ("W", 4, 1)], 27, 6),
])
def test_trials_the_float_route_left_open_are_decided(dims, activation, entries, seed, index):
    # these trials were "unclear" (lower bound) before the rational route: solutions far out along
    # a null direction; now proved and equal to the brute force
    n0, h, d, m = dims
    allocation = Allocation.from_entries(ShallowReLU(n0, h, d, activation), entries, m)
    trial = draw_trials(allocation, seed, [index])[0]
    outcome = SOLVERS["exact-relu"](allocation, [trial], SolverOptions())[0]
    assert outcome.proved
    assert outcome.matched == _brute(exact_layer(allocation, trial))


# ------------------------------------------------------------------ witnesses
def test_witnesses_are_sound_against_brute_force():
    rng = np.random.default_rng(31)
    yes = no = 0
    for case in range(80):
        allocation = _random_allocation(rng)
        for trial in draw_trials(allocation, 200 + case, range(2)):
            layer = exact_layer(allocation, trial)
            truth = _brute(layer)
            found_yes = yes_witness(layer)
            found_no = no_witness(layer)
            assert not (found_yes and found_no)
            if found_yes:
                assert truth and check_yes(layer, found_yes)
                yes += 1
            if found_no:
                assert not truth
                no += 1
    assert yes > 20 and no > 20


def test_a_maximal_allocation_has_no_no_witness():
    allocation = Allocation.from_entries(ShallowReLU(3, 3, 1), [("W", 0, 0), ("W", 0, 1), ("D", 0, 0),
                                                                ("W", 1, 1), ("W", 1, 2)], m=2)
    assert classify(allocation).verdict == "maximal"
    assert all(no_witness(exact_layer(allocation, t)) is None for t in draw_trials(allocation, 0, range(20)))


@pytest.mark.parametrize("name", ["relu_concentrated", "relu_distributed"])
def test_classify_proves_intermediate_with_recheckable_evidence(name):
    allocation = load_spec(SPECS / f"{name}.json")
    result = classify(allocation, seed=0)
    assert result.verdict == "intermediate" and result.error_bound == 0.0
    evidence = json.loads(json.dumps(result.extra["evidence"]))["relu_witnesses"]
    yes_trial, no_trial = (draw_trials(allocation, evidence["seed"], [evidence[k]["trial"]])[0] for k in ("yes", "no"))
    assert check_yes(exact_layer(allocation, yes_trial), evidence["yes"])
    tampered = dict(evidence["yes"], theta=["0"] * len(evidence["yes"]["theta"]))
    assert not check_yes(exact_layer(allocation, yes_trial), tampered)
    assert no_witness(exact_layer(allocation, no_trial)) == {k: v for k, v in evidence["no"].items() if k != "trial"}
    assert _brute(exact_layer(allocation, yes_trial)) and not _brute(exact_layer(allocation, no_trial))
