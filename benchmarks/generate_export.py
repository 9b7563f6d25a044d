"""Write a synthetic large account in the offline export format (docs/export-format.md).

Defaults: 5,000 users, 500 groups, 20,000 roles with varied trust policies (GitHub OIDC
pinned and unpinned, cross-account, services, SAML), 10,000 customer managed policies
with several versions each, and a matching credential report: about 100 MB of compact
JSON. Deterministic for a given --seed.

    python benchmarks/generate_export.py /tmp/big-export
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from keyless.collect.formats.credential_report import COLUMNS

ACCOUNT = "123456789012"
GITHUB = "token.actions.githubusercontent.com"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
SERVICES = ("s3", "dynamodb", "sqs", "sns", "lambda", "ec2", "kms", "logs", "ecr", "ssm")
TRUSTED_SERVICES = ("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com")


def _date(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _policy_document(rng: random.Random, statements: int) -> dict[str, Any]:
    body = []
    for index in range(statements):
        service = rng.choice(SERVICES)
        body.append(
            {
                "Sid": f"Stmt{index}{rng.randrange(10**6)}",
                "Effect": "Allow" if rng.random() < 0.9 else "Deny",
                "Action": [
                    f"{service}:{verb}*"
                    for verb in rng.sample(
                        ["Get", "Put", "List", "Describe", "Create", "Delete", "Update", "Tag"], 4
                    )
                ],
                "Resource": [
                    f"arn:aws:{service}:us-east-1:{ACCOUNT}:resource/app-{rng.randrange(10**5)}/*"
                    for _ in range(3)
                ],
                "Condition": {
                    "StringEquals": {"aws:ResourceTag/team": f"team-{rng.randrange(50)}"}
                },
            }
        )
    return {"Version": "2012-10-17", "Statement": body}


def _trust(rng: random.Random, index: int) -> dict[str, Any]:
    kind = index % 6
    if kind == 0:  # GitHub OIDC, pinned to a branch
        principal: dict[str, Any] = {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"}
        condition: dict[str, Any] = {
            "StringEquals": {
                f"{GITHUB}:aud": "sts.amazonaws.com",
                f"{GITHUB}:sub": f"repo:example-org/repo-{index}:ref:refs/heads/main",
            }
        }
        action = "sts:AssumeRoleWithWebIdentity"
    elif kind == 1:  # GitHub OIDC, unpinned
        principal = {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"}
        condition = {"StringLike": {f"{GITHUB}:sub": rng.choice(["repo:example-org/*", "*"])}}
        action = "sts:AssumeRoleWithWebIdentity"
    elif kind == 2:  # cross-account, sometimes with an ExternalId
        principal = {"AWS": f"arn:aws:iam::{rng.randrange(10**11, 10**12)}:root"}
        condition = {"StringEquals": {"sts:ExternalId": f"ext-{index}"}} if index % 4 else {}
        action = "sts:AssumeRole"
    elif kind == 3:  # SAML
        principal = {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/okta"}
        condition = {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
        action = "sts:AssumeRoleWithSAML"
    else:  # services
        principal = {"Service": rng.choice(TRUSTED_SERVICES)}
        condition = {}
        action = "sts:AssumeRole"
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _ref(index: int) -> dict[str, str]:
    return {
        "PolicyName": f"policy-{index}",
        "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/policy-{index}",
    }


def generate(
    out: Path, users: int, groups: int, roles: int, policies: int, versions: int, seed: int
) -> None:
    """Write authorization-details.json and credential-report.csv into ``out``."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    details: dict[str, Any] = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [],
        "IsTruncated": False,
    }
    for index in range(policies):
        default = rng.randrange(versions) + 1
        details["Policies"].append(
            {
                "PolicyName": f"policy-{index}",
                "PolicyId": f"ANPA{index:017d}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:policy/policy-{index}",
                "Path": "/",
                "DefaultVersionId": f"v{default}",
                "AttachmentCount": rng.randrange(5),
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                "CreateDate": _date(900),
                "UpdateDate": _date(100),
                "PolicyVersionList": [
                    {
                        "Document": _policy_document(rng, 3),
                        "VersionId": f"v{v}",
                        "IsDefaultVersion": v == default,
                        "CreateDate": _date(900 - v),
                    }
                    for v in range(1, versions + 1)
                ],
            }
        )
    for index in range(groups):
        details["GroupDetailList"].append(
            {
                "Path": "/",
                "GroupName": f"group-{index}",
                "GroupId": f"AGPA{index:017d}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:group/group-{index}",
                "CreateDate": _date(800),
                "GroupPolicyList": [
                    {"PolicyName": "inline", "PolicyDocument": _policy_document(rng, 1)}
                ],
                "AttachedManagedPolicies": [_ref(rng.randrange(policies)) for _ in range(2)],
            }
        )
    for index in range(roles):
        details["RoleDetailList"].append(
            {
                "Path": "/",
                "RoleName": f"role-{index}",
                "RoleId": f"AROA{index:017d}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/role-{index}",
                "CreateDate": _date(700),
                "AssumeRolePolicyDocument": _trust(rng, index),
                "InstanceProfileList": [],
                "RolePolicyList": [
                    {"PolicyName": "inline", "PolicyDocument": _policy_document(rng, 1)}
                ],
                "AttachedManagedPolicies": [_ref(rng.randrange(policies))],
                "Tags": [{"Key": "team", "Value": f"team-{index % 50}"}],
                "RoleLastUsed": {"LastUsedDate": _date(rng.randrange(400)), "Region": "us-east-1"}
                if index % 3
                else {},
            }
        )
    report_rows = []
    for index in range(users):
        name = f"user-{index}"
        arn = f"arn:aws:iam::{ACCOUNT}:user/{name}"
        details["UserDetailList"].append(
            {
                "Path": "/",
                "UserName": name,
                "UserId": f"AIDA{index:017d}",
                "Arn": arn,
                "CreateDate": _date(1000),
                "UserPolicyList": [],
                "GroupList": [f"group-{rng.randrange(groups)}" for _ in range(2)],
                "AttachedManagedPolicies": [_ref(rng.randrange(policies))]
                if index % 5 == 0
                else [],
                "Tags": [{"Key": "email", "Value": f"{name}@example.com"}],
            }
        )
        person = index % 2 == 0
        has_key = not person or index % 7 == 0
        key_fields = (
            ["true", _date(rng.randrange(30, 900)), _date(rng.randrange(200)), "us-east-1", "s3"]
            if has_key
            else ["false", "N/A", "N/A", "N/A", "N/A"]
        )
        report_rows.append(
            [
                name,
                arn,
                _date(1000),
                "true" if person else "false",
                _date(rng.randrange(100)) if person else "N/A",
                _date(300) if person else "N/A",
                "N/A",
                "true" if person and index % 3 else "false",
                *key_fields,
                "false",
                "N/A",
                "N/A",
                "N/A",
                "N/A",
                "false",
                "N/A",
                "false",
                "N/A",
            ]
        )
    (out / "authorization-details.json").write_bytes(orjson.dumps(details))
    with (out / "credential-report.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerow(
            [
                "<root_account>",
                f"arn:aws:iam::{ACCOUNT}:root",
                _date(2000),
                "not_supported",
                _date(40),
                "not_supported",
                "not_supported",
                "true",
                "false",
                "N/A",
                "N/A",
                "N/A",
                "N/A",
                "false",
                "N/A",
                "N/A",
                "N/A",
                "N/A",
                "false",
                "N/A",
                "false",
                "N/A",
            ]
        )
        writer.writerows(report_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--roles", type=int, default=20_000)
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=6)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()
    generate(args.out, args.users, args.groups, args.roles, args.policies, args.versions, args.seed)
    size = (args.out / "authorization-details.json").stat().st_size
    print(f"wrote {args.out} (authorization-details.json: {size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
