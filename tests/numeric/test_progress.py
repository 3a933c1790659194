"""The progress bar changes nothing: same outcomes, same ledger key, with or without it."""

from __future__ import annotations

import pytest

import symmp.numeric  # noqa: F401  (every built-in solver registers on import)
from symmp.numeric import estimate_mp
from symmp.numeric.runs.ledger import Ledger
from symmp.numeric.runs.progress import MIN_STEP_TRIALS, STEPS_PER_CHUNK, Progress
from symmp.numeric.solvers import SOLVER_INFO
from symmp.numeric.solvers.checks import example_allocation

SOLVERS = sorted(set(SOLVER_INFO) - {"auto"})


def _run(allocation, name, progress, store=None):
    return estimate_mp(
        allocation, trials=6, seed=5, solver=name, batch=6, starts=2, use_certificate=False,
        progress=progress, store=store,
    )


@pytest.mark.parametrize("name", SOLVERS)
def test_bar_changes_no_outcome_and_no_ledger_key(name, tmp_path, capsys, monkeypatch):
    # one-trial sub-tasks, so the bar really cuts the 6-trial chunk
    monkeypatch.setattr("symmp.numeric.runs.progress.MIN_STEP_TRIALS", 1)
    allocation = example_allocation(name)
    quiet = _run(allocation, name, False, tmp_path / "a.sqlite")
    shown = _run(allocation, name, True, tmp_path / "b.sqlite")
    assert [o.to_dict() for o in quiet.outcomes] == [o.to_dict() for o in shown.outcomes]
    keys = []
    for path in ("a.sqlite", "b.sqlite"):
        with Ledger(tmp_path / path) as ledger:
            keys.append([row[0] for row in ledger._db.execute("SELECT key FROM runs")])
    assert keys[0] == keys[1] and len(keys[0]) == 1
    err = capsys.readouterr().err
    assert "6/6" in err and "trial" in err  # tqdm's count, rate and unit


def test_bar_moves_within_a_chunk():
    bar = Progress(total=1000, already=0, enabled=True)
    try:
        assert bar.step_size(10_000) == 10_000 // STEPS_PER_CHUNK
        assert bar.step_size(1000) == MIN_STEP_TRIALS  # no call below the fixed-cost floor
    finally:
        bar.close()
    assert Progress(total=1000, already=0, enabled=False).step_size(1000) == 1000
