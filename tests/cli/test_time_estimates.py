"""Runs that would take hours are refused up front, in seconds, with one line (issues 17, 18)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPECS = {
    "lrnn_T": {"model": "lrnn", "dims": {"n": 2, "b": 1, "d": 1, "T": 10**5}, "m": 2,
               "learnable": {"W": [[0, 0], [1, 1]]}},
    "relu2_h1": {"model": "relu2", "dims": {"n0": 3, "h1": 10**6, "h2": 3, "d": 1}, "m": 3,
                 "learnable": {"W1": [[0, 0]], "D": [[0, 0], [0, 1], [0, 2]]}},
    "lffn_deep": {"model": "lffn", "dims": {"widths": [2] * 2001}, "m": 2,
                  "learnable": {"W1": [[0, 0]]}},
    "lrnn_300": {"model": "lrnn", "dims": {"n": 300, "b": 1, "d": 1, "T": 2}, "m": 2,
                 "learnable": {"W": [[0, 0], [0, 1]]}},
}
CASES = [
    ("classify", "lrnn_T"), ("mp", "lrnn_T", "--trials", "2"), ("classify", "relu2_h1"),
    ("mp", "relu2_h1", "--trials", "2"), ("classify", "lffn_deep"),
    ("latex", "--lifted", "lrnn_300"),
    ("classify", "examples/specs/lrnn_diagonal.json", "--points", str(10**7)),
    ("mp", "examples/specs/relu_distributed.json", "--solver", "adahessian", "--max-iter",
     str(10**12)),
    ("mp", "examples/specs/lrnn_spread_k4.json", "--trials", str(10**12)),
    ("mp", "examples/specs/lrnn_spread_k4.json", "--solver", "newton", "--starts", str(10**9)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: "-".join(case)[:60])
def test_a_run_of_hours_is_refused_in_seconds_with_one_line(tmp_path, case):
    argv = []
    for word in case:
        if word in SPECS:
            path = tmp_path / f"{word}.json"
            path.write_text(json.dumps(SPECS[word]))
            word = str(path)
        argv.append(word)
    if argv[0] in ("mp",):
        argv.append("--no-store")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "symmp", *argv], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert time.perf_counter() - started < 20
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    assert "would take about" in done.stderr and "--yes" in done.stderr
