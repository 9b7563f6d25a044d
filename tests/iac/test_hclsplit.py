"""Terraform files cut into top-level blocks: braces inside strings, interpolations,
heredocs and comments do not end a block; positions are those of the whole file; blocks
keyless does not judge are parsed only when referred to."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.hcl import HclSyntaxError
from keyless.iac.hclsplit import split_blocks
from keyless.iac.read import read_paths
from keyless.iac.tffiles import parse_file
from keyless.iac.values import Position, plain, pointer_positions

TRICKY = """# a comment with a brace {
resource "aws_s3_bucket" "b" {
  bucket = "x}y${jsonencode({ a = "}" })}"
  /* } */
  policy = <<EOF
{ "unbalanced": "}" }
EOF
}

// another } comment
resource "aws_iam_user" "u" { name = "u" }
"""


def test_braces_in_strings_comments_and_heredocs_do_not_end_a_block() -> None:
    chunks = split_blocks(TRICKY)
    assert [(c.type, c.labels, c.position) for c in chunks] == [
        ("resource", ("aws_s3_bucket", "b"), Position(2, 1)),
        ("resource", ("aws_iam_user", "u"), Position(11, 1)),
    ]


def test_an_unclosed_block_is_a_syntax_error_at_its_start() -> None:
    with pytest.raises(HclSyntaxError, match="a block is not closed") as error:
        split_blocks('\n\nresource "aws_iam_user" "u" {\n  name = "u"\n')
    assert error.value.position == Position(3, 29)


def test_an_unterminated_heredoc_is_a_syntax_error() -> None:
    with pytest.raises(HclSyntaxError, match="a heredoc does not end"):
        split_blocks("locals {\n  a = <<EOT\nnever closed\n}\n")


def test_a_block_parsed_alone_keeps_its_file_positions(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        "\n\n\n"
        'resource "aws_iam_role" "r" {\n'
        '  assume_role_policy = jsonencode({ Version = "2012-10-17" })\n'
        "}\n"
    )
    (role,) = read_paths([tmp_path]).resources
    assert role.position == Position(4, 1)
    assert role.trust is not None
    assert pointer_positions(role.trust)["/Version"] == Position(5, 47)


def test_a_malformed_block_nothing_refers_to_makes_the_file_unread(tmp_path: Path) -> None:
    """Terraform refuses the whole file: judging the user alone would call it clean."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n  bucket = = "broken"\n}\n'
        'resource "aws_iam_user" "u" {\n  name = "u"\n}\n'
    )
    model = read_paths([tmp_path])
    assert [r.address for r in model.resources] == []
    (unread,) = model.unread
    assert unread.reason == "malformed HCL: unexpected '=' at line 2, column 12"


def test_a_block_nothing_refers_to_keeps_no_values(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n  bucket = "fine"\n}\n'
        'resource "aws_iam_user" "u" {\n  name = "u"\n}\n'
    )
    body = parse_file(tmp_path / "main.tf").body
    bucket = next(b for b in body.blocks if b.type == "resource" and b.labels[0] == "aws_s3_bucket")
    assert bucket._body is None  # checked, then dropped until something refers to it
    assert "bucket" in bucket.body.attributes


def test_a_block_defining_an_attribute_twice_makes_the_file_unread(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  a = 1\n  a = 2\n}\n')
    (unread,) = read_paths([tmp_path]).unread
    assert unread.reason == "malformed HCL: attribute 'a' is defined twice at line 3, column 3"


def test_a_block_a_trust_policy_refers_to_is_parsed_and_evaluated(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n  bucket = "octo-logs"\n}\n'
        'resource "aws_iam_role" "r" {\n'
        "  assume_role_policy = jsonencode({ Bucket = aws_s3_bucket.b.bucket })\n"
        "}\n"
    )
    (role,) = read_paths([tmp_path]).resources
    assert role.trust is not None
    assert plain(role.trust) == {"Bucket": "octo-logs"}
