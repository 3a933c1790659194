"""``symmp mp``: output, JSON contract, one-line errors with exit 2."""

from __future__ import annotations

import json

import pytest

from symmp.cli import main

SPECS = "examples/specs"


def _run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_json_has_the_promised_keys(capsys, tmp_path):
    status, out, _ = _run(capsys, "mp", f"{SPECS}/lrnn_diagonal.json", "--trials", "30",
                          "--solver", "newton", "--starts", "3", "--json", "--store", str(tmp_path / "s.sqlite"))
    assert status == 0
    result = json.loads(out)
    for key in ("mp", "ci95", "trials", "matches", "method", "lower_bound", "seconds"):
        assert key in result
    assert result["trials"] == 30 and result["method"] == "newton" and len(result["ci95"]) == 2
    assert result["ci95"][0] <= result["mp"] <= result["ci95"][1]


def test_certificate_answers_at_once(capsys):
    status, out, _ = _run(capsys, "mp", f"{SPECS}/lrnn_w_rows.json", "--no-store")
    assert status == 0 and out.startswith("MP = 1")


def test_text_output_and_default_store_in_cwd(capsys, tmp_path, monkeypatch):
    spec = json.load(open(f"{SPECS}/lrnn_diagonal.json"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    status, out, err = _run(capsys, "mp", "spec.json", "--trials", "20", "--solver", "newton")
    assert status == 0 and "95% CI" in out and "lower bound" in out
    assert (tmp_path / "symmp-runs.sqlite").exists()
    # the first run announces the file it created, in one line, with --no-store
    assert err.count("\n") == 1 and str(tmp_path / "symmp-runs.sqlite") in err and "--no-store" in err
    status, out, err = _run(capsys, "mp", "spec.json", "--trials", "20", "--solver", "newton")
    assert "20 trials reused" in out and err == ""  # announced once
    status, out, err = _run(capsys, "mp", "spec.json", "--trials", "20", "--no-store", "--seed", "4")
    assert status == 0 and err == "" and "reused" not in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--trials", "0"], "--trials"),
        (["--trials", "ten"], "--trials"),
        (["--starts", "-1"], "--starts"),
        (["--solver", "bogus"], "unknown solver 'bogus'"),
        (["--executor", "spark"], "executor must be"),
        (["--tol", "nan"], "--tol"),
        (["--distribution", "cauchy"], "distribution must be"),
        (["--target-halfwidth", "0.7"], "target_halfwidth"),
        (["--batch", "0"], "--batch"),
    ],
)
def test_malformed_options_exit_2_with_one_line(capsys, argv, message):
    status, out, err = _run(capsys, "mp", f"{SPECS}/lrnn_diagonal.json", "--no-store",
                            "--no-certificate", *argv)
    assert status == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err


def test_missing_spec_is_one_line(capsys):
    status, _, err = _run(capsys, "mp", "no-such-file.json", "--no-store")
    assert status == 2 and err.startswith("error: ") and err.count("\n") == 1


def test_unusable_store_is_one_line(capsys, tmp_path):
    import sqlite3

    not_sqlite = tmp_path / "notes.sqlite"
    not_sqlite.write_text("not a database\n")
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE trials (a INTEGER)")
    for store in (tmp_path / "no-such-dir" / "x.sqlite", not_sqlite, foreign):
        status, out, err = _run(capsys, "mp", f"{SPECS}/lrnn_diagonal.json", "--trials", "5",
                                "--solver", "newton", "--no-certificate", "--store", str(store))
        assert status == 2 and out == ""
        assert err.startswith("error: ") and err.count("\n") == 1 and "run store" in err


def test_malformed_dask_address_is_one_line(capsys):
    pytest.importorskip("distributed")
    status, out, err = _run(capsys, "mp", f"{SPECS}/lrnn_diagonal.json", "--trials", "5",
                            "--solver", "newton", "--no-certificate", "--no-store",
                            "--executor", "dask:bad")
    assert status == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and "dask scheduler" in err


def test_paper_k4_spec_runs_the_algebraic_solver(capsys, tmp_path):
    status, out, _ = _run(capsys, "mp", f"{SPECS}/lrnn_spread_k4.json", "--trials", "60", "--json",
                          "--store", str(tmp_path / "s.sqlite"))
    assert status == 0
    result = json.loads(out)
    assert result["method"] == "algebraic" and result["trials"] == 60
    assert result["ci95"][0] <= result["mp"] <= result["ci95"][1]
    assert result["mp"] > 0.9  # measured: 199/200 solvable (benchmarks/bench_mp.py)
    assert result["lower_bound"] == (result["mp"] < 1.0)
    if result["lower_bound"]:
        assert "every complex root" in result["note"]
    status, out, _ = _run(capsys, "mp", f"{SPECS}/lrnn_spread_k4.json", "--trials", "60", "--no-store")
    assert status == 0 and "method algebraic" in out and "starts" not in out


def test_batch_option_sets_the_task_size_and_lets_a_small_run_stop_early(capsys, tmp_path):
    argv = ["mp", f"{SPECS}/lrnn_diagonal.json", "--trials", "60", "--solver", "newton", "--starts", "3",
            "--json", "--no-store"]
    status, out, _ = _run(capsys, *argv)
    default = json.loads(out)
    assert status == 0 and default["settings"]["batch"] == 1000 and default["trials"] == 60
    status, out, _ = _run(capsys, *argv, "--batch", "20", "--target-halfwidth", "0.2")
    small = json.loads(out)
    assert status == 0 and small["settings"]["batch"] == 20
    assert small["trials"] in (20, 40) and small["trials"] < 60  # stopped at a batch boundary


@pytest.mark.parametrize(
    "spec, solver, why",
    [
        ("lrnn_spread_k4.json", "linear", "8 learnable entries in W, m = 4: outputs polynomial of degree 2"),
        ("lrnn_spread_k4.json", "exact-relu", "lrnn with 8 learnable entries in W"),
        ("relu_concentrated.json", "complete", "(1 in W, 2 in D), m = 3: outputs not polynomial (relu activation)"),
        ("linear_3_1.json", "adahessian", "linear with 4 learnable entries in W, m = 2: outputs affine"),
    ],
)
def test_a_solver_that_does_not_fit_says_why_in_one_line(capsys, spec, solver, why):
    status, out, err = _run(capsys, "mp", f"{SPECS}/{spec}", "--solver", solver, "--no-store",
                            "--no-certificate", "--trials", "3")
    assert status == 2 and out == "" and err.count("\n") == 1
    assert f"solver {solver!r} does not apply to this allocation" in err
    assert why in err and "it needs" in err and "use --solver auto" in err and " ... " not in err
