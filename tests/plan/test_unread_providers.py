"""An export without ``oidc-providers.json``: the plan cannot know whether the account
already has the provider of a CI role's issuer, and IAM holds one provider per URL
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html).
The plan still creates it (the user stays decided) and says, in the user's notes, how to
check and reuse an existing one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.generate.conftest import EXPORT_LINKS, run
from tests.plan.conftest import EXPORT

ACCOUNT_PROVIDER = "oidc-provider/token.actions.githubusercontent.com"


def plan(tmp_path: Path, providers: list[Any] | None) -> tuple[int, dict[str, Any]]:
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    if providers is not None:
        (export / "oidc-providers.json").write_text(json.dumps(providers))
    out = tmp_path / "plan.json"
    result = run(
        "plan", "--input", str(export), "--now", "2025-06-01T12:00:00Z", *EXPORT_LINKS,
        "--out", str(out),
    )  # fmt: skip
    return result.exit_code, json.loads(out.read_text())


def github_role(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    role = next(r for r in document["oidc_roles"] if r["platform"] == "github")
    (user,) = [u for u in document["users"] if u["arn"] == role["user"]]
    return role, user


def test_unread_providers_are_a_note_not_an_open_item(tmp_path: Path) -> None:
    code, document = plan(tmp_path / "unread", None)
    role, user = github_role(document)
    assert role["provider"]["arn"] is None
    assert role["provider"]["providers_read"] is False
    (note,) = [n for n in user["notes"] if "were not read" in n]
    assert f"arn:aws:iam::{role['account']}:{ACCOUNT_PROVIDER}" in note
    assert "aws iam list-open-id-connect-providers" in note
    assert not any("were not read" in w for w in user["would_decide"])
    # Said once in the plan's own notes (its summary), for both GitHub roles of the account.
    assert [n for n in document["notes"] if "were not read" in n] == [note]

    # Decided exactly as when the account is known to have no provider.
    read_code, read = plan(tmp_path / "read", [])
    assert code == read_code
    assert document["summary"] == read["summary"]
    read_role, read_user = github_role(read)
    assert read_role["provider"]["providers_read"] is True
    assert not any("were not read" in n for n in read_user["notes"])
    assert not any("were not read" in n for n in read["notes"])
