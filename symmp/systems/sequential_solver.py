"""Solve a sequentially linear system block by block (floating point).

Call :func:`sequential_solve` with a structure from
:func:`symmp.analysis.find_sequential_structure`: each block is one
least-squares solve of its (square) linear equations with the earlier blocks
substituted, so an allocation with such a structure is matched by a finite
sequence of linear solves, with no starting point and no iteration.

Examples
--------
>>> import numpy as np
>>> from symmp import Allocation, LRNN
>>> from symmp.analysis import find_sequential_structure
>>> from symmp.systems import draw_instance
>>> a = Allocation.in_rows(LRNN(n=4, b=1, d=1, T=2), "W", [0], k=2, m=2)
>>> trial = draw_instance(a, seed=3)
>>> targets = a.model.forward(trial.teacher, trial.inputs)
>>> learned = sequential_solve(a, find_sequential_structure(a), trial.fixed, trial.inputs, targets)
>>> weights = fill_learnables(a, trial.fixed, learned)
>>> bool(np.allclose(a.model.forward(weights, trial.inputs), targets))
True
"""

from __future__ import annotations

from collections.abc import Mapping
import numpy as np

from ..allocation import Allocation
from ..errors import SpecError
from .instance import atom_values, targets_from_outputs
from .structure import SequentialStructure

__all__ = ["sequential_solve", "fill_learnables", "SINGULAR_RCOND", "REFINE_STEPS"]

#: a block whose smallest/largest singular value ratio is below this is singular
SINGULAR_RCOND = 1e-12
#: Gauss-Newton refinement steps on the outputs after the block solves
REFINE_STEPS = 3


def fill_learnables(
    allocation: Allocation, fixed: Mapping[str, np.ndarray], learned: np.ndarray
) -> dict[str, np.ndarray]:
    """Student weights: ``fixed`` with the learnable entries set to ``learned``
    (in ``allocation.ordered_entries`` order)."""
    weights = {name: np.array(fixed[name], dtype=float, copy=True) for name in allocation.model.matrix_shapes}
    for value, (name, row, col) in zip(np.asarray(learned, dtype=float), allocation.ordered_entries):
        weights[name][row, col] = value
    return weights


def sequential_solve(
    allocation: Allocation,
    structure: SequentialStructure,
    fixed: dict[str, np.ndarray],
    inputs: np.ndarray,
    targets: np.ndarray,
    *,
    tol: float = 1e-8,
) -> np.ndarray | None:
    """Learnable values matching ``targets``, by successive linear solves.

    Parameters
    ----------
    allocation : Allocation
    structure : SequentialStructure
        From :func:`symmp.analysis.find_sequential_structure` for this allocation.
    fixed : dict of str to ndarray
        The student's fixed weights as full matrices (entries at learnable
        positions are ignored).
    inputs : ndarray
        Inputs, shape ``model.input_shape(m)``.
    targets : ndarray
        The teacher's outputs on ``inputs``, shape ``(d, m)``.
    tol : float
        Relative output residual at which the refinement stops.

    Returns
    -------
    ndarray or None
        Learnable values in ``allocation.ordered_entries`` order, or None
        when a block is numerically singular (reciprocal condition number
        below :data:`SINGULAR_RCOND`), the reduced right-hand sides cannot be
        recovered (stacked inputs without full row rank), or the outputs
        are not finite. The values are refined by at most
        :data:`REFINE_STEPS` safeguarded Gauss-Newton steps (which only
        remove the rounding error of the block solves); the caller decides
        whether the relative output residual is small enough to call a
        match (with an exact structure it is zero in exact arithmetic, but
        the outputs of deep recurrences are badly conditioned: for lrnn
        n = 16, T = 8 about 1 instance in 8 stays above 1e-8).
    """
    model = allocation.model
    terms = structure.terms
    shape = (model.output_dim, allocation.m)
    targets = np.asarray(targets, dtype=float)
    if targets.shape != shape:
        raise SpecError(f"targets must have shape {shape} (d x m), got {targets.shape}")
    inputs = np.asarray(inputs, dtype=float)
    if inputs.shape != model.input_shape(allocation.m):
        raise SpecError(f"inputs must have shape {model.input_shape(allocation.m)}, got {inputs.shape}")
    rhs = targets_from_outputs(model, terms.form, inputs, targets)
    if rhs is None:
        return None
    values = atom_values(terms, fixed, inputs, rhs)
    for block in structure.blocks:
        A, c = terms.linearize(block.equations, block.unknowns, values)
        singular = np.linalg.svd(A, compute_uv=False)
        if singular[0] == 0 or singular[-1] < SINGULAR_RCOND * singular[0] or not np.isfinite(singular).all():
            return None
        solution, *_ = np.linalg.lstsq(A, -c, rcond=None)
        values[list(block.unknowns)] = solution
    by_entry = {
        (atom.source, atom.row, atom.col): k for k, atom in enumerate(terms.atoms) if atom.kind == "learnable"
    }
    learned = np.array([values[by_entry[entry]] for entry in allocation.ordered_entries])
    return _refine(allocation, fixed, inputs, targets, learned, tol)


def _refine(allocation, fixed, inputs, targets, learned, tol, steps: int = REFINE_STEPS):
    """Safeguarded Gauss-Newton steps on the outputs (analytic Jacobian) that
    remove the rounding error of the block solves; a step is kept only when
    it lowers the residual; stops at relative residual ``tol``. None only
    when the outputs are not finite."""
    model = allocation.model
    scale = max(np.linalg.norm(targets), np.finfo(float).tiny)

    def residual_of(candidate):
        weights = fill_learnables(allocation, fixed, candidate)
        residual = model.forward(weights, inputs) - targets
        return weights, residual, np.linalg.norm(residual) if np.all(np.isfinite(residual)) else np.inf

    weights, residual, norm = residual_of(learned)
    for _ in range(steps):
        if norm <= tol * scale:
            break
        jacobian = model.jacobian(weights, inputs, allocation.ordered_entries)
        delta, *_ = np.linalg.lstsq(jacobian, residual.reshape(-1), rcond=None)
        trial = learned - delta
        trial_weights, trial_residual, trial_norm = residual_of(trial)
        if not trial_norm < norm:
            break
        learned, weights, residual, norm = trial, trial_weights, trial_residual, trial_norm
    return learned if np.isfinite(norm) else None
