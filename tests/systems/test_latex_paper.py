"""LaTeX listings fit for a paper: legend, block headers in full, stable order,
digits, read-out ReLU systems, one symbol per meaning, a document that compiles."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
import sympy

from symmp import LFFN, LRNN, Allocation, DeepReLU2, LinearEstimator, ShallowReLU
from symmp.analysis import find_sequential_structure
from symmp.cli import main
from symmp.cli.latex import EXAMPLE
from symmp.systems import build_system, draw_instance
from symmp.systems.latex import _groups, legend_lines, system_to_latex
from symmp.systems.readout import readout_features

T3 = Allocation.in_rows(LRNN(n=4, b=1, d=1, T=3), "W", [0], k=3, m=3)
W_ROWS = Allocation.from_entries(
    LRNN(5, 2, 2, 2), [("W", 0, j) for j in range(4)] + [("W", 1, j) for j in range(1, 5)], m=4)
W_COLUMNS = Allocation.from_entries(
    LRNN(5, 2, 2, 2), [("W", i, 3) for i in range(4)] + [("W", i, 4) for i in range(1, 5)], m=4)
#: mixed and other families: blocks of more than four unknowns, two matrices, standard convention
MIXED = [
    Allocation.in_rows(LRNN(8, 2, 2, 2), "W", [0, 1], k=4, m=4),
    Allocation.from_entries(LRNN(3, 1, 2, 2, convention="standard"), [("D", 0, 0), ("D", 1, 2), ("W", 0, 1)], m=2),
    Allocation.from_entries(LFFN([2, 3, 2]), [("W1", 0, 0), ("W1", 1, 1), ("W2", 0, 2)], m=2),
    Allocation.from_entries(LinearEstimator(n=3, d=2), [("W", 0, 0), ("W", 1, 1), ("W", 1, 2)], m=3),
]


def _titles(text: str) -> list[str]:
    return re.findall(r"\\intertext\{(.*)\}", text)


def _math_names(title: str) -> list[str]:
    return re.findall(r"\$([^$]*)\$", title.split("determine", 1)[1])


@pytest.mark.parametrize("allocation", [T3, W_ROWS, W_COLUMNS, MIXED[0]], ids=["T3", "w_rows", "w_columns", "k4"])
def test_block_headers_name_every_unknown_in_math(allocation):
    structure = find_sequential_structure(allocation)
    assert structure is not None and structure.exact
    system = build_system(allocation, lifting=structure.lifting)
    text = system_to_latex(system, structure=structure)
    titles = _titles(text)
    assert len(titles) == len(structure.groups())
    atoms = structure.terms.atoms
    for title, group in zip(titles, structure.groups()):
        names = _math_names(title)
        assert names == [atoms[a].latex for block in group.blocks for a in sorted(block.unknowns)]
        assert re.match(r"Blocks? \d+(--\d+)? \(\$\d+ \\times \d+\$( each)?\) determines? ", title)
    # in full: the headers together name every unknown once, and nothing is cut or internal
    named = [name for title in titles for name in _math_names(title)]
    assert sorted(named) == sorted(system.latex_names()[s] for s in system.unknowns)
    assert "..." not in text and " of W" not in text and "f1\\_" not in text and "\\_" not in text


@pytest.mark.parametrize("allocation", [T3, W_ROWS, W_COLUMNS, *MIXED], ids=lambda a: repr(a.model)[:30])
def test_equations_in_system_order_inside_each_block_and_stable(allocation):
    structure = find_sequential_structure(allocation)
    lifting = structure.lifting if structure is not None else "right"
    system = build_system(allocation, lifting=lifting)
    groups = _groups(system, structure)
    if structure is not None:
        for (_, members), group in zip(groups, structure.groups()):
            position = 0
            for block in group.blocks:  # block order kept, each block's equations ascending
                own = members[position : position + len(block.equations)]
                assert own == sorted(block.equations)
                position += len(own)
    assert sorted(e for _, members in groups for e in members) == list(range(len(system.equations)))
    again = build_system(allocation, lifting=lifting)
    assert system_to_latex(again, structure=find_sequential_structure(allocation)) == system_to_latex(
        system, structure=structure)


@pytest.mark.parametrize("allocation", [T3, W_COLUMNS, *MIXED], ids=lambda a: repr(a.model)[:30])
def test_legend_explains_every_kind_of_symbol_and_no_symbol_means_two_things(allocation):
    system = build_system(allocation, lifting="left" if allocation is W_COLUMNS else "right")
    legend = "\n".join(legend_lines(system))
    pairs = {(a.kind, a.source) for a in system.atoms if a.kind != "one"}
    entries = re.findall(r"\\hspace\*\{1em\}\$([^$]*)\$: ([^\n]*)", legend)
    assert len(entries) == len(pairs)  # one line per matrix of each kind, each symbol distinct
    assert len({symbol for symbol, _ in entries}) == len(entries)
    kinds = {kind for kind, _ in pairs}
    if "fixed" in kinds:
        assert re.search(r"\\bar\{\w\}[^$]*_\{i,j\}\$: fixed entry of", legend)
    for symbol, meaning in entries:
        if meaning.startswith("target"):
            assert "the teacher's value of" in meaning
    # m is the sample count in the header; no entry of any matrix is an m
    stems = {a.latex.rsplit("_{", 1)[0] for a in system.atoms if a.kind != "one"}
    assert not any(re.fullmatch(r"m(\^\{.*\})?", stem) for stem in stems)
    assert "$m = " in system_to_latex(system)


def test_markov_targets_are_mu_and_the_product_is_explained():
    text = system_to_latex(build_system(T3))
    assert r"\mu^{(3)}_{0,0}" in text and "m^{(" not in text
    assert r"$\mu^{(2)}_{i,k}$: target, entry of $M_{2}$: the teacher's value of $D W^{2} B$" in text
    product = system_to_latex(build_system(MIXED[3]))
    assert r"$p_{i,k}$: target, entry of $P$: the teacher's value of $W$" in product


def test_values_listing_keeps_the_unknowns_in_the_legend_and_honours_digits():
    system = build_system(T3, values=3)
    legend = "\n".join(legend_lines(system))
    assert r"\bar{w}" not in legend and r"\mu" not in legend and "symmp mp --seed 3" in legend
    numbers = {digits: re.findall(r"-?\d+\.\d+", system_to_latex(system, digits=digits).split("align*")[1])
               for digits in (2, 7)}
    assert numbers[2] and all(len(n.lstrip("-").replace(".", "").lstrip("0")) <= 2 for n in numbers[2])
    assert max(len(n.lstrip("-").replace(".", "").lstrip("0")) for n in numbers[7]) == 7
    with pytest.raises(ValueError, match="digits"):
        system_to_latex(system, digits=0)


@pytest.mark.parametrize("model", [ShallowReLU(n0=3, h=4, d=2), DeepReLU2(n0=2, h1=3, h2=3, d=1)],
                         ids=["relu", "relu2"])
def test_readout_relu_allocations_are_listed_as_d_phi_equals_y(model):
    entries = [("D", 0, 0), ("D", 0, 2)] + ([("D", 1, 1)] if model.d > 1 else [])
    allocation = Allocation.from_entries(model, entries, m=3)
    system = build_system(allocation)
    assert system.counts() == {"linear": model.d * 3, "quadratic": 0}
    assert system.unknown_counts() == {"learnable": len(entries), "auxiliary": 0}
    text = system_to_latex(system)
    assert r"\varphi_{k,s}" in text and r"$D \Phi = Y$" in text and "only $D$ learns" in text
    # with numbers: the targets are the teacher's outputs and the coefficients the student's features
    instance = draw_instance(allocation, 5)
    numeric = build_system(allocation, values=5)
    features = readout_features(model, instance.fixed, instance.inputs)
    outputs = model.forward(instance.teacher, instance.inputs)
    d = sympy.Symbol("d_0_0")
    for s, eq in enumerate(numeric.equations[:3]):
        assert float(eq.lhs) == pytest.approx(outputs[0, s], rel=1e-12)
        assert float(eq.rhs.coeff(d)) == pytest.approx(features[0, s], rel=1e-12, abs=1e-300)
    assert np.all(features >= 0)  # relu features
    with pytest.raises(Exception, match="not polynomial"):
        build_system(Allocation.from_entries(model, [("D", 0, 0), (next(iter(model.matrix_shapes)), 0, 0)], m=3))


def test_help_shows_one_complete_example_that_works(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["latex", "--help"])
    help_text = capsys.readouterr().out
    assert EXAMPLE.splitlines()[0] in help_text and r"\input{wrows.tex}" in help_text
    spec = re.search(r"echo '(.*?)' > wrows.json", EXAMPLE, re.S).group(1)
    (tmp_path / "wrows.json").write_text(json.dumps(json.loads(spec)))
    assert main(["latex", str(tmp_path / "wrows.json"), "-o", str(tmp_path / "wrows.tex")]) == 0
    capsys.readouterr()
    assert "Block 13 ($3 \\times 3$) determines $w_{0,0}$, $w_{0,1}$ and $w_{0,2}$:" in (
        tmp_path / "wrows.tex").read_text()
    paper = "\n".join(line.strip() for line in EXAMPLE.split("in the paper")[1].splitlines()
                      if line.strip().startswith("\\"))
    (tmp_path / "paper.tex").write_text(paper + "\n")
    _compile(tmp_path, "paper.tex")


def _compile(folder, name):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed (apt-get install texlive-latex-base texlive-latex-recommended)")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", name],
                         cwd=folder, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "Overfull \\hbox" not in run.stdout, "a line runs into the margin"
    assert (folder / name.replace(".tex", ".pdf")).stat().st_size > 1000


@pytest.mark.parametrize("allocation, values", [(T3, None), (T3, 2), (W_COLUMNS, None),
                                                (Allocation.from_entries(ShallowReLU(3, 4, 1), [("D", 0, 1)], m=3), 1)],
                         ids=["T3", "T3-values", "w_columns", "relu-readout"])
def test_listings_compile_with_pdflatex(allocation, values, tmp_path):
    structure = find_sequential_structure(allocation) if allocation.model.polynomial else None
    lifting = structure.lifting if structure is not None else "right"
    system = build_system(allocation, values=values, lifting=lifting)
    (tmp_path / "listing.tex").write_text(system_to_latex(system, structure=structure, standalone=True))
    _compile(tmp_path, "listing.tex")
