"""symmp.numeric keeps modules of one job: each under 400 lines, at most 8 at its top level."""

from __future__ import annotations

from pathlib import Path

NUMERIC = Path(__file__).resolve().parents[2] / "symmp" / "numeric"


def test_every_numeric_module_is_under_400_lines():
    sizes = {str(p.relative_to(NUMERIC)): len(p.read_text().splitlines()) for p in NUMERIC.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n >= 400} == {}


def test_numeric_has_at_most_8_top_level_modules():
    assert len(list(NUMERIC.glob("*.py"))) <= 8
