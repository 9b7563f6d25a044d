"""An Identity Center assignment listed twice in a plan (the same account, user and
permission set; names ignoring case, as Identity Center compares them) is refused by
``plan --check`` ("the same assignment is listed twice"), but ``generate`` wrote one and
exited 0: a hand-edited plan of 100,000 repeats was read, proved and written whole. It
is refused by pointer by both (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, generated_and_checked


def _repeated(upper: bool) -> Any:
    def change(document: dict[str, Any]) -> None:
        assignments = document["identity_center"]["assignments"]
        again = dict(assignments[0])
        if upper:
            again["user_name"] = again["user_name"].upper()
        assignments.append(again)

    return change


@pytest.mark.parametrize("upper", [False, True], ids=["same", "other-case"])
def test_an_assignment_listed_twice_is_refused(
    export_plan: Path, tmp_path: Path, ca_cert: Path, upper: bool
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _repeated(upper))
    out = tmp_path / "out"
    generated, checked = generated_and_checked(export_plan, plan, out, ca_cert)
    for result in (generated, checked):
        assert result.exit_code == 2, result.output
        assert "#/identity_center/assignments/3: the same assignment is listed twice" in (
            result.stderr
        )
    assert not out.exists()
