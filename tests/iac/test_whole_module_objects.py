"""A whole module object (``module.NAME`` used as a value: ``jsonencode(module.cond)``,
``{for k, v in module.cond : k => v}``) is every output the module declares: judged when
every file of the module was read, unknown when one was not (an output it declares may
be missing), never judged as the outputs keyless happened to read."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan
from keyless.iac.values import Attributes, Node, Position, partial_part

# The account's callers in one organization only: the pin is in a file that cannot be
# read, beside an output that restricts nothing.
READ = 'output "Bool" {\n  value = { "aws:SecureTransport" = "true" }\n}\n'
PINNED = 'output "StringEquals" {\n  value = { "aws:PrincipalOrgID" = "o-abcdefghij" }\n}\n'
ROLE = """
module "cond" {
  source = "./cond"
}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
      Condition = CONDITION
    }]
  })
}
"""
WHOLE = ["module.cond", "{ for k, v in module.cond : k => v }", "merge(module.cond, {})"]


def _write(tmp_path: Path, condition: str, pinned: str) -> Path:
    (tmp_path / "cond").mkdir()
    (tmp_path / "cond" / "a.tf").write_text(READ)
    (tmp_path / "cond" / "b.tf").write_text(pinned)
    (tmp_path / "main.tf").write_text(ROLE.replace("CONDITION", condition))
    return tmp_path


@pytest.mark.parametrize("condition", WHOLE)
def test_a_whole_module_object_of_a_module_read_whole_is_judged(
    tmp_path: Path, condition: str
) -> None:
    result = scan([_write(tmp_path, condition, PINNED)])
    assert result.unread == ()
    assert result.findings == ()  # pinned to one organization


@pytest.mark.parametrize("condition", WHOLE)
def test_a_whole_module_object_of_a_module_not_read_whole_is_not_judged(
    tmp_path: Path, condition: str
) -> None:
    result = scan([_write(tmp_path, condition, PINNED + "this is { not terraform\n")])
    assert result.findings == ()
    reasons = sorted(u.reason for u in result.unread)
    assert len(reasons) == 2
    assert any(r.startswith("aws_iam_role.r: trust policy not judged") for r in reasons)


def test_a_shared_value_is_searched_once_per_part() -> None:
    """``[local.l, local.l]`` forty times over is 2⁴⁰ parts written out: looking for a
    partial object in it visits each distinct part once, or it would never end."""
    position = Position(1, 1)
    value = Node("x", position)
    for _ in range(60):
        value = Node((value, value), position)
    assert partial_part(value) is None
    hidden = Node(Attributes({}, "aws_iam_user.u", position), position)
    found = partial_part(Node((value, hidden), position))
    assert found is not None
    assert found.address == "aws_iam_user.u"
