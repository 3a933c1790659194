"""Run PHCpack's blackbox solver ``phc -b`` on a square polynomial system.

PHCpack (Verschelde, ACM TOMS 25, 1999) is optional: Debian/Ubuntu ship it
as the package ``phcpack`` (``apt-get install phcpack``). Without it,
:func:`phc_available` is False and :func:`solve_with_phc` raises
:class:`PhcUnavailable` with that instruction.

The coefficients are written as decimal floats (PHCpack works in double
precision anyway); nothing returned here is trusted: every solution is
certified afterwards against the exact system. Paths that failed or diverged
are dropped here (PHCpack reports them with no usable end point), which can
only make a later "all solutions found" count fail, never succeed wrongly.

Examples
--------
>>> from flint import fmpq_mpoly_ctx
>>> context = fmpq_mpoly_ctx.get(("x", 2), "lex")
>>> x0, x1 = context.gens()
>>> if phc_available():
...     points = solve_with_phc([x0 * x0 - 4, x0 + x1])
...     print(sorted(round(p[0].real) for p in points))
... else:
...     print([-2, 2])
[-2, 2]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ...errors import SymmpError

__all__ = ["PhcUnavailable", "phc_available", "solve_with_phc", "format_system", "parse_solutions"]

PHC_INSTALL_HINT = "install PHCpack (Debian/Ubuntu: apt-get install phcpack) to put `phc` on PATH"


class PhcUnavailable(SymmpError):
    """``phc`` is not on PATH."""


def phc_available() -> bool:
    """True when the ``phc`` executable is on PATH."""
    return shutil.which("phc") is not None


def _monomial(exps: tuple[int, ...]) -> str:
    factors = [f"x{k}" if e == 1 else f"x{k}^{e}" for k, e in enumerate(exps) if e]
    return "*".join(factors)


def format_system(polys) -> str:
    """PHCpack input text for ``fmpq_mpoly`` polynomials in ``x0 .. x{r-1}``."""
    r = len(polys)
    lines = [f"{r} {polys[0].context().nvars()}"]
    for poly in polys:
        terms = []
        for exps, coeff in poly.to_dict().items():
            value = float(coeff)
            monomial = _monomial(exps)
            text = f"{value:+.17e}"
            terms.append(f"{text}*{monomial}" if monomial else text)
        lines.append(" " + (" ".join(terms) if terms else "0") + ";")
    return "\n".join(lines) + "\n"


_NUMBER = r"[-+]?\d+\.\d+E[-+]\d+"
_COORD = re.compile(rf"^\s*(x\d+)\s*:\s*({_NUMBER})\s+({_NUMBER})\s*$")


def parse_solutions(text: str, r: int) -> list[np.ndarray]:
    """Solutions of the last ``THE SOLUTIONS`` block of a ``phc -b`` output file.

    Blocks whose status line reports a failure, or with any coordinate
    missing or not finite, are dropped.
    """
    start = text.rfind("THE SOLUTIONS")
    if start < 0:
        return []
    points: list[np.ndarray] = []
    current: dict[int, complex] | None = None
    for line in text[start:].splitlines():
        if line.strip().startswith("the solution for t"):
            current = {}
            continue
        if current is None:
            continue
        match = _COORD.match(line)
        if match:
            current[int(match.group(1)[1:])] = complex(float(match.group(2)), float(match.group(3)))
            continue
        if line.startswith("=="):
            if "fail" not in line and len(current) == r:
                point = np.array([current[k] for k in range(r)])
                if np.all(np.isfinite(point)):
                    points.append(point)
            current = None
    return points


def solve_with_phc(polys, *, timeout: float = 120.0) -> list[np.ndarray]:
    """All end points of ``phc -b`` for a square system (complex arrays of length r).

    Raises
    ------
    PhcUnavailable
        When ``phc`` is not installed.
    SymmpError
        When ``phc`` fails or times out.
    """
    executable = shutil.which("phc")
    if executable is None:
        raise PhcUnavailable(f"the homotopy backend needs `phc`, which is not on PATH: {PHC_INSTALL_HINT}")
    r = len(polys)
    with tempfile.TemporaryDirectory(prefix="symmp-phc-") as folder:
        source, target = Path(folder, "system.txt"), Path(folder, "solutions.txt")
        source.write_text(format_system(polys))
        try:
            subprocess.run(
                [executable, "-b", str(source), str(target)],
                cwd=folder,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=timeout,
                check=True,
            )
        except subprocess.TimeoutExpired:
            raise SymmpError(f"phc -b did not finish within {timeout:g} s") from None
        except subprocess.CalledProcessError as err:
            raise SymmpError(f"phc -b failed with exit code {err.returncode}") from None
        if not target.exists():
            raise SymmpError("phc -b wrote no output file")
        return parse_solutions(target.read_text(errors="replace"), r)
