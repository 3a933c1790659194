"""Beyond the paper: structured inputs, other weight distributions, smooth activations.

Three comparisons, each against the paper's reference (Gaussian inputs and
weights, ReLU):

1. **Structured inputs.** lrnn n = 8, T = 2, b = d = 2, m = 4, r = 8 W entries
   spread over K rows. The inputs X_t are pixels of scikit-learn's bundled
   8 x 8 digits (no download): the T*b = 4 pixels of largest variance over
   the data set, standardised, of m images drawn per trial. Teacher, student
   and solver are the same as for Gaussian inputs (this script draws each
   trial with ``draw_trial``, swaps its inputs, recomputes the teacher's
   targets and calls the registered solver). The theorems assume generic
   inputs; pixel values are discrete, so the proved cases are checked by
   trials here, not assumed.
2. **Weight distributions.** The same family with teacher and student weights
   uniform or Rademacher (same variance sigma^2/fan_in) against Gaussian
   (``estimate_mp(distribution=...)``). Rademacher weights are discrete, so
   the analyzer's certificates (proved for generic draws) are not used:
   every point runs its trials.
3. **Activations.** A shallow network Y = D f(W X) with f = tanh or sigmoid
   against relu, for the four allocations of ``relu_spread.py`` at one size,
   on estimate_mp's defaults.

Points are lower bounds where the solver's misses are unproved (hollow
triangles; the CSV's ``lower_bound``).

    python examples/beyond_paper.py                # 50 trials per point (needs scikit-learn:
                                                   #   pip install -e ".[examples]")
    python examples/beyond_paper.py --trials 1000
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np
from experiment_io import Clock, parser, result_row, run_main, save_figure, write_csv
from relu_spread import allocations as relu_allocations

from symmp import LRNN, Allocation, ShallowReLU
from symmp.errors import SymmpError
from symmp.numeric import SOLVER_INFO, SolverOptions, draw_trial, estimate_mp, get_solver, wilson_interval
from symmp.numeric.sampling import trial_rng
from symmp.numeric.solvers.auto import resolve_solver
from symmp.plotting import plot_mp_curves, plot_mp_points, require_matplotlib

NAME = "beyond_paper"
#: sub-stream of trial_rng used to pick the images of a trial (the trial itself uses none)
IMAGE_STREAM = 7


def digit_features(count: int) -> np.ndarray:
    """The ``count`` pixels of largest variance of sklearn's digits, standardised: (images, count)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise SymmpError("the structured-input experiment needs scikit-learn: "
                         "pip install -e '.[examples]'") from None
    pixels = load_digits().data
    chosen = np.argsort(pixels.var(axis=0), kind="stable")[::-1][:count]
    features = pixels[:, np.sort(chosen)]
    return (features - features.mean(axis=0)) / features.std(axis=0)


def mp_with_inputs(allocation: Allocation, trials: int, seed: int, features: np.ndarray | None):
    """MP over ``trials`` trials whose inputs are digit pixels (Gaussian when ``features`` is None)."""
    model = allocation.model
    method = resolve_solver(allocation)
    info = SOLVER_INFO[method]
    options = SolverOptions(starts=info.defaults["starts"], tol=info.defaults["tol"],
                            max_iter=info.defaults["max_iter"], seed=seed)
    batch = []
    for index in range(trials):
        trial = draw_trial(allocation, seed, index)
        if features is not None:
            images = trial_rng(seed, index, IMAGE_STREAM).choice(len(features), allocation.m, replace=False)
            # X_t (b x m) holds features t*b .. t*b+b-1 of each image
            inputs = features[images].T.reshape(model.input_shape(allocation.m))
            targets = np.asarray(model.forward(trial.teacher, inputs), dtype=float)
            trial = dataclasses.replace(trial, inputs=inputs, targets=targets)
        batch.append(trial)
    outcomes = get_solver(method)(allocation, batch, options)
    matches = sum(o.matched for o in outcomes)
    low, high = wilson_interval(matches, trials)
    return {"solver": "auto", "method": method, "trials": trials, "matches": matches,
            "mp": matches / trials, "ci_low": low, "ci_high": high, "seed": seed,
            "lower_bound": any(not o.matched and not o.proved for o in outcomes),
            "proved_point": False, "proved_trials": sum(o.proved for o in outcomes),
            "starts": options.starts}


