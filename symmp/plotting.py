"""Plots (optional extra ``plot``: matplotlib).

Examples
--------
>>> import os, tempfile
>>> rows = [{"K": 1, "mp": 0.0, "ci_low": 0.0, "ci_high": 0.0},
...         {"K": 2, "mp": 0.5, "ci_low": 0.3, "ci_high": 0.7}]
>>> path = os.path.join(tempfile.mkdtemp(), "mp.png")
>>> plot_mp_curves({"example": rows}, path)
>>> os.path.getsize(path) > 0
True
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import SymmpError

__all__ = ["require_matplotlib", "plot_mp_curves"]


def require_matplotlib():
    """Import matplotlib (Agg backend) or raise a one-line :class:`SymmpError`."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SymmpError("plotting needs matplotlib: pip install 'symmp[plot]'") from None
    return plt


def plot_mp_curves(
    curves: dict[str, Sequence[dict]], path: str, *, title: str = "", xlabel: str = "K"
) -> None:
    """MP with its 95% interval against K, one curve per label.

    Each row needs ``K``, ``mp``, ``ci_low``, ``ci_high`` (as made by
    :func:`symmp.numeric.sweep.sweep_family`).
    """
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for label, rows in curves.items():
        Ks = [row["K"] for row in rows]
        mps = [row["mp"] for row in rows]
        low = [row["mp"] - row["ci_low"] for row in rows]
        high = [row["ci_high"] - row["mp"] for row in rows]
        ax.errorbar(Ks, mps, yerr=[low, high], marker="o", capsize=3, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("MP (95% Wilson interval)")
    ax.set_ylim(-0.02, 1.02)
    if title:
        ax.set_title(title, fontsize=9)
    if len(curves) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
