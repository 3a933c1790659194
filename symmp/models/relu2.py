"""The two-hidden-layer network Y = D act(W2 act(W1 X)), ReLU by default.

The deeper sibling of :class:`~symmp.models.relu.ShallowReLU` (THEORY.md
section 7 asks whether its principles hold deeper). Under exact (modular)
arithmetic an activation has no meaning; there the model evaluates the
polynomial map of one fixed *slope pattern* per hidden layer,
``pattern = (S1, S2)`` with ``S1`` of shape ``(h1, m)`` and ``S2`` of shape
``(h2, m)``: act(W1 X) -> S1 o (W1 X) and act(W2 A1) -> S2 o (W2 A1).
:meth:`DeepReLU2.rank_pattern` draws such a pair the same way
:meth:`ShallowReLU.rank_pattern <symmp.models.relu.ShallowReLU.rank_pattern>`
draws one.

Examples
--------
>>> import numpy as np
>>> model = DeepReLU2(n0=1, h1=2, h2=1, d=1)
>>> w = {"W1": np.array([[1.0], [-1.0]]), "W2": np.array([[1.0, 1.0]]), "D": np.array([[2.0]])}
>>> model.forward(w, np.array([[2.0, -3.0]]))
array([[4., 6.]])
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..arithmetic import FLOAT, Arithmetic
from ._checks import check_positive_int
from .base import JacobianFactor, Model
from .activations import ACTIVATIONS, check_activation
from .relu import gaussian_point, slope_residues

__all__ = ["DeepReLU2"]


class DeepReLU2(Model):
    """Y = D act(W2 act(W1 X)) with W1 (h1 x n0), W2 (h2 x h1) and D (d x h2).

    Parameters
    ----------
    n0, h1, h2, d : int
        Input width, the two hidden widths and the output width.
    activation : {"relu", "leaky_relu", "tanh", "sigmoid"}
        The same elementwise activation in both hidden layers.

    Notes
    -----
    ``pattern`` (exact arithmetic only) is a pair ``(S1, S2)`` of slope
    arrays, ``(h1, m)`` and ``(h2, m)``, each possibly with leading batch
    dimensions.

    See Also
    --------
    symmp.models.relu.ShallowReLU : one hidden layer.
    """

    kind = "relu2"
    polynomial = False

    def __init__(self, n0: int, h1: int, h2: int, d: int, activation: str = "relu") -> None:
        self.n0 = check_positive_int(n0, "dims.n0")
        self.h1 = check_positive_int(h1, "dims.h1")
        self.h2 = check_positive_int(h2, "dims.h2")
        self.d = check_positive_int(d, "dims.d")
        self.activation = check_activation(activation)

    @property
    def matrix_shapes(self) -> dict[str, tuple[int, int]]:
        return {"W1": (self.h1, self.n0), "W2": (self.h2, self.h1), "D": (self.d, self.h2)}

    @property
    def output_dim(self) -> int:
        return self.d

    def input_shape(self, m: int) -> tuple[int, ...]:
        return (self.n0, m)

    def dims(self) -> dict:
        return {"n0": self.n0, "h1": self.h1, "h2": self.h2, "d": self.d}

    def spec_extra(self) -> dict:
        return {} if self.activation == "relu" else {"activation": self.activation}

    def jacobian_entry_degree(self) -> int:
        # at a fixed slope pattern Y = D (S2 o (W2 (S1 o (W1 X)))) has degree 4
        return 3

    # ------------------------------------------------------------ compute
    def _hidden(self, weights, inputs, ar: Arithmetic, pattern):
        """((A1, S1), (A2, S2)): activations and slopes of both hidden layers."""
        if ar.exact:
            slopes = self._check_pattern(pattern, ar)
        layers = []
        a = inputs
        for k, name in enumerate(("W1", "W2")):
            pre = ar.matmul(weights[name], a)
            if ar.exact:
                slope = slopes[k]
                a = ar.mul(slope, pre)
            else:
                function, derivative = ACTIVATIONS[self.activation].function, ACTIVATIONS[self.activation].derivative
                a, slope = function(pre), derivative(pre)
            layers.append((a, slope))
        return layers

    @staticmethod
    def _check_pattern(pattern, ar: Arithmetic):
        if pattern is None or isinstance(pattern, np.ndarray) or len(pattern) != 2:
            raise ValueError(
                "exact arithmetic needs a fixed slope pattern per hidden layer: pass "
                "pattern=(S1, S2) with S1 of shape (h1, m) and S2 of shape (h2, m), "
                f"got {type(pattern).__name__}"
            )
        return ar.asarray(pattern[0]), ar.asarray(pattern[1])

    def forward(self, weights: Mapping[str, np.ndarray], inputs: np.ndarray, ar: Arithmetic = FLOAT, pattern=None):
        (_, _), (hidden, _) = self._hidden(weights, inputs, ar, pattern)
        return ar.matmul(weights["D"], hidden)

    def activation_pattern(self, weights, inputs) -> tuple[np.ndarray, np.ndarray]:
        """0/1 arrays ``(..., h1, m)`` and ``(..., h2, m)``: active units of each
        hidden layer under the model's activation (float weights)."""
        function = ACTIVATIONS[self.activation].function
        pre1 = np.matmul(weights["W1"], inputs)
        pre2 = np.matmul(weights["W2"], function(pre1))
        return (pre1 > 0).astype(np.int64), (pre2 > 0).astype(np.int64)

    def rank_pattern(self, m: int, ar: Arithmetic, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """A pair of slope patterns ``(S1, S2)`` of residues for exact rank evaluation.

        ReLU: the 0/1 activation patterns of a Gaussian sample (weights with
        variance 1/fan_in, N(0, 1) inputs), the second layer's computed from
        the first layer's genuine activations; leaky ReLU: their slopes 1 or
        1/100; tanh and sigmoid: generic nonzero slopes.
        """
        active = self.activation_pattern(*gaussian_point(self, m, rng))
        return tuple(slope_residues(a, self.activation, ar, rng) for a in active)

    def jacobian_factors(self, weights, inputs, name, ar: Arithmetic = FLOAT, pattern=None):
        (hidden1, slope1), (hidden2, slope2) = self._hidden(weights, inputs, ar, pattern)
        if name == "D":
            return [JacobianFactor(ar.eye(self.d), hidden2)]
        # D diag(S2[:, s]), per sample: (..., d, h2, m)
        top = ar.mul(weights["D"][..., :, :, None], slope2[..., None, :, :])
        if name == "W2":
            # dY[:, s] = D diag(S2[:, s]) dW2 A1[:, s]
            return [JacobianFactor(top, hidden1, per_sample=True)]
        if name != "W1":
            raise KeyError(f"{self.kind} has no matrix {name!r}; matrices: W1, W2, D")
        # dY[:, s] = D diag(S2[:, s]) W2 diag(S1[:, s]) dW1 X[:, s]
        per_sample = ar.matmul(np.moveaxis(top, -1, -3), weights["W2"][..., None, :, :])  # (..., m, d, h1)
        left = ar.mul(np.moveaxis(per_sample, -3, -1), slope1[..., None, :, :])
        return [JacobianFactor(left, inputs, per_sample=True)]
