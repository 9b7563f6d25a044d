"""``python -m keyless.retire.sql`` prints the journal's SQL schema: ``make docs`` writes
it to ``docs/schemas/retire-journal-v1.sql`` (a test fails when the two differ)."""

from __future__ import annotations

from keyless.retire.schema import SCHEMA

if __name__ == "__main__":  # pragma: no cover - `make docs`
    print(SCHEMA, end="")
