"""Training many masked networks at once: update rules, per-trial random keys, :func:`train`.

:func:`train` runs an update rule (AdaHessian, Adam, gradient descent) on
every trial of a :class:`~symmp.numeric.relu.network.MaskedNet` at once and
drops each trial from the batch as soon as it matches. Random draws (the
Hutchinson probes) come from per-trial keys (:func:`trial_keys`,
:func:`rademacher`), so a trial's run does not depend on its batch.

Examples
--------
>>> bool((trial_keys(1, [0, 1]) == trial_keys(1, [1, 0])[::-1]).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .network import ACTIVATION_FUNCTIONS, MaskedNet

__all__ = [
    "MaskedNet",
    "UpdateRule",
    "TrainingRun",
    "train",
    "rademacher",
    "trial_keys",
    "ACTIVATION_FUNCTIONS",
]


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, elementwise on uint64 (a counter-based hash)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def trial_keys(seed: int, indices, start: int = 0) -> np.ndarray:
    """One uint64 key per trial from the user's seed, the trial index and the start.

    Keys depend on nothing else, so a trial's random probes are the same
    however the trials are batched.

    Examples
    --------
    >>> bool((trial_keys(1, [0, 1]) == trial_keys(1, [1, 0])[::-1]).all())
    True
    """
    idx = np.asarray(indices, dtype=np.uint64)
    with np.errstate(over="ignore"):
        base = _mix64(np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(start))
        return _mix64(base ^ _mix64(idx + np.uint64(0x632BE59BD9B4E019)))


def rademacher(keys: np.ndarray, step: int, r: int) -> np.ndarray:
    """Rademacher (+1/-1) probes of shape ``(len(keys), r)``, keyed by trial and step.

    Examples
    --------
    >>> z = rademacher(trial_keys(0, range(4)), step=3, r=5)
    >>> z.shape, sorted(set(z.ravel().tolist()))
    ((4, 5), [-1.0, 1.0])
    """
    with np.errstate(over="ignore"):
        counter = (
            keys[:, None]
            ^ _mix64(np.uint64(step) * np.uint64(0xD1B54A32D192ED03) + np.arange(r, dtype=np.uint64))[None, :]
        )
        bits = _mix64(counter) >> np.uint64(63)
    return 1.0 - 2.0 * bits.astype(np.float64)


# ------------------------------------------------------------------- problem


# ------------------------------------------------------------------ training
class UpdateRule(Protocol):
    """An optimiser on ``theta``: ``init`` its state, then ``step`` (masked by construction)."""

    name: str

    def init(self, theta: np.ndarray) -> dict: ...

    def step(
        self, net: MaskedNet, theta: np.ndarray, state: dict, step: int, keys: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """One update of all trials; returns (relative loss before it, new theta)."""


@dataclass(frozen=True)
class TrainingRun:
    """Per-trial outcome of :func:`train` (arrays over the batch, input order)."""

    matched: np.ndarray
    steps: np.ndarray
    relative_loss: np.ndarray
    theta: np.ndarray

    def to_dict(self) -> dict:
        return {
            "matched": self.matched.tolist(),
            "steps": self.steps.tolist(),
            "relative_loss": self.relative_loss.tolist(),
        }


def train(
    net: MaskedNet,
    theta: np.ndarray,
    rule: UpdateRule,
    *,
    tol: float,
    max_steps: int,
    keys: np.ndarray,
) -> TrainingRun:
    """Run ``rule`` on every trial until its relative loss is <= ``tol`` or ``max_steps`` pass.

    A trial leaves the batch at the first step its relative loss is at most
    ``tol`` (or stops being finite: then it is unmatched); ``steps`` counts
    the updates it took (0 if it started matched).
    """
    count = net.trials
    theta = np.array(theta, dtype=np.float64)
    matched = np.zeros(count, dtype=bool)
    steps = np.full(count, max_steps, dtype=np.int64)
    final = np.full(count, np.nan)
    active = np.arange(count)
    state = rule.init(theta)
    current, current_theta = net, theta
    for step in range(max_steps + 1):
        if step == max_steps:
            rel = current.relative_loss(current_theta)
            new_theta = current_theta
        else:
            rel, new_theta = rule.step(current, current_theta, state, step, keys[active])
        finite = np.isfinite(rel)
        done = ~finite | (rel <= tol)  # a diverged trial stops, unmatched
        if step == max_steps:
            done = np.ones_like(done)
        if done.any():
            finished = active[done]
            matched[finished] = finite[done] & (rel[done] <= tol)
            steps[finished] = step
            final[finished] = rel[done]
            theta[finished] = current_theta[done]
            keep = ~done
            active = active[keep]
            if not active.size:
                break
            current = current.subset(np.flatnonzero(keep))
            state = {name: value[keep] for name, value in state.items()}
            new_theta = new_theta[keep]
        current_theta = new_theta
    return TrainingRun(matched, steps, final, theta)
