"""Markov reduction of lrnn W-only matching problems (used by ``newton``).

For an lrnn, Y = sum_j M_j X_(T - j + e) with the Markov blocks
M_j = D W^j B, j = e .. T - 1 + e (e = 1 for ``convention="paper"``, 0 for
"standard"). Stacking the inputs as X = [X_1; ...; X_T] (T*b x m), the
outputs are [M_(T-1+e), ..., M_e] X, so **when X has full row rank T*b**
(m >= T*b and generic inputs; checked per trial) the student matches the
teacher exactly iff M_j = M*_j = D* W*^j B* for every j.

With only W learnable, W = W0 + sum_k theta_k E_(i_k, j_k) and the j = 1
block is *linear*: D W B = D W0 B + A theta, column k of A being
vec(D[:, i_k] B[j_k, :]). When A (d*b x r) has full row rank d*b the block
is always consistent and its solutions are exactly
theta = theta_p + N z (theta_p the minimum-norm solution, N an orthonormal
basis of A's null space, z in R^(r - d*b)). What remains are the blocks
j >= 2 (degree j in z) and, for "standard", the fixed block D B = D* B*
(constant in z). :class:`ReducedMarkovProblem` is that system in z (or,
``metric="outputs"``, the real outputs restricted to the subspace); it has
the interface of :class:`~symmp.numeric.problems.match.MatchProblem` that the
``newton`` iteration uses, so the same damped Newton / LM runs on it (and on
its exact quadratic model when the highest power of W is 2).

This is only a change of unknowns: every point z gives a point theta of the
real problem, and a match is always confirmed on the real model's outputs
(relative residual <= tol after refinement there), never on the Markov
residual. Trials where the reduction does not apply (X or A numerically rank
deficient, nothing left to solve) keep the unreduced path; the decision is
per trial, so a trial's outcome does not depend on its batch.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> from symmp.numeric.sampling import draw_trials
>>> from symmp.numeric.problems.match import MatchProblem
>>> allocation = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4)
>>> reduction_applies(allocation)
True
>>> exact = MatchProblem(allocation, draw_trials(allocation, 0, range(3)))
>>> reduced = ReducedMarkovProblem(exact)
>>> reduced.eligible.tolist(), reduced.r, reduced.equations
([True, True, True], 4, 4)
"""

from __future__ import annotations

import numpy as np

from ...allocation import Allocation
from ...models import LRNN
from .match import MatchProblem, stack_trials

__all__ = [
    "reduction_applies",
    "square_quadratic_unknowns",
    "natural_scale",
    "solution_scale",
    "ReducedMarkovProblem",
    "RANK_TOL",
    "METRICS",
]

#: residuals of the reduced problem: the real model's outputs on the subspace
#: (``"outputs"``, what ``newton`` uses) or the stacked higher Markov blocks
METRICS = ("outputs", "markov")


#: a matrix counts as full row rank when its smallest singular value exceeds
#: this fraction of its largest (the inputs X and the linear block A)
RANK_TOL = 1e-8


def reduction_applies(allocation: Allocation) -> bool:
    """True for lrnn allocations with only W learnable, m >= T*b and a W power >= 2.

    (With highest power 1 the outputs are affine in W: nothing to reduce.)
    """
    model = allocation.model
    if not isinstance(model, LRNN):
        return False
    if any(name != "W" for name, _, _ in allocation.entries):
        return False
    return allocation.m >= model.T * model.b and model.max_power >= 2 and allocation.r > model.d * model.b


def square_quadratic_unknowns(allocation: Allocation) -> int | None:
    """``q`` when the reduction leaves a square quadratic system (``q`` equations in ``q``
    unknowns: ``convention="paper"``, T = 2, ``r = 2*d*b``, so ``q = d*b``), else None."""
    if not reduction_applies(allocation):
        return None
    model = allocation.model
    if model.power_offset != 1 or model.max_power != 2:
        return None
    q = allocation.r - model.d * model.b
    return q if q == model.d * model.b else None


