"""Lifted systems: auxiliary matrices F make every equation of degree <= 2.

THEORY.md section 5. For the lrnn the *right* lifting introduces
``F_j = W F_{j-1}`` with ``F_0 = B`` (so ``F_j = W^j B``); the *left* lifting
introduces ``G_j = G_{j-1} W`` with ``G_0 = D`` (so ``G_j = D W^j``). For the
lffn the right lifting is ``F_l = W_l F_{l-1}``, ``F_0 = X``; the left one
``G_l = G_{l+1} W_{l+1}``, ``G_{L-1} = W_L``. Powers of W are never expanded.

Right-hand sides (``form``):

- ``"outputs"``: the outputs on the m samples equal the teacher's outputs Y.
- ``"markov"`` (lrnn, m >= T*b): ``D F_j = M_j`` for the teacher's Markov
  parameters ``M_j = D* W*^j B*``. Equivalent to ``"outputs"`` whenever the
  stacked input ``[X_1; ...; X_T]`` (T*b x m) has full row rank, which holds
  with probability 1 for Gaussian inputs when m >= T*b.
- ``"product"`` (lffn and linear estimator, m >= n_0): the end-to-end map
  equals the teacher's ``P = W*_L ... W*_1``; equivalent to ``"outputs"``
  when X has full row rank.

Call :func:`build_terms`; :func:`symmp.systems.build_system` wraps the result
in a readable :class:`~symmp.systems.PolynomialSystem`.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> a = Allocation.in_rows(LRNN(n=3, b=1, d=1, T=2), "W", [0], k=2, m=2)
>>> terms = build_terms(a)
>>> terms.form, terms.n_equations, terms.counts()
('markov', 8, {'linear': 7, 'quadratic': 1})
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from ..allocation import Allocation
from ..errors import SpecError
from .generic import from_forward, to_terms
from .terms import ONE, Atom, AtomTable, Terms

__all__ = ["TermSystem", "SystemBuilder", "atom_names", "matrix_label", "build_terms", "lifted_terms", "default_form",
           "choose_form", "LIFTINGS", "FORMS"]

LIFTINGS = ("right", "left")
FORMS = ("auto", "outputs", "reduced")


@dataclass(frozen=True)
class TermSystem:
    """A polynomial system as flat term arrays (see :mod:`symmp.systems.terms`).

    Equation ``e`` is ``sum over terms k with equation[k] == e of
    coef[k] * prod(atom values of factors[k]) = 0``; ``side[k]`` is 0 when the
    term was written on the left-hand side and 1 on the right (its ``coef``
    already carries the sign of moving it over).
    """

    atoms: tuple[Atom, ...]
    equation: np.ndarray
    factors: np.ndarray
    coef: np.ndarray
    side: np.ndarray
    group_of: np.ndarray
    groups: tuple[str, ...]
    form: str
    lifting: str

    @property
    def n_equations(self) -> int:
        return len(self.group_of)

    def unknown_mask(self) -> np.ndarray:
        return np.array([a.unknown for a in self.atoms], dtype=bool)

    def atom_ids(self, kind: str) -> np.ndarray:
        """Ids of the atoms of one kind, in creation order."""
        return np.array([k for k, a in enumerate(self.atoms) if a.kind == kind], dtype=np.int64)

    def degrees(self, unknown: np.ndarray | None = None) -> np.ndarray:
        """Degree of every equation in the atoms flagged by ``unknown``
        (default: all learnable and auxiliary atoms); 0 when it has none."""
        unknown = self.unknown_mask() if unknown is None else unknown
        per_term = unknown[self.factors].sum(axis=1)
        out = np.zeros(self.n_equations, dtype=np.int64)
        np.maximum.at(out, self.equation, per_term)
        return out

    def counts(self) -> dict[str, int]:
        """Equations linear (degree <= 1 in the unknowns) and quadratic."""
        degrees = self.degrees()
        return {"linear": int(np.sum(degrees <= 1)), "quadratic": int(np.sum(degrees == 2))}

    def unknown_counts(self) -> dict[str, int]:
        kinds = [a.kind for a in self.atoms]
        return {"learnable": kinds.count("learnable"), "auxiliary": kinds.count("auxiliary")}

    def evaluate(self, values: np.ndarray, prime: int | None = None) -> np.ndarray:
        """Residual of every equation at atom ``values`` (float, or residues mod ``prime``)."""
        if prime is None:
            products = self.coef * np.prod(values[self.factors], axis=1)
            out = np.zeros(self.n_equations)
        else:
            products = np.mod(self.coef, prime)
            for column in range(self.factors.shape[1]):
                products = products * values[self.factors[:, column]] % prime
            out = np.zeros(self.n_equations, dtype=np.int64)
        np.add.at(out, self.equation, products)
        return out if prime is None else out % prime

    @cached_property
    def _sorted_terms(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.equation, kind="stable")
        bounds = np.searchsorted(self.equation[order], np.arange(self.n_equations + 1))
        return order, bounds

    def terms_of(self, equations) -> np.ndarray:
        """Indices of the terms of the given equations."""
        order, bounds = self._sorted_terms
        parts = [order[bounds[e] : bounds[e + 1]] for e in equations]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def linearize(
        self, equations, unknowns, values: np.ndarray, prime: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(A, c)`` with residuals ``A x + c`` of ``equations`` in ``unknowns``.

        Every other atom is taken at ``values``; each term must hold at most
        one of ``unknowns`` (the equations are linear in them). Float, or
        residues modulo ``prime``.
        """
        equations = np.asarray(equations, dtype=np.int64)
        unknowns = np.asarray(unknowns, dtype=np.int64)
        row_of = {int(e): k for k, e in enumerate(equations)}
        column_of = np.full(len(self.atoms), -1, dtype=np.int64)
        column_of[unknowns] = np.arange(len(unknowns))
        index = self.terms_of(equations)
        factors = self.factors[index]
        is_unknown = column_of[factors] >= 0
        if np.any(is_unknown.sum(axis=1) > 1):
            raise ValueError("the equations are not linear in these unknowns")
        rows = np.array([row_of[int(e)] for e in self.equation[index]], dtype=np.int64)
        if prime is None:
            product = self.coef[index].astype(float)
            for column in range(factors.shape[1]):
                product = product * np.where(is_unknown[:, column], 1.0, values[factors[:, column]])
            A = np.zeros((len(equations), len(unknowns)))
            c = np.zeros(len(equations))
        else:
            product = np.mod(self.coef[index], prime)
            for column in range(factors.shape[1]):
                product = product * np.where(is_unknown[:, column], 1, values[factors[:, column]]) % prime
            A = np.zeros((len(equations), len(unknowns)), dtype=np.int64)
            c = np.zeros(len(equations), dtype=np.int64)
        has = is_unknown.any(axis=1)
        columns = column_of[np.where(is_unknown, factors, 0).max(axis=1)]
        np.add.at(A, (rows[has], columns[has]), product[has])
        np.add.at(c, rows[~has], product[~has])
        if prime is not None:
            A %= prime
            c %= prime
        return A, c


