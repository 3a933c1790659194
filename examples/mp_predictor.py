"""Validate the MP predictor (symmp.analysis.predictor) on a corpus of intermediate allocations.

The corpus (``examples/data/predictor_corpus.csv``, committed) holds random
allocations across models and sizes that the analyzer calls intermediate
(rho_A = rho_full, so MP > 0, and no certificate of MP = 1), each with its
MP measured by ``estimate_mp`` on its defaults (trials, seed, solver, the
lower-bound flag per allocation are in the file). This script reads it,
scores every allocation with :func:`symmp.analysis.predictor.predict_mp`
(fixed before the corpus was measured; nothing is fitted, so there is no
training part to hold out) and prints the Spearman rank correlation between
score and measured MP, next to the two naive baselines (rows covered; r),
over the whole corpus and per family. For comparison only, it also prints a
*fitted* variant kept apart from the predictor: least squares of MP on the
same features, each family predicted by a fit to the other families (so
every prediction is held out). It draws measured MP against the score.

    python examples/mp_predictor.py                      # reads the saved corpus, seconds
    python examples/mp_predictor.py --regenerate         # re-measures it (several minutes)
    python examples/mp_predictor.py --regenerate --trials 1000
"""

from __future__ import annotations

import csv
import json
import os

import numpy as np

from experiment_io import HERE, Clock, parser, result_row, run_main, save_figure, write_csv
from scipy.stats import spearmanr

from symmp import LFFN, LRNN, Allocation, allocation_from_spec, classify
from symmp.analysis.predictor import predict_mp, structure_features
from symmp.numeric import estimate_mp
from symmp.plotting import plot_predicted_vs_measured

NAME = "mp_predictor"
CORPUS = os.path.join(HERE, "data", "predictor_corpus.csv")
#: (family, model, m, r, matrices, candidates drawn): random allocations of r entries
FAMILIES = [
    ("lrnn W, n=4 b=1 d=1 T=2", LRNN(4, 1, 1, 2), 2, 2, ["W"], 40),
    ("lrnn W, n=4 b=1 d=2 T=2", LRNN(4, 1, 2, 2), 2, 4, ["W"], 30),
    ("lrnn W, n=6 b=2 d=2 T=2", LRNN(6, 2, 2, 2), 4, 8, ["W"], 30),
    ("lrnn W, n=4 b=1 d=1 T=3", LRNN(4, 1, 1, 3), 3, 3, ["W"], 30),
    ("lrnn W+B+D, n=3 b=1 d=2 T=2", LRNN(3, 1, 2, 2), 2, 4, None, 30),
    ("lffn, widths 3,3,3", LFFN([3, 3, 3]), 2, 6, None, 30),
    ("lffn, widths 2,3,3,2", LFFN([2, 3, 3, 2]), 2, 4, None, 30),
]


def regenerate(trials: int, seed: int, store) -> list[dict]:
    """Draw the candidates, keep the intermediate ones, measure their MP."""
    rows = []
    for family, model, m, r, matrices, count in FAMILIES:
        seen = set()
        for draw in range(count):
            allocation = Allocation.random(model, r, m, matrices=matrices, seed=1000 + draw)
            if allocation.entries in seen:
                continue
            seen.add(allocation.entries)
            verdict = classify(allocation)
            if verdict.verdict not in ("intermediate", "undecided"):  # MP strictly inside or unknown
                continue
            result = estimate_mp(allocation, trials=trials, seed=seed, store=store)
            rows.append(result_row("predictor corpus", allocation, result, family=family,
                                   spec=json.dumps(allocation.to_spec(), sort_keys=True),
                                   rho_A=verdict.rank, rho_full=verdict.target_rank))
            print(f"  {family:<30} draw {draw:>2}: {result}")
    return rows


#: features of the fitted comparison (leave-one-family-out least squares)
FEATURES = ["row_spread", "column_spread", "matrix_spread", "budget_slack", "quadratic_share",
            "square_share"]


