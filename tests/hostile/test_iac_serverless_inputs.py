"""Hostile ``serverless.yml`` for ``keyless iac``. Before:

- a resource whose logical ID holds a variable (``${self:custom.name}:``) made the whole
  ``Resources`` section unknown, and its roles vanished: exit 0, nothing unread;
- a resource with a variable in one of its own keys, or written as a variable
  (``R: ${file(r.yml)}``), had no known ``Type`` and was skipped the same way;
- a ``Resources`` that is not a mapping was skipped silently, and a resources entry that
  is a list was named by the reader's internal ``Node(...)`` repr;
- a string of 20,000 variables took minutes (the text before and after each one was
  joined again for it: :func:`keyless.iac.values.stand_in_text`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from keyless.iac.scan import scan
from keyless.iac.values import Position, Unknown, stand_in_text

PROVIDER = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
ROLE = """\
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument:
          Statement:
            - Effect: Allow
              Principal: {{Federated: "{provider}"}}
              Action: sts:AssumeRoleWithWebIdentity
              Condition:
                StringEquals: {{"token.actions.githubusercontent.com:aud": sts.amazonaws.com}}
                StringLike: {{"{key}": "repo:acme/*"}}
"""
SUB = "token.actions.githubusercontent.com:sub"


def _role(key: str) -> str:
    return ROLE.format(provider=PROVIDER, key=key)


def _service(resources: str, custom: str = "name: Deployer") -> str:
    return f"service: s\ncustom:\n  {custom}\nresources:\n{resources}"


def _scan(tmp_path: Path, text: str) -> Any:
    (tmp_path / "serverless.yml").write_text(text)
    return scan([tmp_path])


def _checks(result: Any) -> set[str]:
    return {finding.check for finding in result.findings}


def test_a_logical_id_holding_a_variable_is_still_judged(tmp_path: Path) -> None:
    for logical_id in ("${self:custom.name}", "${opt:stage}Role"):
        text = _service(f"  Resources:\n    {logical_id}:\n" + _role(SUB))
        result = _scan(tmp_path, text)
        assert "trust-oidc-broad-subject" in _checks(result), logical_id
        assert result.unread == ()


def test_a_resource_with_a_variable_key_is_unread_not_skipped(tmp_path: Path) -> None:
    text = _service("  Resources:\n    R:\n      ${opt:extra}: 1\n" + _role(SUB))
    result = _scan(tmp_path, text)
    (unread,) = result.unread
    assert "the resource 'R' is not read: a key holding a Serverless Framework variable" in (
        unread.reason
    )
    assert result.exit_code() == 3


def test_a_resource_written_as_a_variable_is_unread(tmp_path: Path) -> None:
    result = _scan(tmp_path, _service("  Resources:\n    R: ${file(role.yml)}\n"))
    (unread,) = result.unread
    assert unread.reason.startswith("the resource 'R' is not read")


def test_resources_that_are_not_a_mapping_are_unread(tmp_path: Path) -> None:
    result = _scan(tmp_path, _service("  - Resources: 7\n  - [1, 2]\n"))
    reasons = sorted(unread.reason for unread in result.unread)
    assert reasons[0].startswith("the resources entry that is a list is not read")
    assert reasons[1] == "the resources entry's Resources is not a mapping: it is not read"
    assert not any("Node(" in reason for reason in reasons)


def test_a_condition_key_the_file_holds_is_resolved(tmp_path: Path) -> None:
    text = _service(
        "  Resources:\n    R:\n" + _role("${self:custom.issuer}:sub"),
        custom="issuer: token.actions.githubusercontent.com",
    )
    result = _scan(tmp_path, text)
    assert "trust-oidc-broad-subject" in _checks(result)
    assert result.unread == ()


def test_a_key_that_becomes_another_key_is_not_judged(tmp_path: Path) -> None:
    # Which of the two values Serverless keeps is not documented: neither is judged.
    doubled = f'{SUB}": "repo:acme/app:ref:refs/heads/main", "${{self:custom.key}}'
    text = _service("  Resources:\n    R:\n" + _role(doubled), custom=f'key: "{SUB}"')
    result = _scan(tmp_path, text)
    (unread,) = result.unread
    assert "a key that names another key of its mapping" in unread.reason
    assert result.exit_code() == 3


class _Counted(Sequence[str | Unknown]):
    """Pieces that count how many times one is looked at."""

    def __init__(self, pieces: list[str | Unknown]):
        self.pieces = pieces
        self.reads = 0

    def __len__(self) -> int:
        return len(self.pieces)

    @overload
    def __getitem__(self, index: int) -> str | Unknown: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str | Unknown]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return _Counted(self.pieces[index])._tell(self)
        self.reads += 1
        return self.pieces[index]

    def __iter__(self) -> Iterator[str | Unknown]:
        for piece in self.pieces:
            self.reads += 1
            yield piece

    def _tell(self, parent: _Counted) -> _Counted:
        parent.reads += len(self.pieces)
        return self


def test_stand_ins_are_written_in_one_pass() -> None:
    variable = Unknown("${opt:a}", "unset", Position(1, 1), "a")
    pieces = _Counted(["repo:", *[variable, "/"] * 2000, ":*"])
    rendered = stand_in_text(pieces)
    assert rendered == "repo:" + "a/" * 2000 + ":*"
    assert pieces.reads <= 4 * len(pieces)  # it read every later piece again for each one


def test_a_bare_name_after_repo_still_stands_for_owner_and_repository() -> None:
    variable = Unknown("${opt:repo}", "unset", Position(1, 1), "repo")
    assert stand_in_text(["repo:", variable, ":*"]) == "repo:repo/repo:*"
    assert stand_in_text(["repo:", variable, "/x:*"]) == "repo:repo/x:*"
