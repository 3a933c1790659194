"""Systems of non-polynomial networks whose learnables all sit in the read-out D.

A ReLU network (``relu``, ``relu2``) is not polynomial in its weights, but
with only D learnable its outputs are ``Y = D Phi``, where the *features*
``Phi`` (the last hidden layer on the m samples) are computed from the
fixed weights and the inputs alone: the system is linear in the learnables
(THEORY.md section 3, Fact 2 and the ReLU remark there).
:func:`symmp.systems.build_system` lists such allocations through
:func:`build_readout`; :func:`is_readout_allocation` says when it applies.

Examples
--------
>>> from symmp import Allocation, ShallowReLU
>>> a = Allocation.from_entries(ShallowReLU(n0=2, h=2, d=1), [("D", 0, 0)], m=2)
>>> atoms, equations = build_readout(a)
>>> equations[0]
(y_0_0, d_0_0*phi_0_0 + dbar_0_1*phi_1_0, 'D \\\\Phi = Y')
"""

from __future__ import annotations

import numpy as np
import sympy

from ..allocation import Allocation
from ..errors import SpecError
from .instance import Instance
from .terms import Atom, AtomTable

__all__ = ["build_readout", "is_readout_allocation", "readout_features", "READOUT", "FEATURES"]

#: the read-out matrix: the outputs are ``READOUT @ features``
READOUT = "D"
#: source name of the feature atoms
FEATURES = "Phi"


def is_readout_allocation(allocation: Allocation) -> bool:
    """True for a non-polynomial model whose learnables all lie in its read-out D."""
    model = allocation.model
    return (not model.polynomial and READOUT in model.matrix_shapes
            and set(allocation.matrices) <= {READOUT})


def readout_features(model, weights: dict[str, np.ndarray], inputs: np.ndarray) -> np.ndarray:
    """The features ``Phi`` (hidden width x m) with ``forward = D @ Phi``: the
    forward pass with the identity as read-out.

    Raises
    ------
    SpecError
        When the model's outputs are not its read-out times these features.
    """
    width = model.matrix_shapes[READOUT][1]
    features = np.asarray(model.forward({**weights, READOUT: np.eye(width)}, inputs), dtype=float)
    outputs = np.asarray(model.forward(weights, inputs), dtype=float)
    if not np.allclose(weights[READOUT] @ features, outputs, rtol=1e-9, atol=1e-12):
        raise SpecError(f"model {model.kind!r}: the outputs are not D times features; no read-out system")
    return features


def build_readout(allocation: Allocation, values: Instance | None = None) -> tuple[tuple[Atom, ...], list[tuple]]:
    """Atoms and ``(lhs, rhs, group)`` equations of ``D Phi = Y`` for a read-out
    allocation (linear in the learnables).

    Parameters
    ----------
    allocation : Allocation
        A non-polynomial model (relu, relu2) with learnables in D only.
    values : Instance, optional
        Numbers for the fixed entries of D, the features (from the student's
        fixed weights and the inputs) and the targets (the teacher's
        outputs); None keeps them symbolic.

    Returns
    -------
    atoms : tuple of Atom
        The entries of D, the features ``phi`` (kind ``"input"``, source
        ``"Phi"``) and the targets ``y``.
    equations : list of (lhs, rhs, group)
        One per output entry: ``y_{i,s} = sum_k d_{i,k} phi_{k,s}``.
    """
    if not is_readout_allocation(allocation):
        raise SpecError(f"a read-out system needs a non-polynomial model with learnables in {READOUT} only")
    model, m = allocation.model, allocation.m
    d, width = model.matrix_shapes[READOUT]
    table = AtomTable()
    mask = allocation.mask(READOUT)
    D = np.empty((d, width), dtype=np.int64)
    for i in range(d):
        for k in range(width):
            kind, name, latex = (("learnable", f"d_{i}_{k}", f"d_{{{i},{k}}}") if mask[i, k]
                                 else ("fixed", f"dbar_{i}_{k}", rf"\bar{{d}}_{{{i},{k}}}"))
            D[i, k] = table.add(kind, READOUT, i, k, name, latex)
    Phi = table.matrix(FEATURES, (width, m), "input", "phi", r"\varphi")
    Y = table.matrix("Y", (d, m), "target", "y", "y")
    known: dict[int, float] = {}
    if values is not None:
        features = readout_features(model, values.fixed, values.inputs)
        targets = np.asarray(model.forward(values.teacher, values.inputs), dtype=float)
        known.update({int(D[i, k]): values.fixed[READOUT][i, k] for i in range(d) for k in range(width) if not mask[i, k]})
        known.update({int(Phi[k, s]): features[k, s] for k in range(width) for s in range(m)})
        known.update({int(Y[i, s]): targets[i, s] for i in range(d) for s in range(m)})
    atoms = tuple(table.atoms)

    def expr(a: int):
        return sympy.Float(float(known[a])) if a in known else sympy.Symbol(atoms[a].name)

    group = rf"{READOUT} \Phi = Y"
    equations = [
        (expr(int(Y[i, s])), sympy.Add(*(expr(int(D[i, k])) * expr(int(Phi[k, s])) for k in range(width))), group)
        for i in range(d)
        for s in range(m)
    ]
    return atoms, equations
