"""The constructive proofs of Theorems W-rows and W-columns, carried out.

Each function takes one random instance (teacher, the student's fixed
weights) and performs the successive linear solves of the proof in
THEORY.md section 5, returning the learnable values it constructs. With
``exact=True`` every number is an exact rational (a float is an exact binary
fraction, so the instance itself is exact) and the solves are exact
(python-flint ``fmpq_mat``): :func:`exact_match` then checks that the
student's outputs equal the teacher's *exactly*, a proof for that draw with
no rounding. In floating point the construction is followed by Gauss-Newton
refinement and judged by the relative residual.

Examples
--------
>>> from symmp import LRNN, Allocation
>>> from symmp.numeric.sampling import draw_trial
>>> allocation = Allocation.in_rows(LRNN(n=4, b=1, d=2, T=2), "W", [0, 1], k=2, m=2)
>>> trial = draw_trial(allocation, seed=0, index=0)
>>> bool(construction_residual(allocation, trial, w_rows_construction(allocation, trial)) < 1e-9)
True
"""

from __future__ import annotations

from fractions import Fraction

import flint
import numpy as np

from ..allocation import Allocation
from ..arithmetic import OBJECT
from ..numeric.sampling import Trial

__all__ = [
    "markov_parameters",
    "w_rows_construction",
    "w_columns_construction",
    "construction_residual",
    "refine",
    "exact_match",
]


def _exact(array: np.ndarray) -> np.ndarray:
    """Object array of exact Fractions equal to the float entries."""
    return np.vectorize(lambda x: Fraction(float(x)), otypes=[object])(np.asarray(array, dtype=float))


def _exact_solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact solution of a x = b over Q (b a vector or a matrix)."""
    vector = b.ndim == 1
    b2 = b.reshape(-1, 1) if vector else b
    qa = flint.fmpq_mat(a.shape[0], a.shape[1], [flint.fmpq(x.numerator, x.denominator) for x in a.ravel()])
    qb = flint.fmpq_mat(b2.shape[0], b2.shape[1], [flint.fmpq(x.numerator, x.denominator) for x in b2.ravel()])
    qx = qa.solve(qb)
    out = np.array(
        [[Fraction(int(qx[i, j].p), int(qx[i, j].q)) for j in range(qx.ncols())] for i in range(qx.nrows())],
        dtype=object,
    )
    return out.ravel() if vector else out


def _backend(exact: bool):
    return (_exact, _exact_solve) if exact else (lambda x: np.asarray(x, dtype=float), np.linalg.solve)


def markov_parameters(weights: dict[str, np.ndarray], T: int) -> list[np.ndarray]:
    """D W^j B for j = 1..T (paper convention), by the recurrence W^j B = W (W^{j-1} B)."""
    out, state = [], weights["B"]
    for _ in range(T):
        state = weights["W"] @ state
        out.append(weights["D"] @ state)
    return out


def _split_fixed(allocation: Allocation, trial: Trial) -> np.ndarray:
    """The student's W with its learnable entries set to zero (W0 of the proof)."""
    fixed = trial.student["W"].copy()
    fixed[allocation.mask("W") == 1] = 0.0
    return fixed


def w_rows_construction(allocation: Allocation, trial: Trial, *, exact: bool = False) -> np.ndarray:
    """Learnable values (``allocation.ordered_entries`` order) built by the W-rows proof.

    W = W0 + P U; G_j = U H_{j-1}, H_j = W0 H_{j-1} + P G_j with H_0 = B, and
    (D P) G_j = D* W*^j B* - D W0 H_{j-1}; finally each row of U solves
    U_row [H_0 ... H_{T-1}] restricted to its learnable columns = G rows.
    """
    model = allocation.model
    mask = allocation.mask("W")
    rows = [i for i in range(model.n) if mask[i].any()]
    convert, solve = _backend(exact)
    W0, B, D = (convert(x) for x in (_split_fixed(allocation, trial), trial.student["B"], trial.student["D"]))
    targets = markov_parameters({k: convert(v) for k, v in trial.teacher.items()}, model.T)
    DP = D[:, rows]
    H, Hs, Gs = B, [B], []
    for j in range(model.T):
        G = solve(DP, targets[j] - D @ W0 @ H)
        H = W0 @ H
        H[rows] += G
        Gs.append(G)
        Hs.append(H)
    stacked_H = np.concatenate(Hs[:-1], axis=1)  # n x T b
    stacked_G = np.concatenate(Gs, axis=1)  # d x T b
    values = {}
    for position, row in enumerate(rows):
        cols = np.flatnonzero(mask[row])
        u = solve(stacked_H[cols].T, stacked_G[position])
        values.update({("W", row, int(c)): x for c, x in zip(cols, u)})
    return np.array([values[e] for e in allocation.ordered_entries], dtype=object if exact else float)


