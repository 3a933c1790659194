"""Small models of every kind and random points for them (shared by the model tests)."""

from __future__ import annotations

import numpy as np

from symmp.models import LFFN, LRNN, LinearEstimator, ShallowReLU

SMALL_MODELS = [
    LinearEstimator(n=3, d=2),
    LRNN(n=3, b=2, d=2, T=3, convention="paper"),
    LRNN(n=3, b=2, d=2, T=3, convention="standard"),
    LRNN(n=2, b=1, d=1, T=1, convention="standard"),
    LFFN([3, 2, 4, 2]),
    ShallowReLU(n0=3, h=4, d=2),
]


def float_point(model, m: int, rng: np.random.Generator, batch: tuple[int, ...] = ()):
    weights = {
        name: rng.standard_normal(batch + shape) / np.sqrt(shape[1])
        for name, shape in model.matrix_shapes.items()
    }
    return weights, rng.standard_normal(batch + model.input_shape(m))


def integer_point(model, m: int, rng: np.random.Generator, low: int = -3, high: int = 4):
    weights = {
        name: rng.integers(low, high, size=shape).astype(float)
        for name, shape in model.matrix_shapes.items()
    }
    return weights, rng.integers(low, high, size=model.input_shape(m)).astype(float)
