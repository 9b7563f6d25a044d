"""terraform-aws-modules' iam-assumable-role-with-oidc (4.x, 5.x) called from the registry
is read by its inputs: its GitHub or IRSA trust policy is judged, not left as a note."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.engine import ScanResult
from keyless.iac.scan import scan

CALL = """
module "role" {{
  source      = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  version     = "{version}"
  create_role = true
  role_name   = "deploy"
{inputs}
}}
"""
GITHUB = 'provider_url = "token.actions.githubusercontent.com"'


def _scan(tmp_path: Path, inputs: str, version: str = "~> 5.0") -> ScanResult:
    (tmp_path / "main.tf").write_text(CALL.format(version=version, inputs=inputs))
    return scan([tmp_path])


def test_a_wildcard_github_subject_is_judged(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        f'{GITHUB}\noidc_subjects_with_wildcards = ["repo:acme/app:*"]\n'
        'oidc_fully_qualified_audiences = ["sts.amazonaws.com"]',
    )
    assert sorted(f.message for f in result.findings) == [
        "module.role.aws_iam_role.this[0]: a pull request can assume it",
        "module.role.aws_iam_role.this[0]: an unprotected branch can assume it",
    ]
    assert result.notes == ()


def test_a_pinned_github_subject_is_clean(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        f'{GITHUB}\noidc_fully_qualified_subjects = ["repo:acme/app:ref:refs/heads/main"]\n'
        'oidc_fully_qualified_audiences = ["sts.amazonaws.com"]',
    )
    assert result.findings == ()
    assert result.unread == ()
    assert result.notes == ()


def test_no_subject_at_all_admits_any_repository(tmp_path: Path) -> None:
    result = _scan(tmp_path, GITHUB)
    assert "trust-oidc-any-tenant" in {f.check for f in result.findings}


def test_an_eks_issuer_from_a_module_output_stands_in_for_service_accounts(
    tmp_path: Path,
) -> None:
    inputs = (
        'provider_url = replace(module.eks.cluster_oidc_issuer_url, "https://", "")\n'
        'oidc_subjects_with_wildcards = ["system:serviceaccount:ci:*"]'
    )
    result = _scan(tmp_path, inputs)
    assert [f.check for f in result.findings] == ["trust-eks-unpinned"]
    pinned = _scan(
        tmp_path,
        "provider_url = module.eks.cluster_oidc_issuer_url\n"
        'oidc_fully_qualified_subjects = ["system:serviceaccount:kube-system:lb"]',
    )
    assert pinned.findings == ()
    (unread,) = pinned.unread
    assert "module.eks.cluster_oidc_issuer_url" in unread.reason


@pytest.mark.parametrize(
    ("inputs", "version"),
    [
        ("create_role = false", "~> 5.0"),  # replaces nothing: the call's own create_role
        (GITHUB, "~> 6.0"),  # 6.x has no such submodule: a note, as before
    ],
)
def test_calls_that_create_no_role_here(tmp_path: Path, inputs: str, version: str) -> None:
    text = CALL.format(version=version, inputs=inputs)
    if inputs.startswith("create_role"):
        text = text.replace("  create_role = true\n", "")
    (tmp_path / "main.tf").write_text(text)
    result = scan([tmp_path])
    assert result.findings == ()
    assert result.unread == ()


def test_the_self_assume_statement_leaves_it_not_judged(tmp_path: Path) -> None:
    result = _scan(tmp_path, f"{GITHUB}\nallow_self_assume_role = true")
    (unread,) = result.unread
    assert "allow_self_assume_role" in unread.reason


def test_a_call_without_a_version_is_read_as_5x(tmp_path: Path) -> None:
    # 6.x has no such submodule: a call without a version was written for 5.x or older.
    text = CALL.replace('  version     = "{version}"\n', "").format(
        inputs=f'{GITHUB}\noidc_subjects_with_wildcards = ["repo:acme/*"]'
    )
    (tmp_path / "main.tf").write_text(text)
    result = scan([tmp_path])
    assert "trust-oidc-broad-subject" in {f.check for f in result.findings}


def test_a_github_url_from_a_module_output_stands_in_for_github_subjects(
    tmp_path: Path,
) -> None:
    loose = _scan(
        tmp_path,
        "provider_url = module.iam_github_oidc_provider.url\n"
        'oidc_subjects_with_wildcards = ["repo:acme/app:*"]',
    )
    assert {f.check for f in loose.findings} == {"trust-oidc-untrusted-trigger"}
    assert loose.unread == ()
    pinned = _scan(
        tmp_path,
        "provider_url = module.iam_github_oidc_provider.url\n"
        'oidc_fully_qualified_subjects = ["repo:acme/app:ref:refs/heads/main"]',
    )
    assert pinned.findings == ()
    assert len(pinned.unread) == 1
