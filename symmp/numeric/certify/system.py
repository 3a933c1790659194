"""One trial's matching equations, exactly and in interval (ball) arithmetic.

The equations of a trial are ``student(X_S) - teacher(X_S) = 0`` with the
learnable entries as unknowns. The trial's floats (weights, inputs) are exact
binary rationals, so everything here is computed from them exactly: rational
polynomials with python-flint's ``fmpq_mpoly``, or arb/acb balls that are
guaranteed to contain the exact values. The teacher's outputs are recomputed
from the teacher's weights, never read from the rounded ``trial.targets``.

Exact input reduction: every polynomial model of symmp is linear in its
inputs (no bias; checked exactly by :func:`linear_in_inputs`), so its outputs
are ``Y = M(theta) Xf`` with ``Xf`` (k x m) the flattened inputs, one column
per sample. When ``Xf`` has full row rank ``k <= m`` (checked exactly over Q),
``M_student Xf = M_teacher Xf`` iff ``M_student = M_teacher``, and the
columns of ``M`` are the outputs on the k unit inputs. The kept equations are
then ``student(E) - teacher(E) = 0`` on the unit inputs ``E``: ``d * k``
equations equivalent to the ``d * m`` original ones, each of its own lowest
degree (for the lrnn, the Markov parameters ``D W^j B``), which keeps
Bezout counts small. Otherwise the original samples are kept.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> from symmp.numeric.sampling import draw_trial
>>> allocation = Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=5)
>>> system = TrialSystem(allocation, draw_trial(allocation, seed=0, index=0))
>>> system.reduced, system.n_equations, system.degrees()
(True, 2, [2, 1])
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import numpy as np
from flint import acb, arb, ctx, fmpq, fmpq_mat, fmpq_mpoly_ctx

from ...allocation import Allocation
from ...arithmetic import FLOAT, OBJECT, TROPICAL, FloatArithmetic
from ..sampling import Trial

__all__ = [
    "TrialSystem",
    "exact_rational",
    "linear_in_inputs",
    "working_precision",
]


class _ComplexArithmetic(FloatArithmetic):
    """complex128 numpy arithmetic (float arithmetic with complex zeros)."""

    name = "complex"

    def asarray(self, x) -> np.ndarray:
        return np.asarray(x, dtype=np.complex128)

    def zeros(self, shape):
        return np.zeros(shape, dtype=np.complex128)


_COMPLEX = _ComplexArithmetic()


@contextlib.contextmanager
def working_precision(bits: int):
    """Temporarily set python-flint's working precision (global) to ``bits``."""
    saved = ctx.prec
    ctx.prec = bits
    try:
        yield
    finally:
        ctx.prec = saved


def exact_rational(value: float) -> fmpq:
    """The exact rational value of a finite float.

    >>> exact_rational(0.375)
    3/8
    """
    return fmpq(*float(value).as_integer_ratio())


def linear_in_inputs(model) -> bool:
    """True when every output is a linear form in the inputs (no constant term).

    Read off exactly with max-plus degrees (as :meth:`Model.output_degree`):
    degree 1 in the inputs, and no term survives when the inputs are zero.
    """
    if not model.polynomial:
        return False
    weights = {name: np.zeros(shape) for name, shape in model.matrix_shapes.items()}
    with_inputs = model.forward(weights, np.zeros(model.input_shape(1)), TROPICAL)
    without = model.forward(weights, np.full(model.input_shape(1), -np.inf), TROPICAL)
    return bool(np.all(with_inputs <= 0.0) and np.all(np.isneginf(without)))


def _reducible(model, inputs: np.ndarray) -> bool:
    m = inputs.shape[-1]
    flat = inputs.reshape(-1, m)  # column j = flattened input of sample j
    k = flat.shape[0]
    if k > m or not linear_in_inputs(model):
        return False
    exact = fmpq_mat([[exact_rational(v) for v in row] for row in flat])
    return exact.rank() == k


