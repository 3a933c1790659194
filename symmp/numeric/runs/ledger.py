"""The run ledger: every finished trial, in SQLite, so an interrupted run resumes.

A run is keyed by a SHA-256 of the canonical JSON of (allocation spec,
solver, solver options, sampling settings, seed); each finished trial is one
row ``(key, trial index, verdict...)`` written as soon as its batch returns,
in its own transaction. Rows are only ever inserted (``INSERT OR IGNORE``):
a resumed run reads them back and never recomputes or overwrites them.

Examples
--------
>>> import tempfile, os
>>> from symmp.numeric.solvers import TrialOutcome
>>> path = os.path.join(tempfile.mkdtemp(), "runs.sqlite")
>>> with Ledger(path) as ledger:
...     key = ledger.register({"spec": {}, "seed": 0})
...     ledger.record(key, [TrialOutcome(3, True, False, 1e-12, 1, "newton")])
...     sorted(ledger.finished(key, range(5)))
[3]
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable

from ...errors import SymmpError
from ..solvers import TrialOutcome

__all__ = ["Ledger", "run_key", "DEFAULT_STORE"]

#: default ledger file, in the working directory
DEFAULT_STORE = "symmp-runs.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY, settings TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
    key TEXT NOT NULL, trial INTEGER NOT NULL, matched INTEGER NOT NULL,
    proved INTEGER NOT NULL, residual REAL, starts INTEGER NOT NULL, method TEXT NOT NULL,
    details TEXT NOT NULL, finished REAL NOT NULL, PRIMARY KEY (key, trial));
"""
#: the columns of each table, in order (a file with other tables of these names is refused)
_COLUMNS = {
    "runs": ["key", "settings", "created"],
    "trials": ["key", "trial", "matched", "proved", "residual", "starts", "method", "details",
               "finished"],
}


def run_key(settings: dict) -> str:
    """SHA-256 of the canonical JSON of ``settings``."""
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class Ledger:
    """SQLite store of finished trials (a context manager).

    Parameters
    ----------
    path : str or PathLike
        The database file; created when missing.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = os.fspath(path)
        self._db = None
        try:
            self._db = sqlite3.connect(self.path, timeout=30.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            for table, columns in _COLUMNS.items():
                found = [row[1] for row in self._db.execute(f"PRAGMA table_info({table})")]
                if found != columns:
                    raise SymmpError(
                        f"cannot use {self.path!r} as a run store: its table {table!r} has "
                        f"columns {found}, not symmp's {columns}; pass another --store PATH"
                    )
        except (sqlite3.Error, SymmpError) as err:
            if self._db is not None:
                self._db.close()
            if isinstance(err, SymmpError):
                raise
            raise SymmpError(f"cannot use {self.path!r} as a run store: {err}") from None

    def _write(self, sql: str, rows: list) -> None:
        """Run ``sql`` over ``rows`` in one transaction; database errors become one line."""
        try:
            with self._db:
                self._db.executemany(sql, rows)
        except sqlite3.Error as err:
            raise SymmpError(f"cannot write to the run store {self.path!r}: {err}") from None

    def register(self, settings: dict) -> str:
        """Record a run's settings; returns its key."""
        key = run_key(settings)
        self._write(
            "INSERT OR IGNORE INTO runs VALUES (?, ?, ?)",
            [(key, json.dumps(settings, sort_keys=True, default=str), time.time())],
        )
        return key

    def record(self, key: str, outcomes: Iterable[TrialOutcome]) -> None:
        """Insert finished trials in one transaction (existing rows are kept)."""
        now = time.time()
        rows = [
            (key, o.index, int(o.matched), int(o.proved), _finite(o.residual), o.starts,
             o.method, json.dumps(o.details, sort_keys=True), now)
            for o in outcomes
        ]
        self._write("INSERT OR IGNORE INTO trials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def finished(self, key: str, indices: Iterable[int]) -> dict[int, TrialOutcome]:
        """Stored outcomes of ``indices`` (missing ones are absent)."""
        wanted = set(int(i) for i in indices)
        cursor = self._db.execute(
            "SELECT trial, matched, proved, residual, starts, method, details FROM trials "
            "WHERE key = ?",
            (key,),
        )
        out = {}
        for trial, matched, proved, residual, starts, method, details in cursor:
            if trial in wanted:
                out[trial] = TrialOutcome(
                    int(trial), bool(matched), bool(proved),
                    float("inf") if residual is None else float(residual),
                    int(starts), method, json.loads(details),
                )
        return out

    def finish_times(self, key: str) -> dict[int, float]:
        """When each stored trial was written (to check nothing was recomputed)."""
        return dict(self._db.execute("SELECT trial, finished FROM trials WHERE key = ?", (key,)))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _finite(value: float) -> float | None:
    return None if value != value or value in (float("inf"), float("-inf")) else float(value)