def atom_names(source: str) -> tuple[str, str]:
    """Plain and LaTeX stem of the atoms of matrix ``source``: ``"W"`` gives
    ``("w", "w")``, ``"W1"`` gives ``("w1", "w^{(1)}")``.

    Examples
    --------
    >>> atom_names("F2")
    ('f2', 'f^{(2)}')
    """
    stem = source.rstrip("0123456789")
    digits = source[len(stem):]
    return stem.lower() + digits, stem.lower() + (f"^{{({digits})}}" if digits else "")


def matrix_label(source: str) -> str:
    """LaTeX name of matrix ``source`` in equation groups: ``"W1"`` gives ``"W_{1}"``."""
    stem = source.rstrip("0123456789")
    digits = source[len(stem):]
    return stem + (f"_{{{digits}}}" if digits else "")


class SystemBuilder:
    """The writer of a lifted system: models write their equations into it
    (:meth:`symmp.models.Model.write_system`) with its matrices of atom ids,
    its products (:class:`~symmp.systems.terms.Terms`) and its auxiliaries."""

    def __init__(self, allocation: Allocation, lifting: str | None = "right") -> None:
        self.allocation = allocation
        self.lifting = lifting
        self.m = allocation.m
        self.table = AtomTable()
        self.parts: list[tuple[Terms, int]] = []  # (lhs - rhs terms with side), group
        self.sides: list[np.ndarray] = []
        self.group_names: list[str] = []
        self.group_sizes: list[int] = []

    # ------------------------------------------------------ atoms
    def weight_ids(self, name: str) -> np.ndarray:
        """Atom ids of matrix ``name``: learnable where the allocation says so, fixed elsewhere."""
        rows, cols = self.allocation.model.matrix_shapes[name]
        mask = self.allocation.mask(name)
        ids = np.empty((rows, cols), dtype=np.int64)
        tag, letter = atom_names(name)
        for i in range(rows):
            for j in range(cols):
                if mask[i, j]:
                    ids[i, j] = self.table.add("learnable", name, i, j, f"{tag}_{i}_{j}", f"{letter}_{{{i},{j}}}")
                else:
                    base, sup = (letter.split("^", 1) + [""])[:2]
                    latex = rf"\bar{{{base}}}" + (f"^{sup}" if sup else "")
                    ids[i, j] = self.table.add("fixed", name, i, j, f"{tag}bar_{i}_{j}", f"{latex}_{{{i},{j}}}")
        return ids

    def atoms_of(self, source: str, shape: tuple[int, int], kind: str) -> np.ndarray:
        """A new matrix of atoms of one kind, named after ``source``; targets whose
        letter would be m (``M_j``) print as mu, since m is the sample count."""
        name, latex = atom_names(source)
        if kind == "target" and latex.startswith("m"):
            latex = r"\mu" + latex[1:]
        return self.table.matrix(source, shape, kind, name, latex)

    # ------------------------------------------------------ the writer interface
    label = staticmethod(matrix_label)

    def weights(self, name: str):
        return self.weight_ids(name)

    def input(self, name: str, shape: tuple[int, int]):
        return self.atoms_of(name, shape, "input")

    def target(self, name: str, shape: tuple[int, int]):
        return self.atoms_of(name, shape, "target")

    def start(self, value):
        """A matrix of atoms as the first factor of a product chain."""
        return Terms.from_atoms(value) if isinstance(value, np.ndarray) else value

    def matmul(self, left, right):
        """``left @ right``: a product with one side a matrix of atom ids."""
        if isinstance(right, Terms):
            return right.rmatmul(left)
        if isinstance(left, Terms):
            return left.matmul(right)
        return Terms.from_atoms(right).rmatmul(left)

    def add(self, left, right):
        return self.start(left) + self.start(right)

    def auxiliary(self, name: str, value, group: str):
        """New unknowns ``name`` equal to ``value`` (one equation each); returns them."""
        ids = self.atoms_of(name, value.shape, "auxiliary")
        self.equate(ids, value, group)
        return Terms.from_atoms(ids)

    def write_forward(self, model, form: str) -> None:
        from_forward(self, model, form)

    def equate_polynomials(self, lhs, rhs, group: str) -> None:
        """``lhs`` an array of :class:`~symmp.systems.generic.Polynomial`."""
        self.equate(to_terms(lhs), rhs, group)

    def equate(self, lhs, rhs, group: str) -> None:
        lhs, rhs = self.start(lhs), self.start(rhs)
        both = lhs + (-rhs)
        side = np.concatenate([np.zeros(len(lhs.coef), np.int64), np.ones(len(rhs.coef), np.int64)])
        self.parts.append((both, len(self.group_names)))
        self.sides.append(side)
        self.group_names.append(group)
        self.group_sizes.append(lhs.shape[0] * lhs.shape[1])

    def finish(self, form: str, lifting: str) -> TermSystem:
        width = max(t.atoms.shape[1] for t, _ in self.parts)
        equation, factors, coef, group_of = [], [], [], []
        base = 0
        for (terms, group), size in zip(self.parts, self.group_sizes):
            equation.append(terms.entry + base)
            pad = np.full((len(terms.coef), width - terms.atoms.shape[1]), ONE, np.int64)
            factors.append(np.concatenate([terms.atoms, pad], axis=1))
            coef.append(terms.coef)
            group_of.append(np.full(size, group, np.int64))
            base += size
        return TermSystem(
            atoms=tuple(self.table.atoms),
            equation=np.concatenate(equation),
            factors=np.concatenate(factors),
            coef=np.concatenate(coef),
            side=np.concatenate(self.sides),
            group_of=np.concatenate(group_of),
            groups=tuple(self.group_names),
            form=form,
            lifting=lifting,
        )


