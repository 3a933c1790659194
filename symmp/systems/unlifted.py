"""Unlifted systems: outputs written directly as polynomials in the learnables.

Only for small models: the products ``D W^j B`` (or ``W_L ... W_1``) are
expanded symbolically, so the size grows like n^T. The lifted form
(:mod:`symmp.systems.lifted`) is the one that scales.
"""

from __future__ import annotations

import sympy

from ..allocation import Allocation
from .lifted import SystemBuilder
from .terms import Atom

__all__ = ["build_unlifted"]


def build_unlifted(allocation: Allocation, form: str, exprs_of) -> tuple[tuple[Atom, ...], list[tuple]]:
    """Atoms and ``(lhs, rhs, group)`` triples of the unlifted system.

    ``form`` is ``"outputs"``, ``"markov"`` or ``"product"`` (see
    :func:`symmp.systems.lifted.choose_form`);
    ``exprs_of(atoms)`` maps the atom tuple to a list of sympy expressions
    (symbols, or numbers for known atoms).
    """
    builder = SystemBuilder(allocation)
    model = allocation.model
    m = allocation.m
    equations: list[tuple] = []
    if model.kind == "lrnn":
        W, B, D = (builder.weights(name, letter) for name, letter in (("W", "w"), ("B", "b"), ("D", "d")))
        lags = range(model.power_offset, model.max_power + 1)
        if form == "outputs":
            X = [builder.matrix(f"X{t}", (model.b, m), "input", f"x{t}", f"x^{{({t})}}") for t in range(1, model.T + 1)]
            Y = builder.matrix("Y", (model.d, m), "target", "y", "y")
        else:
            M = {j: builder.matrix(f"M{j}", (model.d, model.b), "target", f"m{j}", f"m^{{({j})}}") for j in lags}
        values = exprs_of(tuple(builder.table.atoms))
        sym = lambda ids: sympy.Matrix(ids.shape[0], ids.shape[1], [values[k] for k in ids.ravel()])  # noqa: E731
        Wm, Bm, Dm = sym(W), sym(B), sym(D)
        power = Bm
        markov = {}
        for j in range(model.max_power + 1):
            if j:
                power = Wm * power
            if j in lags:
                markov[j] = Dm * power
        if form == "outputs":
            total = sympy.zeros(model.d, m)
            for t in range(1, model.T + 1):
                total += markov[model.T - t + model.power_offset] * sym(X[t - 1])
            equations += _entries(total, sym(Y), "D \\sum_t W^{T-t" + ("+1" if model.power_offset else "") + "} B X_t = Y")
        else:
            for j in lags:
                equations += _entries(markov[j], sym(M[j]), f"D W^{{{j}}} B = M_{{{j}}}")
    else:
        names = list(model.matrix_shapes)
        letters = ["w"] if model.kind == "linear" else [f"w^{{({l})}}" for l in range(1, len(names) + 1)]
        layers = [builder.weights(name, letter) for name, letter in zip(names, letters)]
        n0 = model.input_shape(1)[0]
        if form == "outputs":
            X = builder.matrix("X", (n0, m), "input", "x", "x")
            target = builder.matrix("Y", (model.output_dim, m), "target", "y", "y")
        else:
            target = builder.matrix("P", (model.output_dim, n0), "target", "p", "p")
        values = exprs_of(tuple(builder.table.atoms))
        sym = lambda ids: sympy.Matrix(ids.shape[0], ids.shape[1], [values[k] for k in ids.ravel()])  # noqa: E731
        product = sym(layers[0])
        for layer in layers[1:]:
            product = sym(layer) * product
        name = "W" if model.kind == "linear" else " ".join(f"W_{{{l}}}" for l in range(len(names), 0, -1))
        if form == "outputs":
            equations += _entries(product * sym(X), sym(target), f"{name} X = Y")
        else:
            equations += _entries(product, sym(target), f"{name} = P")
    return tuple(builder.table.atoms), equations


def _entries(lhs: sympy.Matrix, rhs: sympy.Matrix, group: str) -> list[tuple]:
    return [
        (sympy.expand(lhs[i, j]), rhs[i, j], group)
        for i in range(lhs.shape[0])
        for j in range(lhs.shape[1])
    ]
