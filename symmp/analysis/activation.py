"""Verdicts for networks with an activation (``relu`` models).

THEORY.md's Facts 1 and 2 are about polynomial maps. For Y = D act(W X) they
carry over only in part, and symmp claims no more than can be proved:

- Only D learnable: each trial is affine in D with feature matrix
  A = act(W X) (the student's fixed W). Output row o can reach every target
  row exactly when the learnable columns L_o of D row o select features
  A[L_o, :] of rank m, so when the teacher's outputs fill all of R^{d x m}
  (rho_full = d*m):

  * some row has fewer than m learnable entries (or none): the student's
    row then lies in an affine subspace of dimension < m, which the
    teacher's row hits only when the teacher's own features act(W* X) have
    rank < m. For ``tanh`` and ``sigmoid`` that has probability 0 and MP = 0
    (``minimal``). For ``relu`` and ``leaky_relu`` it has positive
    probability (for ReLU, teacher and student with every unit inactive
    on every sample both output 0), so MP is positive but at most that
    probability: ``undecided``, never a false MP = 0;
  * every row has at least m: for ``tanh`` and ``sigmoid`` det A[L_o, :m] is
    a real-analytic function of (W, X); one point where an interval
    (python-flint ``arb``) evaluation excludes zero proves it is not
    identically zero, hence nonzero almost surely, and MP = 1 (``maximal``).
    For ``relu`` MP < 1 strictly: with positive probability every unit of
    L_o is inactive on some sample, and that column of A[L_o, :] vanishes
    (so Fact 2's "MP is 0 or 1" fails here). For ``leaky_relu`` the
    features can be rank deficient with positive probability too
    (e.g. all units active gives W X of rank <= n0). Both ``undecided``
    (MP < 1 is argued, MP > 0 is not proved by a witness):
    every trial is still decided exactly by least squares.

- Anything else: ``undecided``; ranks at a slope pattern are reported,
  not used to decide.

Deeper chains (``relu2``: Y = D act(W2 act(W1 X))) get the same rules with
the composed features A = act(W2 act(W1 X)) in place of act(W X): "only D"
means last layer only, and both certificates (the features' rank for a short
row, the feature determinants for full rows) evaluate the composed features
in ball arithmetic. A short row is called ``minimal`` only when that
evaluation proves the teacher's features have rank m almost surely.

Examples
--------
>>> from symmp import Allocation, ShallowReLU
>>> model = ShallowReLU(n0=3, h=4, d=1, activation="tanh")
>>> allocation = Allocation.in_rows(model, "D", [0], k=3, m=3)
>>> nonpolynomial_verdict(allocation, target_rank=3, target_certified=True, seed=0)[0]
'maximal'
"""

from __future__ import annotations

import flint
import numpy as np

from ..allocation import Allocation
from ..models import ACTIVATIONS

__all__ = ["nonpolynomial_verdict", "analytic_features_certificate"]

#: the analytic activations and their ball versions (from the one table in models/)
_ARB_ACTIVATIONS = {name: a.ball for name, a in ACTIVATIONS.items() if a.analytic}


def _hidden_names(model) -> list[str]:
    """The matrices applied before the last one (D): ``W``, or ``W1``, ``W2``."""
    return list(model.matrix_shapes)[:-1]


def analytic_features_certificate(
    allocation: Allocation, rows: dict[int, list[int]], seed: int, attempts: int = 3
) -> bool:
    """Prove det A[L_o[:m], :] is not identically zero for every row o.

    A = act(W X), or the composed act(W2 act(W1 X)) for ``relu2``. Evaluates
    the features in ball arithmetic at random points; True when, at one
    point, every determinant's ball excludes zero (a row with fewer than m
    units can never be certified).
    """
    model = allocation.model
    m = allocation.m
    if any(len(units) < m for units in rows.values()):
        return False
    act = _ARB_ACTIVATIONS[model.activation]
    shapes = model.matrix_shapes
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xA7B]))
    for _ in range(attempts):
        layers = [
            rng.standard_normal(shapes[name]) / np.sqrt(shapes[name][1]) for name in _hidden_names(model)
        ]
        inputs = rng.standard_normal(model.input_shape(m))
        features = [[flint.arb(float(x)) for x in row] for row in inputs]  # (n0, m)
        for weights in layers:
            arb_w = [[flint.arb(float(x)) for x in row] for row in weights]
            features = [
                [act(sum((w_ik * features[k][s] for k, w_ik in enumerate(w_i)), flint.arb(0))) for s in range(m)]
                for w_i in arb_w
            ]
        ok = True
        for units in rows.values():
            matrix = flint.arb_mat([features[i] for i in units[:m]])
            if matrix.det().contains(0):
                ok = False
                break
        if ok:
            return True
    return False


