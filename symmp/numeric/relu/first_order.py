"""First-order baselines with the same mask as masked AdaHessian: Adam and gradient descent.

They answer the question the paper leaves open: does matching a ReLU
teacher need second-order information? Both train only the learnable
entries (gradient and update live on them alone) and use the same match
criterion and step budget as :func:`symmp.numeric.relu.adahessian.masked_adahessian`.

Examples
--------
>>> import numpy as np
>>> from symmp import Allocation, ShallowReLU
>>> model = ShallowReLU(n0=2, h=3, d=1)
>>> allocation = Allocation.from_entries(model, [("D", 0, 0), ("D", 0, 1)], m=2)
>>> rng = np.random.default_rng(1)
>>> teacher = {"W": rng.normal(size=(3, 2)), "D": rng.normal(size=(1, 3))}
>>> student = {"W": teacher["W"].copy(), "D": teacher["D"] + 0.1}
>>> x = rng.normal(size=(2, 2))
>>> run = masked_gd(allocation, student, x, model.forward(teacher, x), tol=1e-12, max_steps=20000)
>>> bool(run.matched[0])
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ...allocation import Allocation
from .adahessian import DEFAULT_MAX_STEPS, DEFAULT_TOL, MaskedTraining, check_rule, moment_update, run_rule
from .training import MaskedNet

__all__ = ["Adam", "GradientDescent", "masked_adam", "masked_gd"]


@dataclass(frozen=True)
class Adam:
    """Masked Adam (Kingma & Ba): the AdaHessian step with g**2 in place of (z * H z)**2.

    Defaults lr 0.01 (the usual 1e-3 is too slow for exact matching within a
    few thousand steps), betas (0.9, 0.999), eps 1e-8.
    """

    lr: float = 0.01
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    name: str = field(default="adam", init=False)

    def __post_init__(self) -> None:
        check_rule(self.lr, self.betas, self.eps)

    def init(self, theta: np.ndarray) -> dict:
        return {"m": np.zeros_like(theta), "v": np.zeros_like(theta)}

    def step(self, net: MaskedNet, theta, state, step, keys):
        rel, grad = net.loss_grad(theta)
        return rel, theta - moment_update(state, grad, grad, self.betas, step, self.lr, self.eps)

    def to_dict(self) -> dict:
        return {"name": self.name, "lr": self.lr, "betas": list(self.betas), "eps": self.eps}


@dataclass(frozen=True)
class GradientDescent:
    """Plain masked gradient descent on the MSE, fixed step ``lr`` (default 0.1)."""

    lr: float = 0.1
    name: str = field(default="gd", init=False)

    def __post_init__(self) -> None:
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")

    def init(self, theta: np.ndarray) -> dict:
        return {}

    def step(self, net: MaskedNet, theta, state, step, keys):
        rel, grad = net.loss_grad(theta)
        return rel, theta - self.lr * grad

    def to_dict(self) -> dict:
        return {"name": self.name, "lr": self.lr}


def masked_adam(
    allocation: Allocation,
    student: Mapping[str, np.ndarray],
    inputs: np.ndarray,
    targets: np.ndarray,
    *,
    tol: float = DEFAULT_TOL,
    max_steps: int = DEFAULT_MAX_STEPS,
    lr: float = 0.01,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> MaskedTraining:
    """Train the learnable entries by masked Adam (arguments as :func:`masked_adahessian`)."""
    rule = Adam(lr=lr, betas=tuple(betas), eps=eps)
    return run_rule(rule, allocation, student, inputs, targets, tol=tol, max_steps=max_steps)


def masked_gd(
    allocation: Allocation,
    student: Mapping[str, np.ndarray],
    inputs: np.ndarray,
    targets: np.ndarray,
    *,
    tol: float = DEFAULT_TOL,
    max_steps: int = DEFAULT_MAX_STEPS,
    lr: float = 0.1,
) -> MaskedTraining:
    """Train the learnable entries by masked gradient descent (arguments as :func:`masked_adahessian`)."""
    return run_rule(
        GradientDescent(lr=lr), allocation, student, inputs, targets, tol=tol, max_steps=max_steps
    )
