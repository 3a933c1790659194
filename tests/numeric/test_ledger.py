"""The run ledger: corrupt rows are reported with the file and row, the others kept;
the default place is announced once."""

from __future__ import annotations

import json
import sqlite3
import warnings
from contextlib import closing
from pathlib import Path

import pytest

from symmp.cli import main
from symmp.errors import SymmpWarning
from symmp.numeric.runs.ledger import Ledger
from symmp.numeric.solvers import TrialOutcome

SPEC = Path(__file__).resolve().parents[2] / "examples" / "specs" / "lrnn_diagonal.json"


def _outcomes(n):
    return [TrialOutcome(i, i % 2 == 0, False, 1e-12 * (i + 1), 3, "newton", {"k": i}) for i in range(n)]


def _corrupt(path, trial, column, value):
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(f"UPDATE trials SET {column} = ? WHERE trial = ?", (value, trial))


def test_corrupt_rows_are_reported_skipped_and_replaced(tmp_path):
    path = str(tmp_path / "runs.sqlite")
    with Ledger(path) as ledger:
        key = ledger.register({"spec": {}, "seed": 0})
        ledger.record(key, _outcomes(6))
    _corrupt(path, 1, "details", "{not json")
    _corrupt(path, 4, "starts", "three")
    with Ledger(path) as ledger:
        with pytest.warns(SymmpWarning) as caught:
            done = ledger.finished(key, range(6))
        assert sorted(done) == [0, 2, 3, 5]  # the other rows are not lost
        assert done[3] == _outcomes(6)[3]
        message = str(caught[0].message)
        assert len(caught) == 1 and path in message and "2 unreadable row(s)" in message
        assert "trial 1" in message and "not valid JSON" in message
        assert "trial 4" in message and "'three', not an integer" in message
        ledger.record(key, [o for o in _outcomes(6) if o.index in (1, 4)])  # recomputed
    with Ledger(path) as ledger, warnings.catch_warnings():
        warnings.simplefilter("error", SymmpWarning)
        assert ledger.finished(key, range(6)) == {o.index: o for o in _outcomes(6)}


def test_cli_reports_one_warning_line_and_gives_the_same_result(tmp_path, capsys):
    store = str(tmp_path / "runs.sqlite")
    argv = ["mp", str(SPEC), "--trials", "40", "--batch", "10", "--seed", "1", "--json", "--quiet",
            "--cross-check", "--store", store]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    _corrupt(store, 7, "details", "][")
    _corrupt(store, 8, "matched", "yes")
    assert main(argv) == 0
    captured = capsys.readouterr()
    again = json.loads(captured.out)
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: run store") and store in lines[0]
    assert "trial 7" in lines[0] and "trial 8" in lines[0]
    assert (again["mp"], again["matches"], again["reused"]) == (first["mp"], first["matches"], 38)
    assert main(argv) == 0
    assert capsys.readouterr().err == ""  # the recomputed rows replaced the corrupt ones
