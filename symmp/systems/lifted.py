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
from functools import cached_property

import numpy as np

from ..allocation import Allocation
from ..errors import SpecError
from .terms import ONE, Atom, AtomTable, Terms

__all__ = ["TermSystem", "SystemBuilder", "build_terms", "default_form", "choose_form", "LIFTINGS", "FORMS"]

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


class SystemBuilder:
    """Collects the atoms and the equation groups of one system while it is written."""

    def __init__(self, allocation: Allocation) -> None:
        self.allocation = allocation
        self.table = AtomTable()
        self.parts: list[tuple[Terms, int]] = []  # (lhs - rhs terms with side), group
        self.sides: list[np.ndarray] = []
        self.group_names: list[str] = []
        self.group_sizes: list[int] = []

    def weights(self, name: str, letter: str) -> np.ndarray:
        rows, cols = self.allocation.model.matrix_shapes[name]
        mask = self.allocation.mask(name)
        ids = np.empty((rows, cols), dtype=np.int64)
        tag = letter.replace("^{(", "").replace(")}", "")
        for i in range(rows):
            for j in range(cols):
                if mask[i, j]:
                    ids[i, j] = self.table.add("learnable", name, i, j, f"{tag}_{i}_{j}", f"{letter}_{{{i},{j}}}")
                else:
                    base, sup = (letter.split("^", 1) + [""])[:2]
                    latex = rf"\bar{{{base}}}" + (f"^{sup}" if sup else "")
                    ids[i, j] = self.table.add("fixed", name, i, j, f"{tag}bar_{i}_{j}", f"{latex}_{{{i},{j}}}")
        return ids

    def matrix(self, source, shape, kind, name, latex) -> np.ndarray:
        return self.table.matrix(source, shape, kind, name, latex)

    def equate(self, lhs: Terms, rhs: Terms, group: str) -> None:
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
    """``"markov"``/``"product"`` when the inputs can be eliminated exactly
    (m at least the stacked input dimension), else ``"outputs"``."""
    model, m = allocation.model, allocation.m
    if model.kind == "lrnn":
        return "markov" if m >= model.T * model.b else "outputs"
    if model.kind in ("lffn", "linear"):
        return "product" if m >= model.input_shape(1)[0] else "outputs"
    raise SpecError(f"no polynomial system for model {model.kind!r}: its outputs are not polynomial")


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
    builder = SystemBuilder(allocation)
    kind = allocation.model.kind
    if kind == "lrnn":
        _lrnn(builder, chosen, lifting)
    else:
        _chain(builder, chosen, lifting)
    return builder.finish(chosen, lifting)


def choose_form(allocation: Allocation, form: str) -> str:
    """The concrete form (``"outputs"``, ``"markov"``, ``"product"``) for
    ``form`` in {"auto", "outputs", "reduced"}."""
    if form not in FORMS:
        raise SpecError(f"form must be one of {', '.join(map(repr, FORMS))}, got {form!r}")
    reducible = default_form(allocation)
    if form == "outputs":
        return "outputs"
    if form == "reduced" and reducible == "outputs":
        raise SpecError(
            f"form='reduced' needs m >= {_stacked_input(allocation)} samples (the stacked input "
            f"dimension), got m = {allocation.m}; use form='outputs'"
        )
    return reducible


def _stacked_input(allocation: Allocation) -> int:
    model = allocation.model
    return model.T * model.b if model.kind == "lrnn" else model.input_shape(1)[0]