def natural_scale(exact: MatchProblem, owner: np.ndarray) -> np.ndarray:
    """Per trial of ``owner``, the RMS of the student's W: the natural weight scale (1 if zero).

    The reduced solvers (``homotopy``, ``algebraic``) measure their unknowns in it.
    """
    scale = np.sqrt(np.mean(exact.fixed["W"][owner] ** 2, axis=(1, 2)))
    return np.where(scale > 0, scale, 1.0)


def solution_scale(reduced: "ReducedMarkovProblem", owner: np.ndarray) -> np.ndarray:
    """Per trial of ``owner``, the RMS of the minimum-norm solution ``theta_p`` of the linear
    block: the size of the solutions (natural weight scale where it is zero or not finite).

    On the benchmark's lrnn families ``theta_p`` is 4-11 times the natural scale, and
    the roots of the reduced systems are about 10-20 in units of ``theta_p``'s RMS
    against 40-200 in the natural unit: ``algebraic``'s certificate search converges
    in fewer iterations in this unit.
    """
    owner = np.asarray(owner, dtype=np.intp)
    scale = np.sqrt(np.mean(reduced.particular[owner] ** 2, axis=1))
    return np.where(np.isfinite(scale) & (scale > 0), scale, natural_scale(reduced.exact, owner))


