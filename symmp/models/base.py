"""The shared model interface.

A model knows its weight matrices by name and shape, evaluates its outputs on
m samples, and returns the *Jacobian factors* of its outputs with respect to
each matrix: a list of pairs ``(L, R)`` such that the change of the outputs
caused by a change ``dM`` of matrix ``M`` is ``sum_k L_k dM R_k`` (``L_k`` of
shape ``(d, rows)``; or, for activations that mask per sample, ``(d, rows,
m)`` meaning ``dY[:, s] = sum_k L_k[:, :, s] dM R_k[:, s]``). The forward-mode
Jacobian for any chosen set of entries then follows in one vectorised step,
:meth:`Model.jacobian`, written once for every arithmetic (float, exact
modular, tropical) and every model.

All arrays may carry leading batch dimensions (many trials at once).

Outputs are flattened row-major: Jacobian row ``o * m + s`` is output ``o`` on
sample ``s``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..arithmetic import FLOAT, TROPICAL, Arithmetic

__all__ = ["Model", "Entry", "JacobianFactor"]

#: One weight: (matrix name, row, column), 0-based.
Entry = tuple[str, int, int]


@dataclass(frozen=True)
class JacobianFactor:
    """One term ``dY = L dM R`` of an output derivative.

    ``left`` is ``(..., d, rows)``, ``right`` is ``(..., cols, m)``. With
    ``per_sample`` the left factor changes from sample to sample, ``left`` is
    ``(..., d, rows, m)`` and ``dY[:, s] = left[..., s] dM right[:, s]``.
    """

    left: np.ndarray
    right: np.ndarray
    per_sample: bool = False

    def entry_columns(self, rows: np.ndarray, cols: np.ndarray, ar: Arithmetic) -> np.ndarray:
        """Jacobian columns ``(..., d, m, r)`` for the entries ``(rows[k], cols[k])``.

        The derivative by entry (i, j) is the outer product of column i of
        ``left`` with row j of ``right``.
        """
        right = np.swapaxes(self.right[..., cols, :], -1, -2)[..., None, :, :]
        if self.per_sample:
            left = np.swapaxes(self.left[..., rows, :], -1, -2)  # (..., d, m, r)
        else:
            left = self.left[..., :, rows][..., :, None, :]  # (..., d, 1, r)
        return ar.mul(left, right)


class Model(ABC):
    """Base class of all models; subclasses live one per file in this package."""

    #: registry key used in specs (``"linear"``, ``"lrnn"``, ...)
    kind: str = "abstract"
    #: True when the outputs are polynomial in the weights (all linear models)
    polynomial: bool = True

    # ------------------------------------------------------------------ shape
    @property
    @abstractmethod
    def matrix_shapes(self) -> dict[str, tuple[int, int]]:
        """Ordered mapping from matrix name to (rows, columns)."""

    @property
    @abstractmethod
    def output_dim(self) -> int:
        """d, the number of outputs per sample."""

    @abstractmethod
    def input_shape(self, m: int) -> tuple[int, ...]:
        """Shape of the input array for ``m`` samples."""

    @abstractmethod
    def dims(self) -> dict:
        """The spec's ``dims`` object (plus nothing else)."""

    def spec_extra(self) -> dict:
        """Extra top-level spec keys (e.g. ``convention``)."""
        return {}

    @property
    def n_weights(self) -> int:
        """Total number of weights in all matrices."""
        return sum(rows * cols for rows, cols in self.matrix_shapes.values())

    def fan_in(self, name: str) -> int:
        """Number of columns of matrix ``name`` (the variance scale of THEORY.md 2)."""
        return self.matrix_shapes[name][1]

    def equation_budgets(self, m: int) -> dict[str, tuple[list[int], list[int]]] | None:
        """Closed-form row and column budgets (THEORY.md section 4) per matrix.

        Returns ``{name: (row_budgets, column_budgets)}``, or None when the
        model has no closed form (the analyzer then measures them exactly).
        """
        return None

    def rank_upper_bound(self, m: int) -> int:
        """An a-priori upper bound on rho_full (the number of independent equations).

        When the exact rank found at a random point reaches it, rho_full is
        certified without any probability of error.
        """
        return min(self.output_dim * m, self.n_weights)

    def working_entries(self, m: int) -> int:
        """Array entries one exact Jacobian evaluation on m samples holds at
        once: the full Jacobian (``d*m`` x all weights) plus the inputs.
        Models that keep per-step intermediates add them."""
        return self.output_dim * m * self.n_weights + math.prod(self.input_shape(m))

    def jacobian_entry_degree(self) -> int:
        """Largest total degree of a Jacobian entry in all random quantities
        (weights and inputs), for the Schwartz-Zippel bound."""
        return max(int(self.output_degree()) - 1, 0)

    def all_entries(self, names: Sequence[str] | None = None) -> list[Entry]:
        """Every entry of the named matrices (all matrices by default), in order."""
        names = list(self.matrix_shapes) if names is None else list(names)
        return [
            (name, i, j)
            for name in names
            for i in range(self.matrix_shapes[name][0])
            for j in range(self.matrix_shapes[name][1])
        ]

    # ------------------------------------------------------ polynomial systems
    #: name of the reduced right-hand sides that eliminate the inputs
    #: (``"markov"``, ``"product"``), or None when the model has none
    reduced_form: str | None = None

    def input_blocks(self) -> list[str]:
        """Names of the input blocks: ``"X"`` for inputs ``(rows, m)``,
        ``"X1" .. "XT"`` for inputs ``(T, rows, m)`` (block t is ``inputs[t - 1]``)."""
        shape = self.input_shape(1)
        return ["X"] if len(shape) == 2 else [f"X{t}" for t in range(1, shape[0] + 1)]

    def stacked_input_dim(self) -> int:
        """Rows of the stacked input (every input block on top of the next)."""
        return math.prod(self.input_shape(1)[:-1])

    def stacked_inputs(self, inputs: np.ndarray) -> np.ndarray:
        """The input blocks stacked, shape ``(..., stacked_input_dim, m)``."""
        inputs = np.asarray(inputs)
        depth = len(self.input_shape(1))
        return inputs.reshape(inputs.shape[: inputs.ndim - depth] + (self.stacked_input_dim(), inputs.shape[-1]))

    def coefficient_names(self) -> list[str]:
        """Target block multiplying each input block, for models whose outputs
        are linear in the inputs (``Y = sum_k C_k X_k``, names in input-block
        order); empty when the model has no reduced form."""
        return []

    def reduced_targets(
        self, weights: Mapping[str, np.ndarray], ar: Arithmetic = FLOAT
    ) -> dict[str, np.ndarray]:
        """The blocks ``C_k`` of the reduced right-hand sides (see :attr:`reduced_form`)."""
        raise NotImplementedError(f"model {self.kind!r} has no reduced form")

    def split_coefficients(self, coefficients: np.ndarray) -> dict[str, np.ndarray]:
        """``C = [C_1, ..., C_K]`` (``(..., d, stacked_input_dim)``) cut into its named blocks."""
        names = self.coefficient_names()
        width = coefficients.shape[-1] // len(names)
        return {name: coefficients[..., :, k * width : (k + 1) * width] for k, name in enumerate(names)}

    def write_system(self, writer, form: str) -> None:
        """Write the equations of the matching problem into ``writer``.

        ``writer`` is a system writer of :mod:`symmp.systems` (its
        ``lifting`` is ``"right"``, ``"left"`` or None for the unlifted
        system); ``form`` names the right-hand sides. The default lifts the
        model's own :meth:`forward` pass (``"outputs"`` form only): models
        with a sharper lifting override it.
        """
        writer.write_forward(self, form)

    def unlifted_monomials(self, m: int, form: str) -> int:
        """An upper bound on the monomials of the expanded unlifted system: the
        forward pass with every weight and input 1 counts the products of
        entries each output sums (monomials before any merge)."""
        ones = {name: np.ones(shape) for name, shape in self.matrix_shapes.items()}
        return int(np.sum(self.forward(ones, np.ones(self.input_shape(m)))))

    def sweep_defaults(self) -> dict:
        """Default ``r`` and ``m`` of ``symmp sweep`` for this model (empty: none)."""
        return {}

    # --------------------------------------------------------------- compute
    @abstractmethod
    def forward(
        self, weights: Mapping[str, np.ndarray], inputs: np.ndarray, ar: Arithmetic = FLOAT
    ) -> np.ndarray:
        """Outputs, shape ``(..., d, m)``."""

    @abstractmethod
    def jacobian_factors(
        self,
        weights: Mapping[str, np.ndarray],
        inputs: np.ndarray,
        name: str,
        ar: Arithmetic = FLOAT,
    ) -> list[JacobianFactor]:
        """Factors of the derivative of the outputs with respect to matrix ``name``."""

    def jacobian(
        self,
        weights: Mapping[str, np.ndarray],
        inputs: np.ndarray,
        entries: Sequence[Entry],
        ar: Arithmetic = FLOAT,
        **options,
    ) -> np.ndarray:
        """Jacobian of the flattened outputs with respect to ``entries``.

        Parameters
        ----------
        weights : mapping of str to ndarray
            Every matrix, each ``(..., rows, cols)``.
        inputs : ndarray
            Inputs, shape ``(..., *input_shape(m))``.
        entries : sequence of (name, row, col)
            The weights to differentiate by; column ``k`` of the result
            belongs to ``entries[k]``.
        ar : Arithmetic
            Number system (float, or exact modular arithmetic).
        **options
            Passed to :meth:`jacobian_factors` (e.g. ``pattern`` for ReLU
            networks under exact arithmetic).

        Returns
        -------
        ndarray, shape ``(..., d * m, len(entries))``

        Examples
        --------
        >>> import numpy as np
        >>> from symmp.models import LinearEstimator
        >>> model = LinearEstimator(n=2, d=1)
        >>> w = {"W": np.array([[1.0, 2.0]])}
        >>> x = np.array([[1.0, 0.0, 3.0], [0.0, 1.0, 4.0]])
        >>> model.jacobian(w, x, [("W", 0, 1)])[:, 0]
        array([0., 1., 4.])
        """
        batch = np.broadcast_shapes(
            *(np.shape(w)[:-2] for w in weights.values()),
            np.shape(inputs)[: np.ndim(inputs) - len(self.input_shape(1))],
        )
        m = np.shape(inputs)[-1]
        d = self.output_dim
        out = ar.zeros(batch + (d * m, len(entries)))
        by_matrix: dict[str, list[int]] = {}
        for position, (name, _, _) in enumerate(entries):
            by_matrix.setdefault(name, []).append(position)
        for name, positions in by_matrix.items():
            rows = np.array([entries[k][1] for k in positions], dtype=np.intp)
            cols = np.array([entries[k][2] for k in positions], dtype=np.intp)
            factors = self.jacobian_factors(weights, inputs, name, ar, **options)
            if not factors:  # the outputs do not depend on this matrix
                continue
            columns = ar.sum(factor.entry_columns(rows, cols, ar) for factor in factors)
            out[..., positions] = np.broadcast_to(
                columns, batch + (d, m, len(positions))
            ).reshape(batch + (d * m, len(positions)))
        return out

    # ---------------------------------------------------------------- degrees
    def output_degree(self, learnable: Mapping[str, np.ndarray] | None = None) -> float:
        """Largest total degree of an output polynomial.

        With ``learnable`` (matrix name to 0/1 mask) it is the degree in the
        learnable weights only; without it, the degree in every random
        quantity (all weights and the inputs). Computed exactly by a forward
        pass in the max-plus semiring: each weight carries its own degree, and
        products of generic matrices expand with positive coefficients only,
        so no term cancels. ``-inf`` means the outputs do not depend on them.
        """
        if not self.polynomial:
            raise ValueError(f"{self.kind} outputs are not polynomial in the weights")
        if learnable is None:
            weights = {name: np.ones(shape) for name, shape in self.matrix_shapes.items()}
            inputs = np.ones(self.input_shape(1))
        else:
            weights = {
                name: np.asarray(learnable.get(name, np.zeros(shape)), dtype=float)
                for name, shape in self.matrix_shapes.items()
            }
            inputs = np.zeros(self.input_shape(1))
        return float(np.max(self.forward(weights, inputs, TROPICAL)))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in {**self.dims(), **self.spec_extra()}.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and self.dims() == other.dims()  # type: ignore[attr-defined]
            and self.spec_extra() == other.spec_extra()  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self)))