def _lrnn(builder: SystemBuilder, form: str, lifting: str) -> None:
    model = builder.allocation.model
    n, b, d, T, m = model.n, model.b, model.d, model.T, builder.allocation.m
    e, top = model.power_offset, model.max_power
    W = builder.weights("W", "w")
    B = builder.weights("B", "b")
    D = builder.weights("D", "d")
    lags = range(e, top + 1)  # powers j of W with D W^j B in the outputs
    if lifting == "right":
        powers = {0: Terms.from_atoms(B)}
        for j in range(1, top + 1):
            F = builder.matrix(f"F{j}", (n, b), "auxiliary", f"f{j}", f"f^{{({j})}}")
            builder.equate(Terms.from_atoms(F), powers[j - 1].rmatmul(W), f"F_{{{j}}} = W F_{{{j - 1}}}" if j > 1 else "F_{1} = W B")
            powers[j] = Terms.from_atoms(F)
        markov = {j: powers[j].rmatmul(D) for j in lags}
    else:
        powers = {0: Terms.from_atoms(D)}
        for j in range(1, top + 1):
            G = builder.matrix(f"G{j}", (d, n), "auxiliary", f"g{j}", f"g^{{({j})}}")
            builder.equate(Terms.from_atoms(G), powers[j - 1].matmul(W), f"G_{{{j}}} = G_{{{j - 1}}} W" if j > 1 else "G_{1} = D W")
            powers[j] = Terms.from_atoms(G)
        markov = {j: powers[j].matmul(B) for j in lags}
    if form == "markov":
        for j in lags:
            M = builder.matrix(f"M{j}", (d, b), "target", f"m{j}", f"m^{{({j})}}")
            builder.equate(markov[j], Terms.from_atoms(M), f"D W^{{{j}}} B = M_{{{j}}}")
        return
    total = None
    for t in range(1, T + 1):
        X = builder.matrix(f"X{t}", (b, m), "input", f"x{t}", f"x^{{({t})}}")
        term = markov[T - t + e].matmul(X)
        total = term if total is None else total + term
    Y = builder.matrix("Y", (d, m), "target", "y", "y")
    builder.equate(total, Terms.from_atoms(Y), r"D \sum_t W^{T-t" + ("+1" if e else "") + "} B X_t = Y")


def _chain(builder: SystemBuilder, form: str, lifting: str) -> None:
    """lffn (W_L ... W_1) and the linear estimator (one layer W)."""
    model = builder.allocation.model
    m = builder.allocation.m
    if model.kind == "linear":
        names, letters = ["W"], ["w"]
    else:
        names = list(model.matrix_shapes)
        letters = [f"w^{{({l})}}" for l in range(1, len(names) + 1)]
    layers = [builder.weights(name, letter) for name, letter in zip(names, letters)]
    L = len(layers)
    n0 = model.input_shape(1)[0]
    d = model.output_dim
    widths = [n0] + [layer.shape[0] for layer in layers]
    X = builder.matrix("X", (n0, m), "input", "x", "x") if form == "outputs" else None
    cols = m if form == "outputs" else n0
    if lifting == "right":
        # current = F_{l} as Terms; F_0 = X, or the identity (then F_1 = W_1)
        current = Terms.from_atoms(layers[0]) if X is None else Terms.from_atoms(X).rmatmul(layers[0])
        for l in range(1, L):
            if X is not None or l > 1:
                F = builder.matrix(f"F{l}", (widths[l], cols), "auxiliary", f"f{l}", f"f^{{({l})}}")
                rhs_name = "X" if l == 1 else ("W_{1}" if X is None and l == 2 else f"F_{{{l - 1}}}")
                builder.equate(Terms.from_atoms(F), current, f"F_{{{l}}} = W_{{{l}}} {rhs_name}")
                current = Terms.from_atoms(F)
            current = current.rmatmul(layers[l])
        out = current
    else:
        # G_{L-1} = W_L, G_l = G_{l+1} W_{l+1}
        current = Terms.from_atoms(layers[-1])
        for l in range(L - 2, 0, -1):
            current = current.matmul(layers[l])
            G = builder.matrix(f"G{l}", (d, widths[l]), "auxiliary", f"g{l}", f"g^{{({l})}}")
            rhs_name = f"G_{{{l + 1}}}" if l + 1 < L - 1 else f"W_{{{L}}}"
            builder.equate(Terms.from_atoms(G), current, f"G_{{{l}}} = {rhs_name} W_{{{l + 1}}}")
            current = Terms.from_atoms(G)
        out = current.matmul(layers[0]) if L > 1 else Terms.from_atoms(layers[0])
        if X is not None:
            out = out.matmul(X)
    product = "W" if model.kind == "linear" else " ".join(f"W_{{{l}}}" for l in range(L, 0, -1))
    if X is not None:
        Y = builder.matrix("Y", (d, m), "target", "y", "y")
        builder.equate(out, Terms.from_atoms(Y), f"{product} X = Y")
    else:
        P = builder.matrix("P", (d, n0), "target", "p", "p")
        builder.equate(out, Terms.from_atoms(P), f"{product} = P")
