"""The matching problem of a batch of trials: residuals and analytic Jacobians.

For trial ``t`` and learnable values ``theta`` (in
``allocation.ordered_entries`` order) the residual is the flattened
``student(X) - Y`` (row ``o * m + s`` is output ``o`` on sample ``s``, as in
:meth:`symmp.models.Model.jacobian`). Many candidate points are evaluated in
one vectorised call: row ``k`` of ``theta`` belongs to trial ``owner[k]`` of
the batch, so several starts of several trials advance together.

Examples
--------
>>> from symmp import Allocation, LinearEstimator
>>> from symmp.numeric.sampling import draw_trials
>>> allocation = Allocation.spread(LinearEstimator(n=3, d=2), "W", r=4, K=2, m=2)
>>> problem = MatchProblem(allocation, draw_trials(allocation, seed=0, indices=range(3)))
>>> theta = problem.start_points()              # the students' own draws, (3, 4)
>>> problem.residual(theta).shape, problem.jacobian(theta).shape
((3, 4), (3, 4, 4))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..allocation import Allocation
from .sampling import Trial

__all__ = ["MatchProblem", "QuadraticProblem", "stack_trials"]


class MatchProblem:
    """Batched residual and Jacobian of the student-matches-teacher equations.

    Parameters
    ----------
    allocation : Allocation
    trials : sequence of Trial
        The batch; trial ``t`` of the batch is ``trials[t]``.
    """

    def __init__(self, allocation: Allocation, trials: Sequence[Trial]) -> None:
        if not trials:
            raise ValueError("MatchProblem needs at least one trial")
        self.allocation = allocation
        self.model = allocation.model
        self.trials = list(trials)
        self.entries = allocation.ordered_entries
        self.r = allocation.r
        self.fixed = {
            name: stack_trials([t.student[name] for t in self.trials])
            for name in self.model.matrix_shapes
        }
        self.inputs = stack_trials([t.inputs for t in self.trials])
        self.targets = stack_trials([t.targets for t in self.trials]).reshape(len(self.trials), -1)
        self.target_norms = np.linalg.norm(self.targets, axis=1)
        # positions of the unknowns inside each matrix
        self._slots: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for name in self.model.matrix_shapes:
            positions = [k for k, e in enumerate(self.entries) if e[0] == name]
            if positions:
                self._slots[name] = (
                    np.array(positions, dtype=np.intp),
                    np.array([self.entries[k][1] for k in positions], dtype=np.intp),
                    np.array([self.entries[k][2] for k in positions], dtype=np.intp),
                )

    @property
    def size(self) -> int:
        """Number of trials in the batch."""
        return len(self.trials)

    @property
    def equations(self) -> int:
        """d * m, the number of scalar equations per trial."""
        return self.targets.shape[1]

    def _owner(self, theta: np.ndarray, owner) -> np.ndarray:
        if owner is None:
            if theta.shape[0] != self.size:
                raise ValueError(
                    f"theta has {theta.shape[0]} rows but the batch has {self.size} trials; pass owner="
                )
            return np.arange(self.size)
        return np.asarray(owner, dtype=np.intp)

    def weights(self, theta: np.ndarray, owner=None) -> dict[str, np.ndarray]:
        """Every student matrix with the learnable entries set to ``theta``.

        ``theta`` is ``(k, r)``; the result holds ``(k, rows, cols)`` arrays.
        """
        theta = np.asarray(theta, dtype=float)
        owner = self._owner(theta, owner)
        out = {}
        for name, matrix in self.fixed.items():
            block = matrix[owner]  # fancy indexing copies
            if name in self._slots:
                positions, rows, cols = self._slots[name]
                block[:, rows, cols] = theta[:, positions]
            out[name] = block
        return out

    def residual(self, theta: np.ndarray, owner=None) -> np.ndarray:
        """``student(X) - Y`` flattened, shape ``(k, d * m)``."""
        owner = self._owner(np.asarray(theta), owner)
        outputs = self.model.forward(self.weights(theta, owner), self.inputs[owner])
        return outputs.reshape(len(owner), -1) - self.targets[owner]

    def jacobian(self, theta: np.ndarray, owner=None) -> np.ndarray:
        """Analytic Jacobian of :meth:`residual`, shape ``(k, d * m, r)``."""
        owner = self._owner(np.asarray(theta), owner)
        return self.model.jacobian(self.weights(theta, owner), self.inputs[owner], self.entries)

    def relative_residual(self, theta: np.ndarray, owner=None) -> np.ndarray:
        """``||student(X) - Y|| / ||Y||`` per row, shape ``(k,)``."""
        owner = self._owner(np.asarray(theta), owner)
        return _relative(self.residual(theta, owner), self.target_norms[owner])

    def start_points(self) -> np.ndarray:
        """The learnable entries' own draws (one start per trial), shape ``(size, r)``."""
        theta = np.empty((self.size, self.r))
        for name, (positions, rows, cols) in self._slots.items():
            theta[:, positions] = self.fixed[name][:, rows, cols]
        return theta


