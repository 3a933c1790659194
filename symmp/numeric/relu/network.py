"""Batched masked networks of ReLU type: loss, gradient, Hessian-vector products (THEORY.md section 7).

A :class:`MaskedNet` holds many trials of one allocation at once: the full
weight matrices (fixed entries included), the inputs and the teacher's
targets, all with a leading trial axis. The learnable weights of every trial
form one row of ``theta`` (shape ``(trials, r)``, in
``allocation.ordered_entries`` order); only they are ever written into the
matrices, so fixed weights cannot move. The class returns the loss, its
gradient and exact Hessian-vector products (Pearlmutter's R-operator), all
restricted to the learnable entries.

The network is a chain ``Y = M_L act(M_{L-1} ... act(M_1 X))`` over the
model's matrices in their declared order (``W``, ``D`` for the shallow net;
``W1``, ``W2``, ``D`` for ``relu2``), so the same code serves deeper nets.
The loss of a trial is the mean squared error ``sum(R**2) / (d*m)``,
``R = Y - Y*``; a match is judged on the *relative loss*
``sum(R**2) / sum(Y***2)``.

:func:`~symmp.numeric.relu.training.train` runs an update rule on them.

Examples
--------
>>> import numpy as np
>>> from symmp import Allocation, ShallowReLU
>>> model = ShallowReLU(n0=2, h=3, d=1)
>>> allocation = Allocation.from_entries(model, [("D", 0, 0), ("D", 0, 1)], m=2)
>>> rng = np.random.default_rng(0)
>>> w = {"W": rng.normal(size=(1, 3, 2)), "D": rng.normal(size=(1, 1, 3))}
>>> x = rng.normal(size=(1, 2, 2))
>>> net = MaskedNet.build(allocation, w, x, model.forward(w, x))
>>> float(net.relative_loss(net.initial_theta())[0])
0.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ...allocation import Allocation

__all__ = ["MaskedNet", "ACTIVATION_FUNCTIONS"]

_LEAK = 0.01


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _tanh_all(z):
    t = np.tanh(z)
    slope = 1.0 - t * t
    return t, slope, -2.0 * t * slope


def _sigmoid_all(z):
    s = _sigmoid(z)
    slope = s * (1.0 - s)
    return s, slope, slope * (1.0 - 2.0 * s)


def _relu_all(z):
    positive = z > 0
    return np.where(positive, z, 0.0), positive.astype(z.dtype), None


def _leaky_all(z):
    positive = z > 0
    return np.where(positive, z, _LEAK * z), np.where(positive, 1.0, _LEAK), None


#: activation name -> z -> (act(z), act'(z), act''(z) or None when it is 0 a.e.)
ACTIVATION_FUNCTIONS = {
    "relu": _relu_all,
    "leaky_relu": _leaky_all,
    "tanh": _tanh_all,
    "sigmoid": _sigmoid_all,
}


# ---------------------------------------------------------------- randomness
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


@dataclass(frozen=True)
class MaskedNet:
    """Many trials of one allocation of a chain network, learnable entries only.

    Attributes
    ----------
    names : tuple of str
        Matrix names in layer order (first applied first).
    fixed : tuple of ndarray
        Full matrices ``(trials, rows, cols)``; learnable entries are overwritten
        by ``theta`` on every evaluation, the others never change.
    positions : tuple of (rows, cols, slice)
        Learnable entries of each matrix and their columns in ``theta``.
    inputs : ndarray, shape (trials, n0, m)
    targets : ndarray, shape (trials, d, m)
    activation : str
    """

    names: tuple[str, ...]
    fixed: tuple[np.ndarray, ...]
    positions: tuple[tuple[np.ndarray, np.ndarray, slice], ...]
    inputs: np.ndarray
    targets: np.ndarray
    activation: str

    @classmethod
    def build(
        cls,
        allocation: Allocation,
        weights: Mapping[str, np.ndarray],
        inputs: np.ndarray,
        targets: np.ndarray,
    ) -> MaskedNet:
        """From the student's full matrices ``(trials, rows, cols)``, inputs and targets."""
        model = allocation.model
        names = tuple(model.matrix_shapes)
        order = allocation.ordered_entries
        positions = []
        for name in names:
            ks = [k for k, entry in enumerate(order) if entry[0] == name]
            rows = np.array([order[k][1] for k in ks], dtype=np.intp)
            cols = np.array([order[k][2] for k in ks], dtype=np.intp)
            # ordered_entries groups entries by matrix, so each matrix is one slice
            positions.append((rows, cols, slice(ks[0], ks[-1] + 1) if ks else slice(0, 0)))
        fixed = tuple(np.array(weights[name], dtype=np.float64) for name in names)
        return cls(
            names,
            fixed,
            tuple(positions),
            np.asarray(inputs, dtype=np.float64),
            np.asarray(targets, dtype=np.float64),
            getattr(model, "activation", "relu"),
        )

    # ------------------------------------------------------------- views
    @property
    def trials(self) -> int:
        return self.inputs.shape[0]

    @property
    def r(self) -> int:
        return sum(len(rows) for rows, _, _ in self.positions)

    @property
    def affine(self) -> bool:
        """True when only the last matrix learns: outputs affine in theta (Fact 2)."""
        return all(len(rows) == 0 for rows, _, _ in self.positions[:-1])

    def subset(self, keep: np.ndarray) -> MaskedNet:
        """The trials ``keep`` (an index array) only."""
        return MaskedNet(
            self.names,
            tuple(f[keep] for f in self.fixed),
            self.positions,
            self.inputs[keep],
            self.targets[keep],
            self.activation,
        )

    def initial_theta(self) -> np.ndarray:
        """The learnable entries' values in ``fixed`` (the student's draw)."""
        return np.concatenate(
            [f[:, rows, cols] for f, (rows, cols, _) in zip(self.fixed, self.positions)], axis=1
        )

    def matrices(self, theta: np.ndarray) -> list[np.ndarray]:
        """Full matrices with ``theta`` written into the learnable entries."""
        out = []
        for f, (rows, cols, part) in zip(self.fixed, self.positions):
            if len(rows):
                f = f.copy()
                f[:, rows, cols] = theta[:, part]
            out.append(f)
        return out

    def weights(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """``{name: matrix}`` with ``theta`` in the learnable entries."""
        return dict(zip(self.names, self.matrices(theta)))

    def _gather(self, grads: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(
            [g[:, rows, cols] for g, (rows, cols, _) in zip(grads, self.positions)], axis=1
        )

    def _scatter(self, vector: np.ndarray) -> list[np.ndarray | None]:
        out: list[np.ndarray | None] = []
        for f, (rows, cols, part) in zip(self.fixed, self.positions):
            if len(rows):
                v = np.zeros_like(f)
                v[:, rows, cols] = vector[:, part]
                out.append(v)
            else:
                out.append(None)
        return out

    # ------------------------------------------------------------ compute
    def _forward(self, mats):
        act = ACTIVATION_FUNCTIONS[self.activation]
        layers = []  # (A_{l-1}, slope_l, curvature_l) for hidden layers
        a = self.inputs
        for mat in mats[:-1]:
            z = mat @ a
            value, slope, curvature = act(z)
            layers.append((a, slope, curvature))
            a = value
        return layers, a, mats[-1] @ a

    def _scale(self) -> float:
        d, m = self.targets.shape[-2:]
        return 2.0 / (d * m)

    def relative_loss(self, theta: np.ndarray) -> np.ndarray:
        """``sum(R**2) / sum(Y***2)`` per trial."""
        _, _, y = self._forward(self.matrices(theta))
        return _relative(y - self.targets, self.targets)

    def loss_grad(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(relative loss ``(trials,)``, gradient of the MSE ``(trials, r)``)."""
        rel, grad, _ = self._loss_grad_hvp(theta, None)
        return rel, grad

    def loss_grad_hvp(self, theta: np.ndarray, vector: np.ndarray):
        """Relative loss, gradient and exact Hessian-vector product ``H @ vector``.

        The Hessian is that of the MSE with respect to the learnable entries
        (``vector`` and the result are ``(trials, r)``). Exact by the
        R-operator: forward and backward passes differentiated along
        ``vector``; ReLU's second derivative is 0 away from its kink.
        """
        return self._loss_grad_hvp(theta, vector)

    def _loss_grad_hvp(self, theta, vector):
        mats = self.matrices(theta)
        layers, top, y = self._forward(mats)
        residual = y - self.targets
        rel = _relative(residual, self.targets)
        c = self._scale()
        g_out = c * residual  # dL/dY
        grads = [None] * len(mats)
        grads[-1] = g_out @ np.swapaxes(top, -1, -2)
        g_a = np.swapaxes(mats[-1], -1, -2) @ g_out
        back = []  # G_Z per hidden layer, from the last one down
        for l in range(len(mats) - 2, -1, -1):
            a_prev, slope, _ = layers[l]
            g_z = g_a * slope
            back.append((g_a, g_z))
            grads[l] = g_z @ np.swapaxes(a_prev, -1, -2)
            if l:
                g_a = np.swapaxes(mats[l], -1, -2) @ g_z
        grad = self._gather(grads)
        if vector is None:
            return rel, grad, None
        v = self._scatter(vector)
        # R-forward: R{Z_l}, R{A_l}
        r_a = None
        r_z_all = []
        for l, (a_prev, slope, _) in enumerate(layers):
            r_z = _matmul_opt(v[l], a_prev, mats[l], r_a)
            r_z_all.append(r_z)
            r_a = slope * r_z if r_z is not None else None
        r_y = _matmul_opt(v[-1], top, mats[-1], r_a)
        r_g_out = c * r_y
        r_grads = [None] * len(mats)
        r_grads[-1] = r_g_out @ np.swapaxes(top, -1, -2)
        if r_a is not None:
            r_grads[-1] = r_grads[-1] + g_out @ np.swapaxes(r_a, -1, -2)
        r_g_a = np.swapaxes(mats[-1], -1, -2) @ r_g_out
        if v[-1] is not None:
            r_g_a = r_g_a + np.swapaxes(v[-1], -1, -2) @ g_out
        for step, l in enumerate(range(len(mats) - 2, -1, -1)):
            a_prev, slope, curvature = layers[l]
            g_a, g_z = back[step]
            r_g_z = r_g_a * slope
            if curvature is not None and r_z_all[l] is not None:
                r_g_z = r_g_z + g_a * curvature * r_z_all[l]
            r_grads[l] = r_g_z @ np.swapaxes(a_prev, -1, -2)
            r_a_prev = (layers[l - 1][1] * r_z_all[l - 1]) if l and r_z_all[l - 1] is not None else None
            if r_a_prev is not None:
                r_grads[l] = r_grads[l] + g_z @ np.swapaxes(r_a_prev, -1, -2)
            if l:
                r_g_a = np.swapaxes(mats[l], -1, -2) @ r_g_z
                if v[l] is not None:
                    r_g_a = r_g_a + np.swapaxes(v[l], -1, -2) @ g_z
        return rel, grad, self._gather(r_grads)

    # ------------------------------------------------------------ affine
    def least_squares(self) -> tuple[np.ndarray, np.ndarray]:
        """Exact best theta when only the last matrix learns (Fact 2).

        Row o of ``Y = D H`` is affine in the learnable entries of row o of D:
        ``D[o, L] H[L, :] = Y*[o, :] - D[o, fixed] H[fixed, :]``, one linear
        least-squares problem per row and trial (``numpy.linalg.lstsq``).

        Returns
        -------
        (theta, relative_loss)
        """
        if not self.affine:
            raise ValueError("least squares decides only allocations with learnables in the last matrix")
        theta = self.initial_theta()
        mats = self.matrices(np.zeros_like(theta))  # learnable entries at 0
        _, hidden, base = self._forward(mats)
        rhs = self.targets - base  # what the learnable entries must produce
        rows, cols, _ = self.positions[-1]
        for o in np.unique(rows):
            ks = np.flatnonzero(rows == o)
            design = np.swapaxes(hidden[:, cols[ks], :], -1, -2)  # (trials, m, k)
            for t in range(self.trials):
                theta[t, ks] = np.linalg.lstsq(design[t], rhs[t, o], rcond=None)[0]
        return theta, self.relative_loss(theta)


def _matmul_opt(v, a, mat, r_a):
    """``v @ a + mat @ r_a`` with either term possibly absent (None)."""
    out = None if v is None else v @ a
    if r_a is not None:
        term = mat @ r_a
        out = term if out is None else out + term
    return out


def _relative(residual: np.ndarray, targets: np.ndarray) -> np.ndarray:
    num = np.einsum("...ij,...ij->...", residual, residual)
    den = np.einsum("...ij,...ij->...", targets, targets)
    return num / np.where(den > 0, den, 1.0)


