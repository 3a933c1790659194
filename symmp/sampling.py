"""Random trials: teacher, student fixed weights and inputs (THEORY.md section 2).

Every random quantity of trial ``i`` comes from
``np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))``, so a
trial depends only on ``(seed, i)``: the same seed gives bit-identical draws
whatever the number of workers, the executor or the order of evaluation.

Draw order inside one trial (part of the contract, do not reorder): the
teacher's matrices in model order, then the inputs, then one independent draw
of every matrix for the student (its fixed entries, and the values its
learnable entries start from).

Examples
--------
>>> from symmp import Allocation, LinearEstimator
>>> allocation = Allocation.spread(LinearEstimator(n=3, d=2), "W", r=4, K=2, m=2)
>>> trial = draw_trial(allocation, seed=7, index=3)
>>> trial.targets.shape, trial.inputs.shape
((2, 2), (3, 2))
>>> bool((draw_trial(allocation, seed=7, index=3).targets == trial.targets).all())
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .allocation import Allocation
from .errors import SpecError

__all__ = [
    "Trial",
    "draw_trial",
    "draw_trials",
    "trial_rng",
    "draw_matrix",
    "check_sampling",
    "DISTRIBUTIONS",
]

#: the sigma accepted: its square (the weights' variance) must be a normal double
SIGMA_RANGE = (1e-150, 1e150)
#: weight distributions, each scaled to variance sigma**2 / fan_in
DISTRIBUTIONS = ("gaussian", "uniform", "rademacher")


@dataclass(frozen=True)
class Trial:
    """One random instance of the matching problem.

    Attributes
    ----------
    index : int
        Trial number; with the run's seed it determines every draw.
    teacher : dict of str to ndarray
        Every teacher matrix.
    student : dict of str to ndarray
        Every student matrix in full. Entries outside the allocation are the
        student's fixed weights; learnable entries hold an independent draw
        that solvers may use as one starting point.
    inputs : ndarray
        Inputs, shape ``model.input_shape(m)``.
    targets : ndarray
        Teacher outputs, shape ``(d, m)``.
    """

    index: int
    teacher: dict[str, np.ndarray]
    student: dict[str, np.ndarray]
    inputs: np.ndarray
    targets: np.ndarray


def trial_rng(seed: int, index: int, *stream: int) -> np.random.Generator:
    """The generator of trial ``index`` (``stream`` selects a sub-stream).

    ``trial_rng(seed, i)`` draws the trial itself; solvers draw their
    random starts from ``trial_rng(seed, i, 1)`` and so on, so nothing they
    do depends on which other trials share their batch.
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(int(index), *stream)))


def check_sampling(distribution: str, sigma: float, shared: Sequence[str], allocation: Allocation):
    """Validate the sampling options once, at the boundary."""
    if distribution not in DISTRIBUTIONS:
        raise SpecError(
            f"distribution must be one of {', '.join(map(repr, DISTRIBUTIONS))}, got {distribution!r}"
        )
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.floating)) or not (
        np.isfinite(sigma) and sigma > 0
    ):
        raise SpecError(f"sigma must be a positive finite number, got {sigma!r}")
    if not (SIGMA_RANGE[0] <= sigma <= SIGMA_RANGE[1]):
        raise SpecError(
            f"sigma = {sigma:g} is outside [{SIGMA_RANGE[0]:g}, {SIGMA_RANGE[1]:g}]: the weights' "
            "variance sigma**2 would not be a finite nonzero double; rescale the problem instead"
        )
    names = allocation.model.matrix_shapes
    if isinstance(shared, str):
        raise SpecError(f"shared must be a sequence of matrix names, got the string {shared!r}")
    for name in shared:
        if name not in names:
            raise SpecError(
                f"shared matrix {name!r} is not a matrix of model {allocation.model.kind!r}; "
                f"allowed: {', '.join(map(repr, names))}"
            )


def draw_matrix(
    rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, distribution: str, sigma: float
) -> np.ndarray:
    """i.i.d. entries with mean 0 and variance ``sigma**2 / fan_in``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = draw_matrix(rng, (400, 400), fan_in=4, distribution="uniform", sigma=2.0)
    >>> round(float(x.var()), 2)
    1.0
    """
    scale = sigma / np.sqrt(fan_in)
    if distribution == "gaussian":
        return rng.standard_normal(shape) * scale
    if distribution == "uniform":  # U(-a, a) has variance a**2 / 3
        return rng.uniform(-1.0, 1.0, shape) * (np.sqrt(3.0) * scale)
    if distribution == "rademacher":
        return (rng.integers(0, 2, shape) * 2.0 - 1.0) * scale
    raise SpecError(
        f"distribution must be one of {', '.join(map(repr, DISTRIBUTIONS))}, got {distribution!r}"
    )


def draw_trial(
    allocation: Allocation,
    seed: int,
    index: int,
    *,
    distribution: str = "gaussian",
    sigma: float = 1.0,
    shared: tuple[str, ...] = (),
) -> Trial:
    """Draw trial ``index`` of a run with ``seed``.

    Parameters
    ----------
    allocation : Allocation
    seed : int
        The run's seed (non-negative).
    index : int
        Trial number (non-negative).
    distribution : {"gaussian", "uniform", "rademacher"}
        Weight distribution, variance ``sigma**2 / fan_in`` in every case.
        Inputs are always i.i.d. N(0, 1).
    sigma : float
        Weight scale.
    shared : tuple of str
        Matrices whose fixed entries the student copies from the teacher
        (default none: the student's fixed weights are independent).

    Returns
    -------
    Trial
    """
    check_sampling(distribution, sigma, shared, allocation)
    model = allocation.model
    rng = trial_rng(seed, index)
    teacher = {
        name: draw_matrix(rng, shape, model.fan_in(name), distribution, sigma)
        for name, shape in model.matrix_shapes.items()
    }
    inputs = rng.standard_normal(model.input_shape(allocation.m))
    student = {
        name: draw_matrix(rng, shape, model.fan_in(name), distribution, sigma)
        for name, shape in model.matrix_shapes.items()
    }
    for name in shared:
        fixed = allocation.mask(name) == 0
        student[name][fixed] = teacher[name][fixed]
    targets = np.asarray(model.forward(teacher, inputs), dtype=float)
    return Trial(int(index), teacher, student, inputs, targets)


def draw_trials(allocation: Allocation, seed: int, indices, **sampling) -> list[Trial]:
    """:func:`draw_trial` for each of ``indices``."""
    return [draw_trial(allocation, seed, int(i), **sampling) for i in indices]