def stack_trials(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """``np.stack(arrays)`` for arrays of one shape (the trials of a batch), in one copy:
    about 2.5x faster than ``np.stack`` on a thousand small matrices.

    Examples
    --------
    >>> stack_trials([np.eye(2), 2 * np.eye(2)]).shape
    (2, 2, 2)
    """
    first = np.asarray(arrays[0])
    return np.concatenate([np.asarray(a).reshape(-1) for a in arrays]).reshape((len(arrays),) + first.shape)


def _relative(residual: np.ndarray, norms: np.ndarray) -> np.ndarray:
    size = np.linalg.norm(residual, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(norms > 0, size / np.where(norms > 0, norms, 1.0), size)


class QuadraticProblem:
    """Exact quadratic model of a :class:`MatchProblem` whose outputs have degree <= 2.

    When the outputs are polynomials of degree at most 2 in the learnable
    weights (e.g. an lrnn with T = 2 and only W learnable), then per trial
    ``res(theta) = c + J0 theta + 1/2 theta^T H theta`` exactly, with
    ``c = res(0)``, ``J0 = J(0)`` and ``H[:, :, k] = J(e_k) - J0`` (the
    Jacobian is affine, so this difference is exact up to rounding). The
    coefficients are computed once per trial and shared by every start and
    iteration, so evaluation costs ``O(E r^2)`` per point whatever the model's
    size. ``coefficients=(c, J0, H)`` takes them as given instead (a problem
    that knows them in closed form). Solvers must confirm a match on the real model
    (:meth:`MatchProblem.relative_residual`); this is only a fast surrogate.

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> from symmp.numeric.sampling import draw_trials
    >>> allocation = Allocation.spread(LRNN(4, 1, 1, 2), "W", r=2, K=1, m=2)
    >>> exact = MatchProblem(allocation, draw_trials(allocation, 0, range(2)))
    >>> fast = QuadraticProblem(exact)
    >>> theta = np.ones((2, 2))
    >>> bool(np.allclose(fast.residual(theta), exact.residual(theta)))
    True
    """

    def __init__(self, exact: MatchProblem, coefficients: tuple | None = None) -> None:
        self.exact = exact
        self.r, self.size, self.equations = exact.r, exact.size, exact.equations
        self.target_norms = exact.target_norms
        self.trials, self.entries = exact.trials, exact.entries
        if coefficients is not None:  # known in closed form (e.g. ReducedMarkovProblem.quadratic_coefficients)
            constant, linear, hessian = (np.asarray(a, dtype=float) for a in coefficients)
            shapes = [(self.size, self.equations), (self.size, self.equations, self.r)]
            shapes.append(shapes[1] + (self.r,))
            if [constant.shape, linear.shape, hessian.shape] != shapes:
                raise ValueError(f"coefficients must have shapes {shapes}, got "
                                 f"{[constant.shape, linear.shape, hessian.shape]}")
            self.constant, self.linear, self.hessian = constant, linear, np.ascontiguousarray(hessian)
            return
        zero = np.zeros((self.size, self.r))
        self.constant = exact.residual(zero)
        self.linear = exact.jacobian(zero)
        units = np.repeat(np.eye(self.r)[None], self.size, axis=0).reshape(-1, self.r)
        owner = np.repeat(np.arange(self.size), self.r)
        shifted = exact.jacobian(units, owner).reshape(self.size, self.r, self.equations, self.r)
        # hessian[t, e, i, k] = d^2 res_e / d theta_i d theta_k
        self.hessian = np.ascontiguousarray(
            (shifted - self.linear[:, None]).transpose(0, 2, 3, 1)
        )

    @staticmethod
    def applies(allocation: Allocation) -> bool:
        """True when the outputs are polynomial of degree <= 2 in the learnables."""
        model = allocation.model
        return bool(model.polynomial and model.output_degree(allocation.masks()) <= 2)

    def _owner(self, theta, owner):
        return self.exact._owner(np.asarray(theta), owner)

    def _curvature(self, theta, owner) -> np.ndarray:
        """``H . theta``, shape ``(k, E, r)``: the non-constant part of the Jacobian."""
        theta = np.asarray(theta, dtype=float)
        stacked = self.hessian[owner].reshape(len(owner), self.equations * self.r, self.r)
        return np.matmul(stacked, theta[:, :, None]).reshape(len(owner), self.equations, self.r)

    def jacobian(self, theta: np.ndarray, owner=None) -> np.ndarray:
        """Jacobian ``J0 + H . theta``, shape ``(k, E, r)``."""
        owner = self._owner(theta, owner)
        return self.linear[owner] + self._curvature(theta, owner)

    def residual(self, theta: np.ndarray, owner=None) -> np.ndarray:
        """``c + (J0 + 1/2 H . theta) theta``, shape ``(k, E)``."""
        owner = self._owner(theta, owner)
        theta = np.asarray(theta, dtype=float)
        slope = self.linear[owner] + 0.5 * self._curvature(theta, owner)
        return self.constant[owner] + np.matmul(slope, theta[:, :, None])[..., 0]

    def relative_residual(self, theta: np.ndarray, owner=None) -> np.ndarray:
        owner = self._owner(theta, owner)
        return _relative(self.residual(theta, owner), self.target_norms[owner])
