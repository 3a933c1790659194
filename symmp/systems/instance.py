"""Numbers for a system: teacher, student fixed weights, inputs and targets.

:func:`draw_instance` is trial 0 of the one sampler
(:func:`symmp.sampling.draw_trial`, THEORY.md section 2), so the numbers a
listing shows are those of ``symmp mp --seed`` trial 0. :func:`teacher_targets` turns a teacher
into the right-hand sides of a system's form (outputs, Markov parameters or
the end-to-end product) in any arithmetic; :func:`targets_from_outputs`
recovers the reduced right-hand sides from observed outputs by least squares.
:func:`atom_values` fills a system's known atoms.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> a = Allocation.in_rows(LRNN(n=3, b=1, d=1, T=2), "W", [0], k=2, m=2)
>>> instance = draw_instance(a, seed=0)
>>> sorted(teacher_targets(a.model, "markov", instance.teacher, instance.inputs))
['M1', 'M2']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..allocation import Allocation
from ..arithmetic import FLOAT, Arithmetic
from ..errors import SpecError
from ..models import Model
from ..sampling import draw_trial
from .lifted import TermSystem
from .terms import Atom

__all__ = ["Instance", "draw_instance", "teacher_targets", "targets_from_outputs", "atom_values", "atom_value"]


@dataclass(frozen=True)
class Instance:
    """One trial: teacher weights, the student's fixed weights (full matrices;
    the entries at learnable positions are ignored) and the inputs."""

    teacher: dict[str, np.ndarray]
    fixed: dict[str, np.ndarray]
    inputs: np.ndarray
    seed: int | None = None


def draw_instance(allocation: Allocation, seed: int) -> Instance:
    """Trial 0 of a run with ``seed`` (:func:`symmp.sampling.draw_trial`): the
    teacher, the student's fixed weights and the inputs that ``symmp mp --seed``
    draws first (THEORY.md section 2)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SpecError(f"values seed must be a non-negative integer, got {seed!r}")
    trial = draw_trial(allocation, int(seed), 0)
    return Instance(trial.teacher, trial.student, trial.inputs, int(seed))


def teacher_targets(
    model: Model, form: str, teacher: Mapping[str, np.ndarray], inputs: np.ndarray, ar: Arithmetic = FLOAT
) -> dict[str, np.ndarray]:
    """Right-hand sides of a system of ``form`` for a teacher, keyed by target block:
    the outputs ``Y``, or the model's reduced targets (Markov blocks ``M_j``,
    the end-to-end product ``P``)."""
    if form == "outputs":
        return {"Y": model.forward(teacher, inputs, ar)}
    if form == model.reduced_form:
        return model.reduced_targets(teacher, ar)
    raise ValueError(f"unknown form {form!r} for model {model.kind!r}")


def targets_from_outputs(model: Model, form: str, inputs: np.ndarray, outputs: np.ndarray) -> dict[str, np.ndarray] | None:
    """Reduced right-hand sides recovered from outputs (float, least squares).

    Returns None when the stacked inputs do not have full row rank, so the
    reduced form is not equivalent to matching the outputs.
    """
    outputs = np.asarray(outputs, dtype=float)
    if form == "outputs":
        return {"Y": outputs}
    if form != model.reduced_form:
        raise ValueError(f"unknown form {form!r} for model {model.kind!r}")
    stacked = model.stacked_inputs(np.asarray(inputs, dtype=float))
    solution, _, rank, _ = np.linalg.lstsq(stacked.T, outputs.T, rcond=None)
    if rank < stacked.shape[0]:
        return None
    return model.split_coefficients(solution.T)  # (d, rows of stacked) cut into blocks


def atom_value(atom: Atom, fixed: Mapping[str, np.ndarray], inputs: np.ndarray, targets: Mapping[str, np.ndarray]):
    """The value of one known atom: a fixed weight, an input (block ``"X"`` is
    the whole input, ``"X<t>"`` is ``inputs[t - 1]``), a target, or 1."""
    if atom.kind == "one":
        return 1
    if atom.kind == "fixed":
        return fixed[atom.source][atom.row, atom.col]
    if atom.kind == "input":
        block = inputs if atom.source == "X" else inputs[int(atom.source[1:]) - 1]
        return block[atom.row, atom.col]
    if atom.kind == "target":
        return targets[atom.source][atom.row, atom.col]
    return 0


def atom_values(
    system: TermSystem,
    fixed: Mapping[str, np.ndarray],
    inputs: np.ndarray,
    targets: Mapping[str, np.ndarray],
    dtype=float,
) -> np.ndarray:
    """Values of every known atom (fixed weights, inputs, targets, the
    constant 1); unknown atoms get 0."""
    values = np.zeros(len(system.atoms), dtype=dtype)
    inputs = np.asarray(inputs)
    for k, atom in enumerate(system.atoms):
        if not atom.unknown:
            values[k] = atom_value(atom, fixed, inputs, targets)
    return values
