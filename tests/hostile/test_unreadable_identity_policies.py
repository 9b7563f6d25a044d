"""A hand-edited export whose identity policy IAM would refuse (a Sid with punctuation):
the policy parser refuses it, and ``keyless scan`` used to skip it: a user it applied to
was judged on the other policies alone (here: said to have no deny-unless-MFA policy, when
the unread one is it; an unread administrator policy passed silently). The user is now
not evaluated by them (exit 3, the policy and the JSON pointer named), the rest of the
scan unchanged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from keyless.cli import cli

EXPORT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
REQUIRE_MFA = "arn:aws:iam::123456789012:policy/require-mfa"


def _edited(tmp_path: Path) -> Path:
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    details = export / "authorization-details.json"
    document = json.loads(details.read_text())
    for policy in document["Policies"]:
        if policy["Arn"] == REQUIRE_MFA:
            for version in policy["PolicyVersionList"]:
                for statement in version["Document"]["Statement"]:
                    statement["Sid"] = "deny without MFA!"
    details.write_text(json.dumps(document))
    return export


def _runs(result: Any) -> dict[str, Any]:
    return {run["check"]: run for run in json.loads(result.stdout)["check_runs"]}


def test_the_mfa_check_does_not_pass_a_user_whose_policy_cannot_be_read(tmp_path: Path) -> None:
    export = _edited(tmp_path)
    result = CliRunner().invoke(cli, ["scan", "--input", str(export), "--format", "json"])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    run = _runs(result)["account-mfa-not-enforced"]
    assert run["status"] == "partial"  # ci-deploy has no password: evaluated
    (gap,) = run["not_evaluated"]
    assert gap["reason"].startswith(f"user alice: policy could not be read: '{REQUIRE_MFA}': ")
    assert "/Statement/0/Sid: Sid 'deny without MFA!' holds characters" in gap["reason"]


def test_the_untouched_export_is_evaluated(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["scan", "--input", str(EXPORT), "--format", "json"])
    assert result.exit_code == 1, result.output  # findings, all evaluated
    assert _runs(result)["account-mfa-not-enforced"]["status"] == "evaluated"
