"""The deprecated ``source_json`` and ``override_json`` of ``aws_iam_policy_document``,
still common in older code, merge as the AWS provider merges them: ``source_json`` is the
first source, ``override_json`` the last override, a statement with the same ``sid``
replaced. They were ignored: a loose GitHub statement brought in by ``source_json`` went
unjudged."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.values import plain, unknowns

GITHUB = """
data "aws_iam_policy_document" "{name}" {{
  statement {{
    sid     = "{sid}"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {{
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]
    }}
    condition {{
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["{subject}"]
    }}
  }}
}}
"""
ROLE = """
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"""


def _write(tmp_path: Path, trust: str, **subjects: str) -> None:
    documents = "".join(
        GITHUB.format(name=n, subject=s, sid="Two" if n == "second" else "GitHub")
        for n, s in subjects.items()
    )
    (tmp_path / "main.tf").write_text(documents + trust + ROLE)


def _subjects(tmp_path: Path) -> list[str]:
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    statements = plain(role.trust)["Statement"]
    return [
        s["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"] for s in statements
    ]


def test_a_statement_from_source_json_is_judged(tmp_path: Path) -> None:
    trust = """
data "aws_iam_policy_document" "trust" {
  source_json = data.aws_iam_policy_document.base.json
}
"""
    _write(tmp_path, trust, base="repo:acme/*")
    result = scan([tmp_path])
    assert "trust-oidc-broad-subject" in {f.check for f in result.findings}


def test_override_json_replaces_a_statement_with_its_sid_last(tmp_path: Path) -> None:
    trust = """
data "aws_iam_policy_document" "trust" {
  source_policy_documents   = [data.aws_iam_policy_document.loose.json]
  override_policy_documents = [data.aws_iam_policy_document.middle.json]
  override_json             = data.aws_iam_policy_document.pinned.json
}
"""
    _write(
        tmp_path,
        trust,
        loose="repo:acme/*",
        middle="repo:acme/app:*",
        pinned="repo:acme/app:ref:refs/heads/main",
    )
    assert _subjects(tmp_path) == ["repo:acme/app:ref:refs/heads/main"]


def test_source_json_comes_before_the_source_policy_documents(tmp_path: Path) -> None:
    trust = """
data "aws_iam_policy_document" "trust" {
  source_json             = data.aws_iam_policy_document.first.json
  source_policy_documents = [data.aws_iam_policy_document.second.json]
}
"""
    _write(tmp_path, trust, first="repo:acme/one:*", second="repo:acme/two:*")
    assert _subjects(tmp_path) == ["repo:acme/one:*", "repo:acme/two:*"]


def test_source_json_written_as_text_is_read(tmp_path: Path) -> None:
    # JSON text is parsed as the provider parses it (it was left unknown)
    trust = """
data "aws_iam_policy_document" "trust" {
  source_json = "{\\"Statement\\": []}"
}
"""
    _write(tmp_path, trust)
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    assert not list(unknowns(role.trust))
    assert plain(role.trust)["Statement"] == []


@pytest.mark.parametrize(
    ("trust", "why"),
    [
        (
            "source_policy_documents = [data.aws_iam_policy_document.first.json,"
            " data.aws_iam_policy_document.again.json]",
            "Sid 'GitHub' twice in its sources",
        ),
        (
            "source_json             = data.aws_iam_policy_document.first.json\n"
            "  source_policy_documents = [data.aws_iam_policy_document.again.json]",
            "Sid 'GitHub' twice in its sources",
        ),
        (
            'statement {\n    sid = "Same"\n    actions = ["sts:AssumeRole"]\n  }\n'
            '  statement {\n    sid = "Same"\n    actions = ["sts:TagSession"]\n  }',
            "Sid 'Same' twice",
        ),
    ],
)
def test_a_sid_terraform_refuses_twice_leaves_the_document_unknown(
    tmp_path: Path, trust: str, why: str
) -> None:
    # the AWS provider: "duplicate Sid (GitHub) in source_policy_documents … Remove the Sid
    # or ensure Sids are unique"
    block = f'data "aws_iam_policy_document" "trust" {{\n  {trust}\n}}\n'
    _write(tmp_path, block, first="repo:acme/one:*", again="repo:acme/two:*")
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    (unknown,) = unknowns(role.trust)
    assert unknown.reason == f"Terraform refuses the document: {why}"


LOOSE_JSON = (
    '{"Version": "2012-10-17", "Statement": [{"Sid": "GitHub", "Effect": "Allow",'
    ' "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated":'
    ' "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},'
    ' "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub":'
    ' "repo:acme/*"}}}]}'
)


@pytest.mark.parametrize(
    "source",
    [
        'file("${path.module}/base.json")',
        "<<-EOT\n    " + LOOSE_JSON + "\n  EOT\n  ",
        'jsonencode(jsondecode(file("base.json")))',
    ],
)
def test_a_document_given_as_json_text_is_merged(tmp_path: Path, source: str) -> None:
    # The provider takes any JSON policy text in source_policy_documents; a file() or a
    # heredoc was "not judged: only documents written in this configuration are merged".
    (tmp_path / "base.json").write_text(LOOSE_JSON)
    trust = f"""
data "aws_iam_policy_document" "trust" {{
  source_policy_documents = [{source}]
}}
"""
    (tmp_path / "main.tf").write_text(trust + ROLE)
    result = scan([tmp_path])
    assert result.unread == ()
    assert "trust-oidc-broad-subject" in {f.check for f in result.findings}


def test_an_override_given_as_json_text_replaces_its_sid(tmp_path: Path) -> None:
    pinned = LOOSE_JSON.replace("repo:acme/*", "repo:acme/app:ref:refs/heads/main")
    (tmp_path / "pinned.json").write_text(pinned)
    trust = """
data "aws_iam_policy_document" "trust" {
  source_policy_documents   = [data.aws_iam_policy_document.loose.json]
  override_policy_documents = [file("pinned.json")]
}
"""
    _write(tmp_path, trust, loose="repo:acme/*")
    assert _subjects(tmp_path) == ["repo:acme/app:ref:refs/heads/main"]


def test_json_text_that_is_no_json_leaves_the_document_unknown(tmp_path: Path) -> None:
    trust = """
data "aws_iam_policy_document" "trust" {
  source_policy_documents = ["{not json"]
}
"""
    (tmp_path / "main.tf").write_text(trust + ROLE)
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert "not valid JSON" in unread.reason
