"""The MP predictor's structural features, and the saved validation corpus."""

from __future__ import annotations

import csv
from pathlib import Path

from symmp import LFFN, LRNN, Allocation
from symmp.analysis.predictor import predict_mp, rows_covered, second_order_couplings, structure_features

CORPUS = Path(__file__).resolve().parents[2] / "examples" / "data" / "predictor_corpus.csv"


def test_squares_come_from_diagonal_entries_of_w_only():
    model = LRNN(n=3, b=1, d=1, T=2)
    diagonal = Allocation.from_entries(model, [("W", 0, 0), ("W", 1, 1)], m=2)
    assert second_order_couplings(diagonal) == (2, 0)  # W^2 holds u0^2 and u1^2, no u0*u1
    chain = Allocation.from_entries(model, [("W", 0, 1), ("W", 1, 2)], m=2)
    assert second_order_couplings(chain) == (0, 1)  # (W^2)_{02} = u01 * u12
    # B and D enter linearly, and each lffn layer once: no squares anywhere
    mixed = Allocation.from_entries(model, [("B", 0, 0), ("D", 0, 1)], m=2)
    assert second_order_couplings(mixed) == (0, 1)
    lffn = Allocation.random(LFFN([3, 3, 3]), 6, m=2, seed=4)
    assert second_order_couplings(lffn)[0] == 0


def test_spread_and_baselines():
    model = LRNN(n=8, b=2, d=2, T=2)
    two_rows = Allocation.spread(model, "W", r=8, K=2, m=4)
    eight_rows = Allocation.spread(model, "W", r=8, K=8, m=4)
    assert rows_covered(two_rows) == 2 and rows_covered(eight_rows) == 8
    f2, f8 = structure_features(two_rows), structure_features(eight_rows)
    assert f2["row_spread"] < f8["row_spread"] == 1.0
    assert f2["budget_slack"] < f8["budget_slack"]  # two rows each hold their whole budget T*b = 4
    assert f8["square_share"] == 1.0 and predict_mp(eight_rows) == 0.0
    assert 0.0 <= predict_mp(two_rows) <= 1.0


def test_corpus_is_saved_and_intermediate():
    rows = list(csv.DictReader(open(CORPUS)))
    assert len(rows) >= 60
    assert {row["verdict"] for row in rows} == {"intermediate"}
    assert all(row["rho_A"] == row["rho_full"] for row in rows)
    assert len({row["model"] for row in rows}) >= 2 and all(row["lower_bound"] in ("True", "False") for row in rows)
