"""A registry module call's ``version`` is read as Terraform's constraint grammar (ranges,
``!=``, ``~>``): terraform-aws-modules' submodules are judged as the majors whose code
keyless follows when the constraint admits one of them, left as a note when it admits
none, and not judged (never clean) when the constraint is not one keyless reads."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyless.iac.scan import scan
from keyless.iac.tfversions import parse_constraint

MODULES = "terraform-aws-modules/iam/aws//modules"
OIDC_ROLE = f"""
module "role" {{{{
  source                       = "{MODULES}/iam-assumable-role-with-oidc"
  version                      = "{{version}}"
  create_role                  = true
  provider_url                 = "token.actions.githubusercontent.com"
  oidc_subjects_with_wildcards = ["repo:acme/*"]
}}}}
"""
PROVIDER = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
IRSA_ROLE = f"""
module "irsa" {{{{
  source                     = "{MODULES}/iam-role-for-service-accounts-eks"
  version                    = "{{version}}"
  assume_role_condition_test = "StringLike"
  oidc_providers = {{{{
    main = {{{{
      provider_arn               = "{PROVIDER}"
      namespace_service_accounts = ["ci:*"]
    }}}}
  }}}}
}}}}
"""
GITHUB_ROLE = """
module "gh" {{
  source   = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"
  version  = "{version}"
  subjects = ["acme/app:*"]
}}
"""
IAM_USER = """
module "ci" {{
  source  = "terraform-aws-modules/iam/aws//modules/iam-user"
  version = "{version}"
  name    = "ci"
}}
"""

#: Constraints admitting a 4.x or 5.x release (the majors that have both role submodules).
ADMIT_5 = [
    ">= 5.0, < 6.0",
    "~> 5.3",
    "!= 5.1.0",
    ">= 4.0",
    "< 5",
    ">= 3.0, < 6",
    "v5.39.1",
    # four segments (go-version pads with zeros), inexact pre-releases, build metadata
    "5.39.1.0",
    "~> 5.39.1.0",
    ">= 5.0.0-rc1, < 6",
    "5.39.1+build.7",
]
#: Constraints admitting none: 6.x has neither submodule, 3.x's code is not followed.
ADMIT_NO_5 = [
    "~> 6.0",
    ">= 6.0, < 7",
    "~> 3.0",
    "< 4.0",
    ">= 5.0, < 5.0",
    # a fourth segment no release has; a pre-release's ~> admits only pre-releases
    "= 5.39.1.1",
    "~> 5.0.0-rc1",
]
#: Not constraints keyless reads (HCL-style wildcards, nonsense, a segment past 64 bits).
UNREAD = ["5.x", "~> 5.*", "latest", "5." + "9" * 5000]
TEMPLATES = [OIDC_ROLE, IRSA_ROLE]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("version", ADMIT_5)
def test_a_constraint_admitting_a_followed_major_is_judged(
    tmp_path: Path, template: str, version: str
) -> None:
    (tmp_path / "main.tf").write_text(template.format(version=version))
    result = scan([tmp_path])
    assert result.findings != ()
    assert result.unread == ()
    assert result.notes == ()


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("version", ADMIT_NO_5)
def test_a_constraint_admitting_no_followed_major_is_a_note(
    tmp_path: Path, template: str, version: str
) -> None:
    (tmp_path / "main.tf").write_text(template.format(version=version))
    result = scan([tmp_path])
    assert result.findings == ()
    assert result.unread == ()
    assert any("remote module not read" in note for note in result.notes)


@pytest.mark.parametrize("template", [*TEMPLATES, GITHUB_ROLE])
@pytest.mark.parametrize("version", UNREAD)
def test_a_constraint_keyless_does_not_read_leaves_the_role_not_judged(
    tmp_path: Path, template: str, version: str
) -> None:
    (tmp_path / "main.tf").write_text(template.format(version=version))
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert f"version {version!r} is not a constraint keyless reads" in unread.reason


@pytest.mark.parametrize(
    ("version", "judged"),
    [("~> 5.3", True), (">= 5.0, < 6.0", True), ("!= 5.1.0", True), (">= 6.0", False)],
)
def test_the_github_oidc_role_module_is_judged_when_a_5x_release_is_admitted(
    tmp_path: Path, version: str, judged: bool
) -> None:
    (tmp_path / "main.tf").write_text(GITHUB_ROLE.format(version=version))
    result = scan([tmp_path])
    assert bool(result.findings) is judged
    assert bool(result.notes) is not judged


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        # terraform init installs the newest release admitted: 5.x's switches (a login
        # profile and an access key by default) unless a 6.x release is admitted
        (">= 5.0, < 6.0", {"iac-iam-user", "iac-login-profile", "iac-access-key"}),
        ("< 6", {"iac-iam-user", "iac-login-profile", "iac-access-key"}),
        (">= 5.0", {"iac-iam-user"}),
        ("!= 5.1.0", {"iac-iam-user"}),
    ],
)
def test_the_iam_user_module_takes_the_switches_of_the_newest_major_admitted(
    tmp_path: Path, version: str, expected: set[str]
) -> None:
    (tmp_path / "main.tf").write_text(IAM_USER.format(version=version))
    assert {f.check for f in scan([tmp_path]).findings} == expected


_OPERATORS = ["", "=", "!=", ">", ">=", "<", "<=", "~>"]
_CLAUSE = st.tuples(
    st.sampled_from(_OPERATORS),
    st.lists(st.integers(0, 3), min_size=1, max_size=4),
    st.sampled_from(["", "-rc1"]),
)
#: Every version a clause over 0..3 segments can tell apart: past 4 nothing changes.
_GRID = list(itertools.product(range(6), range(6), range(6)))


@given(st.lists(_CLAUSE, min_size=1, max_size=4), st.integers(0, 5))
def test_admits_major_agrees_with_every_release_of_that_major(
    clauses: list[tuple[str, list[int], str]], major: int
) -> None:
    text = ", ".join(f"{op} {'.'.join(map(str, numbers))}{pre}" for op, numbers, pre in clauses)
    constraint = parse_constraint(text)
    assert constraint is not None
    expected = any(constraint.admits(v) for v in _GRID if v[0] == major)
    assert constraint.admits_major(major) is expected
    later = any(constraint.admits(v) for v in _GRID if v[0] >= major)
    assert constraint.admits_from_major(major) is later


def test_the_iam_user_module_at_a_version_keyless_does_not_read_is_not_read(
    tmp_path: Path,
) -> None:
    """5.x creates a console password and an access key by default, 6.x does not: which
    one is installed is not known, so what the call creates is not read (it was read as
    6.x's, the access key dropped)."""
    (tmp_path / "main.tf").write_text(IAM_USER.format(version="5.0.0-rc1"))
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert (
        "its input version is not known: version '5.0.0-rc1' pins the pre-release 5.0.0-rc1"
        in unread.reason
    )


def test_the_iam_user_module_is_read_when_both_majors_switches_agree(tmp_path: Path) -> None:
    off = (
        "  create_iam_user_login_profile = false\n  create_iam_access_key = false\n"
        "  create_login_profile = false\n  create_access_key = false\n"
    )
    text = IAM_USER.format(version="5.x").replace('  name    = "ci"\n', f'  name    = "ci"\n{off}')
    (tmp_path / "main.tf").write_text(text)
    result = scan([tmp_path])
    assert {f.check for f in result.findings} == {"iac-iam-user"}
    assert result.unread == ()


IAM_ROLE = f"""
module "deploy" {{{{
  source                 = "{MODULES}/iam-role"
  version                = "{{version}}"
  enable_github_oidc     = true
  oidc_wildcard_subjects = ["acme/app:*"]
}}}}
"""


@pytest.mark.parametrize(
    ("version", "judged"),
    [("~> 6.0", True), (">= 5.0", True), ("~> 5.60", False), ("< 6", False)],
)
def test_the_iam_role_module_is_judged_when_a_6x_release_is_admitted(
    tmp_path: Path, version: str, judged: bool
) -> None:
    """6.x renamed iam-assumable-role to iam-role (the module's UPGRADE-6.0.md): a call
    admitting no 6.x release installs nothing (terraform init fails), a note."""
    (tmp_path / "main.tf").write_text(IAM_ROLE.format(version=version))
    result = scan([tmp_path])
    assert bool(result.findings) is judged
    assert bool(result.notes) is not judged
    assert result.unread == ()


def test_the_iam_role_module_at_a_version_keyless_does_not_read_is_not_judged(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.tf").write_text(IAM_ROLE.format(version="6.0.0-beta1"))
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert "version '6.0.0-beta1' pins the pre-release 6.0.0-beta1" in unread.reason


@pytest.mark.parametrize("template", [*TEMPLATES, GITHUB_ROLE])
@pytest.mark.parametrize("version", ["5.0.0-rc1", "= v5.1.0-beta.2+meta", "6.0.0-alpha"])
def test_a_pin_to_a_pre_release_leaves_the_role_not_judged_and_says_why(
    tmp_path: Path, template: str, version: str
) -> None:
    """Terraform installs a pre-release only when a constraint pins it exactly: the call
    installs that pre-release, whose code keyless does not follow (it said the constraint
    was not one keyless reads)."""
    (tmp_path / "main.tf").write_text(template.format(version=version))
    result = scan([tmp_path])
    assert result.findings == ()
    (unread,) = result.unread
    assert f"version {version!r} pins the pre-release " in unread.reason
    assert "whose code keyless does not follow" in unread.reason