class TrialSystem:
    """The equations of one trial (see the module docstring).

    Parameters
    ----------
    allocation : Allocation
    trial : Trial
    reduce : bool
        Use the exact sample reduction when it applies (default True).

    Attributes
    ----------
    reduced : bool
        True when the kept equations are those on the unit inputs (the exact
        reduction of the module docstring), False when they are the original
        samples' equations.
    inputs : ndarray
        The inputs whose equations are kept (unit inputs or the trial's).
    n_equations : int
        ``d * (number of kept inputs)``, ordered row-major (output, input).
    """

    def __init__(self, allocation: Allocation, trial: Trial, *, reduce: bool = True) -> None:
        self.allocation = allocation
        self.model = allocation.model
        self.trial = trial
        self.entries = allocation.ordered_entries
        self.r = allocation.r
        inputs = np.asarray(trial.inputs, dtype=float)
        self.reduced = bool(reduce) and _reducible(self.model, inputs)
        if self.reduced:
            k = int(np.prod(self.model.input_shape(1)))
            inputs = np.eye(k).reshape(self.model.input_shape(k))
        self.inputs = inputs
        self.n_equations = self.model.output_dim * inputs.shape[-1]
        self._teacher_balls: dict[int, np.ndarray] = {}

    # ------------------------------------------------------------- numbers
    def _weights(self, values: Sequence, convert) -> dict[str, np.ndarray]:
        weights = {}
        for name, matrix in self.trial.student.items():
            matrix = np.asarray(matrix, dtype=float)
            block = np.empty(matrix.shape, dtype=object)  # element-wise: no sequence probing
            for index, value in np.ndenumerate(matrix):
                block[index] = convert(value)
            weights[name] = block
        for value, (name, i, j) in zip(values, self.entries):
            weights[name][i, j] = value
        return weights

    def _teacher_outputs(self) -> np.ndarray:
        """Teacher outputs on the kept inputs as arb balls (at the current precision)."""
        prec = ctx.prec
        if prec not in self._teacher_balls:
            teacher = {
                name: np.vectorize(lambda v: arb(float(v)), otypes=[object])(matrix)
                for name, matrix in self.trial.teacher.items()
            }
            inputs = np.vectorize(lambda v: arb(float(v)), otypes=[object])(self.inputs)
            self._teacher_balls[prec] = self.model.forward(teacher, inputs, OBJECT).reshape(-1)
        return self._teacher_balls[prec]

    def ball_residual(self, values: Sequence) -> np.ndarray:
        """Enclosures of the residuals at ``values`` (r arb or acb balls), shape ``(E,)``."""
        weights = self._weights(values, arb)
        inputs = np.vectorize(lambda v: arb(float(v)), otypes=[object])(self.inputs)
        outputs = self.model.forward(weights, inputs, OBJECT).reshape(-1)
        return outputs - self._teacher_outputs()

    def ball_jacobian(self, values: Sequence) -> np.ndarray:
        """Enclosure of the Jacobian over the box ``values``, shape ``(E, r)``."""
        weights = self._weights(values, arb)
        inputs = np.vectorize(lambda v: arb(float(v)), otypes=[object])(self.inputs)
        return self.model.jacobian(weights, inputs, self.entries, OBJECT)

    def float_jacobian(self, theta: np.ndarray) -> np.ndarray:
        """Float Jacobian of the kept equations at a real or complex point, ``(E, r)``."""
        theta = np.asarray(theta)
        dtype, ar = (complex, _COMPLEX) if np.iscomplexobj(theta) else (float, FLOAT)
        weights = {name: np.asarray(m, dtype=dtype).copy() for name, m in self.trial.student.items()}
        for value, (name, i, j) in zip(theta, self.entries):
            weights[name][i, j] = value
        return self.model.jacobian(weights, self.inputs.astype(dtype), self.entries, ar)

    # --------------------------------------------------------- polynomials
    def polynomials(self) -> tuple[fmpq_mpoly_ctx, list]:
        """The kept equations as exact rational polynomials in ``x0 .. x{r-1}``.

        Variable ``x{k}`` is the unknown ``allocation.ordered_entries[k]``.
        """
        context = fmpq_mpoly_ctx.get(("x", self.r), "lex")
        one = context.from_dict({(0,) * self.r: 1})
        gens = context.gens()
        weights = self._weights(gens, lambda v: exact_rational(v) * one)
        inputs = np.vectorize(exact_rational, otypes=[object])(self.inputs)
        outputs = self.model.forward(weights, inputs, OBJECT).reshape(-1)
        teacher = {
            name: np.vectorize(exact_rational, otypes=[object])(matrix)
            for name, matrix in self.trial.teacher.items()
        }
        targets = self.model.forward(teacher, inputs, OBJECT).reshape(-1)
        return context, [out - target * one for out, target in zip(outputs, targets)]

    def degrees(self) -> list[int]:
        """Total degree of each kept equation in the unknowns (max-plus, exact)."""
        weights = {
            name: np.where(self.allocation.mask(name) == 1, 1.0, 0.0)
            for name in self.model.matrix_shapes
        }
        inputs = np.where(self.inputs != 0, 0.0, -np.inf)  # an exact zero input has no term
        return [int(v) for v in self.model.forward(weights, inputs, TROPICAL).reshape(-1)]


def to_ball(value, *, radius: float = 0.0, complex_box: bool = False):
    """An exact float (or complex) center with a radius, as arb or acb."""
    if complex_box:
        value = complex(value)
        return acb(arb(value.real, radius), arb(value.imag, radius))
    return arb(float(np.real(value)), radius)


__all__.append("to_ball")
