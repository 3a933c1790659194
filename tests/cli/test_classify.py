"""``symmp classify``: JSON contract, readable output, and the error rule
(one ``error:`` line on stderr, exit 2, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from symmp.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "specs"
REQUIRED_KEYS = {
    "class", "verdict", "rank", "target_rank", "learnable", "affine", "certificate",
    "error_bound", "budgets", "waste", "flow_bound", "reasons",
}


def write(tmp_path, data, name="spec.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def run_main(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


LINEAR_2_2 = {"model": "linear", "dims": {"n": 4, "d": 2}, "m": 2,
              "learnable": {"W": [[0, 0], [0, 1], [1, 0], [1, 1]]}}


def test_json_has_every_key_and_is_one_object(tmp_path, capsys):
    status, out, err = run_main(capsys, "classify", write(tmp_path, LINEAR_2_2), "--json")
    assert status == 0 and err == ""
    decoder = json.JSONDecoder()
    data, end = decoder.raw_decode(out)
    assert out[end:].strip() == ""  # exactly one object
    assert REQUIRED_KEYS <= set(data)
    assert data["class"] == data["verdict"] == "maximal"  # "verdict" is the attribute's name
    assert (data["rank"], data["target_rank"], data["learnable"]) == (4, 4, 4)
    assert data["affine"] is True and isinstance(data["certificate"], str)
    assert data["error_bound"] == 0.0 and data["flow_bound"] == 4 and data["waste"] == []
    assert data["budgets"]["W"]["rows"] == [2, 2]
    assert all(isinstance(reason, str) for reason in data["reasons"])


@pytest.mark.parametrize(
    ("name", "verdict", "rank", "target"),
    [("linear_3_1.json", "minimal", 3, 4), ("lrnn_w_rows.json", "maximal", 8, 8)],
)
def test_example_specs(capsys, name, verdict, rank, target):
    status, out, _ = run_main(capsys, "classify", str(EXAMPLES / name), "--json", "--points", "2")
    data = json.loads(out)
    assert status == 0
    assert (data["class"], data["rank"], data["target_rank"]) == (verdict, rank, target)


def test_minimal_verdict_lists_waste(tmp_path, capsys):
    spec = dict(LINEAR_2_2, learnable={"W": [[0, 0], [0, 1], [0, 2], [0, 3]]})
    status, out, _ = run_main(capsys, "classify", write(tmp_path, spec), "--json")
    data = json.loads(out)
    assert data["class"] == "minimal" and data["rank"] == 2
    assert data["waste"] == [
        {"matrix": "W", "axis": "row", "index": 0, "learnable": 4, "budget": 2, "excess": 2}
    ]
    assert "row 0 of W holds 4 learnable weights but can supply only 2 equations" in data["reasons"]
    assert 0 < data["error_bound"] < 1e-6


def test_readable_output(tmp_path, capsys):
    status, out, err = run_main(capsys, "classify", write(tmp_path, LINEAR_2_2))
    assert status == 0 and err == ""
    assert out.startswith("class:        maximal")
    assert "rho_A = 4 of rho_full = 4" in out and "reasons:" in out


BAD_SPECS = {
    "malformed": {"model": "linear", "dims": {"n": 0, "d": 1}, "m": 1, "learnable": {"W": [[0, 0]]}},
    "invalid_json": "{not json",
    "memory": {"model": "lrnn", "dims": {"n": 100000, "b": 1, "d": 1, "T": 2}, "m": 1,
               "learnable": {"W": [[0, 0]]}},
    "empty": "",
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_spec_files(tmp_path, capsys, case):
    status, out, err = run_main(capsys, "classify", write(tmp_path, BAD_SPECS[case]))
    assert status == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["classify"],
        ["classify", "SPEC", "--jsn"],
        ["classify", "SPEC", "--points", "0"],
        ["classify", "SPEC", "--points", "-2"],
        ["classify", "SPEC", "--points", "two"],
        ["classify", "SPEC", "--points", "1.5"],
        ["classify", "/nonexistent/spec.json"],
    ],
)
def test_usage_errors(tmp_path, capsys, argv):
    argv = [write(tmp_path, LINEAR_2_2) if a == "SPEC" else a for a in argv]
    status, out, err = run_main(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err


def test_console_script_errors_have_no_traceback(tmp_path):
    # through a real process: stderr is exactly one error line
    bad = write(tmp_path, "[1, 2")
    cases = [["classify", bad], ["nope"]]  # the other cases run in-process above
    for argv in cases:
        done = subprocess.run([sys.executable, "-m", "symmp", *argv], capture_output=True, text=True)
        assert done.returncode == 2, argv
        assert done.stdout == ""
        assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
        assert "Traceback" not in done.stderr


def test_console_script_json(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "symmp", "classify", write(tmp_path, LINEAR_2_2), "--json"],
        capture_output=True, text=True,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert REQUIRED_KEYS <= set(json.loads(done.stdout))
