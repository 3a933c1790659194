"""The exact quadratic model of a match problem whose outputs have degree <= 2.

:class:`QuadraticProblem` holds per trial ``res(theta) = c + J0 theta + 1/2
theta^T H theta`` and evaluates residuals and Jacobians from it; the Newton
kernels, the Markov-reduced solvers and the root finders run on it.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> QuadraticProblem.applies(Allocation.spread(LRNN(4, 1, 1, 2), "W", r=2, K=1, m=2))
True
"""

from __future__ import annotations

import numpy as np

from ...allocation import Allocation
from .match import MatchProblem, relative_size

__all__ = ["QuadraticProblem"]


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
    >>> from symmp.numeric.problems.match import MatchProblem
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
        return self.exact.owners(np.asarray(theta), owner)

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
        return relative_size(self.residual(theta, owner), self.target_norms[owner])