def nonpolynomial_verdict(
    allocation: Allocation, *, target_rank: int, target_certified: bool, seed: int
) -> tuple[str, str, list[str]]:
    """(verdict, certificate, reasons) for a model with an activation; see module doc."""
    model = allocation.model
    d, m = model.output_dim, allocation.m
    if set(allocation.matrices) != {"D"}:
        hidden = " and ".join(name for name in _hidden_names(model) if name in allocation.matrices)
        verb = "are" if " and " in hidden else "is"
        return (
            "undecided",
            f"none: {hidden} {verb} learnable, the outputs are not polynomial",
            [
                f"{hidden} {verb} learnable behind the activation: the ranks above are measured at one "
                "slope pattern and are reported, not used to decide; estimate MP numerically",
            ],
        )
    rows = {o: [j for (_, i, j) in allocation.ordered_entries if i == o] for o in range(d)}
    if not (target_certified and target_rank == d * m):
        return (
            "undecided",
            "none: rho_full < d*m",
            [
                f"only D is learnable (affine per trial), but rho_full = {target_rank} < d*m = {d * m} "
                "is not certified full, so no certificate applies; each trial is decided exactly by "
                "least squares",
            ],
        )
    short = {o: len(units) for o, units in rows.items() if len(units) < m}
    if short:
        o, count = next(iter(short.items()))
        reach = (
            f"row {o} of D holds {count} learnable weight{'s' if count != 1 else ''} but output "
            f"row {o} needs {m}: the student's row {o} lies in an affine subspace of dimension "
            f"{count} < {m} for every activation pattern"
        )
        features_rank_m = model.activation in _ARB_ACTIVATIONS and analytic_features_certificate(
            allocation, {o: list(range(model.matrix_shapes["D"][1]))}, seed
        )
        if features_rank_m:
            return (
                "minimal",
                "Fact 1 (dimension): analytic features",
                [
                    reach + f", and the teacher's {model.activation} features have rank {m} almost "
                    "surely (an interval evaluation proves an m x m minor nonzero at one point), "
                    f"so its row {o} has a density in R^{m}: MP = 0",
                ],
            )
        if model.activation in _ARB_ACTIVATIONS:
            return (
                "undecided",
                "none: the teacher's features could not be certified of rank m",
                [
                    reach + f"; MP = 0 would follow if the teacher's {model.activation} features had "
                    f"rank {m} almost surely, but the interval evaluation did not prove it (the last "
                    f"hidden layer has {model.matrix_shapes['D'][1]} units); estimate MP numerically",
                ],
            )
        return (
            "undecided",
            f"none: {model.activation} features can lose rank with positive probability",
            [
                reach + f"; a match needs the teacher's {model.activation} features to have rank < {m} "
                "(for instance every hidden unit inactive on some sample), an event of small but "
                "positive probability, so MP is small but not 0",
            ],
        )
    if model.activation in _ARB_ACTIVATIONS:
        if analytic_features_certificate(allocation, rows, seed):
            return (
                "maximal",
                f"Fact 2 (affine) with analytic features: {model.activation}",
                [
                    f"only D is learnable and every row of D holds >= m = {m} learnable weights; the "
                    f"features {model.activation}(W X) are real-analytic and an interval evaluation "
                    "(arb balls) proves each needed m x m feature determinant nonzero at one point, "
                    "so it is nonzero almost surely: MP = 1",
                ],
            )
        return (
            "undecided",
            "none: the feature determinant could not be certified",
            ["the interval evaluation did not exclude zero; estimate MP numerically"],
        )
    why = (
        "with positive probability every learnable unit of a row is inactive on some sample, "
        "which zeroes a column of its features: MP < 1 strictly"
        if model.activation == "relu"
        else "its piecewise-linear features can be rank deficient with positive probability "
        "(e.g. all units active makes them a linear map of X, of rank <= n0)"
    )
    return (
        "undecided",
        f"none: Fact 2 does not apply to {model.activation} features",
        [
            f"only D is learnable, so each trial is affine and decided exactly by least squares, but "
            f"for {model.activation} {why}; estimate MP from exact per-trial verdicts",
        ],
    )