def default_form(allocation: Allocation) -> str:
    """The model's reduced form (``"markov"``, ``"product"``) when the inputs
    can be eliminated exactly (m at least the stacked input dimension), else
    ``"outputs"``."""
    model, m = allocation.model, allocation.m
    if not model.polynomial:
        raise SpecError(f"no polynomial system for model {model.kind!r}: its outputs are not polynomial")
    if model.reduced_form is not None and m >= model.stacked_input_dim():
        return model.reduced_form
    return "outputs"


def build_terms(allocation: Allocation, *, lifting: str = "right", form: str = "auto") -> TermSystem:
    """The lifted system of an allocation as a :class:`TermSystem`.

    Parameters
    ----------
    allocation : Allocation
        lrnn, lffn or linear estimator (ReLU networks are not polynomial).
    lifting : {"right", "left"}
        Auxiliary matrices built from the input side (``F_j = W^j B``) or
        the output side (``G_j = D W^j``).
    form : {"auto", "outputs", "reduced"}
        Right-hand sides: outputs on the m samples, or the reduced
        Markov-parameter / end-to-end-product form (see the module
        docstring); ``"auto"`` reduces exactly when m allows it.

    Raises
    ------
    SpecError
        For a non-polynomial model, an unknown ``lifting`` or ``form``, or
        ``form="reduced"`` with too few samples.
    """
    if lifting not in LIFTINGS:
        raise SpecError(f"lifting must be one of {', '.join(map(repr, LIFTINGS))}, got {lifting!r}")
    chosen = choose_form(allocation, form)
    builder = SystemBuilder(allocation, lifting)
    allocation.model.write_system(builder, chosen)
    return builder.finish(chosen, lifting)


