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
    result = verify(THEOREMS[key], trials=2, seed=3)
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
    assert main(["theorems", "--only", "linear-estimator", "--trials", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["holds"] is True and out["theorems"][0]["instances_checked"] == 3
    assert main(["theorems", "--only", "no-such-theorem"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown theorem 'no-such-theorem'")
    assert main(["theorems", "--trials", "0"]) == 2
