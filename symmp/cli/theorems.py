"""``symmp theorems list`` and ``symmp theorems verify [ID ...] [--grid small|full]
[--size n=7,b=2,d=3,T=3 ...] [--trials N] [--seed S] [--json]``: the theorem catalog.

``verify`` checks each statement on its grid (or on the user's sizes):
instances that satisfy the hypotheses must get the conclusion, near-misses
(hypotheses violated on purpose) must not, both proved by ``classify`` and,
with ``--trials`` > 0, confirmed by the engine's estimate. Exit status 0
when every check passes, 1 when one fails. Ids accept any case.
"""

from __future__ import annotations

import argparse

from ..errors import SymmpError
from ..theorems import THEOREMS, verify
from ..theorems.base import GRIDS
from . import non_negative_int
from ._output import format_table, print_json

__all__ = ["register", "parse_size"]


def parse_size(text: str) -> dict:
    """``"n=7,b=2,d=3,T=3"`` -> ``{"n": 7, "b": 2, "d": 3, "T": 3}`` (one-line error otherwise)."""
    sizes = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip().isdigit() or int(value) < 1:
            raise argparse.ArgumentTypeError(f"expected sizes like n=7,b=2,d=3,T=3, got {text!r}")
        sizes[key.strip()] = int(value)
    return sizes


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "theorems",
        help="list or verify the theorem catalog (THEORY.md's statements)",
        description="The statements of THEORY.md as executable checks: 'list' prints id, title and "
        "statement; 'verify' checks each on a grid of sizes, with near-misses that must fail.",
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    listing = sub.add_parser("list", help="id, title and statement of every theorem")
    listing.add_argument("--json", action="store_true", help="print one JSON object")
    listing.set_defaults(func=run_list)
    check = sub.add_parser("verify", help="verify theorems on a grid of sizes or on your sizes")
    check.add_argument("ids", nargs="*", metavar="ID", help="theorems to check (default: all; any case)")
    check.add_argument("--grid", choices=GRIDS, default="small", help="grid of sizes (default small)")
    check.add_argument(
        "--size", type=parse_size, action="append", metavar="n=7,b=2,d=3,T=3",
        help="check these sizes instead of the grid (repeatable)",
    )
    check.add_argument("--trials", type=non_negative_int, default=10,
                       help="random draws per instance for the constructive and empirical checks (default 10; 0: exact only)")
    check.add_argument("--seed", type=non_negative_int, default=0, help="seed of the draws (default 0)")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(func=run_verify)
    parser.set_defaults(func=lambda args: run_verify(argparse.Namespace(
        ids=[], grid="small", size=None, trials=10, seed=0, json=False)))


def _chosen(ids: list[str]) -> list:
    chosen = []
    for raw in ids:
        key = raw.lower()
        if key not in THEOREMS:
            raise SymmpError(f"unknown theorem {raw!r}; allowed: {', '.join(THEOREMS)}")
        chosen.append(THEOREMS[key])
    return chosen or list(THEOREMS.values())


def run_list(args: argparse.Namespace) -> int:
    items = [{"id": t.id, "title": t.title, "statement": t.statement, "conclusion": t.conclusion,
              "reference": t.reference} for t in THEOREMS.values()]
    if args.json:
        print_json({"theorems": items})
    else:
        for item in items:
            print(f"{item['id']}: {item['title']} ({item['reference']})\n    {item['statement']}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    results, skipped = [], []
    for theorem in _chosen(args.ids):
        if args.size:
            if theorem.sized is None:
                skipped.append({"theorem": theorem.id, "reason": "has no size parameters to set"})
                continue
            instances = []
            try:
                for sizes in args.size:
                    instances += list(theorem.sized(sizes))
            except SymmpError as err:
                skipped.append({"theorem": theorem.id, "reason": str(err)})
                continue
            results.append(verify(theorem, trials=args.trials, seed=args.seed, instances=instances))
        else:
            results.append(verify(theorem, trials=args.trials, seed=args.seed, grid=args.grid))
    holds = all(r.holds for r in results)
    if args.json:
        print_json({"holds": holds, "grid": None if args.size else args.grid, "trials": args.trials,
                    "seed": args.seed, "theorems": [r.to_dict() for r in results], "not_applicable": skipped})
    else:
        rows = []
        for r in results:
            regular = [c for c in r.instances if not c.near_miss]
            misses = [c for c in r.instances if c.near_miss]
            rows.append([
                r.id,
                "holds" if r.holds else "FAILS",
                len(r.instances),
                f"{sum(c.holds for c in regular)}/{len(regular)} {r.conclusion}",
                f"{sum(c.holds for c in misses)}/{len(misses)} fail as expected" if misses else "-",
                f"{sum(c.details.get('empirical_consistent', False) for c in r.instances)}/"
                f"{sum('empirical_consistent' in c.details for c in r.instances)} consistent",
                f"{r.seconds:.2f}",
            ])
        print(format_table(["theorem", "verdict", "instances", "exact", "near-misses", "empirical", "seconds"], rows))
        for item in skipped:
            print(f"not applicable: {item['theorem']}: {item['reason']}")
        for r in results:
            for c in r.instances:
                if not c.holds:
                    print(f"FAILED {r.id}: {c.label}{' (near-miss)' if c.near_miss else ''}: exact {c.exact}, "
                          f"empirical {c.empirical}: {c.details}")
    return 0 if holds else 1
