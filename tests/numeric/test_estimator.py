"""estimate_mp: determinism across executors, early stop, ledger, validation."""

from __future__ import annotations

import pytest

from symmp import LRNN, Allocation, SymmpError
from symmp.numeric import estimate_mp
from symmp.numeric.runs.ledger import Ledger, run_key
from symmp.numeric.result import wilson_interval

DIAGONAL = Allocation.from_entries(LRNN(2, 1, 1, 2), [("W", 0, 0), ("W", 1, 1)], m=2)
RUN = dict(trials=40, seed=3, solver="newton", starts=4, batch=7, use_certificate=False)


def _fingerprint(result):
    return [(o.index, o.matched, o.residual, o.starts, o.details) for o in result.outcomes]


def test_wilson_interval_reference_values():
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    lo, hi = wilson_interval(50, 100)
    assert abs(lo - 0.4038) < 1e-4 and abs(hi - 0.5962) < 1e-4


def test_same_seed_bit_identical_for_one_and_two_workers():
    one = estimate_mp(DIAGONAL, workers=1, **RUN)
    two = estimate_mp(DIAGONAL, workers=2, **RUN)
    assert _fingerprint(one) == _fingerprint(two)
    assert (one.mp, one.matches, one.trials) == (two.mp, two.matches, two.trials)
    other = estimate_mp(DIAGONAL, **{**RUN, "seed": 4})
    assert _fingerprint(other) != _fingerprint(one)


@pytest.fixture
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    client = distributed.Client(cluster)
    yield cluster
    client.close()
    cluster.close()


def test_same_seed_bit_identical_on_dask(dask_cluster):
    local = estimate_mp(DIAGONAL, **RUN)
    dask = estimate_mp(DIAGONAL, executor=f"dask:{dask_cluster.scheduler_address}", **RUN)
    assert _fingerprint(local) == _fingerprint(dask)


def test_early_stop_uses_a_prefix_of_whole_batches():
    full = estimate_mp(DIAGONAL, **{**RUN, "trials": 140})
    early = estimate_mp(DIAGONAL, target_halfwidth=0.15, **{**RUN, "trials": 140})
    assert early.stopped_early and early.trials % 7 == 0 and early.trials < 140
    lo, hi = early.ci95
    assert (hi - lo) / 2 <= 0.15
    assert _fingerprint(early) == _fingerprint(full)[: early.trials]


def test_early_stop_with_workers_keeps_every_finished_trial(tmp_path):
    """Batches that finish after the early stop is decided are still recorded."""
    import sqlite3

    store = tmp_path / "runs.sqlite"
    settings = {**RUN, "trials": 140, "batch": 2}
    early = estimate_mp(DIAGONAL, store=store, workers=2, target_halfwidth=0.3, **settings)
    assert early.stopped_early
    with sqlite3.connect(store) as db:
        stored = db.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
    # whatever the other worker had in hand when the stop was decided finished during
    # shutdown and was recorded, not dropped (usually a batch more than computed; how many
    # depends on timing, so only "nothing lost" is asserted)
    assert stored >= early.computed
    full = estimate_mp(DIAGONAL, store=store, workers=1, **settings)
    assert full.reused == stored and full.reused + full.computed == 140


def test_ledger_resumes_without_recomputing(tmp_path):
    store = tmp_path / "runs.sqlite"
    first = estimate_mp(DIAGONAL, store=store, **{**RUN, "trials": 21})
    assert (first.reused, first.computed) == (0, 21)
    more = estimate_mp(DIAGONAL, store=store, **RUN)
    assert (more.reused, more.computed) == (21, 19)
    again = estimate_mp(DIAGONAL, store=store, **RUN)
    assert (again.reused, again.computed) == (40, 0)
    fresh = estimate_mp(DIAGONAL, **RUN)
    assert _fingerprint(again) == _fingerprint(fresh)
    assert again.mp == fresh.mp


def test_ledger_keys_differ_with_settings(tmp_path):
    store = tmp_path / "runs.sqlite"
    estimate_mp(DIAGONAL, store=store, **RUN)
    other = estimate_mp(DIAGONAL, store=store, **{**RUN, "starts": 5})
    assert other.reused == 0
    assert run_key({"a": 1, "b": 2}) == run_key({"b": 2, "a": 1})
    with Ledger(store) as ledger:
        assert ledger.path == str(store)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"trials": 0}, "trials must be an integer >= 1"),
        ({"seed": -1}, "seed must be"),
        ({"starts": 2.5}, "starts must be"),
        ({"workers": 0}, "workers must be"),
        ({"solver": "magic"}, "unknown solver 'magic'"),
        ({"solver": "linear"}, "does not apply"),
        ({"executor": "spark"}, "executor must be"),
        ({"tol": 2.0}, "tol must be"),
        ({"target_halfwidth": 0.9}, "target_halfwidth must be"),
        ({"distribution": "cauchy"}, "distribution must be"),
        ({"solver_options": {"f": object()}}, "JSON-able"),
    ],
)
def test_malformed_options_are_one_line_errors(options, message):
    with pytest.raises(SymmpError, match=message) as info:
        estimate_mp(DIAGONAL, **{"trials": 5, "use_certificate": False, **options})
    assert "\n" not in str(info.value)