def w_columns_construction(allocation: Allocation, trial: Trial, *, exact: bool = False) -> np.ndarray:
    """Learnable values built by the W-columns proof (the transposed argument).

    W = W0 + V Q^T; G_j = D W^j, F_j = G_{j-1} V with
    F_j = (D* W*^j B* - G_{j-1} W0 B)(Q^T B)^{-1}, G_j = G_{j-1} W0 + F_j Q^T;
    each column of V solves [G_0; ...; G_{T-1}] restricted to its learnable
    rows times v = the stacked F columns.
    """
    model = allocation.model
    mask = allocation.mask("W")
    cols = [j for j in range(model.n) if mask[:, j].any()]
    convert, solve = _backend(exact)
    W0, B, D = (convert(x) for x in (_split_fixed(allocation, trial), trial.student["B"], trial.student["D"]))
    targets = markov_parameters({k: convert(v) for k, v in trial.teacher.items()}, model.T)
    QB = B[cols]  # Q^T B, b x b
    G, Gs, Fs = D, [D], []
    for j in range(model.T):
        F = solve(QB.T, (targets[j] - G @ W0 @ B).T).T
        G = G @ W0
        G[:, cols] += F
        Fs.append(F)
        Gs.append(G)
    stacked_G = np.concatenate(Gs[:-1], axis=0)  # T d x n
    stacked_F = np.concatenate(Fs, axis=0)  # T d x b
    values = {}
    for position, col in enumerate(cols):
        rows = np.flatnonzero(mask[:, col])
        v = solve(stacked_G[:, rows], stacked_F[:, position])
        values.update({("W", int(r), col): x for r, x in zip(rows, v)})
    return np.array([values[e] for e in allocation.ordered_entries], dtype=object if exact else float)


def _student_weights(allocation: Allocation, trial: Trial, theta: np.ndarray) -> dict:
    weights = {name: value.copy() for name, value in trial.student.items()}
    for (name, i, j), value in zip(allocation.ordered_entries, theta):
        weights[name][i, j] = value
    return weights


def exact_match(allocation: Allocation, trial: Trial, theta: np.ndarray) -> bool:
    """True when, with the exact learnable values ``theta``, the student's
    outputs on the trial's inputs equal the teacher's exactly (rational arithmetic)."""
    weights = {name: _exact(value) for name, value in trial.student.items()}
    for (name, i, j), value in zip(allocation.ordered_entries, theta):
        weights[name][i, j] = value
    teacher = {name: _exact(value) for name, value in trial.teacher.items()}
    inputs = _exact(trial.inputs)
    model = allocation.model
    return bool(np.all(model.forward(weights, inputs, OBJECT) == model.forward(teacher, inputs, OBJECT)))


def construction_residual(allocation: Allocation, trial: Trial, theta: np.ndarray) -> float:
    """Relative residual ||student(X) - teacher(X)|| / ||teacher(X)|| with learnables = theta."""
    outputs = allocation.model.forward(_student_weights(allocation, trial, theta), trial.inputs)
    return float(np.linalg.norm(outputs - trial.targets) / np.linalg.norm(trial.targets))


def refine(allocation: Allocation, trial: Trial, theta: np.ndarray, steps: int = 3) -> np.ndarray:
    """Gauss-Newton steps with the analytic Jacobian, to remove rounding error
    left by the successive solves (the construction is exact in exact arithmetic)."""
    model = allocation.model
    for _ in range(steps):
        weights = _student_weights(allocation, trial, theta)
        residual = (model.forward(weights, trial.inputs) - trial.targets).ravel()
        jacobian = model.jacobian(weights, trial.inputs, allocation.ordered_entries)
        theta = theta - np.linalg.lstsq(jacobian, residual, rcond=None)[0]
    return theta
