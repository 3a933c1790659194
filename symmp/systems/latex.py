"""LaTeX listings of polynomial systems (the printer lives apart from the system).

Call :func:`system_to_latex` (or ``system.to_latex()``): a header with the
model, the allocation and the counts, then an ``align*`` listing, one
equation per line, each labelled *linear* or *quadratic*, grouped by the
blocks of a sequential structure when one is given (else by the defining
relation). ``standalone=True`` wraps it in a document that compiles with
pdflatex (packages amsmath and geometry only).

Examples
--------
>>> from symmp import Allocation, LRNN
>>> from symmp.systems import build_system
>>> a = Allocation.in_rows(LRNN(n=3, b=1, d=1, T=2), "W", [0], k=2, m=2)
>>> text = system_to_latex(build_system(a))
>>> "\\\\begin{align*}" in text, text.count("\\\\tag*{quadratic}")
(True, 1)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy
from sympy.printing.latex import LatexPrinter

from .structure import SequentialStructure

if TYPE_CHECKING:  # pragma: no cover
    from .system import PolynomialSystem

__all__ = ["system_to_latex", "latex_escape"]

_PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[margin=1.5cm]{geometry}
\usepackage{amsmath}
\allowdisplaybreaks
\begin{document}
"""


class _Printer(LatexPrinter):
    """sympy's LaTeX printer with short floats."""

    def _print_Float(self, expr) -> str:
        text = f"{float(expr):.4g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
        return text


def latex_escape(text: str) -> str:
    """Escape LaTeX special characters in plain text.

    Examples
    --------
    >>> latex_escape("a_b {c}")
    'a\\\\_b \\\\{c\\\\}'
    """
    text = text.replace("\\", "\0")  # its replacement has braces, which are escaped below
    for char, repl in (("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("#", r"\#"), ("%", r"\%"),
                       ("&", r"\&"), ("$", r"\$"), ("^", r"\^{}"), ("~", r"\textasciitilde{}")):
        text = text.replace(char, repl)
    return text.replace("\0", r"\textbackslash{}")


def _side(expr: sympy.Expr, printer: _Printer) -> list[str]:
    """Signed LaTeX terms of one side, in sympy's print order."""
    terms = expr.as_ordered_terms() if isinstance(expr, sympy.Add) else [expr]
    out = []
    for k, term in enumerate(terms):
        text = printer.doprint(term)
        if text.startswith("-"):
            out.append(("- " if k else "-") + text[1:].lstrip())
        else:
            out.append(("+ " if k else "") + text)
    return out


def _equation_lines(eq, printer: _Printer, per_line: int, jupyter: bool) -> list[str]:
    left, right = eq.lhs, eq.rhs
    if len(sympy.Add.make_args(left)) > len(sympy.Add.make_args(right)):
        left, right = right, left  # the long sum goes on the right, where it wraps
    lhs = " ".join(_side(left, printer))
    rhs_terms = _side(right, printer)
    chunks = [rhs_terms[i : i + per_line] for i in range(0, len(rhs_terms), per_line)] or [["0"]]
    label = rf"&&\text{{{eq.kind}}}" if jupyter else rf"\tag*{{{eq.kind}}}"
    lines = [f"{lhs} &= {' '.join(chunks[0])} {label}"]
    lines += [rf"&\qquad {' '.join(chunk)}" for chunk in chunks[1:]]
    return lines


def _groups(system: PolynomialSystem, structure: SequentialStructure | None) -> list[tuple[str, list[int]]]:
    n = len(system.equations)
    usable = (
        structure is not None
        and system.terms is not None
        and structure.terms.lifting == system.lifting
        and structure.terms.form == system.form
        and structure.terms.n_equations == n
    )
    if not usable:
        groups: dict[str, list[int]] = {}
        for k, eq in enumerate(system.equations):
            groups.setdefault(eq.group, []).append(k)
        return [(f"${name}$", members) for name, members in groups.items()]
    out = [(latex_escape(group.title), group.equations) for group in structure.groups(max_names=3)]
    if structure.leftover:
        out.append(("left over (checked at the random point only)", list(structure.leftover)))
    return out


def _header(system: PolynomialSystem, structure) -> list[str]:
    allocation = system.allocation
    counts = system.counts()
    unknowns = system.unknown_counts()
    entries = [f"{name}[{i},{j}]" for name, i, j in allocation.ordered_entries]
    shown = ", ".join(entries[:40]) + (f", ... ({len(entries)} in all)" if len(entries) > 40 else "")
    kind = f"lifted ({system.lifting} lifting)" if system.lifted else "unlifted"
    values = "symbolic parameters" if system.instance is None else f"numbers drawn from seed {system.instance.seed}"
    counts_text = ", ".join(f"{v} {k}" for k, v in counts.items() if v or k in ("linear", "quadratic"))
    lines = [
        rf"\noindent\textbf{{symmp polynomial system}} ({latex_escape(kind)}, right-hand sides: {latex_escape(system.form)})\\",
        rf"Model: \texttt{{{latex_escape(repr(allocation.model))}}}, $m = {allocation.m}$ samples\\",
        rf"Learnable ($r = {allocation.r}$): \texttt{{{latex_escape(shown)}}}\\",
        rf"Fixed weights, inputs and targets: {latex_escape(values)}\\",
        rf"Equations: {len(system.equations)} ({latex_escape(counts_text)}); unknowns: "
        rf"{unknowns['learnable']} learnable, {unknowns['auxiliary']} auxiliary",
    ]
    if structure is not None:
        status = "exact" if structure.exact else f"{len(structure.leftover)} equations left over"
        lines[-1] += (
            rf"\\ Sequentially linear ({latex_escape(structure.lifting)} lifting, {status}): "
            rf"{len(structure.blocks)} square blocks, each generically nonsingular"
        )
    return lines


def system_to_latex(
    system: PolynomialSystem,
    *,
    structure: SequentialStructure | None = None,
    standalone: bool = False,
    jupyter: bool = False,
    terms_per_line: int = 5,
) -> str:
    """LaTeX listing of a polynomial system.

    Parameters
    ----------
    system : PolynomialSystem
    structure : SequentialStructure, optional
        Group the equations by its blocks (when it belongs to the same
        lifted system) and say so in the header.
    standalone : bool
        A complete document (``article``, amsmath, geometry).
    jupyter : bool
        A bare ``aligned`` block for notebooks (labels as text columns).
    terms_per_line : int
        Right-hand-side terms per printed line; longer sums wrap.

    Returns
    -------
    str
    """
    if terms_per_line < 1:
        raise ValueError(f"terms_per_line must be >= 1, got {terms_per_line}")
    printer = _Printer({"symbol_names": system.latex_names()})
    body: list[str] = []
    for title, members in _groups(system, structure):
        if not jupyter:
            body.append(rf"\intertext{{{title}}}")
        for k in members:
            body += _equation_lines(system.equations[k], printer, terms_per_line, jupyter)
    if jupyter:
        return "$$\\begin{aligned}\n" + " \\\\\n".join(body) + "\n\\end{aligned}$$"
    # every line but the last ends with \\ (also before \intertext, which amsmath requires)
    joined = [
        line if k == len(body) - 1 or line.startswith(r"\intertext") else line + r" \\"
        for k, line in enumerate(body)
    ]
    text = "\n".join(_header(system, structure)) + "\n\\begin{align*}\n" + "\n".join(joined) + "\n\\end{align*}\n"
    if standalone:
        text = _PREAMBLE + text + "\\end{document}\n"
    return text
