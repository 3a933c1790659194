"""``symmp latex``: listings for every allocation class, and a document that compiles."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from symmp.cli import main

SPECS = {
    "affine": {"model": "lrnn", "dims": {"n": 3, "b": 1, "d": 2, "T": 2}, "m": 2,
               "learnable": {"D": [[0, 0], [0, 1], [1, 1], [1, 2]]}},
    "w_rows": {"model": "lrnn", "dims": {"n": 5, "b": 2, "d": 2, "T": 2}, "m": 4,
               "learnable": {"W": [[0, 0], [0, 1], [0, 2], [0, 3], [1, 1], [1, 2], [1, 3], [1, 4]]}},
    "w_columns": {"model": "lrnn", "dims": {"n": 5, "b": 2, "d": 2, "T": 2}, "m": 4,
                  "learnable": {"W": [[0, 3], [1, 3], [2, 3], [3, 3], [1, 4], [2, 4], [3, 4], [4, 4]]}},
    "diagonal": {"model": "lrnn", "dims": {"n": 2, "b": 1, "d": 1, "T": 2}, "m": 2,
                 "learnable": {"W": [[0, 0], [1, 1]]}},
    "anti_diagonal": {"model": "lrnn", "dims": {"n": 2, "b": 1, "d": 1, "T": 2}, "m": 2,
                      "learnable": {"W": [[0, 1], [1, 0]]}},
}
# class -> (verdict, lifted equation counts, unknown counts)
EXPECTED = {
    # F_1 = W B, F_2 = W F_1 are linear; D F_j = M_j multiply learnable d by auxiliary f
    "affine": ("maximal", {"linear": 6, "quadratic": 4}, {"learnable": 4, "auxiliary": 6}),
    "w_rows": ("maximal", {"linear": 24, "quadratic": 4}, {"learnable": 8, "auxiliary": 20}),
    # every row of W holds a learnable entry, so all 10 equations F_2 = W F_1 are quadratic
    "w_columns": ("maximal", {"linear": 18, "quadratic": 10}, {"learnable": 8, "auxiliary": 20}),
    "diagonal": ("intermediate", {"linear": 4, "quadratic": 2}, {"learnable": 2, "auxiliary": 4}),
    "anti_diagonal": ("intermediate", {"linear": 4, "quadratic": 2}, {"learnable": 2, "auxiliary": 4}),
}


@pytest.fixture
def spec_file(tmp_path):
    def write(name):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(SPECS[name]))
        return path

    return write


@pytest.mark.parametrize("name", list(SPECS))
def test_listing_counts_and_verdict(name, spec_file, capsys):
    path = spec_file(name)
    assert main(["classify", str(path), "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    kind, equations, unknowns = EXPECTED[name]
    assert (verdict["class"], verdict["equations"], verdict["unknowns"]) == (kind, equations, unknowns)
    if name in ("w_rows", "w_columns"):
        assert verdict["certificate"] == "sequentially linear"
    assert main(["latex", str(path), "--lifted"]) == 0
    text = capsys.readouterr().out
    # the listing uses the lifting where a block order was found (left for W-columns),
    # whose counts are stated in its header; the verdict reports the right lifting
    linear, quadratic = map(int, re.search(r"\((\d+) linear, (\d+) quadratic\)", text).groups())
    assert text.count(r"\tag*{linear}") == linear and text.count(r"\tag*{quadratic}") == quadratic
    if "right lifting)" in text:
        assert (linear, quadratic) == (equations["linear"], equations["quadratic"])
    assert f"{unknowns['learnable']} learnable, {unknowns['auxiliary']} auxiliary" in text
    assert ("Sequentially linear" in text) == (kind == "maximal")  # the affine system is sequential too
    assert main(["latex", str(path), "--unlifted"]) == 0
    unlifted = capsys.readouterr().out
    assert r"\begin{align*}" in unlifted and "(unlifted)" in unlifted
    assert main(["latex", str(path)]) == 0  # lifted by default, as build_system is
    assert capsys.readouterr().out == text


def test_unlifted_refuses_huge_expansions(tmp_path, capsys):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"model": "lrnn", "dims": {"n": 16, "b": 1, "d": 1, "T": 8}, "m": 8,
                                "learnable": {"W": [[0, j] for j in range(8)]}}))
    assert main(["latex", str(path), "--unlifted"]) == 2
    assert "drop --unlifted" in capsys.readouterr().err
    assert main(["latex", str(path), "-o", str(tmp_path / "big.tex")]) == 0
    assert (tmp_path / "big.tex").read_text().count(r"\tag*") == 16 * 8 + 8
    # below the stacked input dimension the outputs are expanded: m times the Markov monomials
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"model": "lrnn", "dims": {"n": 4, "b": 3, "d": 1, "T": 5}, "m": 14,
                                   "learnable": {"W": [[0, 0]]}}))
    assert main(["latex", str(outputs), "--unlifted"]) == 2
    err = capsys.readouterr().err
    assert "229,152 monomials" in err and err.count("\n") == 1


def test_bad_input_is_one_error_line(tmp_path, capsys, spec_file):
    assert main(["latex", str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1
    relu = tmp_path / "relu.json"
    relu.write_text(json.dumps({"model": "relu", "dims": {"n0": 2, "h": 2, "d": 1}, "m": 2,
                                "learnable": {"W": [[0, 0]], "D": [[0, 0]]}}))
    assert main(["latex", str(relu)]) == 2
    err = capsys.readouterr().err
    assert "not polynomial in W, D" in err and "D alone" in err and err.count("\n") == 1
    for argv, message in ((["--digits", "3"], "give --values SEED too"),
                          (["--values", "1", "--digits", "30"], "--digits must be at most 17"),
                          (["--lifted", "--unlifted"], "not allowed with")):
        assert main(["latex", str(spec_file("diagonal")), *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex not installed (apt-get install texlive-latex-base texlive-latex-recommended)")
@pytest.mark.parametrize("options", [["--lifted"], ["--values", "3", "--digits", "6"], ["--unlifted"]],
                         ids=["lifted", "values", "unlifted"])
def test_standalone_document_compiles(options, spec_file, tmp_path, capsys):
    out = tmp_path / "system.tex"
    name = "diagonal" if "--unlifted" in options else "w_rows"
    assert main(["latex", str(spec_file(name)), "--standalone", "-o", str(out), *options]) == 0
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", out.name],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "system.pdf").stat().st_size > 1000
