"""LaTeX listings of polynomial systems (the printer lives apart from the system).

Call :func:`system_to_latex` (or ``system.to_latex()``): a header with the
model, the allocation and the counts, a legend of every symbol that appears
(what a bar, a target, an auxiliary, an input mean, read from the system's
atoms and equation groups), then an ``align*`` listing, one equation per
line, each labelled *linear* or *quadratic*, grouped by the blocks of a
sequential structure when one is given (each block's header names, in
math and in full, the unknowns it determines; its equations in system
order), else by the defining relation. ``standalone=True`` wraps it in a
document that compiles with pdflatex (packages amsmath and geometry only);
without it the listing pastes into any document that loads amsmath.

Examples
--------
>>> from symmp import Allocation, LRNN
>>> from symmp.systems import build_system
>>> a = Allocation.in_rows(LRNN(n=3, b=1, d=1, T=2), "W", [0], k=2, m=2)
>>> text = system_to_latex(build_system(a))
>>> "\\\\begin{align*}" in text, text.count("\\\\tag*{quadratic}")
(True, 1)
>>> r"$\\bar{w}_{i,j}$: fixed entry of $W$" in text
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy
from sympy.printing.latex import LatexPrinter

from .lifted import matrix_label
from .readout import FEATURES, READOUT, is_readout_allocation
from .structure import BlockGroup, SequentialStructure

if TYPE_CHECKING:  # pragma: no cover
    from .system import PolynomialSystem
    from .terms import Atom

__all__ = ["system_to_latex", "latex_escape", "legend_lines", "DEFAULT_DIGITS"]

#: significant digits of the numbers ``values`` substitutes
DEFAULT_DIGITS = 4
#: learnable entries named in the header before it says how many more
HEADER_NAMES = 40

#: legend lines start indented (``\quad`` would be discarded after a line break)
_INDENT = r"\hspace*{1em}"
#: what the right-hand sides of each form are
_FORMS = {"outputs": "the teacher's outputs on the $m$ samples", "markov": "the teacher's Markov parameters",
          "product": "the teacher's end-to-end product"}

_PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[margin=1.5cm]{geometry}
\usepackage{amsmath}
\allowdisplaybreaks
\begin{document}
"""


class _Printer(LatexPrinter):
    """sympy's LaTeX printer with floats to ``digits`` significant digits."""

    digits = DEFAULT_DIGITS

    def _print_Float(self, expr) -> str:
        text = f"{float(expr):.{self.digits}g}"
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


def _math_list(names: list[str]) -> str:
    """``$a$, $b$ and $c$``: one math group per name, so a long list wraps."""
    items = [f"${name}$" for name in names]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _block_title(structure: SequentialStructure, group: BlockGroup) -> str:
    """A group's header: its block numbers and sizes, and every unknown it determines."""
    atoms = structure.terms.atoms
    names = [atoms[a].latex for block in group.blocks for a in sorted(block.unknowns)]
    if group.last > group.first:
        return rf"Blocks {group.first}--{group.last} ($1 \times 1$ each) determine {_math_list(names)}:"
    size = group.blocks[0].size
    return rf"Block {group.first} (${size} \times {size}$) determines {_math_list(names)}:"


def _usable(system: PolynomialSystem, structure: SequentialStructure | None) -> bool:
    return (
        structure is not None
        and system.terms is not None
        and structure.terms.lifting == system.lifting
        and structure.terms.form == system.form
        and structure.terms.n_equations == len(system.equations)
    )


def _groups(system: PolynomialSystem, structure: SequentialStructure | None) -> list[tuple[str, list[int]]]:
    """``(title, equation indices)`` in listing order; inside a block, equations in system order."""
    if not _usable(system, structure):
        groups: dict[str, list[int]] = {}
        for k, eq in enumerate(system.equations):
            groups.setdefault(eq.group, []).append(k)
        return [(f"${name}$:", members) for name, members in groups.items()]
    out = [
        (_block_title(structure, group), [e for block in group.blocks for e in sorted(block.equations)])
        for group in structure.groups()
    ]
    if structure.leftover:
        out.append(("Left over (they hold at the random point of the search; not used to solve):",
                    sorted(structure.leftover)))
    return out


