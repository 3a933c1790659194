"""``symmp sweep``: a family of allocations to CSV/JSON and a plot."""

from __future__ import annotations

import csv
import json

import pytest

from symmp import __version__
from symmp.cli import main

LRNN_DIMS = '{"n": 4, "b": 1, "d": 1, "T": 2}'


def test_sweep_rows_csv_json_and_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    out_csv, plot = tmp_path / "sweep.csv", tmp_path / "sweep.png"
    status = main(["sweep", "--dims", LRNN_DIMS, "--trials", "20", "--starts", "3",
                   "--no-store", "--out", str(out_csv), "--plot", str(plot)])
    assert status == 0
    lines = out_csv.read_text().splitlines()
    comments = [line for line in lines if line.startswith("#")]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    assert [int(r["K"]) for r in rows] == [1, 2]  # r = d*T*b = 2 spread over K = 1..2 rows (K <= r)
    assert lines[: len(comments)] == comments  # the metadata leads, then the header row
    assert all(r["lower_bound"] in ("True", "False") for r in rows)
    meta = {line[2:].split(": ", 1)[0]: json.loads(line.split(": ", 1)[1]) for line in comments}
    assert (meta["model"], meta["dims"], meta["seed"], meta["trials"], meta["starts"]) == (
        "lrnn", json.loads(LRNN_DIMS), 0, 20, 3)
    assert meta["solver"] == "auto" and meta["symmp_version"] == __version__ and meta["m"] == 2
    assert plot.stat().st_size > 1000
    out = capsys.readouterr().out
    table = out.splitlines()
    assert "seed 0, solver auto, 20 trials" in table[0] and table[1].split()[-1] == "lower_bound"
    assert [line.split()[9] for line in table[3:5]] == [
        "yes" if r["lower_bound"] == "True" else "no" for r in rows]
    status = main(["sweep", "--dims", LRNN_DIMS, "--trials", "20", "--starts", "3", "--K", "1",
                   "--no-store", "--json", "--seed", "5", "--solver", "newton"])
    result = json.loads(capsys.readouterr().out)
    assert status == 0 and result["rows"][0]["K"] == 1 and 0 <= result["rows"][0]["mp"] <= 1
    assert (result["metadata"]["seed"], result["metadata"]["solver"], result["metadata"]["K"]) == (5, "newton", [1])


def test_sweep_csv_reads_cleanly_with_pandas(tmp_path, capsys):
    pandas = pytest.importorskip("pandas")
    out_csv = tmp_path / "sweep.csv"
    assert main(["sweep", "--dims", LRNN_DIMS, "--trials", "10", "--starts", "2", "--solver", "newton",
                 "--no-certificate", "--no-store", "--out", str(out_csv)]) == 0
    frame = pandas.read_csv(out_csv, comment="#")
    assert list(frame.columns)[:4] == ["K", "r", "m", "mp"] and list(frame["K"]) == [1, 2]
    assert frame["lower_bound"].dtype == bool and frame["trials"].tolist() == [10, 10]


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
