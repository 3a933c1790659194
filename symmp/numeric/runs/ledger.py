"""The run ledger: every finished trial, in SQLite, so an interrupted run resumes.

A run is keyed by a SHA-256 of the canonical JSON of (allocation spec,
solver, solver options, sampling settings, seed); each finished trial is one
row ``(key, trial index, verdict...)`` written as soon as its batch returns,
in its own transaction. Rows are only ever inserted (``INSERT OR IGNORE``):
a resumed run reads them back and never recomputes or overwrites them. A
row that cannot be read back (invalid JSON in ``details``, text where a
count belongs) is reported in one :class:`~symmp.errors.SymmpWarning` naming
the file, the run key and the trials; the other rows are used, and the
corrupt trials are recomputed and their rows replaced.

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
import warnings
from collections.abc import Iterable

from ...errors import SymmpError, SymmpWarning
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
        #: (key, trial) of rows that could not be read back; :meth:`record` replaces them
        self.corrupt: set[tuple[str, int]] = set()
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
        fresh = [row for row in rows if (key, row[1]) not in self.corrupt]
        self._write("INSERT OR IGNORE INTO trials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", fresh)
        if len(fresh) < len(rows):  # recomputed trials whose stored rows were unreadable
            self._write("INSERT OR REPLACE INTO trials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [row for row in rows if (key, row[1]) in self.corrupt])
            self.corrupt -= {(key, row[1]) for row in rows}

    def finished(self, key: str, indices: Iterable[int]) -> dict[int, TrialOutcome]:
        """Stored outcomes of ``indices`` (missing ones are absent).

        Rows that cannot be read back are left out (so those trials are
        recomputed) and reported in one :class:`~symmp.errors.SymmpWarning`.
        """
        wanted = set(int(i) for i in indices)
        cursor = self._db.execute(
            "SELECT rowid, trial, matched, proved, residual, starts, method, details FROM trials "
            "WHERE key = ?",
            (key,),
        )
        out, bad = {}, []
        for rowid, trial, *fields in cursor:
            try:
                outcome = _outcome(trial, *fields)
            except (TypeError, ValueError) as err:  # json.JSONDecodeError is a ValueError
                bad.append((rowid, trial, err))
                continue
            if outcome.index in wanted:
                out[outcome.index] = outcome
        if bad:
            self._report_corrupt(key, bad, len(out))
        return out

    def _report_corrupt(self, key: str, bad: list, kept: int) -> None:
        self.corrupt |= {(key, trial) for _, trial, _ in bad if isinstance(trial, int)}
        shown = "; ".join(f"row {rowid} (trial {trial!r}): {err}" for rowid, trial, err in bad[:3])
        more = f"; and {len(bad) - 3} more" if len(bad) > 3 else ""
        warnings.warn(SymmpWarning(
            f"run store {self.path!r}: {len(bad)} unreadable row(s) of run {key[:12]} skipped and "
            f"recomputed, {kept} others kept: {shown[:300]}{more}"
        ), stacklevel=3)

    def finish_times(self, key: str) -> dict[int, float]:
        """When each stored trial was written (to check nothing was recomputed)."""
        return dict(self._db.execute("SELECT trial, finished FROM trials WHERE key = ?", (key,)))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _outcome(trial, matched, proved, residual, starts, method, details) -> TrialOutcome:
    """A stored row as a :class:`TrialOutcome`; ``ValueError`` or ``TypeError``
    when a field does not hold what symmp wrote (a text count, invalid JSON)."""
    fields = {"trial": trial, "matched": matched, "proved": proved, "starts": starts}
    for name, value in fields.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} is {str(value)[:40]!r}, not an integer")
    if residual is not None and not isinstance(residual, (int, float)):
        raise ValueError(f"residual is {str(residual)[:40]!r}, not a number")
    if not isinstance(method, str):
        raise ValueError(f"method is {method!r}, not text")
    try:
        parsed = json.loads(details)
    except (TypeError, ValueError):
        raise ValueError(f"details is not valid JSON: {str(details)[:40]!r}") from None
    if not isinstance(parsed, dict):
        raise ValueError(f"details is {str(details)[:40]!r}, not a JSON object")
    return TrialOutcome(trial, bool(matched), bool(proved),
                        float("inf") if residual is None else float(residual), starts, method, parsed)


def _finite(value: float) -> float | None:
    return None if value != value or value in (float("inf"), float("-inf")) else float(value)
