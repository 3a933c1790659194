"""The linear feed-forward network Y = W_L ... W_2 W_1 X (THEORY.md section 1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..arithmetic import FLOAT, Arithmetic
from ..errors import SpecError
from ._checks import check_positive_int
from .base import JacobianFactor, Model
from .chain import ProductChain

__all__ = ["LFFN"]


class LFFN(ProductChain, Model):
    """Linear feed-forward network; ``widths = [n_0, ..., n_L]``, W_l is n_l x n_{l-1}.

    W1 is applied first. Inputs have shape ``(n_0, m)``.

    Examples
    --------
    >>> LFFN([3, 2, 1]).matrix_shapes
    {'W1': (2, 3), 'W2': (1, 2)}
    """

    kind = "lffn"

    def __init__(self, widths: Sequence[int]) -> None:
        if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence):
            raise SpecError(
                f"dims.widths must be a list [n0, ..., nL] of positive integers, got {widths!r}"
            )
        if len(widths) < 2:
            raise SpecError(
                f"dims.widths needs at least two entries [n0, n1] (input and output), got {list(widths)}"
            )
        self.widths = [check_positive_int(w, f"dims.widths[{k}]") for k, w in enumerate(widths)]

    @property
    def depth(self) -> int:
        """L, the number of weight matrices."""
        return len(self.widths) - 1

    @property
    def matrix_shapes(self) -> dict[str, tuple[int, int]]:
        return {f"W{l}": (self.widths[l], self.widths[l - 1]) for l in range(1, self.depth + 1)}

    @property
    def output_dim(self) -> int:
        return self.widths[-1]

    def input_shape(self, m: int) -> tuple[int, ...]:
        return (self.widths[0], m)

    def dims(self) -> dict:
        return {"widths": list(self.widths)}

    def equation_budgets(self, m: int) -> dict[str, tuple[list[int], list[int]]]:
        out = {}
        for l in range(1, self.depth + 1):
            row_budget = min([m] + self.widths[:l])
            column_budget = min(self.widths[l:])
            out[f"W{l}"] = ([row_budget] * self.widths[l], [column_budget] * self.widths[l - 1])
        return out

    def rank_upper_bound(self, m: int) -> int:
        # outputs P X with P = W_L...W_1 of rank <= min(widths): the d x m
        # matrices of rank <= k whose rows lie in the row space of X
        # (dimension m' = min(m, n0)) form a set of dimension k (d + m' - k)
        visible = min(m, self.widths[0])
        k = min(min(self.widths), visible)
        return min(k * (self.output_dim + visible - k), self.n_weights)

    def layer_index(self, name: str) -> int:
        """l for matrix ``"W<l>"``."""
        return int(name[1:])

    def _activations(self, weights, inputs, ar: Arithmetic, upto: int) -> np.ndarray:
        out = inputs
        for l in range(1, upto + 1):
            out = ar.matmul(weights[f"W{l}"], out)
        return out

    def forward(self, weights: Mapping[str, np.ndarray], inputs: np.ndarray, ar: Arithmetic = FLOAT):
        return self._activations(weights, inputs, ar, self.depth)

    def jacobian_factors(self, weights, inputs, name, ar: Arithmetic = FLOAT):
        layer = self.layer_index(name)
        left = ar.eye(self.output_dim)
        for l in range(self.depth, layer, -1):
            left = ar.matmul(left, weights[f"W{l}"])
        return [JacobianFactor(left, self._activations(weights, inputs, ar, layer - 1))]
