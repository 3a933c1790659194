"""``symmp mp`` on a relu spec from examples/: an MP, its interval, and "lower bound"."""

from __future__ import annotations

import json
from pathlib import Path

from symmp.cli import main

SPEC = Path(__file__).resolve().parents[2] / "examples" / "specs" / "relu_distributed.json"
RELU_FLAGS = ["--starts", "1", "--tol", "1e-4", "--max-iter", "2000", "--no-store"]


def test_mp_on_relu_spec_reports_interval_and_lower_bound(capsys):
    assert main(["mp", str(SPEC), "--trials", "40", "--solver", "adahessian", *RELU_FLAGS]) == 0
    out = capsys.readouterr().out
    assert "MP = " in out and "95% CI" in out and "Wilson" in out
    assert "lower bound" in out and "adahessian" in out


def test_mp_relu_json_has_steps_and_final_losses(capsys):
    argv = ["mp", str(SPEC), "--trials", "30", "--solver", "adahessian", *RELU_FLAGS, "--json", "--trials-json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["lower_bound"] is True and result["method"] == "adahessian"
    low, high = result["ci95"]
    assert low <= result["mp"] <= high
    trials = result["outcomes"]
    assert len(trials) == 30
    for trial in trials:
        details = trial["details"]
        assert 0 <= details["steps"] <= 2000
        assert details["relative_loss"] >= 0
        assert trial["matched"] == (details["relative_loss"] <= 1e-8)


def test_first_order_solvers_selectable(capsys):
    for solver in ("adam", "gd"):
        assert main(["mp", str(SPEC), "--trials", "10", "--solver", solver, *RELU_FLAGS]) == 0
        assert solver in capsys.readouterr().out
