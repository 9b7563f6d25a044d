"""A trust policy judged alone takes its account from what can only name the role's own:
its IAM OIDC/SAML providers and its aws:SourceAccount/aws:SourceArn pins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli
from keyless.iac.scan import scan
from keyless.trust.owner import owner_account, owner_partition
from tests.trust.support import allow

OWN = "111122223333"
GITHUB = f"arn:aws:iam::{OWN}:oidc-provider/token.actions.githubusercontent.com"


def service(name: str, condition: dict[str, Any]) -> dict[str, Any]:
    return allow({"Service": name}, condition)


@pytest.mark.parametrize(
    "document",
    [
        service("config.amazonaws.com", {"StringEquals": {"aws:SourceAccount": OWN}}),
        service("sns.amazonaws.com", {"ArnLike": {"AWS:SourceArn": f"arn:aws:sns:*:{OWN}:*"}}),
        allow({"Federated": f"arn:aws:iam::{OWN}:saml-provider/okta"}),
        allow({"Federated": GITHUB}),
    ],
)
def test_the_policy_names_its_own_account(document: dict[str, Any]) -> None:
    assert owner_account(document) == OWN


@pytest.mark.parametrize(
    "document",
    [
        allow({"AWS": f"arn:aws:iam::{OWN}:root"}),  # a principal may be another account
        service("sns.amazonaws.com", {"StringNotEquals": {"aws:SourceAccount": OWN}}),
        service("sns.amazonaws.com", {"StringEquals": {"aws:SourceAccount": [OWN, "4" * 12]}}),
        allow({"Federated": "cognito-identity.amazonaws.com"}),
        {"Statement": "not a list"},
    ],
)
def test_no_single_own_account_is_named(document: dict[str, Any]) -> None:
    assert owner_account(document) is None


def test_a_service_pinned_to_its_source_account_is_no_confused_deputy(tmp_path: Path) -> None:
    # Judged in the default account 123456789012, the pin looked like another account's.
    policy = tmp_path / "config-role.json"
    document = service("config.amazonaws.com", {"StringEquals": {"aws:SourceAccount": OWN}})
    policy.write_text(json.dumps(document))
    result = CliRunner().invoke(cli, ["trust", str(policy), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []
    unpinned = tmp_path / "sns-role.json"
    unpinned.write_text(json.dumps(allow({"Service": "sns.amazonaws.com"})))
    result = CliRunner().invoke(cli, ["trust", str(unpinned), "--format", "json"])
    checks = [f["check"] for f in json.loads(result.stdout)["findings"]]
    assert checks == ["trust-service-confused-deputy"]


def test_a_literal_source_account_in_terraform_is_the_role_s_own(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "config" {\n'
        "  assume_role_policy = jsonencode({\n"
        '    Version = "2012-10-17"\n'
        "    Statement = [{\n"
        '      Effect = "Allow", Action = "sts:AssumeRole"\n'
        '      Principal = { Service = "config.amazonaws.com" }\n'
        f'      Condition = {{ StringEquals = {{ "aws:SourceAccount" = "{OWN}" }} }}\n'
        "    }]\n"
        "  })\n"
        "}\n"
    )
    assert scan([tmp_path]).findings == ()


def test_the_partition_is_the_one_the_principals_name() -> None:
    def policy(*principals: str, source: str | None = None) -> dict[str, object]:
        statement: dict[str, object] = {
            "Effect": "Allow",
            "Principal": {"AWS": list(principals)},
            "Action": "sts:AssumeRole",
        }
        if source:
            statement["Condition"] = {"ArnLike": {"aws:SourceArn": source}}
        return {"Version": "2012-10-17", "Statement": [statement]}

    assert owner_partition(policy("arn:aws-cn:iam::111122223333:root")) == "aws-cn"
    assert owner_partition(policy("*", source="arn:aws-us-gov:sns:*:*:t")) == "aws-us-gov"
    assert owner_partition(policy("111122223333")) is None
    assert owner_partition(policy("*", source="arn:aws*:sns:*:*:t")) is None
    mixed = policy("arn:aws:iam::111122223333:root", "arn:aws-cn:iam::111122223333:root")
    assert owner_partition(mixed) is None


def test_a_source_arn_the_policy_excludes_names_no_partition() -> None:
    """``ArnNotEquals aws:SourceArn`` says what the role is not for, as for accounts."""
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "config.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnNotEquals": {"aws:SourceArn": "arn:aws-us-gov:config:us-gov-west-1:1:x"}},
    }
    assert owner_partition({"Version": "2012-10-17", "Statement": [statement]}) is None
