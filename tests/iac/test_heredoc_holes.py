"""A trust policy written as JSON text (a heredoc) with values keyless does not know
inside its strings, as HashiCorp's Terraform Cloud dynamic-credentials example writes it
(``"Federated": "${aws_iam_openid_connect_provider.tfc_provider.arn}"``), is still JSON
whatever they are: it is judged as a document whose strings holding them are unknown
(stood in for where a finding holds whatever they are), not left whole unknown. A value
outside a string or in a key still leaves the policy not judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.engine import ScanResult
from keyless.iac.scan import scan

PROVIDER = """
data "tls_certificate" "tfc" {
  url = "https://app.terraform.io"
}
resource "aws_iam_openid_connect_provider" "tfc" {
  url            = data.tls_certificate.tfc.url
  client_id_list = ["aws.workload.identity"]
}
variable "org" {
  type = string
}
"""
ROLE = """
resource "aws_iam_role" "tfc" {
  name               = "tfc"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "${aws_iam_openid_connect_provider.tfc.arn}"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"app.terraform.io:aud": "aws.workload.identity"},
      "StringLike": {"KEY": "SUBJECT"}
    }
  }]
}
EOF
}
"""


def _scan(tmp_path: Path, subject: str, key: str = "app.terraform.io:sub") -> ScanResult:
    role = ROLE.replace("SUBJECT", subject).replace("KEY", key)
    (tmp_path / "main.tf").write_text(PROVIDER + role)
    return scan([tmp_path])


def test_an_unknown_provider_arn_in_a_heredoc_stands_for_its_provider(tmp_path: Path) -> None:
    result = _scan(tmp_path, "organization:${var.org}:project:p:workspace:w:run_phase:*")
    assert result.unread == ()
    (finding,) = result.findings
    assert finding.check == "trust-oidc-untrusted-trigger"
    assert "plan run" in finding.message
    assert finding.location is not None
    assert finding.location.line == 24  # the StringLike line of the heredoc


@pytest.mark.parametrize(
    ("subject", "key"),
    [
        ("organization:acme:project:p:workspace:w:run_phase:apply", "${var.org}:sub"),
        ("organization:${var.org}:project:p:workspace:w:run_phase:apply", "app.terraform.io:sub"),
    ],
)
def test_a_policy_that_holds_no_finding_whatever_the_values_stays_not_judged(
    tmp_path: Path, subject: str, key: str
) -> None:
    result = _scan(tmp_path, subject, key)
    assert result.findings == ()
    (unread,) = result.unread
    assert "aws_iam_role.tfc: trust policy not judged" in unread.reason


def test_a_value_outside_a_string_leaves_the_text_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "statement" {\n  type = string\n}\n'
        'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = <<EOF\n'
        '{"Version": "2012-10-17", "Statement": [${var.statement}]}\nEOF\n}\n'
    )
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert "var.statement" in unread.reason


def test_text_that_writes_a_marker_itself_is_not_read_with_holes(tmp_path: Path) -> None:
    """The markers standing for unknown values are private-use characters: a text that
    holds one already is left unknown rather than read with a hole it wrote itself."""
    forged = "\ue0001\ue001"  # the marker of the second value, ${var.org}
    subject = f"organization:${{var.org}}:project:{forged}:workspace:w:run_phase:*"
    result = _scan(tmp_path, subject)
    assert result.findings == ()
    assert len(result.unread) == 1


def test_a_template_file_rendered_with_values_not_known_is_read_too(tmp_path: Path) -> None:
    (tmp_path / "trust.json.tpl").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",\n'
        ' "Principal": {"Federated": "arn:aws:iam::${account}:oidc-provider/'
        'token.actions.githubusercontent.com"},\n'
        ' "Action": "sts:AssumeRoleWithWebIdentity",\n'
        ' "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": '
        '"sts.amazonaws.com"},\n'
        '   "StringLike": {"token.actions.githubusercontent.com:sub": "repo:${repo}:*"}}}]}\n'
    )
    (tmp_path / "main.tf").write_text(
        'variable "repo" {\n  type = string\n}\n'
        'data "aws_caller_identity" "current" {}\n'
        'resource "aws_iam_role" "r" {\n  name = "r"\n'
        '  assume_role_policy = templatefile("${path.module}/trust.json.tpl", {\n'
        "    account = data.aws_caller_identity.current.account_id\n"
        "    repo    = var.repo\n  })\n}\n"
    )
    result = scan([tmp_path])
    assert {f.check for f in result.findings} == {"trust-oidc-untrusted-trigger"}
    assert {f.location.line for f in result.findings if f.location} == {7}
