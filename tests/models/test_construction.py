"""Model construction, registry and validation."""

from __future__ import annotations

import pytest

from symmp.errors import SpecError
from symmp.models import LFFN, LRNN, MODEL_REGISTRY, LinearEstimator, ShallowReLU, make_model


def test_matrix_shapes_and_weight_counts():
    assert LinearEstimator(n=3, d=2).matrix_shapes == {"W": (2, 3)}
    lrnn = LRNN(n=4, b=2, d=3, T=2)
    assert lrnn.matrix_shapes == {"W": (4, 4), "B": (4, 2), "D": (3, 4)}
    assert lrnn.n_weights == 16 + 8 + 12
    assert lrnn.input_shape(5) == (2, 2, 5)
    assert LFFN([2, 3, 4]).n_weights == 6 + 12
    assert ShallowReLU(n0=2, h=3, d=1).matrix_shapes == {"W": (3, 2), "D": (1, 3)}
    assert lrnn.fan_in("B") == 2


def test_all_entries_order():
    model = LinearEstimator(n=2, d=2)
    assert model.all_entries() == [("W", 0, 0), ("W", 0, 1), ("W", 1, 0), ("W", 1, 1)]
    assert LRNN(1, 1, 1, 1).all_entries(["D", "W"]) == [("D", 0, 0), ("W", 0, 0)]


def test_registry_round_trip_and_equality():
    assert set(MODEL_REGISTRY) == {"linear", "lrnn", "lffn", "relu", "relu2"}
    model = make_model("lrnn", {"n": 2, "b": 1, "d": 1, "T": 3}, convention="standard")
    assert model == LRNN(2, 1, 1, 3, convention="standard")
    assert model != LRNN(2, 1, 1, 3)
    assert hash(model) == hash(LRNN(2, 1, 1, 3, convention="standard"))
    assert make_model("lffn", {"widths": [2, 3]}) == LFFN([2, 3])
    assert make_model("relu", {"n0": 1, "h": 2, "d": 1}, activation="tanh").activation == "tanh"
    assert "convention='standard'" in repr(model)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: LinearEstimator(0, 1), "dims.n"),
        (lambda: LinearEstimator(2, -1), "dims.d"),
        (lambda: LRNN(2, 1, 1, 0), "dims.T"),
        (lambda: LRNN(2, 1.5, 1, 1), "dims.b"),
        (lambda: LRNN(2, True, 1, 1), "dims.b"),
        (lambda: LRNN(2, 1, 1, 1, convention="textbook"), "convention"),
        (lambda: LFFN([3]), "dims.widths"),
        (lambda: LFFN("34"), "dims.widths"),
        (lambda: LFFN([3, 0]), "dims.widths[1]"),
        (lambda: ShallowReLU(1, 1, 1, activation="gelu"), "activation"),
        (lambda: ShallowReLU(1, 1, 1, activation=["relu"]), "activation"),
        (lambda: make_model("rnn", {}), "unknown model"),
        (lambda: make_model("lrnn", {"n": 1, "b": 1, "d": 1}), "'T'"),
        (lambda: make_model("linear", {"n": 1, "d": 1, "T": 2}), "'T'"),
        (lambda: make_model("linear", {"n": 1, "d": 1}, convention="paper"), "convention"),
    ],
)
def test_bad_sizes_raise_spec_errors_naming_the_field(call, field):
    with pytest.raises(SpecError) as info:
        call()
    message = str(info.value)
    assert field in message and "\n" not in message
