"""A family's square polynomial system, its parameter homotopies, and its generic roots by monodromy.

The family of an allocation: unknowns ``x`` = the learnable entries that are
kept free (all of them, or a square slice's), **parameters** ``p`` = every
teacher matrix, every student matrix (fixed entries, and the values at which
a slice pins its surplus learnables) and, when they matter, the inputs; the
equations ``F(x; p) = student(x; p) - teacher(p)`` on the model's outputs.
The outputs are linear in the inputs, so when ``m`` is at least the input
dimension ``k`` (``T*b`` for an lrnn: the Markov reduction; ``n_0`` for an
lffn) a match on inputs of full row rank is a match on the ``k`` unit
inputs: the equations use those probes and the inputs leave the parameters.
With more equations ``E`` than free unknowns ``q`` the system is squared up
by a fixed random real ``q x E`` combination (its extra roots never confirm
on the real model).

**Parameter homotopy.** From parameters ``p0`` whose ``N`` roots are known,
``H(x, s) = F(x; p0 + tau(s) (p1 - p0))`` with ``tau(s) = gamma s / (1 + (gamma -
1) s)`` (``tau(0) = 0``, ``tau(1) = 1``; another ``gamma`` gives another path,
the gamma trick used to re-track failed paths). With ``p0`` generic complex
the path avoids the discriminant for almost every ``gamma``.

**Monodromy** (:func:`generic_roots`): a generic complex instance with one
known root is built by choosing the root first (teacher := student with
``x0`` inserted); loops ``p0 -> p1 -> p2 -> p0`` through random complex
parameters permute the roots of ``p0`` and reveal new ones, until
:data:`STABLE_LOOPS` loops in a row add none.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> allocation = Allocation.from_entries(LRNN(1, 1, 1, 3), [("W", 0, 0)], m=1)
>>> system = FamilySystem(allocation, allocation.ordered_entries)
>>> p0, roots, loops = generic_roots(system, np.random.default_rng(0), max_roots=50)
>>> len(roots)   # D W^3 B = target: a cubic in w
3
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...allocation import Allocation
from ...arithmetic import FloatArithmetic
from .path_tracker import track

__all__ = ["FamilySystem", "ParameterHomotopy", "move_roots", "generic_roots", "distinct", "TooManyRoots", "STABLE_LOOPS"]

#: monodromy stops after this many loops in a row without a new root
STABLE_LOOPS = 6
MAX_LOOPS = 200
#: monodromy loops tracked side by side in one batch
PARALLEL_LOOPS = 3
#: two roots are the same when closer than this (relative to the scale)
SAME_ROOT = 1e-6
#: forward-difference step in tau of dH/dtau (the predictor's; the corrector is exact)
_FD_STEP = 1e-7
#: step budget per path: the rare paths to roots far out (|x| of 1e4 natural scales) can need
#: thousands of steps; they fail here instead and are re-tracked (or counted as failed)
PATH_STEPS = 400


class TooManyRoots(ArithmeticError):
    """The family has more roots than the caller's limit."""


class _Complex(FloatArithmetic):
    """complex128 numpy arithmetic for the models' Jacobians."""

    name = "complex"

    def asarray(self, x):
        return np.asarray(x, dtype=complex)

    def zeros(self, shape):
        return np.zeros(shape, dtype=complex)


COMPLEX = _Complex()


