"""The two-hidden-layer network ``relu2``: forward, Jacobians, exact patterns, specs, verdicts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from symmp import Allocation, classify
from symmp.arithmetic import ModularArithmetic
from symmp.errors import SpecError
from symmp.models import ACTIVATIONS, MODEL_REGISTRY, DeepReLU2, make_model
from symmp.spec import allocation_from_spec, allocation_to_spec

from .helpers import float_point, integer_point

ALL_ACTIVATIONS = sorted(ACTIVATIONS)


def _fd_jacobian(model, weights, inputs, entries, h=1e-6):
    columns = []
    for name, i, j in entries:
        plus = {k: v.copy() for k, v in weights.items()}
        minus = {k: v.copy() for k, v in weights.items()}
        plus[name][..., i, j] += h
        minus[name][..., i, j] -= h
        columns.append(((model.forward(plus, inputs) - model.forward(minus, inputs)) / (2 * h)).ravel())
    return np.stack(columns, axis=1)


def test_forward_matches_explicit_formula():
    rng = np.random.default_rng(0)
    model = DeepReLU2(n0=3, h1=5, h2=4, d=2)
    weights, inputs = float_point(model, 6, rng)
    relu = lambda z: np.maximum(z, 0.0)  # noqa: E731
    expected = weights["D"] @ relu(weights["W2"] @ relu(weights["W1"] @ inputs))
    np.testing.assert_array_equal(model.forward(weights, inputs), expected)
    tanh = DeepReLU2(n0=3, h1=5, h2=4, d=2, activation="tanh")
    np.testing.assert_allclose(
        tanh.forward(weights, inputs), weights["D"] @ np.tanh(weights["W2"] @ np.tanh(weights["W1"] @ inputs))
    )


def test_forward_is_batched():
    rng = np.random.default_rng(1)
    model = DeepReLU2(n0=2, h1=3, h2=3, d=2)
    weights, inputs = float_point(model, 4, rng, batch=(5,))
    batched = model.forward(weights, inputs)
    for t in range(5):
        single = model.forward({k: v[t] for k, v in weights.items()}, inputs[t])
        np.testing.assert_allclose(batched[t], single, rtol=1e-14)


@pytest.mark.parametrize("activation", ALL_ACTIVATIONS)
def test_jacobian_matches_finite_differences_for_every_entry(activation):
    rng = np.random.default_rng(2)
    model = DeepReLU2(n0=3, h1=4, h2=3, d=2, activation=activation)
    weights, inputs = float_point(model, 5, rng)
    entries = model.all_entries()
    if activation in ("relu", "leaky_relu"):
        # Gaussian point: every pre-activation is far from the kink
        first = weights["W1"] @ inputs
        second = weights["W2"] @ ACTIVATIONS[activation].function(first)
        assert min(np.abs(first).min(), np.abs(second).min()) > 1e-4
    np.testing.assert_allclose(
        model.jacobian(weights, inputs, entries), _fd_jacobian(model, weights, inputs, entries), rtol=1e-6, atol=1e-8
    )


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_float_and_modular_jacobians_agree_at_a_fixed_pattern(activation):
    """Integer weights and inputs: the float Jacobian (genuine activation) equals the modular
    one evaluated at the same point with that point's own slope pattern, residue by residue."""
    rng = np.random.default_rng(3)
    model = DeepReLU2(n0=3, h1=4, h2=3, d=2, activation=activation)
    ar = ModularArithmetic()
    weights, inputs = integer_point(model, 5, rng)
    active = model.activation_pattern(weights, inputs)
    if activation == "relu":
        pattern = active
    else:
        leak = pow(100, -1, ar.p)
        pattern = tuple(np.where(a == 1, 1, leak) for a in active)
    entries = model.all_entries()
    exact = model.jacobian(
        {k: ar.asarray(v.astype(np.int64)) for k, v in weights.items()},
        ar.asarray(inputs.astype(np.int64)), entries, ar, pattern=pattern,
    )
    floating = model.jacobian(weights, inputs, entries)
    if activation == "relu":
        np.testing.assert_array_equal(exact, ar.asarray(np.rint(floating).astype(np.int64)))
    else:
        # float values are (integer) / 100^k with k <= 2; scale them back to integers
        scaled = np.rint(floating * 100**2).astype(np.int64)
        np.testing.assert_allclose(floating * 100**2, scaled, atol=1e-6)
        np.testing.assert_array_equal(exact, ar.mul(ar.asarray(scaled), pow(100**2, -1, ar.p)))
    forward = model.forward(
        {k: ar.asarray(v.astype(np.int64)) for k, v in weights.items()},
        ar.asarray(inputs.astype(np.int64)), ar, pattern=pattern,
    )
    assert forward.shape == (2, 5)


