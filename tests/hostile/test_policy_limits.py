"""Trust policies beyond keyless's limits (issue #10 item 12): more than 40,960 characters
without whitespace (ten times AWS's largest role trust policy) or more than 1,024
condition values. Each row is an input → the exit code → fragments of the message:

* a policy file given to ``trust`` or ``simulate`` is bad input: exit 2, one sentence
  naming the file, the size and the limit, before any analysis;
* a role holding such a policy in an estate (``scan``) or in infrastructure code
  (``iac``, ``trust FILE.tf``) is not evaluated, named with the reason: exit 3 (partial),
  never clean and never a hang.

Near misses (the same inputs just under the limits) are judged as usual.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.policy.limits import MAX_TRUST_POLICY_CHARACTERS
from tests.policy.test_limits import sized, with_values

ACCOUNT = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "account"
GH = "token.actions.githubusercontent.com"
USER = "arn:aws:iam::444455556666:user/alice"


def github_statements(count: int) -> dict[str, Any]:
    """``count`` independent GitHub OIDC statements, one repository each (the measured
    hang: 1,000 of these took 8 s and 335 MB before the limit)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{GH}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{GH}:sub": f"repo:org{i}/r*:ref:refs/heads/main"},
                },
            }
            for i in range(count)
        ],
    }


OVER = {
    "1,000 statements": github_statements(1_000),
    "one character over, padded": sized(MAX_TRUST_POLICY_CHARACTERS + 1),
    "5,000 condition values": with_values(5_000),
}
UNDER = {
    "100 statements": github_statements(100),
    "at the character limit": sized(MAX_TRUST_POLICY_CHARACTERS),
    "1,024 condition values": with_values(1_024),
}


def policy_file(tmp_path: Path, document: Any, *, indent: int | None = None) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(document, indent=indent))
    return path


def terraform(tmp_path: Path, document: Any) -> Path:
    """A Terraform module with the role ``aws_iam_role.wide`` trusting ``document``."""
    module = tmp_path / "module"
    module.mkdir()
    text = json.dumps(document, indent=1)
    (module / "main.tf").write_text(
        'resource "aws_iam_role" "wide" {\n  name = "wide"\n'
        f"  assume_role_policy = <<EOF\n{text}\nEOF\n}}\n"
    )
    return module


def cloudformation(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "template.json"
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Wide": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": document}}
        },
    }
    path.write_text(json.dumps(template))
    return path


def export(tmp_path: Path, document: Any) -> Path:
    """The fixture account's export with one more role, ``wide``, trusting ``document``."""
    root = tmp_path / "export"
    shutil.copytree(ACCOUNT, root)
    details = root / "authorization-details.json"
    data = json.loads(details.read_text())
    page = data[0] if isinstance(data, list) else data
    role = dict(page["RoleDetailList"][0])
    role.update(
        RoleName="wide",
        RoleId="AROAWIDE00000000000001",
        Arn=role["Arn"].rsplit("/", 1)[0] + "/wide",
        AssumeRolePolicyDocument=document,
    )
    page["RoleDetailList"].append(role)
    details.write_text(json.dumps(data))
    return root


@dataclass(frozen=True)
class Row:
    """``keyless ARGS`` built from the scratch directory and a policy → exit ``code`` for a
    policy over the limits, with ``fragments`` in the output."""

    name: str
    args: Callable[[Path, Any], list[str]]
    code: int
    fragments: tuple[str, ...]


ROWS = [
    Row(
        "trust POLICY.json",
        lambda t, d: ["trust", str(policy_file(t, d))],
        2,
        ("policy.json: the trust policy has", "more than keyless analyses"),
    ),
    Row(
        "trust POLICY.json, indented",
        lambda t, d: ["trust", str(policy_file(t, d, indent=4))],
        2,
        ("policy.json: the trust policy has", "more than keyless analyses"),
    ),
    Row(
        "simulate --trust-policy",
        lambda t, d: ["simulate", "--trust-policy", str(policy_file(t, d)), "--principal", USER],
        2,
        ("policy.json: the trust policy has", "more than keyless analyses"),
    ),
    Row(
        "trust main.tf",
        lambda t, d: ["trust", str(terraform(t, d) / "main.tf")],
        3,
        ("aws_iam_role.wide: trust policy not judged: the trust policy has",),
    ),
    Row(
        "trust template.json",
        lambda t, d: ["trust", str(cloudformation(t, d))],
        3,
        ("Wide: trust policy not judged: the trust policy has",),
    ),
    Row(
        "iac DIR",
        lambda t, d: ["iac", str(terraform(t, d))],
        3,
        ("aws_iam_role.wide: trust policy not judged: the trust policy has",),
    ),
    Row(
        "scan --input EXPORT",
        lambda t, d: ["scan", "--input", str(export(t, d))],
        3,
        ("role wide: trust policy not", "keyless's limit", "exit code 3"),
    ),
    Row(
        "scan --input EXPORT --format json",
        lambda t, d: ["scan", "--input", str(export(t, d)), "--format", "json"],
        3,
        ("role wide: trust policy not analysed",),
    ),
]


def invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args)
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    return result.exit_code, output


@pytest.mark.parametrize("policy", OVER.values(), ids=OVER.keys())
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_a_policy_over_the_limits_is_refused_or_not_evaluated(
    row: Row, policy: Any, tmp_path: Path
) -> None:
    code, output = invoke(row.args(tmp_path, policy))
    assert code == row.code, output
    words = " ".join(output.split())  # a table may wrap a reason across lines
    for fragment in row.fragments:
        assert fragment in words


@pytest.mark.parametrize("policy", UNDER.values(), ids=UNDER.keys())
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_a_policy_under_the_limits_is_judged(row: Row, policy: Any, tmp_path: Path) -> None:
    code, output = invoke(row.args(tmp_path, policy))
    assert code in (0, 1), output
    assert "more than keyless analyses" not in output


def test_the_refusal_names_the_file_the_size_and_the_limit(tmp_path: Path) -> None:
    path = policy_file(tmp_path, github_statements(1_000))
    code, output = invoke(["trust", str(path)])
    assert (code, output.strip()) == (
        2,
        f"keyless: error: {path}: the trust policy has 350,928 characters (whitespace not "
        "counted), more than keyless analyses (40,960: ten times AWS's largest role trust "
        "policy)",
    )


def test_a_partial_scan_is_accepted_with_allow_partial(tmp_path: Path) -> None:
    code, output = invoke(
        ["scan", "--input", str(export(tmp_path, with_values(5_000))), "--allow-partial"]
    )
    assert code == 1, output  # the fixture account's own findings
    assert "Partial scan accepted (--allow-partial)" in output
