"""The linear estimator Y = W X (THEORY.md section 1)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..arithmetic import FLOAT, Arithmetic
from ._checks import check_positive_int
from .base import JacobianFactor, Model
from .chain import ProductChain

__all__ = ["LinearEstimator"]


class LinearEstimator(ProductChain, Model):
    """Y = W X with W of shape (d, n).

    Examples
    --------
    >>> model = LinearEstimator(n=3, d=2)
    >>> model.matrix_shapes
    {'W': (2, 3)}
    """

    kind = "linear"

    def __init__(self, n: int, d: int) -> None:
        self.n = check_positive_int(n, "dims.n")
        self.d = check_positive_int(d, "dims.d")

    @property
    def matrix_shapes(self) -> dict[str, tuple[int, int]]:
        return {"W": (self.d, self.n)}

    @property
    def output_dim(self) -> int:
        return self.d

    def input_shape(self, m: int) -> tuple[int, ...]:
        return (self.n, m)

    def dims(self) -> dict:
        return {"n": self.n, "d": self.d}

    def equation_budgets(self, m: int) -> dict[str, tuple[list[int], list[int]]]:
        # a row of W moves the outputs through dw^T X (min(n, m) numbers);
        # a column through dv X[j, :] (d numbers)
        return {"W": ([min(self.n, m)] * self.d, [self.d] * self.n)}

    def rank_upper_bound(self, m: int) -> int:
        return self.d * min(self.n, m)

    def forward(self, weights: Mapping[str, np.ndarray], inputs: np.ndarray, ar: Arithmetic = FLOAT):
        return ar.matmul(weights["W"], inputs)

    def jacobian_factors(self, weights, inputs, name, ar: Arithmetic = FLOAT):
        return [JacobianFactor(ar.eye(self.d), inputs)]
