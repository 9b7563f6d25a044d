"""A Roles Anywhere role of the plan lists the trust anchors its account has; with no
``--ca-cert`` or ``--pca-arn``, ``generate`` reuses the first as the role's
``ArnEquals aws:SourceArn`` and in the ``credential_process`` line. Any string was taken:
a name (what ``keyless plan`` wrote), or an ARN with a wildcard region or another account
(``arn:aws:rolesanywhere:*:999999999999:trust-anchor/…``, which ArnEquals matches part by
part: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN)
made a role no certificate can use, or one another account's CA issues certificates
for; the proof passed both. Each is refused by pointer (exit 2); an anchor ARN of the
role's account is reused as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.generate.conftest import edited, run
from tests.plan.conftest import EXPORT

ANCHOR = (
    "arn:aws:rolesanywhere:eu-west-1:{account}:trust-anchor/0b7e4c1a-5f7d-4b8e-9a3c-2d1e6f0a9b8c"
)


def _with_anchor(anchor: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        role = document["roles_anywhere"][0]
        role["trust_anchors"] = [anchor.format(account=role["account"])]

    return change


@pytest.mark.parametrize(
    "anchor",
    [
        "my-anchor",
        ANCHOR.replace(":eu-west-1:", ":*:"),
        ANCHOR.replace("{account}", "999999999999"),
        ANCHOR.replace("arn:aws:", "arn:aws-cn:"),
        ANCHOR.replace("0b7e4c1a-", "*"),
    ],
    ids=["name", "any-region", "other-account", "other-partition", "wildcard-id"],
)
def test_a_trust_anchor_that_is_not_the_accounts_is_refused(
    export_plan: Path, tmp_path: Path, anchor: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _with_anchor(anchor))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "#/roles_anywhere/0/trust_anchors/0: " in result.stderr
    assert not out.exists()


def test_the_accounts_trust_anchor_is_reused(export_plan: Path, tmp_path: Path) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _with_anchor(ANCHOR))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--region", "eu-west-1")  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    text = (out / "roles_anywhere.tf").read_text()
    assert ANCHOR.format(account="210987654321") in text
    assert 'resource "aws_rolesanywhere_trust_anchor"' not in text


def test_plan_lists_the_accounts_anchors_by_arn(tmp_path: Path) -> None:
    """``keyless plan`` wrote each anchor's name, which ``generate`` then wrote as the
    role's ``aws:SourceArn``; it writes the ARNs of the account's own anchors."""
    snapshot = tmp_path / "snapshot.json"
    result = run("collect", "--input", str(EXPORT), "--out", str(snapshot))
    assert result.exit_code == 0, result.output
    document = json.loads(snapshot.read_text())
    (account,) = document["accounts"]
    own = ANCHOR.format(account=account["id"])
    account["trust_anchors"] = [
        {"arn": own, "name": "nas-ca", "enabled": True, "source_type": "CERTIFICATE_BUNDLE"},
    ]
    snapshot.write_text(json.dumps(document))
    plan = tmp_path / "plan.json"
    result = run("plan", "--snapshot", str(snapshot), "--now", "2025-06-01T12:00:00Z",
                 "--link", "backup-nas=host:nas01.example.com", "--out", str(plan))  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    (role,) = json.loads(plan.read_text())["roles_anywhere"]
    assert role["trust_anchors"] == [own]
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "cloudformation", "--out", str(out),
                 "--region", "eu-west-1")  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    assert own in (out / f"roles-anywhere-{account['alias'] or account['id']}.yaml").read_text()


# Trust anchors and profiles are regional: the credential helper refuses an anchor and a
# profile of two Regions ("trust anchor and profile regions don't match",
# https://github.com/aws/rolesanywhere-credential-helper). generate reused an anchor of
# eu-west-1 and wrote the profile in --region (us-east-1 by default): a credential_process
# line that never works.


@pytest.mark.parametrize("output_format", ["terraform", "cloudformation", "aws-config"])
def test_an_anchor_of_another_region_is_refused(
    export_plan: Path, tmp_path: Path, output_format: str
) -> None:
    plan = edited(export_plan, tmp_path / "plan.json", _with_anchor(ANCHOR))
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", output_format, "--out", str(out),
                 "--region", "us-east-1", "--sso-start-url", "https://d-1234567890.awsapps.com/start",
                 "--sso-region", "us-east-1")  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "are in eu-west-1, not in --region us-east-1" in result.stderr
    assert "--region eu-west-1" in result.stderr
    assert not out.exists()


def test_the_anchor_of_the_profiles_region_is_chosen(export_plan: Path, tmp_path: Path) -> None:
    # Two anchors of the account: the first (sorted) in eu-west-1, the other in the
    # Region generated for; the one of that Region is reused.
    here = ANCHOR.replace(":eu-west-1:", ":us-west-2:").replace("0b7e4c1a", "ffffffff")

    def change(document: dict[str, Any]) -> None:
        role = document["roles_anywhere"][0]
        role["trust_anchors"] = [a.format(account=role["account"]) for a in (ANCHOR, here)]

    plan = edited(export_plan, tmp_path / "plan.json", change)
    out = tmp_path / "out"
    result = run("generate", str(plan), "--format", "terraform", "--out", str(out),
                 "--region", "us-west-2")  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    text = (out / "roles_anywhere.tf").read_text()
    assert here.format(account="210987654321") in text
    assert ANCHOR.format(account="210987654321") not in text
