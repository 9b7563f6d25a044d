"""A scan document's values are quoted in part in `keyless diff` and `record` messages
(``keyless.errors.quoted``): a 100,000-character schema is not echoed whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keyless.errors import InputError
from keyless.store.documents import load_record

HUGE = "x" * 100_000


def test_a_huge_schema_is_quoted_in_part(tmp_path: Path) -> None:
    document = tmp_path / "scan.json"
    document.write_text(json.dumps({"schema": HUGE}))
    with pytest.raises(InputError) as refused:
        load_record(document)
    assert len(refused.value.message) < 500, refused.value.message[:600]
    assert "xxxxxxxx…" in refused.value.message
