"""Unlifted systems: outputs written directly as polynomials in the learnables.

Only for small models: the products ``D W^j B`` (or ``W_L ... W_1``) are
expanded symbolically, so the size grows like n^T. The lifted form
(:mod:`symmp.systems.lifted`) is the one that scales. The model writes its
equations (:meth:`symmp.models.Model.write_system`) into an
:class:`UnliftedWriter`, whose matrices are sympy matrices and whose
auxiliaries are the products themselves.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy

from ..allocation import Allocation
from .generic import Polynomial, from_forward
from .lifted import SystemBuilder
from .terms import Atom

__all__ = ["build_unlifted", "UnliftedWriter"]


class UnliftedWriter(SystemBuilder):
    """The system writer of unlifted systems (``lifting`` None): sympy matrices,
    every equation expanded."""

    def __init__(self, allocation: Allocation, expr_of: Callable[[Atom], sympy.Expr]) -> None:
        super().__init__(allocation, lifting=None)
        self.expr_of = expr_of
        self.equations: list[tuple] = []

    def _sym(self, ids: np.ndarray) -> sympy.Matrix:
        return sympy.Matrix(ids.shape[0], ids.shape[1], [self.expr_of(self.table.atoms[k]) for k in ids.ravel()])

    def weights(self, name: str):
        return self._sym(self.weight_ids(name))

    def input(self, name: str, shape: tuple[int, int]):
        return self._sym(self.atoms_of(name, shape, "input"))

    def target(self, name: str, shape: tuple[int, int]):
        return self._sym(self.atoms_of(name, shape, "target"))

    def start(self, value):
        return value

    def matmul(self, left, right):
        return left * right

    def add(self, left, right):
        return left + right

    def auxiliary(self, name: str, value, group: str):
        return value  # unlifted: the product stays expanded

    def write_forward(self, model, form: str) -> None:
        from_forward(self, model, form)

    def equate(self, lhs, rhs, group: str) -> None:
        if isinstance(rhs, np.ndarray):
            rhs = self._sym(rhs)
        self.equations += _entries(lhs, rhs, group)

    def equate_polynomials(self, lhs, rhs, group: str) -> None:
        values = [self.expr_of(atom) for atom in self.table.atoms]
        rows, cols = lhs.shape
        expanded = sympy.Matrix(
            rows, cols,
            [sympy.Add(*(coef * sympy.Mul(*(values[k] for k in key)) for key, coef in Polynomial.of(p).monomials.items()))
             for p in lhs.ravel()],
        )
        self.equate(expanded, rhs, group)


def build_unlifted(allocation: Allocation, form: str, expr_of) -> tuple[tuple[Atom, ...], list[tuple]]:
    """Atoms and ``(lhs, rhs, group)`` triples of the unlifted system.

    ``form`` is ``"outputs"``, ``"markov"`` or ``"product"`` (see
    :func:`symmp.systems.lifted.choose_form`); ``expr_of(atom)`` is the
    sympy expression of one atom (a symbol, or a number for known atoms).
    """
    writer = UnliftedWriter(allocation, expr_of)
    allocation.model.write_system(writer, form)
    return tuple(writer.table.atoms), writer.equations


def _entries(lhs: sympy.Matrix, rhs: sympy.Matrix, group: str) -> list[tuple]:
    return [
        (sympy.expand(lhs[i, j]), rhs[i, j], group)
        for i in range(lhs.shape[0])
        for j in range(lhs.shape[1])
    ]
