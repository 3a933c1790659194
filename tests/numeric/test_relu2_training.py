"""Masked training of the two-hidden-layer ``relu2`` network: exact HVPs, masking, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import symmp.numeric  # noqa: F401  (registers the solvers)
from symmp import Allocation, classify
from symmp.cli import main
from symmp.models import DeepReLU2
from symmp.numeric.relu.adahessian import AdaHessian
from symmp.numeric.relu.first_order import Adam, GradientDescent
from symmp.numeric.relu.optimisers import applies_relu
from symmp.numeric.relu.training import ACTIVATION_FUNCTIONS, MaskedNet, train, trial_keys
from symmp.numeric.sampling import draw_trials

from .helpers import assert_derivatives_match_finite_differences
from symmp.numeric.solvers import SOLVERS, SolverOptions

SPEC = Path(__file__).resolve().parents[2] / "examples" / "specs" / "relu2_example.json"
NAMES = ("W1", "W2", "D")


def _mixed(activation="relu"):
    model = DeepReLU2(n0=3, h1=4, h2=3, d=2, activation=activation)
    entries = [("W1", 0, 0), ("W1", 2, 1), ("W1", 3, 2), ("W2", 0, 1), ("W2", 2, 3), ("D", 0, 0), ("D", 1, 2)]
    return Allocation.from_entries(model, entries, m=4)


def _net(allocation, trials):
    return MaskedNet.build(
        allocation,
        {n: np.stack([t.student[n] for t in trials]) for n in NAMES},
        np.stack([t.inputs for t in trials]),
        np.stack([t.targets for t in trials]),
    )


def _patterns(net, theta):
    act = ACTIVATION_FUNCTIONS[net.activation]
    w = net.weights(theta)
    first = w["W1"] @ net.inputs
    second = w["W2"] @ act(first)[0]
    return first > 0, second > 0


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "sigmoid"])
def test_gradient_and_hvp_match_finite_differences(activation):
    allocation = _mixed(activation)
    net = _net(allocation, draw_trials(allocation, 3, range(6)))
    theta = net.initial_theta()
    vector = np.random.default_rng(0).standard_normal(theta.shape)
    _, grad, hvp = net.loss_grad_hvp(theta, vector)
    h = 1e-6
    eye = np.eye(theta.shape[1])
    if activation in ("relu", "leaky_relu"):
        # away from kinks: no step below changes either layer's activation pattern
        base = _patterns(net, theta)
        for step in [2 * h * vector] + [s * h * e for e in eye for s in (-1, 1)]:
            for moved, fixed in zip(_patterns(net, theta + step), base):
                assert np.array_equal(moved, fixed)
    assert_derivatives_match_finite_differences(net, theta, vector, grad, hvp, h)


def test_hvp_is_symmetric_bilinear():
    allocation = _mixed("tanh")
    net = _net(allocation, draw_trials(allocation, 5, range(4)))
    theta = net.initial_theta()
    u, v = np.random.default_rng(1).standard_normal((2,) + theta.shape)
    _, _, hv = net.loss_grad_hvp(theta, v)
    _, _, hu = net.loss_grad_hvp(theta, u)
    np.testing.assert_allclose((u * hv).sum(1), (v * hu).sum(1), rtol=1e-10)


@pytest.mark.parametrize("rule", [AdaHessian(), Adam(), GradientDescent()], ids=lambda r: r.name)
def test_fixed_weights_bitwise_unchanged(rule):
    allocation = _mixed()
    trials = draw_trials(allocation, 0, range(8))
    net = _net(allocation, trials)
    run = train(net, net.initial_theta(), rule, tol=1e-30, max_steps=200, keys=trial_keys(0, range(8)))
    trained = net.weights(run.theta)
    moved = False
    for name in NAMES:
        fixed = allocation.mask(name) == 0
        before = np.stack([t.student[name] for t in trials])
        assert before[:, fixed].tobytes() == trained[name][:, fixed].tobytes()
        moved |= not np.array_equal(before[:, ~fixed], trained[name][:, ~fixed])
    assert moved  # and the learnable ones did train


def test_d_only_decided_exactly_and_agrees_with_the_analyzer():
    model = DeepReLU2(n0=3, h1=4, h2=4, d=2, activation="tanh")
    meets = Allocation.from_entries(model, [("D", o, j) for o in range(2) for j in range(3)], m=3)
    short = Allocation.from_entries(model, [("D", 0, j) for j in range(3)] + [("D", 1, 0), ("D", 1, 1)], m=3)
    assert applies_relu(meets)
    options = SolverOptions(starts=1, tol=1e-5, max_iter=10)
    for allocation, verdict, expected in ((meets, "maximal", True), (short, "minimal", False)):
        assert classify(allocation).verdict == verdict
        outcomes = SOLVERS["adahessian"](allocation, draw_trials(allocation, 0, range(50)), options)
        assert all(o.proved and o.method == "least_squares" and o.matched == expected for o in outcomes)


def test_cli_classify_gives_a_verdict(capsys):
    assert main(["classify", str(SPEC), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["class"] == "undecided"  # W1 learnable: nothing is claimed
    assert result["certificate"].startswith("none: W1 is learnable")


@pytest.mark.parametrize("solver", ["adahessian", "adam", "gd"])
def test_cli_mp_reports_an_interval_labelled_lower_bound(solver, capsys):
    argv = ["mp", str(SPEC), "--trials", "20", "--solver", solver, "--max-iter", "500", "--no-store", "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["lower_bound"] is True and result["method"] == solver
    low, high = result["ci95"]
    assert 0.0 <= low <= result["mp"] <= high <= 1.0
    assert result["trials"] == 20 and result["matches"] == round(20 * result["mp"])


def test_cli_mp_default_text_says_lower_bound(capsys):
    assert main(["mp", str(SPEC), "--trials", "20", "--no-store"]) == 0
    out = capsys.readouterr().out
    assert "MP = " in out and "95% CI" in out and "lower bound" in out and "adahessian" in out
