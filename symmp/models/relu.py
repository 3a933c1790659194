"""The shallow network Y = D act(W X), ReLU by default (THEORY.md section 1).

Under exact (modular) arithmetic an activation has no meaning; there the
model evaluates the polynomial map of one fixed *slope pattern* ``S``
(``pattern``: array of shape ``(h, m)``), act(W X) -> S o (W X), which is
how symmp measures ranks of these networks "for reporting": for ReLU the
pattern is the 0/1 activation pattern of a genuine Gaussian sample, for leaky
ReLU the slopes 1 or 1/100 of such a sample, and for the smooth activations
(tanh, sigmoid) generic nonzero slopes (:meth:`ShallowReLU.rank_pattern`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..arithmetic import FLOAT, Arithmetic
from ._checks import check_positive_int
from .activations import ACTIVATIONS, LEAK, check_activation
from .base import JacobianFactor, Model

__all__ = ["ShallowReLU", "ACTIVATIONS", "check_activation", "gaussian_point", "slope_residues"]

def gaussian_point(model: Model, m: int, rng: np.random.Generator) -> tuple[dict, np.ndarray]:
    """Weights with variance 1/fan_in and N(0, 1) inputs (THEORY.md section 2)."""
    weights = {
        name: rng.standard_normal(shape) / np.sqrt(model.fan_in(name))
        for name, shape in model.matrix_shapes.items()
    }
    return weights, rng.standard_normal(model.input_shape(m))


def slope_residues(active: np.ndarray, activation: str, ar: Arithmetic, rng: np.random.Generator) -> np.ndarray:
    """The slope pattern, as residues, that stands for ``activation`` on a
    0/1 activity array: ReLU the activity itself, leaky ReLU 1 or 1/100
    (mod p), tanh and sigmoid generic nonzero residues."""
    if activation == "relu":
        return active
    if activation == "leaky_relu":
        leak = pow(int(round(1 / LEAK)), -1, ar.p)  # 1/100 modulo p
        return np.where(active == 1, 1, leak).astype(np.int64)
    return rng.integers(1, ar.p, size=active.shape, dtype=np.int64)


class ShallowReLU(Model):
    """Y = D act(W X) with W (h x n0) and D (d x h).

    Examples
    --------
    >>> import numpy as np
    >>> model = ShallowReLU(n0=1, h=2, d=1)
    >>> w = {"W": np.array([[1.0], [-1.0]]), "D": np.array([[1.0, 1.0]])}
    >>> model.forward(w, np.array([[2.0, -3.0]]))
    array([[2., 3.]])
    """

    kind = "relu"
    polynomial = False

    def __init__(self, n0: int, h: int, d: int, activation: str = "relu") -> None:
        self.n0 = check_positive_int(n0, "dims.n0")
        self.h = check_positive_int(h, "dims.h")
        self.d = check_positive_int(d, "dims.d")
        self.activation = check_activation(activation)

    @property
    def matrix_shapes(self) -> dict[str, tuple[int, int]]:
        return {"W": (self.h, self.n0), "D": (self.d, self.h)}

    @property
    def output_dim(self) -> int:
        return self.d

    def input_shape(self, m: int) -> tuple[int, ...]:
        return (self.n0, m)

    def dims(self) -> dict:
        return {"n0": self.n0, "h": self.h, "d": self.d}

    def spec_extra(self) -> dict:
        return {} if self.activation == "relu" else {"activation": self.activation}

    def jacobian_entry_degree(self) -> int:
        # at a fixed slope pattern Y = D (S o (W X)) has degree 3 in (D, W, X);
        # the smooth activations draw S as random residues too (degree 4)
        return 2 if self.activation in ("relu", "leaky_relu") else 3

    def _hidden(self, weights, inputs, ar: Arithmetic, pattern):
        """(pre-activation Z, activation A, derivative act'(Z))."""
        pre = ar.matmul(weights["W"], inputs)
        if ar.exact:
            if pattern is None:
                raise ValueError(
                    "exact arithmetic needs a fixed activation pattern: pass pattern=(h x m) 0/1 array"
                )
            mask = ar.asarray(pattern)
            return pre, ar.mul(mask, pre), mask
        function, derivative = ACTIVATIONS[self.activation].function, ACTIVATIONS[self.activation].derivative
        return pre, function(pre), derivative(pre)

    def forward(self, weights: Mapping[str, np.ndarray], inputs: np.ndarray, ar: Arithmetic = FLOAT, pattern=None):
        _, hidden, _ = self._hidden(weights, inputs, ar, pattern)
        return ar.matmul(weights["D"], hidden)

    def activation_pattern(self, weights, inputs) -> np.ndarray:
        """0/1 array (..., h, m): which hidden units are active (float weights)."""
        return (np.matmul(weights["W"], inputs) > 0).astype(np.int64)

    def rank_pattern(self, m: int, ar: Arithmetic, rng: np.random.Generator) -> np.ndarray:
        """A slope pattern (h, m) of residues for exact rank evaluation.

        ReLU: the 0/1 activation pattern of a Gaussian sample (weights with
        variance 1/fan_in, N(0, 1) inputs); leaky ReLU: its slopes 1 or 1/100;
        tanh and sigmoid: generic nonzero slopes.
        """
        active = self.activation_pattern(*gaussian_point(self, m, rng))
        return slope_residues(active, self.activation, ar, rng)

    def jacobian_factors(self, weights, inputs, name, ar: Arithmetic = FLOAT, pattern=None):
        _, hidden, slope = self._hidden(weights, inputs, ar, pattern)
        if name == "D":
            return [JacobianFactor(ar.eye(self.d), hidden)]
        # dY[:, s] = D diag(act'(Z[:, s])) dW X[:, s]
        left = ar.mul(weights["D"][..., :, :, None], slope[..., None, :, :])
        return [JacobianFactor(left, inputs, per_sample=True)]
