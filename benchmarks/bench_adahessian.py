"""Masked AdaHessian (symmp, numpy) against torch-optimizer's ``Adahessian`` (torch).

Same problem, same mask, same hyperparameters (lr 0.15, betas (0.9, 0.999),
eps 1e-4, hessian power 1): a shallow ReLU student whose learnable entries
start from the teacher's values plus Gaussian noise (so a match exists), in
float64. Torch is masked the usual way: a gradient hook zeroes the gradient
of fixed entries, so their Adam moments and updates stay zero (its
Rademacher probe still covers every entry). Reports time per step and steps
to reach the relative-loss tolerance, each as a ratio symmp / torch, from
one run.

Run: ``python benchmarks/bench_adahessian.py [--trials 20] [--steps 3000]``.
Torch is a benchmark-only dependency: ``pip install torch==2.13.0 torch-optimizer``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from symmp import Allocation, ShallowReLU
from symmp.numeric.relu.adahessian import masked_adahessian
from symmp.numeric.sampling import draw_trials


def _problem(args):
    model = ShallowReLU(n0=args.n0, h=args.h, d=args.d)
    m = args.m
    # r = d*m learnables spread over W rows and D rows
    entries = [("W", i, (3 * i) % args.n0) for i in range(args.h)]
    entries += [("D", o, j) for o in range(args.d) for j in range(args.h) if (o + j) % args.h < (args.d * m - args.h) // args.d]
    allocation = Allocation.from_entries(model, entries, m=m)
    trials = draw_trials(allocation, args.seed, range(args.trials))
    rng = np.random.default_rng(args.seed)
    student = {n: np.stack([t.teacher[n] for t in trials]) for n in ("W", "D")}
    for name in ("W", "D"):
        mask = allocation.mask(name).astype(bool)
        student[name][:, mask] += args.noise * rng.standard_normal(student[name][:, mask].shape)
    inputs = np.stack([t.inputs for t in trials])
    targets = np.stack([t.targets for t in trials])
    return allocation, student, inputs, targets


def _torch_run(torch, Adahessian, allocation, student, inputs, targets, k, tol, steps, seed):
    torch.manual_seed(seed + k)
    masks = {n: torch.tensor(allocation.mask(n), dtype=torch.float64) for n in ("W", "D")}
    params = {n: torch.tensor(student[n][k], dtype=torch.float64, requires_grad=True) for n in ("W", "D")}
    for n, p in params.items():
        p.register_hook(lambda g, mask=masks[n]: g * mask)
    x = torch.tensor(inputs[k])
    y = torch.tensor(targets[k])
    norm = float((y**2).sum())
    opt = Adahessian([params["W"], params["D"]], lr=0.15, betas=(0.9, 0.999), eps=1e-4, hessian_power=1.0)
    fixed_before = {n: student[n][k][allocation.mask(n) == 0].copy() for n in params}
    used, rel = steps, None
    start = time.perf_counter()
    for step in range(steps + 1):
        out = params["D"] @ torch.relu(params["W"] @ x)
        loss = ((out - y) ** 2).mean()
        rel = float(loss) * y.numel() / norm
        if rel <= tol:
            used = step
            break
        if step == steps:
            break
        opt.zero_grad()
        loss.backward(create_graph=True)
        opt.step()
    seconds = time.perf_counter() - start
    for n, p in params.items():
        assert np.array_equal(p.detach().numpy()[allocation.mask(n) == 0], fixed_before[n]), "torch moved a fixed weight"
    return used, rel, seconds, max(used, 1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--tol", type=float, default=1e-8, help="relative-loss tolerance")
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--n0", type=int, default=6)
    parser.add_argument("--h", type=int, default=8)
    parser.add_argument("--d", type=int, default=2)
    parser.add_argument("--m", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        import torch
        from torch_optimizer import Adahessian
    except ImportError:
        print(
            "error: this benchmark needs torch and torch-optimizer (benchmark-only): "
            "pip install torch==2.13.0 torch-optimizer",
            file=sys.stderr,
        )
        return 2
    import warnings

    warnings.filterwarnings("ignore", message="Using backward\\(\\) with create_graph=True")
    torch.set_num_threads(1)
    allocation, student, inputs, targets = _problem(args)

    # symmp, one trial at a time (the same work torch does)
    ours_steps, ours_loss, ours_seconds = [], [], 0.0
    for k in range(args.trials):
        one = {n: w[k] for n, w in student.items()}
        start = time.perf_counter()
        run = masked_adahessian(allocation, one, inputs[k], targets[k], tol=args.tol, max_steps=args.steps, seed=k)
        ours_seconds += time.perf_counter() - start
        ours_steps.append(int(run.steps[0]))
        ours_loss.append(float(run.relative_loss[0]))
    ours_step_time = ours_seconds / max(sum(max(s, 1) for s in ours_steps), 1)

    # symmp, all trials in one batch
    start = time.perf_counter()
    batched = masked_adahessian(allocation, student, inputs, targets, tol=args.tol, max_steps=args.steps)
    batch_seconds = time.perf_counter() - start
    batch_step_time = batch_seconds / max(int(np.maximum(batched.steps, 1).sum()), 1)

    torch_steps, torch_loss, torch_seconds, torch_counted = [], [], 0.0, 0
    for k in range(args.trials):
        used, rel, seconds, counted = _torch_run(
            torch, Adahessian, allocation, student, inputs, targets, k, args.tol, args.steps, args.seed
        )
        torch_steps.append(used)
        torch_loss.append(rel)
        torch_seconds += seconds
        torch_counted += counted
    torch_step_time = torch_seconds / torch_counted

    def summary(steps, losses):
        matched = [s for s, l in zip(steps, losses) if l <= args.tol]
        return {
            "matched": len(matched),
            "median_steps_to_match": float(np.median(matched)) if matched else None,
            "median_final_relative_loss": float(np.median(losses)),
        }

    report = {
        "problem": {
            "model": repr(allocation.model), "m": allocation.m, "r": allocation.r,
            "trials": args.trials, "tol_relative_loss": args.tol, "max_steps": args.steps,
            "start": f"teacher + N(0, {args.noise}^2) on learnable entries",
        },
        "time_per_step_seconds": {
            "symmp_single_trial": ours_step_time,
            "symmp_batched_per_trial_step": batch_step_time,
            "torch_optimizer": torch_step_time,
        },
        "ratio_time_per_step_symmp_over_torch": ours_step_time / torch_step_time,
        "ratio_time_per_trial_step_batched_over_torch": batch_step_time / torch_step_time,
        "symmp": summary(ours_steps, ours_loss),
        "symmp_batched": summary(batched.steps.tolist(), batched.relative_loss.tolist()),
        "torch_optimizer": summary(torch_steps, torch_loss),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        t = report["time_per_step_seconds"]
        print(f"problem: {report['problem']}")
        print(f"time per step  symmp {t['symmp_single_trial'] * 1e6:.0f} us, batched {t['symmp_batched_per_trial_step'] * 1e6:.1f} us/trial, torch {t['torch_optimizer'] * 1e6:.0f} us")
        print(f"ratio symmp/torch {report['ratio_time_per_step_symmp_over_torch']:.3f} (batched {report['ratio_time_per_trial_step_batched_over_torch']:.4f})")
        for name in ("symmp", "symmp_batched", "torch_optimizer"):
            print(f"{name:16s} {report[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
