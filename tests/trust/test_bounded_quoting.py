"""A trust policy's values are quoted in part where findings describe them
(``keyless.errors.quoted``): a 30,000-character subject (a trust policy is refused past
40,960 characters) is not echoed whole in the description of the path."""

from __future__ import annotations

import pytest

from keyless.trust.analysis import analyse
from keyless.trust.describe import describe_path

LARGE = "x" * 30_000
ISSUER = "token.actions.githubusercontent.com"


def _policy(*subjects: str) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {f"{ISSUER}:sub": list(subjects)}},
            }
        ],
    }


@pytest.mark.parametrize(
    "subject",
    ["repo:acme/app:ref:refs/heads/" + LARGE, "repo:acme/app:environment:" + LARGE],
)
def test_a_large_subject_is_described_in_part(subject: str) -> None:
    (path,) = analyse(_policy(subject)).paths
    described = describe_path(path)
    assert len(described) < 500, described[:600]
    assert "xxxxxxxx…" in described


def test_many_subjects_are_described_in_part() -> None:
    subjects = [f"repo:acme/app-{n}:ref:refs/heads/main" for n in range(100)]
    (path,) = analyse(_policy(*subjects)).paths
    described = describe_path(path)
    assert described.endswith("or 90 more subjects")
