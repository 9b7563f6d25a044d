"""Write a synthetic AWS Organization in the offline export layout (docs/export-format.md).

``DIR/organization.json``, ``DIR/identity-center.json`` (one IAM Identity Center instance)
and one export directory per 12-digit account ID (each with authorization-details.json,
credential-report.csv, account.json, oidc-providers.json and saml-providers.json),
with the overlap real organizations have (issue #17):

* the same 50 people (same user names, emails and tags) each have an IAM user in about a
  third of the accounts;
* every account has its own CI users (named after the account);
* roles, groups and customer managed policies "stamped" into every account identically
  except for the account ID, as StackSets and Control Tower do:
  OrganizationAccountAccessRole, AWSControlTowerExecution, the StackSet execution role,
  an audit role trusted by the security account, a GitHub deploy role, two IAM Identity
  Center (AWSReservedSSO) roles, a log-shipping and a break-glass role;
* a few large accounts (thousands of roles, --large of them, --large-roles at most);
  the rest small (about 25 users and 100 roles). The accounts' own trust policies are
  those of ``generate_export.py --profile messy``.

Deterministic for a given --seed; each account's content depends only on the seed and
its ID.

    python benchmarks/generate_org.py /tmp/org --accounts 300
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import random
from pathlib import Path
from typing import Any

import benchlib
import orjson
from benchlib import COLUMNS
from generate_export import (
    ENVIRONMENTS,
    GITHUB,
    SAML_AUD,
    STS_AUD,
    WORDS,
    Estate,
    _date,
    _policy_document,
    messy_assignment,
    oidc_providers,
    saml_providers,
)

FIRST = (
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
    "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
    "yolanda", "zoe", "amir", "bea", "chen", "dmitri",
)  # fmt: skip
LAST = (
    "smith", "jones", "garcia", "nguyen", "kowalski", "okafor", "tanaka", "muller",
    "rossi", "dubois", "silva", "khan", "larsen", "novak", "cohen", "fischer",
)  # fmt: skip
CI_PURPOSES = ("deploy", "terraform", "backup", "monitoring", "etl", "release", "sync", "ci")
SSO_PROVIDER = "AWSSSO_5d7a0c2b9e4f1a36_DO_NOT_DELETE"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"


@dataclasses.dataclass(frozen=True)
class Org:
    """Who is who in the organization: IDs of the special accounts, people, names."""

    id: str
    accounts: tuple[str, ...]
    management: str
    security: str
    log_archive: str
    names: dict[str, str]
    large: dict[str, int]  # account ID -> roles
    people: tuple[dict[str, Any], ...]
    members: dict[str, tuple[int, ...]]  # account ID -> indexes into people


def plan(accounts: int, seed: int, large: int | None, large_roles: int) -> Org:
    """The organization's shape: IDs, names, large accounts and who has users where."""
    rng = random.Random(f"org-{seed}")
    ids = tuple(f"{n}" for n in rng.sample(range(10**11, 10**12), accounts))
    names: dict[str, str] = {}
    special = ("management", "security", "log-archive")
    for index, account in enumerate(ids):
        base = (
            f"acme-{special[index]}"
            if index < len(special)
            else f"{rng.choice(WORDS)}-{rng.choice(ENVIRONMENTS)}"
        )
        name, suffix = base, 1
        while name in names.values():
            suffix += 1
            name = f"{base}-{suffix}"
        names[account] = name
    count = max(2, accounts // 100) if large is None else large
    chosen = rng.sample(ids[3:] or ids, min(count, len(ids[3:] or ids)))
    sizes = {a: rng.randint(max(1, large_roles // 2), large_roles) for a in chosen}
    full_names = rng.sample([(f, s) for f in FIRST for s in LAST], 50)
    people = tuple(
        {
            "name": f"{first}.{last}",
            "email": f"{first}.{last}@acme.example",
            "team": rng.choice(WORDS),
            "employee": f"E{10000 + index}",
            "admin": index % 5 == 0,
        }
        for index, (first, last) in enumerate(full_names)
    )
    # Each person has a user in about a third of the accounts.
    members = {
        account: tuple(i for i in range(len(people)) if rng.random() < 1 / 3) for account in ids
    }
    return Org(
        id=f"o-{rng.randrange(16**10):010x}",
        accounts=ids,
        management=ids[0],
        security=ids[min(1, accounts - 1)],
        log_archive=ids[min(2, accounts - 1)],
        names=names,
        large=sizes,
        people=people,
        members=members,
    )


def _statement(principal: dict[str, Any], action: Any, condition: Any = None) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return statement


def stamped_roles(org: Org, account: str) -> list[tuple[str, str, dict[str, Any], list[str]]]:
    """(path, name, trust policy, attached policy ARNs) of the roles in every account."""
    github = f"arn:aws:iam::{account}:oidc-provider/{GITHUB}"
    sso = f"arn:aws:iam::{account}:saml-provider/{SSO_PROVIDER}"
    management = {"AWS": f"arn:aws:iam::{org.management}:root"}
    sso_trust = _statement(
        {"Federated": sso},
        ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        {"StringEquals": {"SAML:aud": SAML_AUD}},
    )
    roles = [
        ("/", "AWSControlTowerExecution", _statement(management, "sts:AssumeRole"), [ADMIN]),
        (
            "/",
            "AWSCloudFormationStackSetExecutionRole",
            _statement(
                {
                    "AWS": f"arn:aws:iam::{org.management}:role/"
                    "AWSCloudFormationStackSetAdministrationRole"
                },
                "sts:AssumeRole",
            ),
            [ADMIN],
        ),
        (
            "/",
            "acme-security-audit",
            _statement(
                {"AWS": f"arn:aws:iam::{org.security}:role/acme-security-scanner"},
                "sts:AssumeRole",
                {
                    "StringEquals": {
                        "sts:ExternalId": "acme-audit-7f3c",
                        "aws:PrincipalOrgID": org.id,
                    }
                },
            ),
            [SECURITY_AUDIT, READ_ONLY],
        ),
        (
            "/",
            "acme-github-deploy",
            _statement(
                {"Federated": github},
                "sts:AssumeRoleWithWebIdentity",
                {
                    "StringEquals": {f"{GITHUB}:aud": STS_AUD},
                    "StringLike": {
                        f"{GITHUB}:sub": [
                            "repo:acme/landing-zone:ref:refs/heads/main",
                            "repo:acme/landing-zone:environment:*",
                        ]
                    },
                },
            ),
            [f"arn:aws:iam::{account}:policy/acme-deploy"],
        ),
        (
            "/aws-reserved/sso.amazonaws.com/",
            "AWSReservedSSO_AdministratorAccess_3f0c6a7e21d94b58",
            sso_trust,
            [ADMIN],
        ),
        (
            "/aws-reserved/sso.amazonaws.com/",
            "AWSReservedSSO_ReadOnlyAccess_8a41e2d07c95f613",
            sso_trust,
            [READ_ONLY],
        ),
        (
            "/",
            "acme-log-shipping",
            _statement(
                {"AWS": f"arn:aws:iam::{org.log_archive}:root"},
                "sts:AssumeRole",
                {"StringEquals": {"sts:ExternalId": "acme-logs"}},
            ),
            [f"arn:aws:iam::{account}:policy/acme-log-shipping"],
        ),
        (
            "/",
            "acme-break-glass",
            _statement(
                management, "sts:AssumeRole", {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
            ),
            [ADMIN],
        ),
        (
            "/service-role/",
            "acme-config-recorder",
            _statement(
                {"Service": "config.amazonaws.com"},
                "sts:AssumeRole",
                {"StringEquals": {"aws:SourceAccount": account}},
            ),
            ["arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"],
        ),
    ]
    if account != org.management:  # created by Organizations in member accounts only
        roles.insert(
            0,
            (
                "/",
                "OrganizationAccountAccessRole",
                _statement(management, "sts:AssumeRole"),
                [ADMIN],
            ),
        )
    return [
        (path, name, {"Version": "2012-10-17", "Statement": [trust]}, attached)
        for path, name, trust, attached in roles
    ]


def stamped_policies(account: str) -> dict[str, dict[str, Any]]:
    """Customer managed policies in every account, by name."""
    deny_regions = {
        "Effect": "Deny",
        "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    }
    return {
        "acme-baseline-guardrails": {"Version": "2012-10-17", "Statement": [deny_regions]},
        "acme-deploy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["cloudformation:*", "s3:*", "lambda:*", "ecr:*"],
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": f"arn:aws:iam::{account}:role/app-*",
                },
            ],
        },
        "acme-log-shipping": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateExportTask", "logs:Describe*", "s3:PutObject"],
                    "Resource": "*",
                }
            ],
        },
        "acme-developer": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["cloudwatch:*", "logs:Get*", "logs:FilterLogEvents", "xray:*"],
                    "Resource": "*",
                }
            ],
        },
    }