def test_exact_arithmetic_needs_a_pair_of_patterns():
    model = DeepReLU2(n0=2, h1=2, h2=2, d=1)
    ar = ModularArithmetic()
    weights = {k: np.ones(s, dtype=np.int64) for k, s in model.matrix_shapes.items()}
    inputs = np.ones((2, 3), dtype=np.int64)
    for bad in (None, np.ones((2, 3), dtype=np.int64)):
        with pytest.raises(ValueError, match="pattern=\\(S1, S2\\)"):
            model.forward(weights, inputs, ar, pattern=bad)
    ones = np.ones((2, 3), dtype=np.int64)
    assert model.forward(weights, inputs, ar, pattern=(ones, ones)).tolist() == [[8, 8, 8]]


@pytest.mark.parametrize("activation", ALL_ACTIVATIONS)
def test_rank_pattern_gives_one_slope_array_per_hidden_layer(activation):
    model = DeepReLU2(n0=3, h1=4, h2=2, d=1, activation=activation)
    ar = ModularArithmetic()
    first, second = model.rank_pattern(5, ar, np.random.default_rng(4))
    assert first.shape == (4, 5) and second.shape == (2, 5)
    values = set(np.concatenate([first.ravel(), second.ravel()]).tolist())
    if activation == "relu":
        assert values <= {0, 1}
    elif activation == "leaky_relu":
        assert values <= {1, pow(100, -1, ar.p)}
    else:
        assert 0 not in values


def test_spec_round_trip_and_registry():
    assert MODEL_REGISTRY["relu2"][0] is DeepReLU2
    model = DeepReLU2(n0=3, h1=4, h2=2, d=2, activation="sigmoid")
    allocation = Allocation.from_entries(model, [("W1", 0, 2), ("W2", 1, 3), ("D", 1, 0)], m=3, seed=5)
    data = allocation_to_spec(allocation)
    assert data["model"] == "relu2" and data["dims"] == {"n0": 3, "h1": 4, "h2": 2, "d": 2}
    assert data["activation"] == "sigmoid"
    again = allocation_from_spec(json.loads(json.dumps(data)))
    assert again == allocation and again.model.activation == "sigmoid"
    assert allocation_to_spec(again) == data
    assert "activation" not in allocation_to_spec(Allocation.from_entries(DeepReLU2(1, 1, 1, 1), [("D", 0, 0)], m=1))
    assert make_model("relu2", {"n0": 1, "h1": 2, "h2": 3, "d": 1}) == DeepReLU2(1, 2, 3, 1)


def test_bad_dims_and_activation_name_the_field():
    with pytest.raises(SpecError, match="h2"):
        make_model("relu2", {"n0": 1, "h1": 2, "d": 1})
    with pytest.raises(SpecError, match="dims.h1"):
        DeepReLU2(n0=1, h1=0, h2=1, d=1)
    with pytest.raises(SpecError, match="activation"):
        DeepReLU2(n0=1, h1=1, h2=1, d=1, activation="gelu")
    with pytest.raises(SpecError, match="activation"):  # not a string: the same one-line error
        DeepReLU2(n0=1, h1=1, h2=1, d=1, activation=["relu"])


# ------------------------------------------------------------------ verdicts
def _d_only(activation, per_row, h2=4, m=3):
    model = DeepReLU2(n0=3, h1=4, h2=h2, d=2, activation=activation)
    entries = [("D", o, j) for o, k in enumerate(per_row) for j in range(k)]
    return Allocation.from_entries(model, entries, m=m)


@pytest.mark.parametrize(
    "activation, per_row, verdict",
    [
        ("tanh", [3, 3], "maximal"),  # composed analytic features, certified determinants
        ("sigmoid", [4, 3], "maximal"),
        ("tanh", [3, 2], "minimal"),  # certified rank-m teacher features, short row
        ("relu", [3, 3], "intermediate"),  # the exact route's witnesses: a persistent match and no-match
        ("relu", [3, 2], "intermediate"),
        ("leaky_relu", [3, 3], "undecided"),
    ],
)
def test_d_only_verdicts(activation, per_row, verdict):
    assert classify(_d_only(activation, per_row)).verdict == verdict


def test_short_row_is_not_called_minimal_when_the_last_hidden_layer_is_narrower_than_m():
    result = classify(_d_only("tanh", [2, 2], h2=2, m=3))
    assert result.verdict == "undecided"
    assert "could not be certified" in result.certificate


def test_hidden_layers_learnable_gives_no_certificate():
    model = DeepReLU2(n0=3, h1=4, h2=3, d=1, activation="tanh")
    result = classify(Allocation.from_entries(model, [("W1", 0, 0), ("W2", 1, 1), ("D", 0, 0)], m=2))
    assert result.verdict == "undecided" and not result.affine
    assert result.certificate.startswith("none: W1 and W2 are learnable")