def test_result_to_dict_is_complete_and_honest():
    result = estimate_mp(DIAGONAL, **RUN)
    out = result.to_dict()
    for key in ("mp", "ci95", "trials", "matches", "method", "lower_bound", "seconds", "starts", "proved"):
        assert key in out
    assert out["interval"] == "wilson" and out["lower_bound"] is True and out["starts"] == 4
    assert "lower bound" in out["note"]
    assert len(result.to_dict(include_trials=True)["outcomes"]) == 40


def test_non_finite_residuals_keep_the_json_strict():
    import dataclasses
    import json

    result = estimate_mp(DIAGONAL, **{**RUN, "trials": 7})
    diverged = dataclasses.replace(result.outcomes[0], matched=False, residual=float("inf"))
    result = dataclasses.replace(result, outcomes=(diverged,) + result.outcomes[1:])
    out = result.to_dict(include_trials=True)
    json.dumps(out, allow_nan=False)  # raises on Infinity / NaN
    assert out["outcomes"][0]["residual"] is None
    summary = out["trial_summary"]["residual"]
    assert summary["count"] == 7 and summary["non_finite"] == 1


def test_note_does_not_call_numeric_matches_proved():
    rows = Allocation.spread(LRNN(2, 1, 1, 2), "W", r=2, K=1, m=2)
    result = estimate_mp(rows, **{**RUN, "trials": 10})
    assert result.mp == 1.0 and not result.lower_bound and result.proved == 0
    assert "proved by" not in result.note and "10 match verdicts are numeric" in result.note


def test_default_batch_is_the_solvers_own_and_shrinks_only_for_large_models(monkeypatch):
    from symmp import LFFN
    from symmp.numeric.estimator import BATCH_MEMORY, default_batch
    from symmp.numeric.solvers import GENERIC_DEFAULTS, VECTORISED_BATCH

    assert default_batch(DIAGONAL, "newton") == VECTORISED_BATCH
    assert default_batch(DIAGONAL, "fsolve") == GENERIC_DEFAULTS["batch"]
    assert estimate_mp(DIAGONAL, trials=3, solver="newton", use_certificate=False).settings["batch"] == VECTORISED_BATCH
    wide = LFFN([300, 300, 300])  # 90,000 equations at m = 300
    sizes = [default_batch(Allocation.in_rows(wide, "W1", rows=[0], k=k, m=300), "newton") for k in (1, 2, 4)]
    assert VECTORISED_BATCH > sizes[0] > sizes[1] > sizes[2] > 1  # more learnables, smaller tasks
    # 8 copies per trial of a Jacobian evaluation's arrays (Jacobian, weights, inputs) and, the
    # outputs being linear in W1, of the quadratic model's E x r x r Hessian
    per_trial = 8 * 8 * (90_000 * 2 + 180_000 + 300 * 300 + 90_000 * 2 * 2)
    assert sizes[1] == BATCH_MEMORY // per_trial
    monkeypatch.setenv("SYMMP_MEMORY_LIMIT_GB", "0.5")  # the machine's limit is not part of a run's identity
    assert default_batch(Allocation.in_rows(wide, "W1", rows=[0], k=2, m=300), "newton") == sizes[1]
    huge = Allocation.in_rows(wide, "W1", rows=range(50), k=300, m=300)  # a 90,000 x 15,000 Jacobian
    assert default_batch(huge, "newton") == 1
    # degree-2 outputs: the quadratic model's E x r x r Hessian counts too (all of W learnable)
    lrnn = LRNN(16, 2, 16, 2)
    dense = Allocation.from_masks(lrnn, {"W": [[1] * 16] * 16}, m=4)
    equations, r = 16 * 4, 256
    assert default_batch(dense, "newton") <= BATCH_MEMORY // (8 * 8 * equations * r * r)
    # "auto" is resolved first: its own (generic) default is 25, the family's solver's 1,000
    spread = Allocation.spread(LRNN(8, 2, 2, 2), "W", r=8, K=4, m=4)
    assert default_batch(spread, "auto") == default_batch(spread, "algebraic") == VECTORISED_BATCH


@pytest.mark.parametrize("bad", [{"trials": 0}, {"tol": 2.0}, {"starts": 0}, {"target_halfwidth": 0.9}])
def test_argument_errors_are_value_errors(bad):
    from symmp import LRNN, Allocation
    from symmp.errors import ParameterError

    allocation = Allocation.diagonal(LRNN(2, 1, 1, 2), "W", m=2)
    with pytest.raises(ValueError) as raised:
        estimate_mp(allocation, **{"trials": 5, **bad})
    assert isinstance(raised.value, ParameterError) and next(iter(bad)) in str(raised.value)
