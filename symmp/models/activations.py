"""The one table of activations: float function, derivative, ball version.

Every user (the ReLU models' forward pass and Jacobians, their exact slope
patterns, the analytic-features certificate of :mod:`symmp.analysis.activation`)
reads :data:`ACTIVATIONS`; adding an activation is one entry here.

Examples
--------
>>> import numpy as np
>>> ACTIVATIONS["leaky_relu"].function(np.array([-1.0, 2.0]))
array([-0.01,  2.  ])
>>> ACTIVATIONS["relu"].analytic, ACTIVATIONS["tanh"].analytic
(False, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import SpecError

__all__ = ["Activation", "ACTIVATIONS", "LEAK", "check_activation"]

#: slope of leaky ReLU on negative inputs
LEAK = 0.01


@dataclass(frozen=True)
class Activation:
    """One elementwise activation.

    ``function`` and ``derivative`` act on float arrays; ``ball`` on one
    python-flint ``arb`` (analytic activations only, else None); ``leak`` is
    the slope on negative inputs of a piecewise-linear activation (0 for
    ReLU; None for the smooth ones).
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    ball: Callable | None = None
    leak: float | None = None

    @property
    def analytic(self) -> bool:
        """True for the smooth (real-analytic) activations."""
        return self.ball is not None


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float), leak=0.0),
    "leaky_relu": Activation(
        "leaky_relu", lambda z: np.where(z > 0, z, LEAK * z), lambda z: np.where(z > 0, 1.0, LEAK), leak=LEAK
    ),
    "tanh": Activation("tanh", np.tanh, lambda z: 1.0 - np.tanh(z) ** 2, ball=lambda z: z.tanh()),
    "sigmoid": Activation(
        "sigmoid", _sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)), ball=lambda z: 1 / (1 + (-z).exp())
    ),
}


def check_activation(activation) -> str:
    """``activation`` if it names one of :data:`ACTIVATIONS`, else a one-line SpecError."""
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise SpecError(
            f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}, got {activation!r}"
        )
    return activation
