"""A precondition's text dates the plan to the second, as every other time a person reads
in it: a plan made without ``--now`` (``make demo``'s) showed "no use … after
2026-12-08T00:12:04.261433Z"; the document's ``source.as_of`` keeps the microseconds."""

from __future__ import annotations

import json
from pathlib import Path

from tests.generate.conftest import run
from tests.plan.conftest import EXPORT


def test_no_use_since_is_dated_to_the_second(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = run("plan", "--input", str(EXPORT), "--now", "2025-06-01T12:00:00.261433Z",
                 "--out", str(out), "--explain", "ops-lead")  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert "after 2025-06-01T12:00:00Z once the replacement is live" in result.stdout
    assert ".261433" not in result.stdout
    assert json.loads(out.read_text())["source"]["as_of"] == "2025-06-01T12:00:00.261433Z"
