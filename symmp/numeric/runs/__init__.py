"""Runs that resume: the SQLite ledger of finished trials and the executors that run tasks.

:mod:`.ledger` keys a run by everything its verdicts depend on;
:mod:`.executors` runs batches of trials in process, in worker processes or
on dask.distributed, with bit-identical outcomes whatever the executor.
"""