class FamilySystem:
    """The square system ``F(x; p)`` of an allocation with the unknowns ``free``.

    Parameters
    ----------
    allocation : Allocation
        A polynomial model's allocation.
    free : sequence of entries
        The learnable entries kept as unknowns (the others of the
        allocation are pinned at the student's draw: a slice).
    seed : int
        Seed of the squaring-up combination.
    """

    def __init__(self, allocation: Allocation, free: Sequence, seed: int = 0) -> None:
        model = allocation.model
        self.allocation, self.model = allocation, model
        self.free = tuple(tuple(e) for e in free)
        self.q = len(self.free)
        per_sample = int(np.prod(model.input_shape(1)[:-1]))
        self.probed = allocation.m >= per_sample
        columns = per_sample if self.probed else allocation.m
        self.probes = np.eye(per_sample).reshape(model.input_shape(per_sample)) if self.probed else None
        self.raw_equations = model.output_dim * columns
        if self.raw_equations < self.q:
            raise ValueError(f"{self.q} unknowns but only {self.raw_equations} equations")
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0xC0B1]))
        self.combine = (rng.standard_normal((self.q, self.raw_equations)) / np.sqrt(self.raw_equations)
                        if self.raw_equations > self.q else None)
        self.layout: list[tuple[str, str, slice, tuple]] = []
        offset = 0
        for role in ("teacher", "student"):
            for name, shape in model.matrix_shapes.items():
                size = int(np.prod(shape))
                self.layout.append((role, name, slice(offset, offset + size), shape))
                offset += size
        if not self.probed:
            shape = model.input_shape(allocation.m)
            size = int(np.prod(shape))
            self.layout.append(("inputs", "X", slice(offset, offset + size), shape))
            offset += size
        self.n_params = offset
        self._slots = {}
        for name in model.matrix_shapes:
            positions = [k for k, e in enumerate(self.free) if e[0] == name]
            if positions:
                self._slots[name] = (np.array(positions), np.array([self.free[k][1] for k in positions]),
                                     np.array([self.free[k][2] for k in positions]))

    # ------------------------------------------------------------------ parameters
    def params_of(self, trials: Sequence) -> np.ndarray:
        """The parameters of real trials, shape ``(len(trials), n_params)``."""
        out = np.empty((len(trials), self.n_params))
        for k, trial in enumerate(trials):
            for role, name, where, _ in self.layout:
                source = trial.inputs if role == "inputs" else getattr(trial, role)[name]
                out[k, where] = np.asarray(source).ravel()
        return out

    def random_params(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """Random complex parameters (each entry standard complex normal times its scale)."""
        out = (rng.standard_normal((count, self.n_params)) + 1j * rng.standard_normal((count, self.n_params)))
        for role, name, where, _ in self.layout:
            if role != "inputs":
                out[:, where] /= np.sqrt(2 * self.model.fan_in(name))
        return out

    def seed_pair(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Generic complex parameters with one known root: the teacher is the student at ``x0``."""
        p = self.random_params(rng, 1)
        x0 = np.empty((1, self.q), dtype=complex)
        student = self._matrices(p, "student", x=None)
        for name, (positions, rows, cols) in self._slots.items():
            x0[:, positions] = student[name][:, rows, cols]
        for role, name, where, _ in self.layout:
            if role == "teacher":
                p[:, where] = p[:, self._where("student", name)]
        return p[0], x0[0]

    def _where(self, role, name):
        return next(w for r, n, w, _ in self.layout if r == role and n == name)

    def _matrices(self, p, role, x=None):
        out = {}
        for r, name, where, shape in self.layout:
            if r == role:
                block = p[:, where].reshape((len(p),) + shape)
                if x is not None and name in self._slots:
                    block = block.copy()
                    positions, rows, cols = self._slots[name]
                    block[:, rows, cols] = x[:, positions]
                out[name] = block
        return out

    def _inputs(self, p):
        if self.probed:
            return self.probes
        _, _, where, shape = self.layout[-1]
        return p[:, where].reshape((len(p),) + shape)

    # ------------------------------------------------------------------ equations
    def residual(self, x: np.ndarray, p: np.ndarray) -> np.ndarray:
        """``F(x; p)``, shape ``(k, q)`` (complex)."""
        inputs = self._inputs(p)
        student = self.model.forward(self._matrices(p, "student", x), inputs)
        teacher = self.model.forward(self._matrices(p, "teacher"), inputs)
        out = (student - teacher).reshape(len(x), -1)
        return out if self.combine is None else out @ self.combine.T

    def evaluate(self, x: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``F(x; p)`` and its Jacobian in ``x`` (shapes ``(k, q)``, ``(k, q, q)``)."""
        inputs = self._inputs(p)
        weights = self._matrices(p, "student", x)
        student = self.model.forward(weights, inputs)
        teacher = self.model.forward(self._matrices(p, "teacher"), inputs)
        value = (student - teacher).reshape(len(x), -1)
        jac = self.model.jacobian(weights, inputs, self.free, COMPLEX)
        if self.combine is not None:
            value, jac = value @ self.combine.T, np.matmul(self.combine, jac)
        return value, jac

    def scale(self) -> float:
        """Natural size of the unknowns (RMS of their draws' standard deviations, times sqrt(q))."""
        return float(np.sqrt(sum(1.0 / self.model.fan_in(e[0]) for e in self.free)))


class ParameterHomotopy:
    """``H(x, s) = F(x; start + tau(s) (end - start))`` for a batch of paths (module docstring).

    ``start`` and ``end`` are ``(P, n_params)`` (or broadcastable), ``gamma`` ``(P,)``
    complex of modulus one (1 gives the straight segment).
    """

    def __init__(self, system: FamilySystem, start: np.ndarray, end: np.ndarray, gamma: np.ndarray) -> None:
        self.system = system
        P = len(gamma)
        self.start = np.broadcast_to(start, (P, system.n_params))
        self.delta = np.broadcast_to(end, (P, system.n_params)) - self.start
        self.gamma = np.asarray(gamma, dtype=complex)

    def evaluate(self, x, s, rows, derivative):
        g = self.gamma[rows]
        denominator = 1.0 + (g - 1.0) * s
        tau = g * s / denominator
        start, delta = self.start[rows], self.delta[rows]
        value, jac = self.system.evaluate(x, start + tau[:, None] * delta)
        if not derivative:
            return value, jac, None
        shifted = self.system.residual(x, start + (tau + _FD_STEP)[:, None] * delta)
        dtau = g / denominator**2
        return value, jac, (shifted - value) / _FD_STEP * dtau[:, None]


def move_roots(system: FamilySystem, roots: np.ndarray, start: np.ndarray, end: np.ndarray,
               gamma: np.ndarray | None = None, max_steps: int = PATH_STEPS):
    """Track ``roots`` (rows, all of parameters ``start`` or each its own) to ``end``.

    A path that needs more than ``max_steps`` steps fails (status ``UNFINISHED``):
    callers re-track it with another gamma or count it."""
    gamma = np.ones(len(roots), dtype=complex) if gamma is None else gamma
    return track(ParameterHomotopy(system, start, end, gamma), roots, scale=system.scale(), max_steps=max_steps)


def distinct(points: np.ndarray, scale: float, known: np.ndarray | None = None) -> np.ndarray:
    """Rows of ``points`` that differ from each other and from ``known`` (first of each cluster kept)."""
    kept: list[np.ndarray] = [] if known is None else list(known)
    base = len(kept)
    for point in points:
        if not kept or np.min(np.linalg.norm(np.asarray(kept) - point, axis=1)) > SAME_ROOT * (scale + np.linalg.norm(point)):
            kept.append(point)
    return np.asarray(kept[base:]).reshape(-1, points.shape[1]) if len(kept) > base else np.zeros((0, points.shape[1]), complex)


def generic_roots(system: FamilySystem, rng: np.random.Generator, max_roots: int,
                  stable: int = STABLE_LOOPS) -> tuple[np.ndarray, np.ndarray, int]:
    """Generic complex parameters and all their roots, by monodromy (module docstring).

    Returns
    -------
    p0 : ndarray (n_params,) complex
    roots : ndarray (N, q) complex
    loops : int
        Monodromy loops run.

    Raises
    ------
    TooManyRoots
        More than ``max_roots`` roots were found.
    ArithmeticError
        The seed root is singular (the family's solutions are not isolated).
    """
    p0, x0 = system.seed_pair(rng)
    _, jac = system.evaluate(x0[None], p0[None])
    sv = np.linalg.svd(jac[0], compute_uv=False)
    if sv[-1] <= 1e-9 * sv[0]:
        raise ArithmeticError("singular Jacobian at a generic root: the solutions are not isolated")
    scale = system.scale()
    roots = x0[None]
    quiet = loops = 0
    while quiet < stable and loops < MAX_LOOPS:
        # PARALLEL_LOOPS loops at once: every known root around each loop, one numpy batch
        loops += PARALLEL_LOOPS
        via = system.random_params(rng, 2 * PARALLEL_LOOPS).reshape(PARALLEL_LOOPS, 2, -1)
        n = len(roots)
        current = np.tile(roots, (PARALLEL_LOOPS, 1))
        alive = np.ones(len(current), dtype=bool)
        legs = ((p0[None], via[:, 0]), (via[:, 0], via[:, 1]), (via[:, 1], p0[None]))
        for a, b in legs:
            out = move_roots(system, current, np.repeat(np.broadcast_to(a, via[:, 0].shape), n, axis=0),
                             np.repeat(np.broadcast_to(b, via[:, 0].shape), n, axis=0))
            current, alive = out.x, alive & out.ok & ~out.singular
        new = distinct(current[alive], scale, roots)
        if len(new):
            roots = np.concatenate([roots, new])
            quiet = 0
            if len(roots) > max_roots:
                raise TooManyRoots(f"more than {max_roots} roots")
        else:
            quiet += PARALLEL_LOOPS
    return p0, roots, loops