def leave_one_family_out(rows: list[dict], families: list[str]) -> list[float]:
    """Each row's MP predicted by a least-squares fit (with intercept) to the other families only."""
    features = np.array([[row[f"feature_{name}"] for name in FEATURES] + [1.0] for row in rows])
    target = np.array([row["mp"] for row in rows])
    out = np.zeros(len(rows))
    for family in families:
        test = np.array([row["family"] == family for row in rows])
        coefficients = np.linalg.lstsq(features[~test], target[~test], rcond=None)[0]
        out[test] = features[test] @ coefficients
    return out.tolist()


def main() -> None:
    cli = parser(__doc__, trials=100)
    cli.add_argument("--regenerate", action="store_true", help=f"re-measure the corpus into {CORPUS}")
    cli.add_argument("--corpus", default=CORPUS, help="corpus CSV (default examples/data/predictor_corpus.csv)")
    args = cli.parse_args()
    clock = Clock()
    if args.regenerate:
        write_csv(regenerate(args.trials, args.seed, args.store), args.corpus)
    with open(args.corpus, newline="") as handle:
        corpus = list(csv.DictReader(handle))
    scored = []
    for row in corpus:
        allocation = allocation_from_spec(json.loads(row["spec"]))
        features = structure_features(allocation)
        scored.append({**row, "mp": float(row["mp"]), "ci_low": float(row["ci_low"]),
                       "ci_high": float(row["ci_high"]), "predicted": predict_mp(allocation),
                       "rows_covered": features["rows_covered"], "r": allocation.r,
                       **{f"feature_{k}": v for k, v in features.items()}})
    measured = [row["mp"] for row in scored]
    lower = sum(row["lower_bound"] == "True" for row in scored)
    print(f"corpus: {len(scored)} intermediate allocations in {len({r['family'] for r in scored})} families, "
          f"{lower} of them lower bounds (unproved misses)")
    print(f"{'Spearman rho (p-value)':<32} {'predictor':>16} {'rows covered':>16} {'r':>16}")

    def line(label, rows):
        cells = []
        for key in ("predicted", "rows_covered", "r"):
            values = [row[key] for row in rows]
            if len(set(values)) < 2 or len({row["mp"] for row in rows}) < 2:
                cells.append("constant")
                continue
            rho, p = spearmanr(values, [row["mp"] for row in rows])
            cells.append(f"{rho:+.3f} ({p:.1g})")
        print(f"{label:<32} " + " ".join(f"{c:>16}" for c in cells))

    line(f"all ({len(scored)})", scored)
    families = list(dict.fromkeys(row["family"] for row in scored))
    for family in families:
        line(f"{family[:26]} ({sum(r['family'] == family for r in scored)})",
             [row for row in scored if row["family"] == family])
    held_out = leave_one_family_out(scored, families)
    rho, p = spearmanr(held_out, measured)
    print(f"\nfitted variant, for comparison (NOT the predictor above): least squares of measured MP on "
          f"the {len(FEATURES)} features, each family predicted by a fit to the other "
          f"{len(families) - 1}: Spearman {rho:+.3f} (p = {p:.1g}) over the held-out predictions")
    for row, value in zip(scored, held_out):
        row["held_out_fit"] = value
    out = [{k: v for k, v in row.items() if k != "spec"} for row in scored]
    csv_path = os.path.join(args.out_dir, f"{NAME}.csv")
    png_path = os.path.join(args.out_dir, f"{NAME}.png")
    write_csv(out, csv_path)
    rho = spearmanr([row["predicted"] for row in scored], measured)[0]
    figure = plot_predicted_vs_measured(
        [row["predicted"] for row in scored], scored, group="family",
        xlabel="predicted score (symmp.analysis.predictor.predict_mp)",
        title=f"{len(scored)} intermediate allocations: Spearman rho = {rho:+.3f}")
    save_figure(figure, png_path)
    print(f"wrote {csv_path} and {png_path} in {clock.seconds:.1f} s")


if __name__ == "__main__":
    run_main(main)
