"""terraform-aws-modules' iam-role-for-service-accounts-eks (4.x, 5.x) called from the
registry is read by its inputs: its IRSA trust policy is judged, not left as a note."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.engine import ScanResult
from keyless.iac.scan import scan

SOURCE = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
PROVIDER = (
    "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/"
    "EXAMPLED539D4633E53DE1B71EXAMPLE"
)
CALL = """
module "irsa" {{
  source    = "{source}"
  version   = "{version}"
  role_name = "app"
{inputs}
  oidc_providers = {{
    main = {{
      provider_arn               = {provider}
      namespace_service_accounts = [{accounts}]
    }}
  }}
}}
"""


def _scan(
    tmp_path: Path,
    accounts: str,
    *,
    inputs: str = "",
    provider: str = f'"{PROVIDER}"',
    version: str = "~> 5.39",
) -> ScanResult:
    text = CALL.format(
        source=SOURCE, version=version, inputs=inputs, provider=provider, accounts=accounts
    )
    (tmp_path / "main.tf").write_text(text)
    return scan([tmp_path])


def test_a_named_service_account_is_clean(tmp_path: Path) -> None:
    result = _scan(tmp_path, '"kube-system:external-dns"')
    assert result.findings == ()
    assert result.unread == ()
    assert result.notes == ()  # read, not "remote module not read"


def test_a_whole_namespace_under_string_like_is_unpinned(tmp_path: Path) -> None:
    result = _scan(tmp_path, '"ci:*"', inputs='  assume_role_condition_test = "StringLike"')
    assert [(f.check, f.message) for f in result.findings] == [
        (
            "trust-eks-unpinned",
            "module.irsa.aws_iam_role.this[0]: any service account of namespace ci can "
            "assume it, such as ci:attacker",
        )
    ]


def test_the_clusters_provider_from_a_module_output_stands_in(tmp_path: Path) -> None:
    # module.eks.oidc_provider_arn, as the module's README calls it: what the subjects
    # admit holds for any cluster; a pinned role is not called clean on a guess.
    output = "module.eks.oidc_provider_arn"
    loose = _scan(
        tmp_path, '"ci:*"', inputs='  assume_role_condition_test = "StringLike"', provider=output
    )
    assert [f.check for f in loose.findings] == ["trust-eks-unpinned"]
    assert loose.unread == ()
    pinned = _scan(tmp_path, '"kube-system:external-dns"', provider=output)
    assert pinned.findings == ()
    (unread,) = pinned.unread
    assert "module.irsa.aws_iam_role.this[0]: trust policy not judged" in unread.reason
    assert output in unread.reason


@pytest.mark.parametrize("version", ["~> 6.0", "6.2.1"])
def test_a_version_without_the_submodule_is_left_as_a_note(tmp_path: Path, version: str) -> None:
    result = _scan(tmp_path, '"ci:*"', version=version)
    assert result.findings == ()
    assert any("remote module not read" in note for note in result.notes)


def test_create_role_false_creates_nothing(tmp_path: Path) -> None:
    result = _scan(tmp_path, '"ci:*"', inputs="  create_role = false")
    assert result.findings == ()
    assert result.unread == ()
    assert result.notes == ()


def test_a_call_without_a_version_is_read_as_5x(tmp_path: Path) -> None:
    # 6.x renamed the submodule: a call without a version was written for 5.x or older.
    text = CALL.replace('  version   = "{version}"\n', "").format(
        source=SOURCE,
        inputs='  assume_role_condition_test = "StringLike"',
        provider=f'"{PROVIDER}"',
        accounts='"ci:*"',
    )
    (tmp_path / "main.tf").write_text(text)
    assert [f.check for f in scan([tmp_path]).findings] == ["trust-eks-unpinned"]
