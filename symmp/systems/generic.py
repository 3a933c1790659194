"""Systems of any polynomial model, from its own forward pass.

A model that does not write its system itself (:meth:`symmp.models.Model.write_system`)
gets one here: its :meth:`~symmp.models.Model.forward` runs on matrices of
*polynomials in the atoms* (learnable and fixed weights, inputs), and every
product whose degree in the unknowns would exceed 2 first replaces its
factors of degree 2 by auxiliary unknowns ``F_k`` with one equation
``F_k = (that factor)`` each. The lifted system so obtained has degree at
most 2 (THEORY.md section 5) and the outputs equation ``forward(X) = Y``;
unlifted, nothing is replaced and the outputs are expanded. Only the
``"outputs"`` form exists on this path, and both liftings give this one
system.

Examples
--------
>>> from symmp import Allocation, LFFN
>>> from symmp.systems import SystemBuilder
>>> model = LFFN([1, 1, 1, 1])
>>> a = Allocation.from_entries(model, model.all_entries(), m=1)
>>> builder = SystemBuilder(a)
>>> from_forward(builder, a.model, "outputs")
>>> builder.finish("outputs", "right").groups
('F_{1}', '\\\\mathrm{forward}(X) = Y')
"""

from __future__ import annotations

import numpy as np

from ..arithmetic import ObjectArithmetic
from ..errors import SpecError
from .terms import ONE, Terms

__all__ = ["Polynomial", "from_forward", "to_terms"]

OUTPUTS_GROUP = r"\mathrm{forward}(X) = Y"


class Polynomial:
    """A polynomial in atom ids with integer coefficients: ``{sorted factor ids: coef}``."""

    __slots__ = ("monomials",)

    def __init__(self, monomials: dict[tuple[int, ...], int]) -> None:
        self.monomials = monomials

    @classmethod
    def of(cls, value) -> Polynomial:
        if isinstance(value, Polynomial):
            return value
        if value != int(value):
            raise SpecError(f"a polynomial system needs integer constants, got {value!r} in the forward pass")
        return cls({(): int(value)} if value else {})

    def __add__(self, other) -> Polynomial:
        out = dict(self.monomials)
        for key, coef in Polynomial.of(other).monomials.items():
            total = out.get(key, 0) + coef
            if total:
                out[key] = total
            else:
                out.pop(key, None)
        return Polynomial(out)

    __radd__ = __add__

    def __mul__(self, other) -> Polynomial:
        out: dict[tuple[int, ...], int] = {}
        for left, a in self.monomials.items():
            for right, b in Polynomial.of(other).monomials.items():
                key = tuple(sorted(left + right))
                total = out.get(key, 0) + a * b
                if total:
                    out[key] = total
                else:
                    out.pop(key, None)
        return Polynomial(out)

    __rmul__ = __mul__

    def __neg__(self) -> Polynomial:
        return Polynomial({key: -coef for key, coef in self.monomials.items()})

    def __sub__(self, other) -> Polynomial:
        return self + (-Polynomial.of(other))

    def __rsub__(self, other) -> Polynomial:
        return Polynomial.of(other) + (-self)


def _atoms(ids: np.ndarray) -> np.ndarray:
    out = np.empty(ids.shape, dtype=object)
    for index, k in np.ndenumerate(ids):
        out[index] = Polynomial({(int(k),): 1})
    return out


class _Lifting(ObjectArithmetic):
    """Object arithmetic on :class:`Polynomial` arrays that lifts degree-2 factors."""

    def __init__(self, writer) -> None:
        self.writer = writer
        self.unknown = [atom.unknown for atom in writer.table.atoms]
        self.count = 0

    def degree(self, array) -> int:
        unknown = self.unknown
        best = 0
        for value in np.asarray(array, dtype=object).ravel():
            for key in Polynomial.of(value).monomials:
                best = max(best, sum(1 for k in key if k < len(unknown) and unknown[k]))
        return best

    def lift(self, array) -> np.ndarray:
        array = np.asarray(array, dtype=object)
        shape = array.shape if array.ndim == 2 else (int(np.prod(array.shape[:-1])), array.shape[-1])
        self.count += 1
        name = f"F{self.count}"
        ids = self.writer.atoms_of(name, shape, "auxiliary")
        self.unknown += [True] * ids.size
        self.writer.equate(ids, to_terms(array.reshape(shape)), f"F_{{{self.count}}}")
        return _atoms(ids).reshape(array.shape)

    def _lifted(self, a, b):
        if self.writer.lifting is None:
            return a, b
        da, db = self.degree(a), self.degree(b)
        if da + db > 2 and da >= 2:
            a, da = self.lift(a), 1
        if da + db > 2 and db >= 2:
            b = self.lift(b)
        return a, b

    def matmul(self, a, b):
        return np.matmul(*self._lifted(a, b))

    def mul(self, a, b):
        a, b = self._lifted(a, b)
        return np.asarray(a, dtype=object) * np.asarray(b, dtype=object)


def to_terms(array: np.ndarray) -> Terms:
    """A 2-D array of :class:`Polynomial` as :class:`~symmp.systems.terms.Terms`."""
    entry, factors, coef = [], [], []
    for flat, value in enumerate(np.asarray(array, dtype=object).ravel()):
        for key, c in Polynomial.of(value).monomials.items():
            entry.append(flat)
            factors.append(key or (ONE,))
            coef.append(c)
    width = max((len(f) for f in factors), default=1)
    atoms = np.full((len(factors), width), ONE, dtype=np.int64)
    for k, f in enumerate(factors):
        atoms[k, : len(f)] = f
    return Terms(tuple(array.shape), np.array(entry, dtype=np.int64), atoms, np.array(coef, dtype=np.int64))


def from_forward(writer, model, form: str) -> None:
    """Write ``model.forward(X) = Y`` into ``writer`` (lifted when ``writer.lifting`` is set)."""
    if form != "outputs":
        raise SpecError(f"model {model.kind!r} has only the 'outputs' form, got {form!r}")
    m = writer.m
    weights = {name: _atoms(writer.weight_ids(name)) for name in model.matrix_shapes}
    shape = model.input_shape(m)
    if len(shape) == 2:
        inputs = _atoms(writer.atoms_of("X", shape, "input"))
    elif len(shape) == 3:
        inputs = np.stack([_atoms(writer.atoms_of(f"X{t}", shape[1:], "input")) for t in range(1, shape[0] + 1)])
    else:
        raise SpecError(f"model {model.kind!r}: inputs of shape {shape} have no system atoms (2 or 3 axes)")
    ar = _Lifting(writer)
    outputs = model.forward(weights, inputs, ar)
    target = writer.atoms_of("Y", (model.output_dim, m), "target")
    writer.equate_polynomials(outputs, target, OUTPUTS_GROUP)
