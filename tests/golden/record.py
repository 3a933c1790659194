"""Record (or check) the golden outputs of every example spec.

The redesign of issue 12 must keep behaviour identical: for each spec in
``examples/specs`` the text of ``symmp classify --json``, ``symmp latex`` (``--unlifted``
and ``--lifted``, the default), ``symmp mp --json --trials-json`` at a fixed seed, and the
ledger's run key are stored here, and ``test_golden.py`` compares them.

Run ``python tests/golden/record.py`` only when a change of behaviour is meant
(say why in the commit message); the test never writes.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SPECS = ROOT / "examples" / "specs"
#: trials per spec; the ReLU optimisers are slow, so they get fewer
TRIALS = {"relu": 30, "relu2": 30}
SEED = 3
#: keys whose values differ between identical runs (clock, temporary paths)
VOLATILE = {"seconds", "store"}


def _cli(*argv: str) -> str:
    from symmp.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(list(argv))
    if status != 0:
        raise RuntimeError(f"symmp {' '.join(argv)} exited {status}")
    return out.getvalue()


def _without_seconds(value):
    if isinstance(value, dict):
        return {k: _without_seconds(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_without_seconds(v) for v in value]
    return value


def golden(spec: Path) -> dict:
    """Everything recorded for one spec, as a JSON-able dict.

    Paths in the outputs are written relative to the repository, so a clone
    anywhere records the same text.
    """
    model = json.loads(spec.read_text())["model"]
    spec = spec.relative_to(ROOT)
    trials = str(TRIALS.get(model, 200))
    with contextlib.chdir(ROOT):
        return _record(spec, trials)


def _record(spec: Path, trials: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "runs.sqlite")
        mp = json.loads(_cli("mp", str(spec), "--trials", trials, "--seed", str(SEED), "--json",
                             "--trials-json", "--store", store, "--cross-check"))
        with contextlib.closing(sqlite3.connect(store)) as db:
            keys = sorted(row[0] for row in db.execute("SELECT key FROM runs"))
    out = {
        "classify": _without_seconds(json.loads(_cli("classify", str(spec), "--json"))),
        "mp": _without_seconds(mp),
        "run_keys": keys,
    }
    try:
        out["latex"] = _cli("latex", str(spec), "--unlifted")
        out["latex_lifted"] = _cli("latex", str(spec), "--lifted")
    except RuntimeError as err:  # ReLU specs have no polynomial listing
        out["latex"] = str(err)
    return out


def specs() -> list[Path]:
    """The example specs, sorted."""
    return sorted(SPECS.glob("*.json"))


def path_of(spec: Path) -> Path:
    """Where the golden file of ``spec`` lives."""
    return HERE / f"{spec.stem}.golden.json"


def main() -> int:
    for spec in specs():
        path_of(spec).write_text(json.dumps(golden(spec), indent=1, sort_keys=True) + "\n")
        print("recorded", path_of(spec).name, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
