"""``symmp sweep``: a family of allocations to CSV/JSON and a plot."""

from __future__ import annotations

import csv
import json

import pytest

from symmp.cli import main

LRNN_DIMS = '{"n": 4, "b": 1, "d": 1, "T": 2}'


def test_sweep_rows_csv_json_and_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    out_csv, plot = tmp_path / "sweep.csv", tmp_path / "sweep.png"
    status = main(["sweep", "--dims", LRNN_DIMS, "--trials", "20", "--starts", "3",
                   "--no-store", "--out", str(out_csv), "--plot", str(plot)])
    assert status == 0
    rows = list(csv.DictReader(open(out_csv)))
    assert [int(r["K"]) for r in rows] == [1, 2]  # r = d*T*b = 2 spread over K = 1..2 rows (K <= r)
    assert plot.stat().st_size > 1000
    capsys.readouterr()
    status = main(["sweep", "--dims", LRNN_DIMS, "--trials", "20", "--starts", "3", "--K", "1",
                   "--no-store", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert status == 0 and result["rows"][0]["K"] == 1 and 0 <= result["rows"][0]["mp"] <= 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--dims", "{bad"], "--dims is not valid JSON"),
        (["--dims", LRNN_DIMS, "--K", "0"], "--K values must lie in"),
        (["--dims", LRNN_DIMS, "--K", "a,b"], "--K must be"),
        (["--dims", LRNN_DIMS, "--out", "x.txt"], "--out must end"),
        (["--dims", LRNN_DIMS, "--matrix", "Q"], "--matrix 'Q'"),
        (["--model", "lffn", "--dims", '{"widths": [2, 2]}', "--matrix", "W1"], "--r and --m are required"),
    ],
)
def test_sweep_errors_exit_2(capsys, argv, message):
    status = main(["sweep", "--no-store", "--trials", "2", *argv])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and message in err


def test_unwritable_out_fails_before_computing(capsys, tmp_path):
    missing = tmp_path / "no-such-dir" / "sweep.csv"
    status = main(["sweep", "--dims", LRNN_DIMS, "--trials", "5", "--no-store", "--out", str(missing)])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("error: --out") and err.count("\n") == 1
