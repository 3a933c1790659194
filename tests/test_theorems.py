"""The paper's theorems, verified by the executable statements in theorems/."""

from __future__ import annotations

import json

import numpy as np
import pytest

from symmp import LRNN, Allocation
from symmp.cli import main
from symmp.numeric.sampling import draw_trial
from symmp.theorems import THEOREMS, verify
from symmp.theorems.constructions import (
    construction_residual,
    exact_match,
    refine,
    w_columns_construction,
    w_rows_construction,
)


@pytest.mark.parametrize("key", sorted(THEOREMS))
def test_every_theorem_holds_on_its_grid(key):
    result = verify(THEOREMS[key], trials=2, seed=3, grid="small")
    assert result.instances, "a theorem must be checked on at least one instance"
    failed = [c.to_dict() for c in result.instances if not c.holds]
    assert result.holds, failed


def test_w_rows_construction_matches_exactly_and_in_floating_point():
    allocation = Allocation.in_rows(LRNN(n=6, b=2, d=2, T=3), "W", [1, 4], k=6, m=6)
    for index in range(5):
        trial = draw_trial(allocation, seed=11, index=index)
        assert exact_match(allocation, trial, w_rows_construction(allocation, trial, exact=True))
        theta = refine(allocation, trial, w_rows_construction(allocation, trial))
        assert construction_residual(allocation, trial, theta) < 1e-9


def test_construction_fails_where_the_theorem_does_not_apply():
    # the same W-rows pattern in the standard convention cannot match D B X_T
    allocation = Allocation.in_rows(LRNN(n=5, b=2, d=2, T=2, convention="standard"), "W", [0, 1], k=4, m=4)
    trial = draw_trial(allocation, seed=0, index=0)
    assert not exact_match(allocation, trial, w_rows_construction(allocation, trial, exact=True))
    theta = w_rows_construction(allocation, trial)
    assert construction_residual(allocation, trial, theta) > 1e-3


def test_exact_match_rejects_perturbed_values():
    allocation = Allocation.in_columns(LRNN(n=5, b=2, d=2, T=2), "W", [0, 3], k=4, m=4)
    trial = draw_trial(allocation, seed=1, index=0)
    theta = w_columns_construction(allocation, trial, exact=True)
    assert exact_match(allocation, trial, theta)
    theta = theta.copy()
    theta[0] += np.ldexp(1.0, -40)
    assert not exact_match(allocation, trial, theta)


def test_cli_theorems_json_and_errors(capsys):
    assert main(["theorems", "verify", "Linear-Estimator", "--trials", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["holds"] is True and out["theorems"][0]["instances_checked"] == 3
    assert main(["theorems", "verify", "no-such-theorem"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown theorem 'no-such-theorem'")
    assert main(["theorems", "verify", "--size", "n=0"]) == 2


def test_cli_theorems_list_has_at_least_twelve_statements(capsys):
    assert main(["theorems", "list", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)["theorems"]
    assert len(items) >= 12 and all(item["statement"] and item["title"] for item in items)


def test_verify_user_sizes_and_inapplicable_sizes(capsys):
    assert main(["theorems", "verify", "w-rows", "--size", "n=7,b=2,d=3,T=3", "--trials", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["holds"] and out["theorems"][0]["instances_checked"] == 1
    # n < T*b: a one-line explanation, not a failure
    assert main(["theorems", "verify", "w-rows", "--size", "n=3,b=2,d=1,T=2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["theorems"] == [] and "needs n >= T*b" in out["not_applicable"][0]["reason"]


def test_near_misses_fail_as_expected_and_a_wrong_conclusion_is_caught():
    from symmp.theorems.base import Theorem, verify as run
    from symmp.theorems.checks import verdict_check

    theorem = THEOREMS["w-rows"]
    result = verify(theorem, trials=0)
    misses = [c for c in result.instances if c.near_miss]
    assert misses and all(c.holds and c.exact in ("MP = 0", "0 < MP < 1") for c in misses)
    # the same instances under a false conclusion (MP = 0) must fail: the check can fail
    wrong = Theorem(
        id="w-rows-wrong", title="", statement="", reference="", conclusion="MP = 0", hypotheses=None,
        instances=theorem.instances, check=lambda i, t, s: verdict_check(i, t, s, "MP = 0", empirical=False),
    )
    assert not run(wrong, trials=0).holds
