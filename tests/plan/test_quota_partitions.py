"""Identity Center's default quota of provisioned permission sets per account is 250
(https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html) and 500 in the
China Regions (https://docs.amazonaws.cn/en_us/singlesignon/latest/userguide/limits.html).
``plan --check`` and ``generate`` warned past 250 in every partition: a China plan of 251
to 500 permission sets in an account was told to raise a quota it was within."""

from __future__ import annotations

from typing import Any

import pytest

from keyless.plan.quotas import quota_warnings

ACCOUNT = "210987654321"


def _document(partition: str, sets: int) -> dict[str, Any]:
    """A plan (the parts the quota reads) assigning ``sets`` permission sets in ACCOUNT."""
    return {
        "users": [{"account": ACCOUNT, "arn": f"arn:{partition}:iam::{ACCOUNT}:user/alice"}],
        "oidc_roles": [],
        "roles_anywhere": [],
        "workload_roles": [],
        "identity_center": {
            "assignments": [
                {"account": ACCOUNT, "user_name": "alice", "permission_set": f"set-{n}"}
                for n in range(sets)
            ]
        },
    }


@pytest.mark.parametrize(
    ("partition", "sets", "quota"),
    [
        ("aws", 250, None),
        ("aws", 251, 250),
        ("aws-us-gov", 251, 250),
        ("aws-cn", 251, None),
        ("aws-cn", 500, None),
        ("aws-cn", 501, 500),
    ],
)
def test_the_warning_takes_the_quota_of_the_accounts_partition(
    partition: str, sets: int, quota: int | None
) -> None:
    warnings = quota_warnings(_document(partition, sets))
    if quota is None:
        assert warnings == ()
    else:
        (warning,) = warnings
        assert f"{sets} in all, past Identity Center's {quota} per account" in warning
