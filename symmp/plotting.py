"""Figures of match probabilities (optional extra ``plot``: matplotlib).

Call :func:`plot_mp_curves` for MP against a family parameter (one curve per
label) and :func:`plot_mp_points` for MP of named allocations side by side.
Both return the :class:`matplotlib.figure.Figure`, draw into ``ax=`` when
given, save to ``path`` when given, and never change matplotlib's backend
(without ``ax`` they build a free-standing ``Figure``, not a pyplot one, so
nothing is left open either).

Every point is drawn as what it is (:func:`point_kind`):

- ``proved``: MP = 1 or MP = 0 from a certificate (no trials, no interval):
  a filled square;
- ``estimate``: matches / trials with no unproved no-match verdict (so not
  a lower bound), drawn with its 95% Wilson interval: a filled circle;
- ``lower bound``: some no-match verdicts unproved (a local solver may have
  missed a solution), drawn with its interval: an open triangle pointing up.

Rows are dicts with ``mp``, ``ci_low``, ``ci_high``, ``method`` and
``lower_bound`` (as :func:`symmp.numeric.sweep.sweep_family` makes them);
``proved_point`` (bool), when present, overrides the ``method ==
"certificate"`` test.

Examples
--------
>>> import os, tempfile
>>> rows = [{"K": 1, "mp": 0.0, "ci_low": 0.0, "ci_high": 0.0, "method": "certificate"},
...         {"K": 2, "mp": 0.5, "ci_low": 0.3, "ci_high": 0.7, "lower_bound": True}]
>>> path = os.path.join(tempfile.mkdtemp(), "mp.png")
>>> figure = plot_mp_curves({"example": rows}, path)
>>> type(figure).__name__, os.path.getsize(path) > 0
('Figure', True)
>>> [point_kind(row) for row in rows]
['proved', 'lower bound']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .errors import SymmpError

__all__ = [
    "require_matplotlib",
    "point_kind",
    "plot_mp_curves",
    "plot_mp_points",
    "plot_predicted_vs_measured",
    "POINT_STYLES",
]

#: marker and fill of each kind of point (see :func:`point_kind`)
POINT_STYLES = {
    "proved": {"marker": "s", "filled": True, "size": 8},
    "estimate": {"marker": "o", "filled": True, "size": 6},
    "lower bound": {"marker": "^", "filled": False, "size": 7},
}
_LEGEND = {
    "proved": "proved (certificate)",
    "estimate": "estimate, no unproved miss (95% CI)",
    "lower bound": "lower bound: unproved misses (95% CI)",
}


def require_matplotlib():
    """Import and return :mod:`matplotlib`, or raise a one-line :class:`SymmpError`.

    The backend is left as it is (matplotlib picks a non-interactive one by
    itself where there is no display).
    """
    try:
        import matplotlib
        import matplotlib.figure  # noqa: F401  (loads Figure without pyplot)
    except ImportError:
        raise SymmpError("plotting needs matplotlib: pip install 'symmp[plot]'") from None
    return matplotlib


def point_kind(row: Mapping) -> str:
    """``"proved"``, ``"estimate"`` or ``"lower bound"`` for one result row."""
    proved = row.get("proved_point")
    if proved is None or proved == "":
        proved = row.get("method") == "certificate"
    if _truthy(proved):
        return "proved"
    return "lower bound" if _truthy(row.get("lower_bound")) else "estimate"


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    matplotlib = require_matplotlib()
    figure = matplotlib.figure.Figure(figsize=figsize)
    return figure, figure.add_subplot()


def _draw(ax, xs, rows, color, label, *, line: bool) -> None:
    """One series: a connecting line, then each point in its own style."""
    mps = [float(row["mp"]) for row in rows]
    if line and len(xs) > 1:
        ax.plot(xs, mps, "-", color=color, lw=1.2, alpha=0.8, label=label)
    for x, row, mp in zip(xs, rows, mps):
        kind = point_kind(row)
        style = POINT_STYLES[kind]
        if kind != "proved":
            low, high = float(row["ci_low"]), float(row["ci_high"])
            ax.errorbar([x], [mp], yerr=[[mp - low], [high - mp]], fmt="none", ecolor=color,
                        capsize=3, lw=1)
        ax.plot([x], [mp], linestyle="none", marker=style["marker"], markersize=style["size"],
                color=color, markerfacecolor=color if style["filled"] else "white",
                markeredgewidth=1.3)


def _kind_legend(ax, kinds, series_handles=()) -> None:
    from matplotlib.lines import Line2D

    handles = list(series_handles)
    for kind in POINT_STYLES:
        if kind in kinds:
            style = POINT_STYLES[kind]
            handles.append(Line2D([], [], linestyle="none", marker=style["marker"], color="0.3",
                                  markerfacecolor="0.3" if style["filled"] else "white",
                                  markersize=style["size"], label=_LEGEND[kind]))
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="best", framealpha=0.85)


def _finish(figure, ax, path, title, xlabel, ylabel):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=9)
    if path is not None:
        figure.tight_layout()
        figure.savefig(path, dpi=120)
    return figure


def plot_mp_curves(
    curves: Mapping[str, Sequence[Mapping]],
    path: str | None = None,
    *,
    ax=None,
    x: str = "K",
    title: str = "",
    xlabel: str = "K",
    ylabel: str = "MP (95% Wilson interval)",
    marks: Mapping[str, float] | None = None,
):
    """MP against ``row[x]``, one curve per label, each point in its kind's style.

    Parameters
    ----------
    curves : dict of str to list of dict
        Rows with ``x``, ``mp``, ``ci_low``, ``ci_high`` (``method``,
        ``lower_bound`` decide the marker, see :func:`point_kind`).
    path : str, optional
        Save the figure here (PNG, SVG, PDF: from the extension).
    ax : matplotlib Axes, optional
        Draw into it instead of a new figure.
    x, title, xlabel, ylabel
        The row key on the horizontal axis, and the labels.
    marks : dict of str to float, optional
        Vertical dashed lines at these x positions, labelled (e.g. the
        predicted transition ``r/(T*b)``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    figure, ax = _axes(ax, (5.8, 4.0))
    colors = [f"C{i}" for i in range(10)]
    from matplotlib.lines import Line2D

    kinds, handles = set(), []
    for i, (label, rows) in enumerate(curves.items()):
        rows = list(rows)
        _draw(ax, [row[x] for row in rows], rows, colors[i % 10], label, line=True)
        kinds |= {point_kind(row) for row in rows}
        handles.append(Line2D([], [], color=colors[i % 10], lw=1.2, label=label))
    for name, position in (marks or {}).items():
        ax.axvline(position, color="0.5", ls="--", lw=0.9)
        ax.annotate(name, (position, 0.5), xytext=(3, 0), textcoords="offset points",
                    fontsize=7, color="0.35", rotation=90, va="center")
    ax.set_ylim(-0.04, 1.06)
    if all(isinstance(row[x], int) for rows in curves.values() for row in rows):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _kind_legend(ax, kinds, handles if len(handles) > 1 else [])
    return _finish(figure, ax, path, title, xlabel, ylabel)


def plot_mp_points(
    rows: Sequence[Mapping],
    path: str | None = None,
    *,
    ax=None,
    label: str = "label",
    group: str | None = None,
    title: str = "",
    xlabel: str = "allocation",
    ylabel: str = "MP (95% Wilson interval)",
    rotation: float = 0.0,
):
    """MP of named allocations side by side (one column per ``row[label]``).

    With ``group``, rows sharing ``row[label]`` are drawn next to each other
    in one colour per ``row[group]`` (e.g. Gaussian against uniform weights).
    Returns the :class:`~matplotlib.figure.Figure`.
    """
    figure, ax = _axes(ax, (6.4, 4.0))
    rows = list(rows)
    labels = list(dict.fromkeys(str(row[label]) for row in rows))
    groups = list(dict.fromkeys(str(row[group]) for row in rows)) if group else [None]
    width = 0.7 / max(len(groups), 1)
    kinds, handles = set(), []
    from matplotlib.lines import Line2D

    for g, name in enumerate(groups):
        chosen = [row for row in rows if group is None or str(row[group]) == name]
        offset = (g - (len(groups) - 1) / 2) * width
        xs = [labels.index(str(row[label])) + offset for row in chosen]
        _draw(ax, xs, chosen, f"C{g % 10}", name, line=False)
        kinds |= {point_kind(row) for row in chosen}
        if group:
            handles.append(Line2D([], [], color=f"C{g % 10}", lw=3, label=name))
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=rotation, ha="right" if rotation else "center", fontsize=8)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylim(-0.04, 1.06)
    _kind_legend(ax, kinds, handles)
    return _finish(figure, ax, path, title, xlabel, ylabel)


def plot_predicted_vs_measured(
    predicted: Sequence[float],
    rows: Sequence[Mapping],
    path: str | None = None,
    *,
    ax=None,
    group: str | None = None,
    title: str = "",
    xlabel: str = "predicted score",
    ylabel: str = "measured MP (95% Wilson interval)",
):
    """Measured MP (with intervals) against a predictor's score, one colour per ``row[group]``."""
    figure, ax = _axes(ax, (5.8, 4.2))
    rows = list(rows)
    groups = list(dict.fromkeys(str(row[group]) for row in rows)) if group else [None]
    kinds, handles = set(), []
    from matplotlib.lines import Line2D

    for g, name in enumerate(groups):
        chosen = [(p, row) for p, row in zip(predicted, rows) if group is None or str(row[group]) == name]
        _draw(ax, [p for p, _ in chosen], [row for _, row in chosen], f"C{g % 10}", name, line=False)
        kinds |= {point_kind(row) for _, row in chosen}
        if group:
            handles.append(Line2D([], [], color=f"C{g % 10}", lw=3, label=name))
    ax.set_ylim(-0.04, 1.06)
    _kind_legend(ax, kinds, handles)
    return _finish(figure, ax, path, title, xlabel, ylabel)