def lifted_terms(allocation: Allocation, lifting: str = "right", form: str = "auto") -> TermSystem:
    """:func:`build_terms`, built once per ``(allocation, lifting, form)`` and shared.

    Every caller in one ``classify`` or ``mp`` call (the counts, the
    sequential search, the sequential solver, provers) gets the same object
    instead of a new build; its arrays are read-only. The last
    :data:`SHARED_SYSTEMS` systems are kept (allocations are compared by
    value).

    Examples
    --------
    >>> from symmp import Allocation, LRNN
    >>> allocation = Allocation.diagonal(LRNN(n=2, b=1, d=1, T=2), "W", m=2)
    >>> lifted_terms(allocation) is lifted_terms(allocation, "right", "auto")
    True
    """
    return _shared_terms(allocation, lifting, form)


#: Lifted systems kept by :func:`lifted_terms`.
SHARED_SYSTEMS = 4


@lru_cache(maxsize=SHARED_SYSTEMS)
def _shared_terms(allocation: Allocation, lifting: str, form: str) -> TermSystem:
    terms = build_terms(allocation, lifting=lifting, form=form)
    for array in (terms.equation, terms.factors, terms.coef, terms.side, terms.group_of):
        array.flags.writeable = False
    return terms


def choose_form(allocation: Allocation, form: str) -> str:
    """The concrete form (``"outputs"``, ``"markov"``, ``"product"``) for
    ``form`` in {"auto", "outputs", "reduced"}."""
    if form not in FORMS:
        raise SpecError(f"form must be one of {', '.join(map(repr, FORMS))}, got {form!r}")
    reducible = default_form(allocation)
    if form == "outputs":
        return "outputs"
    if form == "reduced" and allocation.model.reduced_form is None:
        raise SpecError(f"model {allocation.model.kind!r} has no reduced form; use form='outputs'")
    if form == "reduced" and reducible == "outputs":
        raise SpecError(
            f"form='reduced' needs m >= {allocation.model.stacked_input_dim()} samples (the stacked input "
            f"dimension), got m = {allocation.m}; use form='outputs'"
        )
    return reducible