def _report_row(
    name: str,
    arn: str,
    rng: random.Random,
    password: bool,
    mfa: bool,
    key: bool,
) -> list[str]:
    """One credential report row (22 columns)."""
    key_fields = (
        ["true", _date(rng.randrange(30, 900)), _date(rng.randrange(200)), "us-east-1", "s3"]
        if key
        else ["false", "N/A", "N/A", "N/A", "N/A"]
    )
    return [
        name,
        arn,
        _date(1000),
        "true" if password else "false",
        _date(rng.randrange(120)) if password else "N/A",
        _date(300) if password else "N/A",
        "N/A",
        "true" if mfa else "false",
        *key_fields,
        *["false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"],
    ]


def _root_row(account: str) -> list[str]:
    return [
        "<root_account>",
        f"arn:aws:iam::{account}:root",
        _date(2000),
        "not_supported",
        _date(400),
        "not_supported",
        "not_supported",
        "true",
        *["false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A"],
        *["false", "N/A", "false", "N/A"],
    ]


def write_account(org: Org, account: str, out: Path, seed: int) -> None:
    """One account's export directory."""
    rng = random.Random(f"{seed}-{account}")
    name = org.names[account]
    roles = org.large.get(account) or rng.randint(80, 120)
    is_large = account in org.large
    own_policies = rng.randint(400, 800) if is_large else rng.randint(10, 30)
    versions = 3 if is_large else 2
    ci_users = rng.randint(30, 80) if is_large else rng.randint(5, 10)

    # The accounts' own trust policies: the messy profile's, with pools sized to the
    # account, the organization's ID, siblings as partners and the stamped SSO provider.
    estate = Estate.build(rng, account, scale=roles / 10_000)
    siblings = rng.sample(org.accounts, min(len(org.accounts), 6))
    estate = dataclasses.replace(
        estate,
        org_id=org.id,
        partners=tuple(siblings) + estate.partners[:2],
        saml=("okta", SSO_PROVIDER),
    )

    def arn(kind: str, path: str, item: str) -> str:
        return f"arn:aws:iam::{account}:{kind}{path}{item}"

    policies: list[dict[str, Any]] = []
    documents = [(n, [d]) for n, d in stamped_policies(account).items()]
    documents += [
        (
            f"{name}-{rng.choice(WORDS)}-{index}",
            [_policy_document(rng, 3, account) for _ in range(versions)],
        )
        for index in range(own_policies)
    ]
    for index, (policy, versions_list) in enumerate(documents):
        default = rng.randrange(len(versions_list)) + 1
        policies.append(
            {
                "PolicyName": policy,
                "PolicyId": f"ANPA{int(account) % 10**6:06d}{index:011d}",
                "Arn": arn("policy", "/", policy),
                "Path": "/",
                "DefaultVersionId": f"v{default}",
                "AttachmentCount": 1,
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                "CreateDate": _date(900),
                "UpdateDate": _date(100),
                "PolicyVersionList": [
                    {
                        "Document": document,
                        "VersionId": f"v{v}",
                        "IsDefaultVersion": v == default,
                        "CreateDate": _date(900 - v),
                    }
                    for v, document in enumerate(versions_list, start=1)
                ],
            }
        )
    own = [p["Arn"] for p in policies[len(stamped_policies(account)) :]]

    def ref(policy_arn: str) -> dict[str, str]:
        return {"PolicyName": policy_arn.rsplit("/", 1)[-1], "PolicyArn": policy_arn}

    groups = [
        ("admins", [ADMIN]),
        ("developers", [READ_ONLY, arn("policy", "/", "acme-developer")]),
        ("readonly", [READ_ONLY]),
        ("ci", [arn("policy", "/", "acme-deploy")]),
    ]
    group_list = [
        {
            "Path": "/",
            "GroupName": group,
            "GroupId": f"AGPA{int(account) % 10**6:06d}{index:011d}",
            "Arn": arn("group", "/", group),
            "CreateDate": _date(800),
            "GroupPolicyList": [],
            "AttachedManagedPolicies": [ref(p) for p in attached],
        }
        for index, (group, attached) in enumerate(groups)
    ]

    role_list: list[dict[str, Any]] = []
    stamped = stamped_roles(org, account)
    trusts = messy_assignment(rng, estate, max(0, roles - len(stamped)))
    entries = stamped + [
        ("/", f"{name}-{rng.choice(WORDS)}-{index}", trust, [rng.choice(own)] if own else [])
        for index, trust in enumerate(trusts)
    ]
    for index, (path, role, trust, attached) in enumerate(entries):
        entry: dict[str, Any] = {
            "Path": path,
            "RoleName": role,
            "RoleId": f"AROA{int(account) % 10**6:06d}{index:011d}",
            "Arn": arn("role", path, role),
            "CreateDate": _date(700),
            "AssumeRolePolicyDocument": trust,
            "InstanceProfileList": [],
            "RolePolicyList": []
            if index < len(stamped)
            else [{"PolicyName": "inline", "PolicyDocument": _policy_document(rng, 1, account)}],
            "AttachedManagedPolicies": [ref(p) for p in attached],
            "Tags": [{"Key": "owner", "Value": name}],
            "RoleLastUsed": {"LastUsedDate": _date(rng.randrange(400)), "Region": "us-east-1"}
            if index % 3
            else {},
        }
        role_list.append(entry)

    user_list: list[dict[str, Any]] = []
    rows: list[list[str]] = []
    for number in org.members[account]:
        person = org.people[number]
        user_arn = arn("user", "/people/", person["name"])
        user_list.append(
            {
                "Path": "/people/",
                "UserName": person["name"],
                "UserId": f"AIDA{int(account) % 10**6:06d}{number:011d}",
                "Arn": user_arn,
                "CreateDate": _date(1000),
                "UserPolicyList": [],
                "GroupList": ["admins" if person["admin"] else "developers"],
                "AttachedManagedPolicies": [],
                "Tags": [
                    {"Key": "email", "Value": person["email"]},
                    {"Key": "team", "Value": person["team"]},
                    {"Key": "employee-id", "Value": person["employee"]},
                ],
            }
        )
        rows.append(
            _report_row(person["name"], user_arn, rng, True, rng.random() < 0.8, rng.random() < 0.2)
        )
    for index in range(ci_users):
        user = f"{name}-{CI_PURPOSES[index % len(CI_PURPOSES)]}"
        if index >= len(CI_PURPOSES):
            user += f"-{index // len(CI_PURPOSES)}"
        user_arn = arn("user", "/ci/", user)
        user_list.append(
            {
                "Path": "/ci/",
                "UserName": user,
                "UserId": f"AIDA{int(account) % 10**6:06d}{100 + index:011d}",
                "Arn": user_arn,
                "CreateDate": _date(900),
                "UserPolicyList": [
                    {"PolicyName": "inline", "PolicyDocument": _policy_document(rng, 1, account)}
                ]
                if index % 4 == 0
                else [],
                "GroupList": ["ci"],
                "AttachedManagedPolicies": [ref(rng.choice(own))] if own and index % 3 == 0 else [],
                "Tags": [{"Key": "owner", "Value": name}],
            }
        )
        rows.append(_report_row(user, user_arn, rng, False, False, True))

    out.mkdir(parents=True, exist_ok=True)
    details = {
        "UserDetailList": user_list,
        "GroupDetailList": group_list,
        "RoleDetailList": role_list,
        "Policies": policies,
        "IsTruncated": False,
    }
    (out / "authorization-details.json").write_bytes(orjson.dumps(details))
    with (out / "credential-report.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerow(_root_row(account))
        writer.writerows(rows)
    metadata = {"id": account, "alias": name, "name": name, "email": f"aws+{name}@acme.example"}
    (out / "account.json").write_bytes(orjson.dumps(metadata))
    (out / "oidc-providers.json").write_bytes(orjson.dumps(oidc_providers(estate)))
    (out / "saml-providers.json").write_bytes(orjson.dumps(saml_providers(estate)))


def generate(
    out: Path, accounts: int, seed: int, large: int | None = None, large_roles: int = 5000
) -> Org:
    """Write the organization into ``out``; return its plan."""
    org = plan(accounts, seed, large, large_roles)
    out.mkdir(parents=True, exist_ok=True)
    organization = {"id": org.id, "management_account_id": org.management}
    (out / "organization.json").write_bytes(orjson.dumps(organization))
    # The stamped AWSReservedSSO roles say the organization uses IAM Identity Center; the
    # listing lets org-identity-center-missing be evaluated offline (else the scan exits 3).
    instance = {
        "InstanceArn": f"arn:aws:sso:::instance/ssoins-{org.management[-8:]}{seed:08x}",
        "IdentityStoreId": f"d-{org.management[-10:]}",
        "OwnerAccountId": org.management,
        "Status": "ACTIVE",
    }
    (out / "identity-center.json").write_bytes(orjson.dumps({"Instances": [instance]}))
    for account in org.accounts:
        write_account(org, account, out / account, seed)
    return org


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--large", type=int, help="large accounts (default: N/100, at least 2)")
    parser.add_argument(
        "--large-roles", type=int, default=5000, help="roles of the largest (half to all of it)"
    )
    args = parser.parse_args()
    org = generate(args.out, args.accounts, args.seed, args.large, args.large_roles)
    files = list(args.out.glob("[0-9]*/authorization-details.json"))
    size = sum(f.stat().st_size for f in files) / 1e6
    largest = benchlib.largest_account(args.out)
    people = sum(len(m) for m in org.members.values())
    print(
        f"wrote {args.out}: {len(files)} accounts, {size:.1f} MB of authorization details,"
        f" {people} users of 50 people, large accounts (roles): "
        + ", ".join(f"{a} ({r})" for a, r in sorted(org.large.items()))
        + f"; largest file {largest.name}"
        f" ({(largest / 'authorization-details.json').stat().st_size / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
