"""What in a SQLite file runs code when the file is read or written.

keyless's SQLite files (the history store, the retire journal) hold tables and indexes
only. A file may be handed over or edited, and SQLite runs what it holds: a view queried
in a table's place (a recursive one yields rows without end), a trigger on every insert
(one could rewrite the journal's quarantine dates as keyless records them), a virtual
table's module. Such a file is refused before anything is read from it.
"""

from __future__ import annotations

import sqlite3

_QUERY = (
    "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')"
    " OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%') ORDER BY type, name"
)


def code_objects(db: sqlite3.Connection) -> list[tuple[str, str]]:
    """The views, triggers and virtual tables of ``db`` as (kind, name): ``view``,
    ``trigger`` or ``table``."""
    return [(str(kind), str(name)) for kind, name in db.execute(_QUERY)]
