"""``exact-relu`` on relu2 with W1 learnable alone: both layers' patterns, against a brute force."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog

import symmp.numeric  # noqa: F401  (registers the solvers)
from symmp import Allocation, classify
from symmp.models import DeepReLU2
from symmp.numeric import estimate_mp
from symmp.numeric.sampling import draw_trials
from symmp.numeric.solvers import SOLVERS, SolverOptions
from symmp.numeric.solvers.auto import resolve_solver


def _brute(allocation, trial) -> bool:
    """Every pattern of every learnable W1 row and of every second-layer unit, one HiGHS LP each in
    the learnable entries of W1: no cells, no pruning."""
    s, x, y = trial.student, trial.inputs, trial.targets
    w1, w2, d = s["W1"], s["W2"], s["D"]
    alpha = 0.0 if allocation.model.activation == "relu" else 0.01
    learn = allocation.mask("W1").astype(bool)
    rows = [j for j in range(w1.shape[0]) if learn[j].any()]
    keys = [(j, int(c)) for j in rows for c in np.flatnonzero(learn[j])]
    k, m, h2 = len(keys), x.shape[1], w2.shape[0]
    fixed = np.where(learn, 0.0, w1)
    act = np.where(w1 @ x > 0, w1 @ x, alpha * (w1 @ x))
    for p1 in itertools.product([0, 1], repeat=len(rows) * m):
        p1 = np.array(p1).reshape(len(rows), m)
        c1, coef1, ub, ubr = act.copy(), np.zeros((k, w1.shape[0], m)), [], []
        for r, j in enumerate(rows):
            slope = np.where(p1[r], 1.0, alpha)
            sign = np.where(p1[r], 1.0, -1.0)
            c1[j] = slope * (fixed[j] @ x)
            for i, (jj, c) in enumerate(keys):
                if jj == j:
                    coef1[i, j] = slope * x[c]
            for t in range(m):
                ub.append([-sign[t] * (x[c, t] if jj == j else 0.0) for jj, c in keys])
                ubr.append(sign[t] * (fixed[j] @ x[:, t]))
        c2, coef2 = w2 @ c1, np.einsum("ij,ljs->lis", w2, coef1)
        for p2 in itertools.product([0, 1], repeat=h2 * m):
            p2 = np.array(p2).reshape(h2, m)
            slope2, sign2 = np.where(p2, 1.0, alpha), np.where(p2, 1.0, -1.0)
            a_eq = np.einsum("oi,is,lis->osl", d, slope2, coef2).reshape(-1, k)
            b_eq = (y - np.einsum("oi,is,is->os", d, slope2, c2)).ravel()
            a_ub = np.vstack([np.array(ub).reshape(-1, k), -(sign2[None] * coef2).reshape(k, -1).T])
            b_ub = np.concatenate([ubr, (sign2 * c2).ravel()])
            res = linprog(np.zeros(k), A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                          bounds=[(None, None)] * k, method="highs")
            if res.status == 0:
                return True
    return False


def test_agrees_with_brute_force_and_is_picked_by_auto():
    rng = np.random.default_rng(41)
    checked = matched = 0
    for case in range(40):
        model = DeepReLU2(int(rng.integers(1, 3)), int(rng.integers(1, 4)), int(rng.integers(1, 3)), 1,
                          activation=str(rng.choice(["relu", "leaky_relu"])))
        m = int(rng.integers(1, 3))
        n0, h1 = model.matrix_shapes["W1"][1], model.matrix_shapes["W1"][0]
        cells = [(i, j) for i in range(h1) for j in range(n0)]
        pick = rng.choice(len(cells), size=int(rng.integers(1, min(3, len(cells)) + 1)), replace=False)
        entries = [("W1", *cells[i]) for i in pick]
        if len({i for _, i, _ in entries}) * m > 4:
            continue
        allocation = Allocation.from_entries(model, entries, m)
        assert resolve_solver(allocation) == "exact-relu"
        for trial in draw_trials(allocation, case, range(3)):
            outcome = SOLVERS["exact-relu"](allocation, [trial], SolverOptions())[0]
            assert outcome.proved, (allocation.to_spec(), trial.index)
            assert outcome.matched == _brute(allocation, trial), (allocation.to_spec(), trial.index)
            checked += 1
            matched += outcome.matched
    assert checked > 60 and 0 < matched < checked


def test_mp_is_exact_and_two_layers_stay_a_lower_bound():
    model = DeepReLU2(2, 3, 2, 1)
    w1 = Allocation.from_entries(model, [("W1", 0, 0), ("W1", 1, 1)], m=2)
    result = estimate_mp(w1, trials=100, use_certificate=False)
    assert result.method == "exact-relu" and not result.lower_bound and 0 < result.mp < 1
    assert classify(w1).verdict == "undecided"  # no witnesses for W1 (the rational route is one layer)
    mixed = Allocation.from_entries(model, [("W1", 0, 0), ("D", 0, 1)], m=2)
    assert resolve_solver(mixed) == "adahessian"
