"""symmp.plotting: figures returned, ``ax=`` honoured, backend untouched, kinds of points drawn apart."""

from __future__ import annotations

import sys

import pytest

from symmp.errors import SymmpError
from symmp.plotting import plot_mp_curves, plot_mp_points, plot_predicted_vs_measured, point_kind

matplotlib = pytest.importorskip("matplotlib")

PROVED = {"K": 1, "mp": 0.0, "ci_low": 0.0, "ci_high": 0.0, "method": "certificate", "lower_bound": False}
ESTIMATE = {"K": 2, "mp": 0.6, "ci_low": 0.5, "ci_high": 0.7, "method": "certified", "lower_bound": False}
LOWER = {"K": 3, "mp": 0.3, "ci_low": 0.2, "ci_high": 0.4, "method": "newton", "lower_bound": True}


def test_point_kinds():
    assert [point_kind(r) for r in (PROVED, ESTIMATE, LOWER)] == ["proved", "estimate", "lower bound"]
    assert point_kind({**LOWER, "lower_bound": "False"}) == "estimate"  # CSV text
    assert point_kind({**ESTIMATE, "proved_point": True}) == "proved"
    assert point_kind({**ESTIMATE, "proved_point": "False"}) == "estimate"  # read back from a CSV


def test_backend_unchanged_and_figure_returned(tmp_path):
    before = matplotlib.get_backend()
    matplotlib.use("svg")  # a user's choice must survive every plotting call
    try:
        figure = plot_mp_curves({"a": [PROVED, ESTIMATE, LOWER]}, str(tmp_path / "c.png"))
        assert matplotlib.get_backend() == "svg"
        figure2 = plot_mp_points([{**PROVED, "label": "x"}, {**LOWER, "label": "y"}])
        figure3 = plot_predicted_vs_measured([0.1, 0.2], [ESTIMATE, LOWER])
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)
    assert type(figure).__name__ == "Figure" and (tmp_path / "c.png").stat().st_size > 1000
    assert {type(f).__name__ for f in (figure2, figure3)} == {"Figure"}
    assert "matplotlib.pyplot" not in sys.modules or not __import__("matplotlib.pyplot").pyplot.get_fignums()


def test_draws_into_given_axes_with_intervals_and_distinct_markers():
    from matplotlib.figure import Figure

    figure = Figure()
    ax = figure.add_subplot()
    returned = plot_mp_curves({"a": [PROVED, ESTIMATE, LOWER]}, ax=ax, marks={"r/(T b)": 2})
    assert returned is figure
    # one interval each for the estimate and the lower bound, none for the proved point
    bars = [c for c in ax.collections if type(c).__name__ == "LineCollection" and len(c.get_segments())]
    assert len(bars) == 2
    point_lines = [ln for ln in ax.lines if len(ln.get_xdata()) == 1 and ln.get_marker() not in (None, "None", "")]
    markers = {float(ln.get_xdata()[0]): (ln.get_marker(), ln.get_markerfacecolor()) for ln in point_lines}
    assert markers[1.0][0] == "s" and markers[2.0][0] == "o" and markers[3.0][0] == "^"
    assert markers[3.0][1] in ("white", (1.0, 1.0, 1.0, 1.0))  # lower bounds are hollow
    assert ax.get_xlabel() and ax.get_ylabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("proved" in t for t in legend) and any("lower bound" in t for t in legend)


def test_missing_matplotlib_is_one_line_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(SymmpError, match="pip install 'symmp\\[plot\\]'"):
        plot_mp_curves({"a": [ESTIMATE]})
