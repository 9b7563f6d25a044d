"""IAM makes a user's, group's or role's ARN of its path and name
(``arn:aws:iam::123456789012:user/ci/ci-deploy`` is the user ``ci-deploy`` of path ``/ci/``,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
An export or snapshot entry whose ARN names another one was read as it was: findings
named one entity by ARN while plans and messages named another by name (the role
``github-deploy`` judged and reported as ``role/other``, the user ``ci-deploy`` matched to
no credential report row). Such an entry is refused (exit 2), naming it; users the
credential report alone gives (the authorization details unread) have no path and are
not compared."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
DETAILS = "authorization-details.json"
Edit = Callable[[dict[str, Any]], None]


def _user(details: dict[str, Any]) -> None:
    details["UserDetailList"][1]["Arn"] = "arn:aws:iam::123456789012:user/ci/alice"


def _user_path(details: dict[str, Any]) -> None:
    details["UserDetailList"][1]["Path"] = "/"


def _role(details: dict[str, Any]) -> None:
    details["RoleDetailList"][0]["Arn"] = "arn:aws:iam::123456789012:role/other"


def _group(details: dict[str, Any]) -> None:
    details["GroupDetailList"][0]["Arn"] = "arn:aws:iam::123456789012:user/admins"


def _export(tmp_path: Path, edit: Edit | None) -> Path:
    export = tmp_path / "export"
    shutil.copytree(ACCOUNT, export)
    if edit is not None:
        details = json.loads((export / DETAILS).read_text())
        edit(details)
        (export / DETAILS).write_text(json.dumps(details))
    return export


@pytest.mark.parametrize(
    ("edit", "phrase"),
    [
        (_user, "the ARN 'arn:aws:iam::123456789012:user/ci/alice' is not that of the user"),
        (_user_path, "is not that of the user 'ci-deploy' of path '/'"),
        (_role, "the ARN 'arn:aws:iam::123456789012:role/other' is not that of the role"),
        (_group, "the ARN 'arn:aws:iam::123456789012:user/admins' is not that of the group"),
    ],
)
def test_an_export_entry_whose_arn_names_another_is_refused(
    tmp_path: Path, edit: Edit, phrase: str
) -> None:
    result = CliRunner().invoke(cli, ["scan", "--input", str(_export(tmp_path, edit))])
    assert result.exit_code == 2, result.output
    assert f"{DETAILS}: the ARN " in result.output
    assert phrase in result.output


@pytest.mark.parametrize(
    ("kind", "position", "arn"),
    [
        ("users", 1, "arn:aws:iam::123456789012:user/ci/alice"),
        ("roles", 0, "arn:aws:iam::123456789012:role/other"),
    ],
)
def test_a_snapshot_entry_whose_arn_names_another_is_refused(
    tmp_path: Path, kind: str, position: int, arn: str
) -> None:
    path = tmp_path / "snapshot.json"
    collected = CliRunner().invoke(
        cli, ["collect", "--input", str(_export(tmp_path, None)), "--out", str(path)]
    )
    assert collected.exit_code == 0, collected.output
    document = json.loads(path.read_text())
    document["accounts"][0][kind][position]["arn"] = arn
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["scan", "--snapshot", str(path)])
    assert result.exit_code == 2, result.output
    assert f"#/accounts/0/{kind}/{position}/arn: malformed snapshot: the ARN {arn!r}" in (
        result.output
    )


def test_users_of_the_report_alone_are_not_compared(tmp_path: Path) -> None:
    # Without the authorization details, ci-deploy (ARN user/ci/ci-deploy) comes from the
    # credential report, which gives no path: not a mismatch.
    export = _export(tmp_path, None)
    (export / DETAILS).write_text("[]")
    result = CliRunner().invoke(cli, ["scan", "--input", str(export)])
    assert result.exit_code == 3, result.output
