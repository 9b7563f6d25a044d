"""unfunco/oidc-github called from the registry is judged as the release its ``version``
installs writes its trust policy; a release whose code keyless does not follow is
reported as not judged, never called clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from keyless.engine import ScanResult
from keyless.iac.read import read_paths
from keyless.iac.scan import scan
from keyless.iac.tfversions import parse_constraint
from keyless.iac.values import plain

CALL = """
module "gh" {{
  source  = "unfunco/oidc-github/aws"
{version}
{inputs}
}}
"""
ROLE = "module.gh.aws_iam_role.github[0]"
OPEN = [f"{ROLE}: a pull request can assume it", f"{ROLE}: an unprotected branch can assume it"]


def _scan(tmp_path: Path, inputs: str, version: str | None) -> ScanResult:
    written = "" if version is None else f'  version = "{version}"'
    (tmp_path / "main.tf").write_text(CALL.format(version=written, inputs=inputs))
    return scan([tmp_path])


def _statement(tmp_path: Path) -> dict[str, Any]:
    (role,) = (r for r in read_paths([tmp_path]).resources if r.address == ROLE)
    assert role.trust is not None
    (statement,) = plain(role.trust)["Statement"]
    return cast("dict[str, Any]", statement)


def _subjects(tmp_path: Path) -> list[str]:
    key = "token.actions.githubusercontent.com:sub"
    return cast("list[str]", _statement(tmp_path)["Condition"]["StringLike"][key])


def _messages(result: ScanResult) -> list[str]:
    return sorted(f.message for f in result.findings)


@pytest.mark.parametrize(
    "version", ["1.7.1", "= 1.8.0", "~> 1.6", ">= 0.7.0, < 2.0.0", "2.0.2", "1.8.0.0"]
)
def test_a_bare_repository_admits_every_ref(tmp_path: Path, version: str) -> None:
    result = _scan(tmp_path, 'github_repositories = ["acme/app"]', version)
    assert _messages(result) == OPEN
    assert result.unread == ()
    assert result.notes == ()


def test_an_entry_with_a_ref_is_kept_from_0_7_0(tmp_path: Path) -> None:
    inputs = 'github_repositories = ["acme/app:ref:refs/heads/main"]'
    assert _scan(tmp_path, inputs, "1.8.1").findings == ()
    # 0.6.x wrote :* after every entry, a ref too
    _scan(tmp_path, inputs, "0.6.1")
    assert _subjects(tmp_path) == ["repo:acme/app:ref:refs/heads/main:*"]


def test_the_audience_is_pinned_from_1_2_1(tmp_path: Path) -> None:
    inputs = 'github_repositories = ["acme/app:ref:refs/heads/main"]'
    before = _scan(tmp_path, inputs, "1.2.0")
    assert [f.check for f in before.findings] == ["trust-oidc-missing-audience"]
    assert "https://github.com/acme, sts.amazonaws.com" in before.findings[0].message
    assert _scan(tmp_path, inputs, "1.2.1").findings == ()


@pytest.mark.parametrize(
    ("version", "audiences"),
    [
        ("1.5.2", ["sts.amazonaws.com"]),
        ("1.6.0", ["sts.amazonaws.com", "https://example.com/other"]),
    ],
)
def test_additional_audiences_are_accepted_from_1_6_0(
    tmp_path: Path, version: str, audiences: list[str]
) -> None:
    inputs = (
        'github_repositories = ["acme/app:ref:refs/heads/main"]\n'
        'additional_audiences = ["https://example.com/other"]'
    )
    _scan(tmp_path, inputs, version)
    key = "token.actions.githubusercontent.com:aud"
    assert _statement(tmp_path)["Condition"]["StringEquals"][key] == audiences


@pytest.mark.parametrize(
    ("inputs", "version"),
    [
        ('enabled = false\ngithub_repositories = ["acme/app"]', "1.7.1"),
        ('create = false\ngithub_repositories = ["acme/app"]', "2.0.0"),
        ('create_iam_role = false\ngithub_repositories = ["acme/app"]', "2.0.1"),
    ],
)
def test_a_role_turned_off_is_not_judged_at_all(tmp_path: Path, inputs: str, version: str) -> None:
    result = _scan(tmp_path, inputs, version)
    assert result.findings == ()
    assert result.unread == ()


@pytest.mark.parametrize(
    ("version", "why"),
    [
        (None, "no version: the latest release is installed"),
        ("~> 2.0", "admits a release after 2.0.2"),
        (">= 1.0", "admits a release after 2.0.2"),
        ("~> 1", "admits a release after 2.0.2"),
        ("3.0.0", "admits a release after 2.0.2"),
        ("0.5.0", "installs 0.5.0, whose trust policy keyless does not follow"),
        ("1.9.0", "installs no release"),
        ("1.0.0-beta", "pins the pre-release 1.0.0-beta, whose code keyless does not follow"),
        ("~> 1.x", "is not a constraint keyless reads"),
        # four segments: 1.8.0.0 is 1.8.0, 1.8.0.1 is past every 1.8.0 release
        ("1.8.0.1", "installs no release"),
    ],
)
def test_a_release_whose_code_is_not_followed_is_not_judged(
    tmp_path: Path, version: str | None, why: str
) -> None:
    result = _scan(tmp_path, 'github_repositories = ["acme/app"]', version)
    assert result.findings == ()
    (unread,) = result.unread
    assert unread.reason.startswith(f"{ROLE}: trust policy not judged")
    assert why in unread.reason


def test_an_enterprise_slug_is_not_judged(tmp_path: Path) -> None:
    inputs = 'enterprise_slug = "acme"\ngithub_repositories = ["acme/app"]'
    result = _scan(tmp_path, inputs, "1.5.0")
    (unread,) = result.unread
    assert "enterprise_slug" in unread.reason


@pytest.mark.parametrize(
    ("text", "admitted", "refused"),
    [
        ("~> 1.7", [(1, 7, 0), (1, 9, 3)], [(2, 0, 0), (1, 6, 9)]),
        ("~> 1.7.0", [(1, 7, 0), (1, 7, 9)], [(1, 8, 0)]),
        ("~> 1", [(1, 0, 0), (7, 0, 0)], [(0, 9, 0)]),
        (">= 1.2, != 1.5.0, < 2", [(1, 2, 0), (1, 9, 9)], [(1, 5, 0), (2, 0, 0)]),
        ("v1.2.3", [(1, 2, 3)], [(1, 2, 4)]),
    ],
)
def test_constraints_read_as_go_version_reads_them(
    text: str, admitted: list[tuple[int, int, int]], refused: list[tuple[int, int, int]]
) -> None:
    constraint = parse_constraint(text)
    assert constraint is not None
    assert all(constraint.admits(v) for v in admitted)
    assert not any(constraint.admits(v) for v in refused)


@pytest.mark.parametrize(
    ("region", "release", "audience"),
    [
        ("cn-north-1", "2.0.2", "sts.amazonaws.com.cn"),
        ("us-gov-west-1", "2.0.2", "sts.amazonaws.com"),
        ("cn-north-1", "1.8.1", "sts.amazonaws.com"),  # 1.x writes the aws audience always
    ],
)
def test_2_x_writes_the_audience_of_the_providers_partition(
    tmp_path: Path, region: str, release: str, audience: str
) -> None:
    (tmp_path / "main.tf").write_text(
        f'provider "aws" {{\n  region = "{region}"\n}}\n'
        + CALL.format(
            version=f'  version = "{release}"',
            inputs='github_repositories = ["acme/app:ref:refs/heads/main"]',
        )
    )
    key = "token.actions.githubusercontent.com:aud"
    assert _statement(tmp_path)["Condition"]["StringEquals"][key] == [audience]
    provider = next(r for r in read_paths([tmp_path]).resources if r.audiences)
    assert provider.audiences == ("https://github.com/acme", audience)


def test_a_version_that_is_an_expression_is_not_taken_for_none(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "module_version" {}\n'
        + CALL.format(
            version="  version = var.module_version", inputs='github_repositories = ["acme/a"]'
        )
    )
    (unread,) = scan([tmp_path]).unread
    assert "no version" not in unread.reason
    assert "version 'var.module_version' is not a constraint keyless reads" in unread.reason


def test_a_version_written_as_a_number_is_its_text(tmp_path: Path) -> None:
    """HCL converts a number to the string an argument takes: ``1.8`` is ``= 1.8.0``."""
    (tmp_path / "main.tf").write_text(
        CALL.format(version="  version = 1.8", inputs='github_repositories = ["acme/app"]')
    )
    result = scan([tmp_path])
    assert _messages(result) == OPEN
