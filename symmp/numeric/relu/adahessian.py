"""Masked AdaHessian for ReLU-type networks (THEORY.md section 7).

Call :func:`masked_adahessian` to train many trials of one allocation at
once; the ``"adahessian"`` solver of ``symmp mp`` wraps it. Only the
learnable entries move: the gradient, the Rademacher probe ``z``, the
Hessian diagonal ``z * (H z)`` and the update all live on the learnable
entries alone, and ``H z`` is exact (Pearlmutter's R-operator, see
:meth:`symmp.numeric.relu.training.MaskedNet.loss_grad_hvp`).

The step is the one of Yao et al.:

    m = beta1 m + (1 - beta1) g
    v = beta2 v + (1 - beta2) (z * H z)**2
    theta -= lr / (1 - beta1**t) * m / ((sqrt(v / (1 - beta2**t)))**k + eps)

with lr 0.15, betas (0.9, 0.999), eps 1e-4, hessian power k = 1 and no
spatial averaging (each entry keeps its own diagonal estimate).

Examples
--------
>>> import numpy as np
>>> from symmp import Allocation, ShallowReLU
>>> model = ShallowReLU(n0=3, h=4, d=1)
>>> allocation = Allocation.from_entries(model, [("W", 0, 0), ("W", 1, 1), ("D", 0, 2)], m=3)
>>> rng = np.random.default_rng(0)
>>> teacher = {"W": rng.normal(size=(4, 3)), "D": rng.normal(size=(1, 4))}
>>> student = {"W": teacher["W"].copy(), "D": teacher["D"].copy()}
>>> student["W"][0, 0] += 0.3; student["D"][0, 2] -= 0.2   # perturb two learnables
>>> x = rng.normal(size=(3, 3))
>>> run = masked_adahessian(allocation, student, x, model.forward(teacher, x), tol=1e-10, max_steps=3000)
>>> bool(run.matched[0]), bool(np.array_equal(run.weights["W"][0, 2], student["W"][2]))
(True, True)

References
----------
Z. Yao, A. Gholami, S. Shen, M. Mustafa, K. Keutzer, M. W. Mahoney.
ADAHESSIAN: An adaptive second order optimizer for machine learning. AAAI 2021.

B. A. Pearlmutter. Fast exact multiplication by the Hessian. Neural
Computation 6(1), 1994.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ...allocation import Allocation
from .training import MaskedNet, TrainingRun, rademacher, train, trial_keys

__all__ = [
    "AdaHessian",
    "MaskedTraining",
    "masked_adahessian",
    "run_rule",
    "moment_update",
    "check_rule",
    "DEFAULT_TOL",
    "DEFAULT_MAX_STEPS",
]

#: default match tolerance on the relative loss sum(R^2) / sum(Y*^2)
DEFAULT_TOL = 1e-9
#: default step budget per start
DEFAULT_MAX_STEPS = 3000


@dataclass(frozen=True)
class AdaHessian:
    """The masked AdaHessian update rule (defaults of the official implementation).

    Examples
    --------
    >>> AdaHessian().to_dict()
    {'name': 'adahessian', 'lr': 0.15, 'betas': [0.9, 0.999], 'eps': 0.0001, 'hessian_power': 1.0, 'spatial_averaging': False, 'hessian': 'Hutchinson diagonal z*(Hz), Rademacher z on learnable entries, Hz exact (R-operator)'}
    """

    lr: float = 0.15
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-4
    hessian_power: float = 1.0
    name: str = field(default="adahessian", init=False)

    def __post_init__(self) -> None:
        check_rule(self.lr, self.betas, self.eps)
        if not 0.0 < self.hessian_power <= 1.0:
            raise ValueError(f"hessian_power must be in (0, 1], got {self.hessian_power}")

    def init(self, theta: np.ndarray) -> dict:
        return {"m": np.zeros_like(theta), "v": np.zeros_like(theta)}

    def step(self, net: MaskedNet, theta, state, step, keys):
        probe = rademacher(keys, step, theta.shape[1])
        rel, grad, hz = net.loss_grad_hvp(theta, probe)
        update = moment_update(state, grad, probe * hz, self.betas, step, self.lr, self.eps, self.hessian_power)
        return rel, theta - update

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "lr": self.lr,
            "betas": list(self.betas),
            "eps": self.eps,
            "hessian_power": self.hessian_power,
            "spatial_averaging": False,
            "hessian": "Hutchinson diagonal z*(Hz), Rademacher z on learnable entries, Hz exact (R-operator)",
        }


def moment_update(
    state: dict, grad: np.ndarray, second: np.ndarray, betas: tuple[float, float], step: int, lr: float,
    eps: float, power: float = 1.0,
) -> np.ndarray:
    """The masked Adam-type update shared by AdaHessian (``second`` = z * Hz) and Adam (``second``
    = the gradient): moments ``m``, ``v`` of ``grad`` and ``second**2`` updated in ``state``, then
    ``lr * m_hat / (sqrt(v_hat)**power + eps)``. Masked inputs give a masked update."""
    beta1, beta2 = betas
    state["m"] *= beta1
    state["m"] += (1.0 - beta1) * grad
    state["v"] *= beta2
    state["v"] += (1.0 - beta2) * second * second
    t = step + 1
    scale = np.sqrt(state["v"] / (1.0 - beta2**t))
    if power != 1.0:
        scale = scale**power
    return (lr / (1.0 - beta1**t)) * state["m"] / (scale + eps)


def check_rule(lr: float, betas: tuple[float, float], eps: float) -> None:
    """Check an update rule's step size, moment decays and epsilon (ValueError when bad).

    Shared by :class:`AdaHessian` and the first-order rules of :mod:`.first_order`.

    Examples
    --------
    >>> check_rule(0.1, (0.9, 0.999), 1e-8)
    """
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
        raise ValueError(f"betas must be two numbers in [0, 1), got {betas}")
    if not eps >= 0:
        raise ValueError(f"eps must be non-negative, got {eps}")


@dataclass(frozen=True)
class MaskedTraining:
    """Result of :func:`masked_adahessian` (and the first-order variants).

    Attributes
    ----------
    matched, steps, relative_loss : ndarray, shape (trials,)
        Whether the relative loss reached ``tol``, the updates taken and the
        final relative loss.
    weights : dict of str to ndarray
        Full trained matrices ``(trials, rows, cols)``; fixed entries are the
        input values, bit for bit.
    rule : dict
        The optimiser and its hyperparameters.
    tol, max_steps
        The match criterion used.
    """

    matched: np.ndarray
    steps: np.ndarray
    relative_loss: np.ndarray
    weights: dict[str, np.ndarray]
    rule: dict
    tol: float
    max_steps: int

    def to_dict(self) -> dict:
        return {
            "matched": self.matched.tolist(),
            "steps": self.steps.tolist(),
            "relative_loss": self.relative_loss.tolist(),
            "rule": dict(self.rule),
            "tol": self.tol,
            "max_steps": self.max_steps,
        }


def run_rule(
    rule,
    allocation: Allocation,
    student: Mapping[str, np.ndarray],
    inputs: np.ndarray,
    targets: np.ndarray,
    *,
    tol: float = DEFAULT_TOL,
    max_steps: int = DEFAULT_MAX_STEPS,
    seed: int = 0,
) -> MaskedTraining:
    """Train with any update rule; see :func:`masked_adahessian` for the arguments."""
    names = list(allocation.model.matrix_shapes)
    missing = [name for name in names if name not in student]
    if missing:
        raise ValueError(f"student weights are missing matrices {missing}; need {names}")
    batched = {name: np.asarray(student[name], dtype=np.float64) for name in names}
    inputs = np.asarray(inputs, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    single = inputs.ndim == 2
    if single:
        batched = {name: w[None] for name, w in batched.items()}
        inputs, targets = inputs[None], targets[None]
    d, m = allocation.model.output_dim, allocation.m
    if inputs.shape[-1] != m or targets.shape[-2:] != (d, m):
        raise ValueError(
            f"inputs must end in m = {m} samples and targets be (d, m) = ({d}, {m}); "
            f"got inputs {inputs.shape[-2:]}, targets {targets.shape[-2:]}"
        )
    if not tol > 0 or max_steps < 0:
        raise ValueError(f"need tol > 0 and max_steps >= 0, got tol={tol}, max_steps={max_steps}")
    net = MaskedNet.build(allocation, batched, inputs, targets)
    run: TrainingRun = train(
        net,
        net.initial_theta(),
        rule,
        tol=tol,
        max_steps=max_steps,
        keys=trial_keys(seed, range(net.trials)),
    )
    return MaskedTraining(
        run.matched, run.steps, run.relative_loss, net.weights(run.theta), rule.to_dict(), tol, max_steps
    )


def masked_adahessian(
    allocation: Allocation,
    student: Mapping[str, np.ndarray],
    inputs: np.ndarray,
    targets: np.ndarray,
    *,
    tol: float = DEFAULT_TOL,
    max_steps: int = DEFAULT_MAX_STEPS,
    seed: int = 0,
    lr: float = 0.15,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-4,
    hessian_power: float = 1.0,
) -> MaskedTraining:
    """Train the learnable entries of ``allocation`` by masked AdaHessian.

    Parameters
    ----------
    allocation : Allocation
        A chain network (``relu`` model) and its learnable entries.
    student : mapping of str to ndarray
        Every matrix, ``(rows, cols)`` or batched ``(trials, rows, cols)``;
        learnable entries hold the starting point, the others stay fixed.
    inputs : ndarray, shape ([trials,] n0, m)
    targets : ndarray, shape ([trials,] d, m)
        The teacher's outputs.
    tol : float
        A trial matches when its relative loss ``sum(R^2) / sum(Y*^2)`` is at
        most ``tol`` (default 1e-9).
    max_steps : int
        Step budget (default 3000).
    seed : int
        Seed of the Rademacher probes (keyed by trial number and step).
    lr, betas, eps, hessian_power
        AdaHessian hyperparameters (defaults of the official implementation).

    Returns
    -------
    MaskedTraining
        Always batched (a leading trial axis of length 1 for unbatched input).
    """
    rule = AdaHessian(lr=lr, betas=tuple(betas), eps=eps, hessian_power=hessian_power)
    return run_rule(rule, allocation, student, inputs, targets, tol=tol, max_steps=max_steps, seed=seed)
