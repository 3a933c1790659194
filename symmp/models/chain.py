"""Products of matrices ``Y = W_L ... W_1 X``: the algebra the linear estimator
(L = 1) and the linear feed-forward network share.

:class:`ProductChain` gives a model whose matrices, in model order, are
``W_1 .. W_L`` its reduced form (the end-to-end product ``P``, THEORY.md
section 5) and its lifted system: right lifting ``F_l = W_l F_(l-1)`` from
``F_0 = X`` (or from ``W_1`` in the product form), left lifting
``G_l = G_(l+1) W_(l+1)`` from ``G_(L-1) = W_L``.

Examples
--------
>>> import numpy as np
>>> from symmp.models import LFFN
>>> w = {"W1": np.array([[1.0, 2.0]]), "W2": np.array([[3.0]])}
>>> LFFN([2, 1, 1]).reduced_targets(w)["P"]
array([[3., 6.]])
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ..arithmetic import FLOAT, Arithmetic

__all__ = ["ProductChain"]


class ProductChain:
    """Mixin for models ``Y = W_L ... W_1 X`` (matrices listed W_1 first)."""

    reduced_form = "product"

    def coefficient_names(self) -> list[str]:
        return ["P"]

    def end_to_end(self, weights: Mapping[str, np.ndarray], ar: Arithmetic = FLOAT) -> np.ndarray:
        """``P = W_L ... W_1``, multiplied from W_1 on."""
        names = list(self.matrix_shapes)
        product = weights[names[0]]
        for name in names[1:]:
            product = ar.matmul(weights[name], product)
        return product

    def reduced_targets(self, weights, ar: Arithmetic = FLOAT) -> dict:
        return {"P": self.end_to_end(weights, ar)}

    def unlifted_monomials(self, m: int, form: str) -> int:
        # each entry of W_L ... W_1 sums prod(inner widths) monomials
        widths = self.input_shape(1)[:1] + tuple(shape[0] for shape in self.matrix_shapes.values())
        reduced = math.prod(widths[1:-1]) * widths[0] * self.output_dim
        return reduced * m if form == "outputs" else reduced

    def write_system(self, writer, form: str) -> None:
        """``W_L ... W_1 X = Y`` (outputs) or ``W_L ... W_1 = P`` (product)."""
        m = writer.m
        names = list(self.matrix_shapes)
        layers = [writer.weights(name) for name in names]
        L = len(layers)
        n0, d = self.input_shape(1)[0], self.output_dim
        product = " ".join(writer.label(name) for name in reversed(names))
        X = writer.input("X", (n0, m)) if form == "outputs" else None
        if writer.lifting is None:  # unlifted: the product expanded, from W_1 on
            target = writer.target("Y", (d, m)) if X is not None else writer.target("P", (d, n0))
            out = layers[0]
            for layer in layers[1:]:
                out = writer.matmul(layer, out)
            if X is not None:
                writer.equate(writer.matmul(out, X), target, f"{product} X = Y")
            else:
                writer.equate(out, target, f"{product} = P")
            return
        if writer.lifting == "right":
            # current = F_l; F_0 = X, or the identity (then F_1 = W_1)
            current = writer.start(layers[0]) if X is None else writer.matmul(layers[0], writer.start(X))
            for l in range(1, L):
                if X is not None or l > 1:
                    below = "X" if l == 1 else (writer.label(names[0]) if X is None and l == 2 else f"F_{{{l - 1}}}")
                    current = writer.auxiliary(f"F{l}", current, f"F_{{{l}}} = {writer.label(names[l - 1])} {below}")
                current = writer.matmul(layers[l], current)
            out = current
        else:
            # G_(L-1) = W_L, G_l = G_(l+1) W_(l+1)
            current = writer.start(layers[-1])
            for l in range(L - 2, 0, -1):
                current = writer.matmul(current, layers[l])
                above = f"G_{{{l + 1}}}" if l + 1 < L - 1 else writer.label(names[-1])
                current = writer.auxiliary(f"G{l}", current, f"G_{{{l}}} = {above} {writer.label(names[l])}")
            out = writer.matmul(current, layers[0]) if L > 1 else writer.start(layers[0])
            if X is not None:
                out = writer.matmul(out, X)
        if X is not None:
            writer.equate(out, writer.target("Y", (d, m)), f"{product} X = Y")
        else:
            writer.equate(out, writer.target("P", (d, n0)), f"{product} = P")
