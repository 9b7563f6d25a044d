"""Community modules read by their inputs: terraform-aws-modules' iam-user creates an IAM
user, and (5.x defaults, or when asked) a console password and an access key."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.iac.scan import scan

CALL = """
module "ci" {{
  source  = "terraform-aws-modules/iam/aws//modules/iam-user"
{version}
  name    = "ci"
{inputs}
}}
"""


@pytest.mark.parametrize(
    ("version", "inputs", "expected"),
    [
        # 5.x: login profile and access key are created unless turned off
        ('version = "~> 5.0"', "", {"iac-iam-user", "iac-login-profile", "iac-access-key"}),
        (
            'version = "5.39.1"',
            "create_iam_user_login_profile = false",
            {"iac-iam-user", "iac-access-key"},
        ),
        ('version = "~> 5.0"', "create_user = false", set()),
        # 6.x (and no version: the latest) renamed the switches; only an explicit true counts
        ('version = "~> 6.0"', "", {"iac-iam-user"}),
        ("", "create_access_key = true", {"iac-iam-user", "iac-access-key"}),
        ("", "create = false", set()),
    ],
)
def test_the_iam_user_module_is_read_by_its_inputs(
    tmp_path: Path, version: str, inputs: str, expected: set[str]
) -> None:
    (tmp_path / "main.tf").write_text(CALL.format(version=f"  {version}", inputs=f"  {inputs}"))
    result = scan([tmp_path])
    assert {f.check for f in result.findings} == expected
    assert all("'ci'" in f.message for f in result.findings)
    assert not any("iam-user" in note for note in result.notes)