class ReducedMarkovProblem:
    """The Markov system of a batch's trials after eliminating the linear j = 1 block.

    Unknowns z (``r = r_full - d*b``) per trial, W built from
    ``theta_p + N z``. Residuals: with ``metric="markov"`` the stacked
    ``D W^j B - D* W*^j B*`` of the remaining blocks (j >= 2, and j = 0 for
    "standard"); with ``metric="outputs"`` the real model's residual
    ``student(X) - Y`` at ``theta_p + N z`` (the same zeros, but measured and
    damped in the outputs' own metric). Only the trials with ``eligible[t]``
    are meaningful: build it on a batch of eligible trials.

    Parameters
    ----------
    exact : MatchProblem
        The real problem (lrnn, W-only; :func:`reduction_applies`).
    metric : {"markov", "outputs"}
    """

    def __init__(self, exact: MatchProblem, metric: str = "markov") -> None:
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
        allocation, model = exact.allocation, exact.model
        if not reduction_applies(allocation):
            raise ValueError("the Markov reduction needs an lrnn W-only allocation with m >= T*b, "
                             "highest W power >= 2 and r > d*b")
        self.exact = exact
        self.trials, self.entries = exact.trials, exact.entries
        n, b, d, T = model.n, model.b, model.d, model.T
        e = model.power_offset
        size, r_full = exact.size, exact.r
        positions, rows, cols = exact._slots["W"]
        self.rows = np.empty(r_full, dtype=np.intp)
        self.cols = np.empty(r_full, dtype=np.intp)
        self.rows[positions], self.cols[positions] = rows, cols
        D, B = exact.fixed["D"], exact.fixed["B"]
        W0 = exact.fixed["W"].copy()
        W0[:, self.rows, self.cols] = 0.0
        self.D, self.B, self.W0 = D, B, W0
        # teacher's Markov blocks
        teacher = {name: stack_trials([t.teacher[name] for t in exact.trials]) for name in ("W", "B", "D")}
        top = model.max_power
        markov = model.markov_blocks(teacher)  # {j: D* W*^j B*}, j = e .. top
        # the blocks left after eliminating j = 1
        self.blocks = ([0] if e == 0 else []) + list(range(2, top + 1))
        self.top = top
        self.block_targets = np.stack([markov[j] for j in self.blocks], axis=1)  # (S, blocks, d, b)
        # X full row rank?
        stacked = exact.inputs.reshape(size, T * b, -1)
        sx = np.linalg.svd(stacked, compute_uv=False)
        x_ok = sx[:, -1] > RANK_TOL * sx[:, 0]
        # linear block: A theta = M*_1 - D W0 B
        A = (D[:, :, self.rows][:, :, None, :] * B[:, self.cols, :].transpose(0, 2, 1)[:, None]).reshape(
            size, d * b, r_full
        )
        rhs = (markov[1] - np.matmul(D, np.matmul(W0, B))).reshape(size, d * b)
        U, s, Vt = np.linalg.svd(A)  # full_matrices: Vt is (r_full, r_full)
        a_ok = s[:, -1] > RANK_TOL * s[:, 0]
        safe = np.where(s > 0, s, 1.0)
        coeffs = np.matmul(U.transpose(0, 2, 1), rhs[:, :, None])[..., 0] / safe
        self.particular = np.matmul(Vt[:, : d * b].transpose(0, 2, 1), coeffs[:, :, None])[..., 0]
        self.null = np.ascontiguousarray(Vt[:, d * b:].transpose(0, 2, 1))  # (S, r_full, q)
        self.eligible = x_ok & a_ok & np.isfinite(self.particular).all(axis=1)
        self.r = r_full - d * b
        self.size = size
        self.equations = len(self.blocks) * d * b
        self.targets = self.block_targets.reshape(size, -1)
        self.target_norms = np.linalg.norm(self.targets, axis=1)
        self.metric = metric
        self.outputs = metric == "outputs"
        if self.outputs:
            self.equations = exact.equations
            self.target_norms = exact.target_norms

    # --- the MatchProblem interface used by the newton iteration -------------------
    def owners(self, theta, owner=None) -> np.ndarray:
        """The batch trial of each row (``owner``, or one row per trial in order)."""
        if owner is None:
            return np.arange(self.size)
        return np.asarray(owner, dtype=np.intp)

    def full_theta(self, z: np.ndarray, owner=None) -> np.ndarray:
        """The real problem's unknowns ``theta_p + N z``, shape ``(k, r_full)``."""
        owner = self.owners(z, owner)
        z = np.asarray(z, dtype=float)
        return self.particular[owner] + np.matmul(self.null[owner], z[:, :, None])[..., 0]

    def reduce(self, theta: np.ndarray, owner=None) -> np.ndarray:
        """Project real unknowns onto z: ``N^T (theta - theta_p)``, shape ``(k, r)``."""
        owner = self.owners(theta, owner)
        shifted = np.asarray(theta, dtype=float) - self.particular[owner]
        return np.matmul(self.null[owner].transpose(0, 2, 1), shifted[:, :, None])[..., 0]

    def _weights(self, z, owner):
        theta = self.full_theta(z, owner)
        W = self.W0[owner]
        W[:, self.rows, self.cols] = theta
        return W

    def residual(self, z: np.ndarray, owner=None) -> np.ndarray:
        """Stacked reduced Markov residuals, shape ``(k, equations)``."""
        owner = self.owners(z, owner)
        if self.outputs:
            return self.exact.residual(self.full_theta(z, owner), owner)
        markov = self.exact.model.markov_blocks({"W": self._weights(z, owner), "B": self.B[owner], "D": self.D[owner]})
        blocks = np.stack([markov[j] for j in self.blocks], axis=1)
        return (blocks - self.block_targets[owner]).reshape(len(owner), -1)

    def jacobian(self, z: np.ndarray, owner=None) -> np.ndarray:
        """Analytic Jacobian in z, shape ``(k, equations, r)``.

        d(D W^j B)/d theta_k = sum_(a=0..j-1) (D W^a)[:, i_k] (W^(j-1-a) B)[j_k, :].
        """
        owner = self.owners(z, owner)
        if self.outputs:
            return np.matmul(self.exact.jacobian(self.full_theta(z, owner), owner), self.null[owner])
        k = len(owner)
        W, D, B = self._weights(z, owner), self.D[owner], self.B[owner]
        weights = {"W": W, "B": B, "D": D}
        right = self.exact.model.powers_times(weights, self.top)  # W^c B, c < top
        left = self.exact.model.readouts(weights, self.top)  # D W^a, a < top
        d, b = D.shape[1], B.shape[2]
        parts = []
        for j in self.blocks:
            block = np.zeros((k, d, b, len(self.rows)))
            for a in range(j):
                block += left[a][:, :, None, self.rows] * right[j - 1 - a][:, self.cols, :].transpose(0, 2, 1)[:, None]
            parts.append(block.reshape(k, d * b, -1))
        J_theta = np.concatenate(parts, axis=1)
        return np.matmul(J_theta, self.null[owner])

    def quadratic_coefficients(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(constant, linear, hessian)`` of every trial's residual, in closed form.

        For highest W power 2 and ``metric="markov"`` the residual is exactly
        ``c + L z + z^T H z / 2`` (the ``QuadraticProblem`` convention,
        ``hessian[t, e, i, k] = d^2 res_e / dz_i dz_k``). With
        ``W = W_p + sum_k z_k N_k`` (``W_p``: the fixed part plus ``theta_p``;
        ``N_k``: null-space column k placed at the learnable entries), the
        block ``D W^2 B`` has ``c = D W_p^2 B - M*_2``,
        ``L_k = D (W_p N_k + N_k W_p) B`` and
        ``H_kl = D (N_k N_l + N_l N_k) B``, where ``D N_k N_l B`` sums
        ``N_k[p] N_l[p'] D[:, i_p] B[j_p', :]`` over the pairs of learnable
        entries with ``j_p = i_p'``. One pass over the batch instead of
        ``r + 1`` Jacobian evaluations (the block ``j = 0`` of
        ``convention="standard"``, ``D B - D* B*``, is constant).

        Returns
        -------
        constant : ndarray, shape (size, equations)
        linear : ndarray, shape (size, equations, r)
        hessian : ndarray, shape (size, equations, r, r)

        Raises
        ------
        ValueError
            For ``metric="outputs"`` or a highest W power other than 2.
        """
        if self.outputs or self.top != 2:
            raise ValueError("closed-form quadratic coefficients need metric='markov' and highest W power 2")
        size, q, rows, cols = self.size, self.r, self.rows, self.cols
        D, B, null = self.D, self.B, self.null
        d, b = D.shape[1], B.shape[2]
        Wp = self.W0.copy()
        Wp[:, rows, cols] = self.particular
        DW, WB = np.matmul(D, Wp), np.matmul(Wp, B)
        Dr = D[:, :, rows]  # (S, d, r_full): D[:, i_p]
        Bc = B[:, cols, :]  # (S, r_full, b): B[j_p, :]
        # d(D W^2 B)/d theta_p at W_p = (D W_p)[:, i_p] B[j_p, :] + D[:, i_p] (W_p B)[j_p, :]
        slope = DW[:, :, rows][:, :, None, :] * Bc.transpose(0, 2, 1)[:, None] + Dr[:, :, None, :] * WB[
            :, cols, :
        ].transpose(0, 2, 1)[:, None]
        chain = (cols[:, None] == rows[None, :]).astype(float)  # [j_p == i_p']
        # d^2(D W^2 B)/d theta_p d theta_p' = D[:, i_p] [j_p == i_p'] B[j_p', :] + (p <-> p')
        pair = Dr[:, :, None, :, None] * (chain[:, :, None] * Bc[:, None, :, :]).transpose(0, 3, 1, 2)[:, None]
        pair = pair.reshape(size, d * b, len(rows), len(rows))
        curvature = pair + pair.transpose(0, 1, 3, 2)
        quad_linear = np.matmul(slope.reshape(size, d * b, -1), null)
        quad_hessian = np.matmul(np.matmul(null.transpose(0, 2, 1)[:, None], curvature), null[:, None])
        quad_constant = np.matmul(DW, WB).reshape(size, d * b)
        constants, linears, hessians = [], [], []
        for j in self.blocks:
            if j == 0:
                constants.append(np.matmul(D, B).reshape(size, d * b))
                linears.append(np.zeros((size, d * b, q)))
                hessians.append(np.zeros((size, d * b, q, q)))
            else:
                constants.append(quad_constant)
                linears.append(quad_linear)
                hessians.append(quad_hessian)
        constant = np.concatenate(constants, axis=1) - self.targets
        return constant, np.concatenate(linears, axis=1), np.ascontiguousarray(np.concatenate(hessians, axis=1))

    def relative_residual(self, z: np.ndarray, owner=None) -> np.ndarray:
        owner = self.owners(z, owner)
        res = self.residual(z, owner)
        norms = self.target_norms[owner]
        return np.linalg.norm(res, axis=1) / np.where(norms > 0, norms, 1.0)
