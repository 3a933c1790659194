"""The experiment scripts in examples/ run and write a CSV with the per-point flags and a PNG."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {"model", "sizes", "seed", "solver", "method", "trials", "mp", "ci_low", "ci_high",
            "lower_bound", "proved_point"}

pytest.importorskip("matplotlib")


def run(name: str, tmp_path: Path, *args: str) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), "--out-dir", str(tmp_path), *args],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / f"{name}.png").stat().st_size > 5000
    rows = list(csv.DictReader(open(tmp_path / f"{name}.csv")))
    assert rows and REQUIRED <= set(rows[0])
    return rows


def test_linear_toy_proves_every_split(tmp_path):
    rows = run("linear_toy", tmp_path, "--trials", "10")
    proved = {row["split"]: float(row["mp"]) for row in rows if row["proved_point"] == "True"}
    assert proved == {"4 + 0": 0.0, "3 + 1": 0.0, "2 + 2": 1.0, "1 + 3": 0.0, "0 + 4": 0.0}
    trials = [row for row in rows if row["proved_point"] == "False"]
    assert all(row["lower_bound"] == "False" and int(row["trials"]) == 10 for row in trials)


def test_two_entry_rows_columns_proved_diagonals_estimated(tmp_path):
    rows = run("lrnn_two_entry", tmp_path, "--trials", "40")
    proved = {row["label"] for row in rows if row["proved_point"] == "True" and float(row["mp"]) == 1.0}
    assert proved == {"row 1", "row 2", "column 1", "column 2"}
    diagonal = [row for row in rows if row["label"] in ("diagonal", "anti-diagonal")]
    assert len(diagonal) == 2 and all(row["proved_point"] == "False" for row in diagonal)
    assert all(int(row["proved_trials"]) == 40 for row in diagonal)  # certified: every verdict proved


def test_predictor_example_prints_the_three_correlations(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "mp_predictor.py"), "--out-dir", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    header = next(line for line in done.stdout.splitlines() if line.startswith("Spearman"))
    assert "predictor" in header and "rows covered" in header and " r" in header
    assert (tmp_path / "mp_predictor.png").stat().st_size > 5000