def _generic(atom: Atom) -> str:
    """The LaTeX of a generic entry of the atom's matrix: ``w_{0,3}`` gives ``w_{i,j}``."""
    stem = atom.latex.rsplit("_{", 1)[0]
    if atom.source == FEATURES:
        indices = "k,s"
    elif atom.kind == "input" or (atom.kind == "target" and atom.source == "Y"):
        indices = "i,s"  # their columns are the samples
    else:
        indices = "i,k" if atom.kind == "target" else "i,j"
    return f"{stem}_{{{indices}}}"


def _defined_by(system: PolynomialSystem, label: str, *, as_target: bool) -> str | None:
    """The equation group that defines matrix ``label`` (``F_{2} = W F_{1}``), or for
    a target the left-hand side it equals (``D W^{2} B`` of ``D W^{2} B = M_{2}``)."""
    for group in dict.fromkeys(eq.group for eq in system.equations):
        if as_target and group.endswith(f"= {label}"):
            return group[: -len(label) - 2].strip()
        if not as_target and group.startswith(f"{label} ="):
            return group
    return None


def _describe(system: PolynomialSystem, atom: Atom) -> str:
    label = matrix_label(atom.source)
    if atom.kind == "learnable":
        return rf"learnable entry of ${label}$ (an unknown)"
    if atom.kind == "fixed":
        return rf"fixed entry of ${label}$ (the student's own value, not learned)"
    if atom.kind == "auxiliary":
        defined = _defined_by(system, label, as_target=False)
        return (rf"auxiliary unknown, entry of ${defined}$" if defined else
                rf"auxiliary unknown, entry of ${label}$, a product of the forward pass replaced by "
                "an unknown (its equations are listed under its name)")
    if atom.kind == "input" and atom.source == FEATURES:
        others = [rf"$\bar{{{matrix_label(name)}}}$" for name in system.allocation.model.matrix_shapes
                  if name != READOUT]
        activation = getattr(system.allocation.model, "activation", "nonlinear")
        return (rf"feature: hidden unit $k$ on sample $s$; $\Phi$ is the last hidden layer of the "
                rf"fixed network ({activation} activation of {', '.join(others)} and the inputs $X$), "
                rf"so the outputs are $Y = D \Phi$")
    if atom.kind == "input":
        step = atom.source[1:]
        where = f" at step {step}" if step else ""
        return rf"input: entry $i$ of sample $s$ in ${label}${where} (its columns are the $m$ samples)"
    if atom.kind == "target":
        value = _defined_by(system, label, as_target=True)
        meaning = rf": the teacher's value of ${value}$" if value else ""
        return rf"target, entry of ${label}${meaning}"
    return atom.kind


def legend_lines(system: PolynomialSystem) -> list[str]:
    """The legend: one line per kind of symbol that appears in the listing, in
    the order learnable, fixed, auxiliary, input, target; then the conventions.

    Examples
    --------
    >>> from symmp import Allocation, LinearEstimator
    >>> from symmp.systems import build_system
    >>> a = Allocation.in_rows(LinearEstimator(n=3, d=2), "W", [0, 1], k=2, m=3)
    >>> print(legend_lines(build_system(a))[-2])
    \\hspace*{1em}$p_{i,k}$: target, entry of $P$: the teacher's value of $W$\\\\
    """
    symbolic = system.instance is None
    order = ("learnable", "fixed", "auxiliary", "input", "target")
    first: dict[tuple[str, str], Atom] = {}
    for atom in system.atoms:
        if atom.kind in order and (symbolic or atom.unknown):
            first.setdefault((atom.kind, atom.source), atom)
    entries = sorted(first.values(), key=lambda a: order.index(a.kind))
    lines = [r"\noindent\textit{Notation} (indices start at 0):\\"]
    lines += [rf"{_INDENT}${_generic(atom)}$: {_describe(system, atom)}\\" for atom in entries]
    teacher = (r"The teacher is a network of the same shape with every weight drawn at random; a real "
               r"solution of the system is a student that reproduces it on the $m$ samples.")
    if not symbolic:
        teacher += (rf" Fixed weights, inputs and targets are the numbers of trial 0 of "
                    rf"\texttt{{symmp mp --seed {system.instance.seed}}}, to the digits shown.")
    lines.append(_INDENT + teacher)
    return lines


