"""``join`` of a list holding one JSON text (a policy document's ``json``) and nothing else
to write is that text: ``join("", data.aws_iam_policy_document.x.*.json)``, an idiom of
older code (the splat of a data source without ``count`` is a list of its one ``json``),
is judged as the document, where it was left not judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

DOCUMENT = """
data "aws_iam_policy_document" "x" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
"""


def _scan(tmp_path: Path, trust: str) -> tuple[set[str], int]:
    role = f'resource "aws_iam_role" "r" {{\n  assume_role_policy = {trust}\n}}\n'
    (tmp_path / "main.tf").write_text(DOCUMENT + role)
    result = scan([tmp_path])
    return {f.check for f in result.findings}, len(result.unread)


@pytest.mark.parametrize(
    "trust",
    [
        'join("", data.aws_iam_policy_document.x.*.json)',
        'join("", data.aws_iam_policy_document.x[*].json)',
        'join(",", [data.aws_iam_policy_document.x.json])',
        'join("", ["", data.aws_iam_policy_document.x.json, ""])',
        # whitespace after the text: the same document to any JSON parser
        'join("", [data.aws_iam_policy_document.x.json, " "])',
        'join("\\n", [data.aws_iam_policy_document.x.json, ""])',
        'join(" ", [data.aws_iam_policy_document.x.json, "\\r\\n", "\\t"])',
    ],
)
def test_a_join_that_writes_one_json_text_is_judged_as_its_document(
    tmp_path: Path, trust: str
) -> None:
    assert _scan(tmp_path, trust) == ({"trust-anyone"}, 0)


@pytest.mark.parametrize(
    "trust",
    [
        'join(",", ["", data.aws_iam_policy_document.x.json])',  # writes a leading comma
        'join("", [data.aws_iam_policy_document.x.json, data.aws_iam_policy_document.x.json])',
        'join("", [data.aws_iam_policy_document.x.json, "x"])',
        # not JSON whitespace (a no-break space)
        'join("", [data.aws_iam_policy_document.x.json, "\\u00a0"])',
    ],
)
def test_a_join_that_writes_more_than_the_json_text_is_not_judged(
    tmp_path: Path, trust: str
) -> None:
    assert _scan(tmp_path, trust) == (set(), 1)


@pytest.mark.parametrize(
    "trust",
    [
        'join("", [" ", data.aws_iam_policy_document.x.json])',
        'join("\\n", ["", data.aws_iam_policy_document.x.json])',
    ],
)
def test_a_join_that_writes_whitespace_before_the_json_text_is_not_judged_and_says_why(
    tmp_path: Path, trust: str
) -> None:
    """The AWS provider refuses a policy that starts with whitespace (``leading space
    characters are not allowed``): the role is not judged, and the reason says so."""
    role = f'resource "aws_iam_role" "r" {{\n  assume_role_policy = {trust}\n}}\n'
    (tmp_path / "main.tf").write_text(DOCUMENT + role)
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert "leading space characters are not allowed" in unread.reason


@pytest.mark.parametrize("indent", [" ", "\t", "\n"])
def test_a_heredoc_policy_starting_with_whitespace_is_not_judged(
    tmp_path: Path, indent: str
) -> None:
    """As a join writing whitespace first: the AWS provider refuses the role before it is
    created, so its trust is not judged as if it were deployed (it was: trust-anyone)."""
    policy = '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}'
    role = (
        f'resource "aws_iam_role" "r" {{\n  assume_role_policy = <<EOF\n{indent}{policy}\nEOF\n}}\n'
    )
    (tmp_path / "main.tf").write_text(role)
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert "leading space characters are not allowed" in unread.reason
    # <<-EOF strips the indentation: the policy is judged
    (tmp_path / "main.tf").write_text(role.replace("<<EOF", "<<-EOF").replace("\n\n", "\n"))
    assert {f.check for f in scan([tmp_path]).findings} == {"trust-anyone"}
