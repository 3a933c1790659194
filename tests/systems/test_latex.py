"""LaTeX printer of polynomial systems."""

from __future__ import annotations

from symmp import LRNN, Allocation
from symmp.analysis import find_sequential_structure
from symmp.systems import build_system
from symmp.systems.latex import latex_escape, system_to_latex


def test_listing_groups_by_block_and_labels_equations():
    allocation = Allocation.in_rows(LRNN(4, 1, 1, 2), "W", [0], k=2, m=2)
    structure = find_sequential_structure(allocation)
    system = build_system(allocation, values=2)
    text = system_to_latex(system, structure=structure)
    assert text.count(r"\intertext{") == len(structure.describe_order())
    assert text.count(r"\tag*{") == len(system.equations)
    assert r"Block 9 ($2 \times 2$) determines $w_{0,0}$ and $w_{0,1}$:" in text
    assert "numbers drawn from seed 2" in text
    # every line but the last ends with \\ (amsmath needs it before \intertext)
    lines = text.split(r"\begin{align*}")[1].split(r"\end{align*}")[0].strip().splitlines()
    assert all(line.endswith(r"\\") for line in lines[:-1] if not line.startswith(r"\intertext"))


def test_long_sums_wrap_and_jupyter_repr():
    allocation = Allocation.in_rows(LRNN(8, 1, 1, 2), "W", [0], k=2, m=2)
    system = build_system(allocation)
    text = system.to_latex(terms_per_line=3)
    assert r"&\qquad" in text
    notebook = system._repr_latex_()
    assert notebook.startswith("$$\\begin{aligned}") and r"\tag" not in notebook


def test_escape():
    assert latex_escape("50% of a_b & {x}") == r"50\% of a\_b \& \{x\}"


def test_escape_backslash_and_tilde():
    assert latex_escape(r"a\b ~x^2") == r"a\textbackslash{}b \textasciitilde{}x\^{}2"
