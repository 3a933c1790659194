"""Atoms and term tables: the fast internal form of a polynomial system.

Every quantity that appears in an equation is an *atom*: a learnable weight,
an auxiliary unknown (an entry of an F matrix), a fixed weight, an input, a
target, or the constant 1. An equation is a sum of terms ``coef * a1 * a2 *
a3`` over atom ids, stored as flat numpy arrays so that structure analysis and
numeric evaluation never go through sympy. :class:`Terms` builds these tables
matrix-wise (``F_j = W F_{j-1}`` becomes one call per product), so a lifted
system of a few thousand terms is assembled in milliseconds.

Examples
--------
>>> table = AtomTable()
>>> W = table.matrix("W", (2, 2), "learnable", "w", "w")
>>> F = table.matrix("F1", (2, 1), "auxiliary", "f", "f^{(1)}")
>>> product = Terms.from_atoms(W).matmul(F)
>>> product.shape, len(product.coef)
((2, 1), 4)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Atom", "AtomTable", "Terms", "ONE", "UNKNOWN_KINDS", "ATOM_KINDS"]

#: atom id of the constant 1 (pads terms with fewer factors)
ONE = 0
ATOM_KINDS = ("one", "learnable", "auxiliary", "fixed", "input", "target")
UNKNOWN_KINDS = ("learnable", "auxiliary")


@dataclass(frozen=True)
class Atom:
    """One named scalar of a system.

    ``source`` names where its value comes from: the weight matrix (``"W"``),
    the input block (``"X"``, ``"X1"``), the target block (``"Y"``, ``"M2"``,
    ``"P"``) or the auxiliary matrix (``"F3"``, ``"G1"``); ``row``/``col``
    index into it.
    """

    kind: str
    source: str
    row: int
    col: int
    name: str
    latex: str

    @property
    def unknown(self) -> bool:
        return self.kind in UNKNOWN_KINDS


class AtomTable:
    """The atoms of one system, numbered from 0 (the constant 1)."""

    def __init__(self) -> None:
        self.atoms: list[Atom] = [Atom("one", "", 0, 0, "1", "1")]

    def add(self, kind: str, source: str, row: int, col: int, name: str, latex: str) -> int:
        if kind not in ATOM_KINDS:
            raise ValueError(f"atom kind must be one of {ATOM_KINDS}, got {kind!r}")
        self.atoms.append(Atom(kind, source, row, col, name, latex))
        return len(self.atoms) - 1

    def matrix(
        self,
        source: str,
        shape: tuple[int, int],
        kind: str | np.ndarray,
        name: str,
        latex: str,
    ) -> np.ndarray:
        """A matrix of new atoms; ``kind`` may be an array of kinds per entry.

        Names are ``{name}_{i}_{j}`` and LaTeX ``{latex}_{i,j}``.
        """
        rows, cols = shape
        ids = np.empty(shape, dtype=np.int64)
        for i in range(rows):
            for j in range(cols):
                k = kind if isinstance(kind, str) else str(kind[i, j])
                ids[i, j] = self.add(k, source, i, j, f"{name}_{i}_{j}", f"{latex}_{{{i},{j}}}")
        return ids

    def __len__(self) -> int:
        return len(self.atoms)


@dataclass(frozen=True)
class Terms:
    """A matrix whose entries are sums of products of atoms.

    ``entry[k]`` is the flat (row-major) entry index of term ``k``,
    ``atoms[k]`` its factors (atom ids, padded with :data:`ONE`) and
    ``coef[k]`` its integer coefficient.
    """

    shape: tuple[int, int]
    entry: np.ndarray
    atoms: np.ndarray
    coef: np.ndarray

    @classmethod
    def from_atoms(cls, ids: np.ndarray) -> Terms:
        """Each entry is its own atom."""
        ids = np.asarray(ids, dtype=np.int64)
        count = ids.size
        return cls(ids.shape, np.arange(count), ids.reshape(count, 1), np.ones(count, dtype=np.int64))

    def matmul(self, right: np.ndarray) -> Terms:
        """``self @ right`` for an atom matrix ``right``."""
        right = np.asarray(right, dtype=np.int64)
        p, q = self.shape
        q2, s = right.shape
        if q != q2:
            raise ValueError(f"shape mismatch {self.shape} @ {right.shape}")
        row, inner = np.divmod(self.entry, q)
        j = np.arange(s)
        entry = (row[:, None] * s + j[None, :]).ravel()
        factor = right[inner][:, :]  # (N, s)
        atoms = np.concatenate(
            [np.repeat(self.atoms, s, axis=0), factor.reshape(-1, 1)], axis=1
        )
        return Terms((p, s), entry, atoms, np.repeat(self.coef, s))

    def rmatmul(self, left: np.ndarray) -> Terms:
        """``left @ self`` for an atom matrix ``left``."""
        left = np.asarray(left, dtype=np.int64)
        p, q = left.shape
        q2, s = self.shape
        if q != q2:
            raise ValueError(f"shape mismatch {left.shape} @ {self.shape}")
        inner, col = np.divmod(self.entry, s)
        i = np.arange(p)
        entry = (i[None, :] * s + col[:, None]).ravel()
        factor = left[:, inner].T  # (N, p)
        atoms = np.concatenate(
            [factor.reshape(-1, 1), np.repeat(self.atoms, p, axis=0)], axis=1
        )
        return Terms((p, s), entry, atoms, np.repeat(self.coef, p))

    def __add__(self, other: Terms) -> Terms:
        if self.shape != other.shape:
            raise ValueError(f"shape mismatch {self.shape} + {other.shape}")
        width = max(self.atoms.shape[1], other.atoms.shape[1])
        return Terms(
            self.shape,
            np.concatenate([self.entry, other.entry]),
            np.concatenate([_pad(self.atoms, width), _pad(other.atoms, width)]),
            np.concatenate([self.coef, other.coef]),
        )

    def __neg__(self) -> Terms:
        return Terms(self.shape, self.entry, self.atoms, -self.coef)


def _pad(atoms: np.ndarray, width: int) -> np.ndarray:
    if atoms.shape[1] == width:
        return atoms
    pad = np.full((atoms.shape[0], width - atoms.shape[1]), ONE, dtype=np.int64)
    return np.concatenate([atoms, pad], axis=1)
