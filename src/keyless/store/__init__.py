"""The local history of an estate: scans recorded in SQLite, compared and counted.

* :class:`ScanRecord` - what a recorded scan holds (no secret ever)
* :func:`open_store` / :class:`Store` - record scans, read them back, count them over time
* :func:`compare` - what changed between two scans (:mod:`keyless.store.diff`)
"""

from keyless.store.database import DEFAULT_STORE, Store, open_store
from keyless.store.history import Counts, History, HistoryPoint
from keyless.store.record import ScanRecord, record_of_result

__all__ = [
    "DEFAULT_STORE",
    "Counts",
    "History",
    "HistoryPoint",
    "ScanRecord",
    "Store",
    "open_store",
    "record_of_result",
]
