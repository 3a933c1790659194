"""``exact-relu``: hand-computed MPs, a brute force over every pattern, least squares for D-only."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from scipy.optimize import linprog

import symmp.numeric  # noqa: F401  (registers the solvers)
from symmp import Allocation, ShallowReLU
from symmp.cli import main
from symmp.numeric import estimate_mp, wilson_interval
from symmp.numeric.relu.exact import Layer, solve_layer
from symmp.numeric.sampling import draw_trials
from symmp.numeric.solvers import SOLVERS, SolverOptions
from symmp.numeric.solvers.auto import resolve_solver
from symmp.numeric.solvers.exact_relu import exact_layer


def _mp(allocation: Allocation, trials: int, seed: int = 0) -> tuple[int, int]:
    outcomes = SOLVERS["exact-relu"](allocation, draw_trials(allocation, seed, range(trials)), SolverOptions())
    assert all(o.proved for o in outcomes)
    return sum(o.matched for o in outcomes), trials


def _contains(value: float, matches: int, trials: int) -> bool:
    low, high = wilson_interval(matches, trials, z=3.3)  # 99.9%
    return low <= value <= high


def test_no_learnables_matches_only_when_both_are_silent():
    # h units, one sample: teacher and student outputs agree iff both are 0: (1/2^h)^2
    rng = np.random.default_rng(5)
    h, hits, n = 2, 0, 4000
    for _ in range(n):
        w, d, x = rng.standard_normal((h, 1)), rng.standard_normal((1, h)), rng.standard_normal((1, 1))
        target = rng.standard_normal((1, h)) @ np.maximum(rng.standard_normal((h, 1)) @ x, 0)
        layer = Layer(w, d, x, target, np.zeros((h, 1), bool), np.zeros((1, h), bool), 0.0)
        hits += solve_layer(layer, tol=1e-9, limit=10).status == "match"
    assert _contains(1 / 16, hits, n)


def test_one_w_entry_three_quarters():
    # y* = D* relu(w* x), student D relu(u x): a match iff y* = 0 (1/2) or sign y* = sign D (1/4)
    allocation = Allocation.from_entries(ShallowReLU(1, 1, 1), [("W", 0, 0)], m=1)
    assert _contains(0.75, *_mp(allocation, 1500))


def test_fully_learnable_row_five_eighths():
    # n0 = m = 2, one unit with its whole W row learnable: the student reaches D q, q >= 0, so a
    # match iff the teacher is silent on both samples (probability 1/4: the angle between two
    # Gaussian vectors is uniform) or sign D* = sign D: 1/4 + 3/4 * 1/2 = 5/8
    allocation = Allocation.from_entries(ShallowReLU(2, 1, 1), [("W", 0, 0), ("W", 0, 1)], m=2)
    assert _contains(5 / 8, *_mp(allocation, 1500))


def test_d_only_three_quarters():
    # D learnable: a match iff the student's unit is active (1/2) or y* = 0 (1/4)
    allocation = Allocation.from_entries(ShallowReLU(1, 1, 1), [("D", 0, 0)], m=1)
    assert _contains(0.75, *_mp(allocation, 1500))


def test_d_only_agrees_with_least_squares():
    model = ShallowReLU(2, 3, 2)
    allocation = Allocation.from_entries(model, [("D", 0, 0), ("D", 0, 2), ("D", 1, 1), ("D", 1, 0)], m=2)
    trials = draw_trials(allocation, 4, range(300))
    exact = SOLVERS["exact-relu"](allocation, trials, SolverOptions())
    linear = SOLVERS["linear"](allocation, trials, SolverOptions())
    assert [o.matched for o in exact] == [o.matched for o in linear]
    assert 0 < sum(o.matched for o in exact) < 300


# ------------------------------------------------------------------ brute force
def _brute(layer: Layer) -> bool:
    """Every one of the 2^(m x units) patterns of the units with learnable W rows (and, for
    d = 1 units with learnable D too, both signs and D = 0), each decided by one HiGHS LP in the
    original unknowns; no cells, null spaces or shortcuts."""
    w, d, x, y, lw, ld, alpha = layer.W, layer.D, layer.X, layer.target, layer.learn_w, layer.learn_d, layer.alpha
    out_dim, h = d.shape
    m = x.shape[1]
    rows = [j for j in range(h) if lw[j].any()]
    act = layer.act
    options = []
    for j in rows:
        choices = [(p, None) for p in itertools.product([0, 1], repeat=m)]
        if ld[:, j].any():  # d = 1: sigma = +-1, and D = 0
            choices = [(p, s) for p in itertools.product([0, 1], repeat=m) for s in (1.0, -1.0)] + [(None, 0.0)]
        options.append(choices)
    for combo in itertools.product(*options):
        names, eq_rows, eq_rhs, ub_rows, ub_rhs, strict = [], [], [], [], [], []
        index = {}

        def var(key):
            if key not in index:
                index[key] = len(names)
                names.append(key)
            return index[key]

        # unknowns: ("u", j, l) W entries (or v = c u for split units), ("c", j), ("d", o, j)
        terms = [[{} for _ in range(m)] for _ in range(out_dim)]
        const = np.zeros((out_dim, m))
        for j in range(h):
            choice = combo[rows.index(j)] if j in rows else None
            if j not in rows:
                feat = act(w[j] @ x)
                for o in range(out_dim):
                    if ld[o, j]:
                        for s in range(m):
                            terms[o][s][var(("d", o, j))] = feat[s]
                    else:
                        const[o] += d[o, j] * feat
                continue
            pattern, sigma = choice
            if sigma == 0.0:
                continue
            cols = np.flatnonzero(lw[j])
            a = np.where(lw[j], 0.0, w[j]) @ x
            split = sigma is not None
            for s in range(m):
                slope = 1.0 if pattern[s] else alpha
                sign = 1.0 if pattern[s] else -1.0
                coeffs = {var(("u", j, int(l))): x[l, s] for l in cols}
                if split:
                    coeffs[var(("c", j))] = a[s]
                    strict.append(var(("c", j)))
                    base = 0.0
                else:
                    base = a[s]
                ub_rows.append({k: -sign * v for k, v in coeffs.items()})
                ub_rhs.append(sign * base)
                for o in range(out_dim):
                    factor = sigma * slope if split else d[o, j] * slope
                    for k, v in coeffs.items():
                        terms[o][s][k] = terms[o][s].get(k, 0.0) + factor * v
                    const[o, s] += factor * base if not split else 0.0
        n = len(names) + 1  # last: t, the smallest c (strict c > 0)
        a_eq = np.zeros((out_dim * m, n))
        for o in range(out_dim):
            for s in range(m):
                for k, v in terms[o][s].items():
                    a_eq[o * m + s, k] = v
        b_eq = (y - const).ravel()
        a_ub = np.zeros((len(ub_rows) + len(set(strict)), n))
        for r, row in enumerate(ub_rows):
            for k, v in row.items():
                a_ub[r, k] = v
        for r, k in enumerate(sorted(set(strict))):
            a_ub[len(ub_rows) + r, k] = -1.0
            a_ub[len(ub_rows) + r, -1] = 1.0
        b_ub = np.r_[ub_rhs, np.zeros(len(set(strict)))]
        cost = np.zeros(n)
        cost[-1] = -1.0 if strict else 0.0
        result = linprog(cost, A_ub=a_ub if len(b_ub) else None, b_ub=b_ub if len(b_ub) else None,
                         A_eq=a_eq, b_eq=b_eq, bounds=[(None, None)] * (n - 1) + [(None, 1.0)],
                         method="highs")
        if result.status == 0 and (not strict or -result.fun > 1e-7):
            return True
    return False


def _random_allocation(rng) -> Allocation:
    n0, h, d, m = int(rng.integers(1, 3)), int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 4))
    model = ShallowReLU(n0, h, d, activation=str(rng.choice(["relu", "leaky_relu"])))
    while True:
        lw = rng.random((h, n0)) < 0.4
        ld = rng.random((d, h)) < (0.3 if d == 1 else 0.2)
        if d >= 2:
            ld[:, lw.any(axis=1)] = False
        if (lw.any() or ld.any()) and lw.any(axis=1).sum() * m <= 6:
            break
    entries = [("W", int(i), int(j)) for i, j in zip(*np.nonzero(lw))]
    entries += [("D", int(i), int(j)) for i, j in zip(*np.nonzero(ld))]
    return Allocation.from_entries(model, entries, m)


def test_agrees_with_brute_force_on_tiny_allocations():
    rng = np.random.default_rng(11)
    checked = matched = 0
    for case in range(300):
        allocation = _random_allocation(rng)
        assert resolve_solver(allocation) in ("exact-relu", "linear")
        for trial in draw_trials(allocation, case, range(2)):
            outcome = SOLVERS["exact-relu"](allocation, [trial], SolverOptions())[0]
            assert outcome.proved, (allocation.to_spec(), trial.index)
            assert outcome.matched == _brute(exact_layer(allocation, trial)), (allocation.to_spec(), trial.index)
            checked += 1
            matched += outcome.matched
    assert checked == 600 and 0 < matched < checked


def test_auto_picks_exact_and_cli_mp_is_exact_and_worker_independent(tmp_path, capsys):
    spec = tmp_path / "w_only.json"
    spec.write_text(json.dumps({"model": "relu", "dims": {"n0": 3, "h": 4, "d": 1}, "m": 3,
                                "learnable": {"W": [[0, 0], [0, 1], [0, 2]]}}))
    results = []
    for workers in ("1", "2"):
        assert main(["mp", str(spec), "--trials", "1000", "--no-store", "--json", "--workers", workers]) == 0
        results.append(json.loads(capsys.readouterr().out))
    one, two = results
    assert one["method"] == "exact-relu" and one["lower_bound"] is False
    assert (one["mp"], one["matches"], one["proved"]) == (two["mp"], two["matches"], two["proved"]) 
    assert one["proved"] == 1000 and 0 < one["mp"] < 1
    assert one["seconds"] < 60


def test_over_the_limit_falls_back_and_says_so():
    allocation = Allocation.from_entries(ShallowReLU(2, 3, 1), [("W", 0, 0), ("W", 1, 1), ("W", 2, 0)], m=3)
    result = estimate_mp(allocation, trials=6, solver="exact-relu", solver_options={"max_combinations": 2},
                         max_iter=50, use_certificate=False)
    assert all(o.details.get("fallback") and o.method == "adahessian" for o in result.outcomes)
    assert "fell back to 'adahessian'" in result.note and "6 trials" in result.note


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_smooth_activations_keep_the_optimisers(activation):
    allocation = Allocation.from_entries(ShallowReLU(2, 3, 1, activation), [("W", 0, 0), ("W", 1, 1)], m=2)
    assert resolve_solver(allocation) == "adahessian"


@pytest.mark.parametrize("activation, entries", [
    ("leaky_relu", [("W", 0, 0), ("W", 0, 1), ("D", 0, 0)]),
    ("relu", [("W", 0, 0), ("W", 0, 1), ("D", 0, 0), ("W", 1, 1), ("W", 1, 2)]),
])
def test_free_units_certificate_maximal_and_every_trial_matches(activation, entries):
    from symmp import classify

    allocation = Allocation.from_entries(ShallowReLU(3, 3, 1, activation), entries, m=2)
    assert classify(allocation).verdict == "maximal"
    result = estimate_mp(allocation, trials=200, cross_check=True)
    assert result.method == "exact-relu" and result.matches == 200


def test_one_free_relu_unit_with_fixed_d_is_not_certified():
    from symmp import classify

    allocation = Allocation.from_entries(ShallowReLU(3, 3, 1), [("W", 0, 0), ("W", 0, 1)], m=2)
    assert classify(allocation).verdict != "maximal"
    result = estimate_mp(allocation, trials=200, use_certificate=False)
    assert 0 < result.mp < 1 and not result.lower_bound