def main() -> None:
    cli = parser(__doc__, trials=50)
    args = cli.parse_args()
    clock = Clock()
    n, T, b, d = 8, 2, 2, 2
    r, m = d * T * b, T * b
    model = LRNN(n=n, b=b, d=d, T=T)
    features = digit_features(T * b)
    rows, inputs_curves, weight_curves = [], {}, {}
    family = {K: Allocation.spread(model, "W", r=r, K=K, m=m) for K in range(1, r + 1)}
    for label, source in (("Gaussian inputs", None), ("digits pixels", features)):
        points = []
        for K, allocation in family.items():
            point = mp_with_inputs(allocation, args.trials, args.seed, source)
            points.append({"experiment": f"{NAME}: inputs", "model": "lrnn",
                           "sizes": f'{{"n": {n}, "b": {b}, "d": {d}, "T": {T}}}', "m": m, "r": r,
                           "K": K, "inputs": label, "distribution": "gaussian", **point})
            print(f"inputs {label:<16} K = {K}: MP = {point['mp']:.3f} [{point['ci_low']:.3f}, "
                  f"{point['ci_high']:.3f}] {point['method']}{' (lower bound)' if point['lower_bound'] else ''}")
        inputs_curves[label] = points
        rows += points
    for distribution in ("gaussian", "uniform", "rademacher"):
        points = []
        for K, allocation in family.items():
            result = estimate_mp(allocation, trials=args.trials, seed=args.seed, store=args.store,
                                 distribution=distribution, use_certificate=False)
            points.append(result_row(f"{NAME}: weights", allocation, result, K=K,
                                     inputs="Gaussian inputs", distribution=distribution))
            print(f"weights {distribution:<10} K = {K}: {result}")
        weight_curves[distribution] = points
        rows += points
    activation_rows = []
    for activation in ("relu", "tanh", "sigmoid"):
        for label, allocation in relu_allocations(3, 4, 1, 3).items():
            allocation = Allocation(ShallowReLU(3, 4, 1, activation=activation), allocation.entries, 3)
            result = estimate_mp(allocation, trials=args.trials, seed=args.seed, store=args.store)
            activation_rows.append(result_row(f"{NAME}: activations", allocation, result, label=label,
                                              activation=activation, inputs="Gaussian inputs",
                                              distribution="gaussian"))
            print(f"activation {activation:<8} {label:<17} {result}")
    rows += activation_rows
    csv_path = os.path.join(args.out_dir, f"{NAME}.csv")
    png_path = os.path.join(args.out_dir, f"{NAME}.png")
    write_csv(rows, csv_path)
    figure = require_matplotlib().figure.Figure(figsize=(15, 4.4))
    left, middle, right = figure.subplots(1, 3)
    xlabel = f"K (rows of W holding the r = {r} learnable entries)"
    plot_mp_curves(inputs_curves, ax=left, xlabel=xlabel, marks={"r/(T b)": r / (T * b)},
                   title=f"lrnn n = {n}, T = {T}, b = d = {b}, m = {m}: structured inputs")
    plot_mp_curves(weight_curves, ax=middle, xlabel=xlabel, marks={"r/(T b)": r / (T * b)},
                   title="weight distributions (trials everywhere, no certificates)")
    plot_mp_points(activation_rows, ax=right, label="label", group="activation", rotation=20,
                   xlabel="allocation of r = d*m = 3 weights",
                   title="shallow net n0 = 3, h = 4, d = 1, m = 3: activations")
    save_figure(figure, png_path)
    print(f"wrote {csv_path} and {png_path} in {clock.seconds:.1f} s")


if __name__ == "__main__":
    run_main(main)
