"""``generate`` says, one line each, what it left out (``not generated: user X: …``), with
the plan's own words for why (a user's ``would_decide``). A hand-edited plan's
``"would_decide": ["x\\nwrote out/: all done"]`` forged a line of the command's output,
and a bidirectional override reordered it; both are written as escapes (``\\n``,
``\\u202e``), so each left-out item stays one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.generate.conftest import edited, run


def _undecided(document: dict[str, Any]) -> None:
    user = next(u for u in document["users"] if u["destination"] == "retire")
    user["destination"] = "undecided"
    user["would_decide"] = ["x\nwrote out/: all done", "\u202eenod"]


def test_a_left_out_user_is_one_line(export_plan: Path, tmp_path: Path, ca_cert: Path) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _undecided)
    result = run("generate", str(plan), "--format", "terraform", "--out", str(tmp_path / "out"),
                 "--ca-cert", str(ca_cert))  # fmt: skip
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert not any(line.startswith("wrote out/") for line in lines)
    assert "\u202e" not in result.stderr
    (line,) = [line for line in lines if "all done" in line]
    assert line.startswith("not generated: user ")
    assert "x\\nwrote out/: all done; \\u202eenod" in line
