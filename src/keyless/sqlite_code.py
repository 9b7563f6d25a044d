"""What in a SQLite file runs code when the file is read or written.

keyless's SQLite files (the history store, the retire journal) hold tables and indexes
only. A file may be handed over or edited, and SQLite runs what it holds: a view queried
in a table's place (a recursive one yields rows without end), a trigger on every insert
(one could rewrite the journal's quarantine dates as keyless records them), a virtual
table's module. Such a file is refused before anything is read from it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

_QUERY = (
    "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')"
    " OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%') ORDER BY type, name"
)


def code_objects(db: sqlite3.Connection) -> list[tuple[str, str]]:
    """The views, triggers and virtual tables of ``db`` as (kind, name): ``view``,
    ``trigger`` or ``table``."""
    return [(str(kind), str(name)) for kind, name in db.execute(_QUERY)]


def damaged_pages(db: sqlite3.Connection, tables: Iterable[str] | None = None) -> str | None:
    """What SQLite's ``PRAGMA quick_check`` finds wrong with the file's pages (of
    ``tables`` and their indexes only, when given), or None when it finds nothing: a page
    no query of the command reads is damaged too, and would be read as clean.
    ``quick_check`` reads every page of what it checks (https://www.sqlite.org/pragma.html
    #pragma_quick_check): callers pass ``tables`` where the whole file costs too much."""
    # A value a CHECK refuses is left to the readers, which name its column and row: the
    # pages are what is checked here (SQLite skips CHECKs while this is on).
    (ignoring,) = db.execute("PRAGMA ignore_check_constraints").fetchone()
    db.execute("PRAGMA ignore_check_constraints = ON")
    try:
        for table in [None] if tables is None else list(tables):
            # A PRAGMA takes no bound parameter: the names are keyless's own tables.
            if table is not None and not table.isidentifier():
                raise ValueError(f"not a table name: {table!r}")
            target = "" if table is None else f'("{table}")'
            rows = db.execute(f"PRAGMA quick_check{target}").fetchall()
            problems = [str(row[0]) for row in rows if row and row[0] != "ok"]
            if problems:
                return problems[0]
    except sqlite3.DatabaseError as error:
        name = str(getattr(error, "sqlite_errorname", ""))
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return str(error)
        raise
    finally:
        db.execute(f"PRAGMA ignore_check_constraints = {'ON' if ignoring else 'OFF'}")
    return None