def _header(system: PolynomialSystem, structure: SequentialStructure | None) -> list[str]:
    allocation = system.allocation
    counts = system.counts()
    unknowns = system.unknown_counts()
    names = system.latex_names()
    learnables = [names[symbol] for symbol in system.learnables]
    shown = _math_list(learnables[:HEADER_NAMES]) if len(learnables) <= HEADER_NAMES else (
        ", ".join(f"${name}$" for name in learnables[:HEADER_NAMES]) + f" and {len(learnables) - HEADER_NAMES} more")
    if is_readout_allocation(allocation):
        kind = rf"linear in the learnables, only ${READOUT}$ learns"
    else:
        kind = f"lifted, {system.lifting} lifting" if system.lifted else "unlifted"
    values = ("symbolic parameters" if system.instance is None
              else f"numbers drawn from seed {system.instance.seed}")
    counts_text = ", ".join(f"{v} {k}" for k, v in counts.items() if v or k in ("linear", "quadratic"))
    lines = [
        rf"\noindent\textbf{{symmp polynomial system}} ({kind}); right-hand sides: "
        rf"{_FORMS.get(system.form, latex_escape(system.form))}\\",
        rf"Model: \texttt{{{latex_escape(repr(allocation.model))}}}, $m = {allocation.m}$ samples\\",
        rf"Learnable ($r = {allocation.r}$): {shown}\\",
        rf"Fixed weights, inputs and targets: {latex_escape(values)}\\",
        rf"Equations: {len(system.equations)} ({latex_escape(counts_text)}); unknowns: "
        rf"{unknowns['learnable']} learnable, {unknowns['auxiliary']} auxiliary\\",
    ]
    if structure is not None:
        status = "exact" if structure.exact else f"{len(structure.leftover)} equations left over"
        lines.append(
            rf"Sequentially linear ({latex_escape(structure.lifting)} lifting, {status}): "
            rf"{len(structure.blocks)} square blocks, each a generically nonsingular linear system "
            r"in its unknowns once the blocks before it are solved (so an equation labelled quadratic "
            r"is linear in its block's unknowns)\\"
        )
    return lines


def system_to_latex(
    system: PolynomialSystem,
    *,
    structure: SequentialStructure | None = None,
    standalone: bool = False,
    jupyter: bool = False,
    terms_per_line: int = 5,
    digits: int = DEFAULT_DIGITS,
    legend: bool = True,
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
    digits : int
        Significant digits of substituted numbers (systems built with ``values``).
    legend : bool
        Print the legend of the symbols after the header.

    Returns
    -------
    str
    """
    if terms_per_line < 1:
        raise ValueError(f"terms_per_line must be >= 1, got {terms_per_line}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be an integer in 1..17, got {digits!r}")
    printer = _Printer({"symbol_names": system.latex_names()})
    printer.digits = digits
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
    head = _header(system, structure) + (legend_lines(system) if legend else [])
    head[-1] = head[-1].removesuffix(r"\\")  # the paragraph ends before the display
    # ragged right: a narrow column breaks the header's lines instead of overfilling them
    head = [r"\begingroup\raggedright"] + head + [r"\par\endgroup"]
    text = "\n".join(head) + "\n\\begin{align*}\n" + "\n".join(joined) + "\n\\end{align*}\n"
    if standalone:
        text = _PREAMBLE + text + "\\end{document}\n"
    return text
