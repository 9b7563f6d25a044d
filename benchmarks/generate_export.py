"""Write a synthetic large account in the offline export format (docs/export-format.md).

Three profiles, each deterministic for a given --seed:

* ``tidy`` (the default): 5,000 users, 500 groups, 20,000 roles whose trust policies come
  in six neat shapes (GitHub OIDC pinned and unpinned, cross-account, services, SAML),
  10,000 customer managed policies with several versions each, and a matching credential
  report: about 100 MB of compact JSON.
* ``messy``: trust policies as many teams write them (issue #11): wildcards anywhere in
  ``sub`` values, lists of values, ``ForAnyValue:``/``ForAllValues:``, negated operators,
  several statements and providers per policy, Deny statements; GitHub Actions, GitLab,
  HCP Terraform, EKS IRSA, Cognito, SAML, cross-account (with and without an external
  ID or ``aws:PrincipalOrgID``) and service principals (``aws:SourceArn``/
  ``aws:SourceAccount``). Defaults: 2,500 users, 10,000 roles with about 3,000 distinct
  trust policies, about 40 MB; also writes oidc-providers.json and saml-providers.json.
* ``adversarial``: a small account where one role's trust policy has --values
  ``StringLike`` values on a GitHub ``sub`` (default 200), each with --stars ``*``.

    python benchmarks/generate_export.py /tmp/big-export
    python benchmarks/generate_export.py /tmp/messy --profile messy
    python benchmarks/generate_export.py /tmp/adversarial --profile adversarial
"""

from __future__ import annotations

import argparse
import csv
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from benchlib import COLUMNS

ACCOUNT = "123456789012"
GITHUB = "token.actions.githubusercontent.com"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
SERVICES = ("s3", "dynamodb", "sqs", "sns", "lambda", "ec2", "kms", "logs", "ecr", "ssm")
TRUSTED_SERVICES = ("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com")


def _date(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _policy_document(rng: random.Random, statements: int, account: str = ACCOUNT) -> dict[str, Any]:
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
                    f"arn:aws:{service}:us-east-1:{account}:resource/app-{rng.randrange(10**5)}/*"
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


# --- the messy profile: trust policies written by many teams --------------------------

GITLAB = "gitlab.com"
TERRAFORM = "app.terraform.io"
COGNITO = "cognito-identity.amazonaws.com"
STS_AUD = "sts.amazonaws.com"
SAML_AUD = "https://signin.aws.amazon.com/saml"
WORDS = (
    "api", "web", "billing", "payments", "search", "ledger", "auth", "orders", "catalog",
    "media", "etl", "ml", "infra", "platform", "data", "mobile", "gateway", "reports",
    "events", "notify", "identity", "shipping", "pricing", "fraud", "ops", "tools",
)  # fmt: skip
ENVIRONMENTS = ("prod", "production", "staging", "dev", "qa", "sandbox", "prod-eu", "prod-us")
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")
SERVICE_PRINCIPALS = (
    "lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
    "states.amazonaws.com", "events.amazonaws.com", "glue.amazonaws.com",
    "codebuild.amazonaws.com", "sagemaker.amazonaws.com", "firehose.amazonaws.com",
    "scheduler.amazonaws.com", "pipes.amazonaws.com", "backup.amazonaws.com",
)  # fmt: skip
SOURCE_ARNS = {  # services that act on behalf of a resource: aws:SourceArn shapes
    "events.amazonaws.com": "arn:aws:events:{region}:{account}:rule/{name}",
    "scheduler.amazonaws.com": "arn:aws:scheduler:{region}:{account}:schedule/default/{name}",
    "firehose.amazonaws.com": "arn:aws:firehose:{region}:{account}:deliverystream/{name}",
    "pipes.amazonaws.com": "arn:aws:pipes:{region}:{account}:pipe/{name}",
    "states.amazonaws.com": "arn:aws:states:{region}:{account}:stateMachine:{name}",
    "backup.amazonaws.com": "arn:aws:backup:{region}:{account}:backup-vault:{name}",
}


@dataclass(frozen=True)
class Estate:
    """The names one account's trust policies draw on (organisations, repositories,
    clusters, partners, ...). The sizes of these pools set how many policies differ."""

    account: str
    org_id: str
    github_orgs: tuple[tuple[str, int], ...]  # (owner, owner id)
    repos: tuple[str, ...]
    gitlab_projects: tuple[str, ...]  # group[/subgroup]/project
    terraform: tuple[tuple[str, str, str], ...]  # (organization, project, workspace)
    clusters: tuple[str, ...]  # issuer host and path, without https://
    namespaces: tuple[str, ...]
    saml: tuple[str, ...]  # SAML provider names
    identity_pools: tuple[str, ...]
    partners: tuple[str, ...]  # other accounts: vendors and sibling accounts
    resources: tuple[str, ...]  # names for aws:SourceArn

    @classmethod
    def build(cls, rng: random.Random, account: str, scale: float = 1.0) -> Estate:
        """Pools for one account; ``scale`` 1.0 is the 10,000-role messy account."""

        def count(n: int) -> int:
            return max(2, round(n * scale))

        def name(parts: int = 2) -> str:
            return "-".join(rng.sample(WORDS, parts))

        owners = ("acme", "acme-platform", "acme-data", "acme-labs", "acme-mobile")
        return cls(
            account=account,
            org_id=f"o-{rng.randrange(16**10):010x}",
            github_orgs=tuple((owner, 1000 + 7919 * i) for i, owner in enumerate(owners)),
            repos=tuple(sorted({name(rng.choice((1, 2, 2))) for _ in range(count(600))})),
            gitlab_projects=tuple(
                f"{rng.choice(('acme', 'acme/infra', 'acme/data'))}/{name()}"
                for _ in range(count(60))
            ),
            terraform=tuple(
                (rng.choice(("acme", "acme-prod")), name(1), f"{name()}-{rng.choice(ENVIRONMENTS)}")
                for _ in range(count(80))
            ),
            clusters=tuple(
                f"oidc.eks.{rng.choice(REGIONS)}.amazonaws.com/id/{rng.randrange(16**32):032X}"
                for _ in range(count(14))
            ),
            namespaces=tuple(sorted({name(1) for _ in range(24)} | {"kube-system", "default"})),
            saml=("okta", "AzureAD", f"AWSSSO_{rng.randrange(16**16):016x}_DO_NOT_DELETE"),
            identity_pools=tuple(
                f"{rng.choice(REGIONS)}:{rng.randrange(16**32):032x}" for _ in range(count(10))
            ),
            partners=tuple(f"{rng.randrange(10**11, 10**12)}" for _ in range(count(150))),
            resources=tuple(f"{name()}-{i}" for i in range(count(900))),
        )


def _pick(rng: random.Random, options: dict[str, int]) -> str:
    """One key of ``options``, by weight."""
    return rng.choices(list(options), weights=list(options.values()))[0]


def _values(rng: random.Random, make: Callable[[], str], weights: tuple[int, ...]) -> list[str]:
    """1, 2, 3 or 5 values (by ``weights``), distinct, in the order they were made."""
    wanted = rng.choices((1, 2, 3, 5), weights=weights)[0]
    made = [make() for _ in range(wanted)]
    return list(dict.fromkeys(made))


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _github_sub(rng: random.Random, estate: Estate, owner: str) -> str:
    repo = rng.choice(estate.repos)
    env = rng.choice(ENVIRONMENTS)
    prefix = repo.split("-")[0]
    shape = _pick(
        rng,
        {
            f"repo:{owner}/{repo}:ref:refs/heads/main": 30,
            f"repo:{owner}/{repo}:environment:{env}": 14,
            f"repo:{owner}/{repo}:*": 14,
            f"repo:{owner}/{repo}:ref:refs/heads/*": 6,
            f"repo:{owner}/{repo}:ref:refs/tags/v*": 5,
            f"repo:{owner}/{repo}:pull_request": 3,
            f"repo:{owner}/*": 5,
            f"repo:{owner}/*:ref:refs/heads/release-*": 4,
            f"repo:{owner}/{prefix}-?:*": 3,
            f"repo:{owner}/{prefix}-*:environment:{env}*": 3,
            f"*:environment:{env}": 2,
            f"repo:*/{repo}:*": 1,
            f"repo:{owner}/{repo}:ref:refs/heads/release/*/hotfix-*": 2,
            f"repo:{owner}/*-{prefix}*:*": 1,
            "repo:*": 1,
            f"repo:{owner}@{dict(estate.github_orgs)[owner]}/{repo}:ref:refs/heads/main": 2,
        },
    )
    return shape


def _operator(rng: random.Random, values: list[str]) -> str:
    """The condition operator a team picked for these values (often not the right one)."""
    wild = any("*" in v or "?" in v for v in values)
    base = "StringLike" if wild or rng.random() < 0.25 else "StringEquals"
    qualifier = _pick(rng, {"": 88, "ForAnyValue:": 9, "ForAllValues:": 3})
    return qualifier + base


def _add(condition: dict[str, dict[str, Any]], operator: str, key: str, value: Any) -> None:
    condition.setdefault(operator, {})[key] = value


def _web_identity(federated: str | list[str], condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Federated": federated},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }


def _github(rng: random.Random, estate: Estate) -> list[dict[str, Any]]:
    owner, owner_id = rng.choice(estate.github_orgs)
    subs = _values(rng, lambda: _github_sub(rng, estate, owner), (64, 20, 10, 6))
    condition: dict[str, Any] = {}
    _add(condition, _operator(rng, subs), f"{GITHUB}:sub", _one_or_list(subs))
    if rng.random() < 0.85:
        _add(condition, "StringEquals", f"{GITHUB}:aud", STS_AUD)
    if rng.random() < 0.08:
        ref = rng.choice(("refs/heads/main", "refs/tags/v*", "*"))
        workflow = f"{owner}/shared-workflows/.github/workflows/{rng.choice(WORDS)}.yml@{ref}"
        _add(condition, "StringLike", f"{GITHUB}:job_workflow_ref", workflow)
    if rng.random() < 0.06:
        _add(condition, "StringEquals", f"{GITHUB}:repository_owner_id", str(owner_id))
    if rng.random() < 0.10:
        _add(condition, "StringNotLike", f"{GITHUB}:sub", [f"repo:{owner}/*:pull_request"])
    if rng.random() < 0.04:
        sandbox = f"repo:{owner}/sandbox:ref:refs/heads/main"
        _add(condition, "StringNotEquals", f"{GITHUB}:sub", sandbox)
    statement = _web_identity(f"arn:aws:iam::{estate.account}:oidc-provider/{GITHUB}", condition)
    if rng.random() < 0.2:
        statement["Action"] = ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
    return [statement]


def _gitlab(rng: random.Random, estate: Estate) -> list[dict[str, Any]]:
    def sub() -> str:
        project = rng.choice(estate.gitlab_projects)
        group = project.split("/")[0]
        return _pick(
            rng,
            {
                f"project_path:{project}:ref_type:branch:ref:main": 50,
                f"project_path:{project}:ref_type:tag:ref:v*": 10,
                f"project_path:{project}:ref_type:branch:ref:*": 15,
                f"project_path:{group}/*:ref_type:branch:ref:main": 10,
                f"project_path:{group}/*": 5,
                f"project_path:{project}:*": 10,
            },
        )

    subs = _values(rng, sub, (70, 20, 7, 3))
    condition: dict[str, Any] = {}
    _add(condition, _operator(rng, subs), f"{GITLAB}:sub", _one_or_list(subs))
    if rng.random() < 0.8:
        _add(condition, "StringEquals", f"{GITLAB}:aud", "https://gitlab.com")
    return [_web_identity(f"arn:aws:iam::{estate.account}:oidc-provider/{GITLAB}", condition)]


def _terraform(rng: random.Random, estate: Estate) -> list[dict[str, Any]]:
    def sub() -> str:
        org, project, workspace = rng.choice(estate.terraform)
        return _pick(
            rng,
            {
                f"organization:{org}:project:{project}:workspace:{workspace}:run_phase:apply": 40,
                f"organization:{org}:project:{project}:workspace:{workspace}:run_phase:*": 30,
                f"organization:{org}:project:{project}:workspace:*:run_phase:*": 15,
                f"organization:{org}:project:*:workspace:{workspace}:run_phase:plan": 10,
                f"organization:{org}:*": 5,
            },
        )

    subs = _values(rng, sub, (75, 15, 7, 3))
    condition: dict[str, Any] = {}
    _add(condition, "StringEquals", f"{TERRAFORM}:aud", "aws.workload.identity")
    _add(condition, _operator(rng, subs), f"{TERRAFORM}:sub", _one_or_list(subs))
    return [_web_identity(f"arn:aws:iam::{estate.account}:oidc-provider/{TERRAFORM}", condition)]


def _eks(rng: random.Random, estate: Estate) -> list[dict[str, Any]]:
    def sub() -> str:
        namespace = rng.choice(estate.namespaces)
        account = f"{namespace}-{rng.choice(WORDS)}"
        return _pick(
            rng,
            {
                f"system:serviceaccount:{namespace}:{account}": 70,
                f"system:serviceaccount:{namespace}:*": 20,
                "system:serviceaccount:*": 3,
                f"system:serviceaccount:{namespace}:{account}-?": 7,
            },
        )

    wanted = rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
    clusters = rng.sample(estate.clusters, min(wanted, len(estate.clusters)))
    subs = _values(rng, sub, (75, 15, 7, 3))
    operator = _operator(rng, subs)
    arns = [f"arn:aws:iam::{estate.account}:oidc-provider/{c}" for c in clusters]
    if len(clusters) > 1 and rng.random() < 0.5:
        # Several providers in one statement, a condition on each (a common mistake:
        # keys of the other clusters are absent from a token, so StringEquals fails).
        condition: dict[str, Any] = {}
        for cluster in clusters:
            _add(condition, operator, f"{cluster}:sub", _one_or_list(subs))
            _add(condition, "StringEquals", f"{cluster}:aud", STS_AUD)
        return [_web_identity(arns, condition)]
    statements = []
    for cluster, arn in zip(clusters, arns, strict=True):
        condition = {}
        _add(condition, operator, f"{cluster}:sub", _one_or_list(subs))
        if rng.random() < 0.7:
            _add(condition, "StringEquals", f"{cluster}:aud", STS_AUD)
        statements.append(_web_identity(arn, condition))
    return statements


def _cognito(rng: random.Random, estate: Estate) -> list[dict[str, Any]]:
    condition: dict[str, Any] = {}
    _add(condition, "StringEquals", f"{COGNITO}:aud", rng.choice(estate.identity_pools))
    amr = rng.choice(("authenticated", "unauthenticated"))
    _add(condition, "ForAnyValue:StringLike", f"{COGNITO}:amr", amr)
    return [_web_identity(COGNITO, condition)]


def _saml(rng: random.Random, estate: Estate) -> list[dict[str, Any]]:
    providers = rng.sample(estate.saml, rng.choices((1, 2), weights=(90, 10))[0])
    federated = [f"arn:aws:iam::{estate.account}:saml-provider/{name}" for name in providers]
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": _one_or_list(federated)},
        "Action": rng.choice(
            ("sts:AssumeRoleWithSAML", ["sts:AssumeRoleWithSAML", "sts:TagSession"])
        ),
    }
    audiences = [SAML_AUD] if rng.random() < 0.9 else [SAML_AUD, "urn:amazon:webservices"]
    if rng.random() < 0.85:
        statement["Condition"] = {"StringEquals": {"SAML:aud": _one_or_list(audiences)}}
    return [statement]


def _cross_account(rng: random.Random, estate: Estate) -> list[dict[str, Any]]:
    def principal() -> str:
        other = rng.choice(estate.partners)
        return _pick(
            rng,
            {
                f"arn:aws:iam::{other}:root": 55,
                other: 5,
                f"arn:aws:iam::{other}:role/{rng.choice(WORDS)}-{rng.choice(WORDS)}": 35,
                f"arn:aws:iam::{other}:user/{rng.choice(WORDS)}": 5,
            },
        )

    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": _one_or_list(_values(rng, principal, (70, 18, 8, 4)))},
        "Action": "sts:AssumeRole",
    }
    kind = _pick(rng, {"none": 30, "external-id": 40, "org": 15, "mfa": 10, "several": 5})
    condition: dict[str, Any] = {}
    if kind in ("external-id", "several"):
        ids = [f"{rng.randrange(16**12):012x}" for _ in range(rng.choice((1, 1, 1, 2)))]
        _add(condition, "StringEquals", "sts:ExternalId", _one_or_list(ids))
    if kind in ("org", "several"):
        _add(condition, "StringEquals", "aws:PrincipalOrgID", estate.org_id)
    if kind in ("mfa", "several"):
        _add(condition, "Bool", "aws:MultiFactorAuthPresent", "true")
    if condition:
        statement["Condition"] = condition
    return [statement]


def _org_wide(rng: random.Random, estate: Estate) -> list[dict[str, Any]]:
    """Principal "*" narrowed by aws:PrincipalOrgID (and often a role-name pattern)."""
    condition: dict[str, Any] = {"StringEquals": {"aws:PrincipalOrgID": estate.org_id}}
    if rng.random() < 0.7:
        pattern = f"arn:aws:iam::*:role/{rng.choice(WORDS)}-*"
        _add(condition, rng.choice(("ArnLike", "StringLike")), "aws:PrincipalArn", pattern)
    return [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": condition,
        }
    ]


def _service(rng: random.Random, estate: Estate) -> list[dict[str, Any]]:
    services = rng.sample(SERVICE_PRINCIPALS, rng.choices((1, 2, 3), weights=(85, 12, 3))[0])
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": _one_or_list(services)},
        "Action": "sts:AssumeRole",
    }
    source = SOURCE_ARNS.get(services[0])
    condition: dict[str, Any] = {}
    if source and rng.random() < 0.6:
        name = rng.choice(estate.resources)
        if rng.random() < 0.3:  # every resource of a prefix
            name = name.split("-")[0] + "-*"
        arn = source.format(region=rng.choice(REGIONS), account=estate.account, name=name)
        _add(condition, "ArnLike" if "*" in arn else "ArnEquals", "aws:SourceArn", arn)
    if rng.random() < 0.35:
        _add(condition, "StringEquals", "aws:SourceAccount", estate.account)
    if condition:
        statement["Condition"] = condition
    return [statement]


MECHANISMS: dict[Callable[[random.Random, Estate], list[dict[str, Any]]], int] = {
    _service: 30,
    _github: 24,
    _cross_account: 12,
    _eks: 10,
    _saml: 8,
    _gitlab: 5,
    _terraform: 4,
    _org_wide: 3,
    _cognito: 2,
}


def _deny(rng: random.Random, estate: Estate) -> dict[str, Any]:
    """A Deny statement as teams add them: pull requests, a sandbox, outside the org."""
    shape = rng.choice(("pull-request", "sandbox", "outside-org"))
    if shape == "outside-org":
        return {
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": estate.org_id}},
        }
    owner = rng.choice(estate.github_orgs)[0]
    sub = "*:pull_request" if shape == "pull-request" else f"repo:{owner}/sandbox-*"
    return {
        "Effect": "Deny",
        "Principal": {"Federated": f"arn:aws:iam::{estate.account}:oidc-provider/{GITHUB}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {f"{GITHUB}:sub": sub}},
    }


def messy_trust(rng: random.Random, estate: Estate) -> dict[str, Any]:
    """One trust policy of the messy profile: 1-4 mechanisms, sometimes a Deny."""
    mechanisms = list(MECHANISMS)
    weights = list(MECHANISMS.values())
    statements: list[dict[str, Any]] = []
    for _ in range(rng.choices((1, 2, 3, 4), weights=(80, 13, 5, 2))[0]):
        statements += rng.choices(mechanisms, weights=weights)[0](rng, estate)
    if rng.random() < 0.05:
        statements.append(_deny(rng, estate))
    for number, statement in enumerate(statements):
        if rng.random() < 0.3:
            statement = {"Sid": f"Trust{number}", **statement}
            statements[number] = statement
    return {"Version": "2012-10-17", "Statement": statements}


def messy_assignment(
    rng: random.Random, estate: Estate, roles: int, pool: int | None = None
) -> list[dict[str, Any]]:
    """Trust policies for ``roles`` roles drawn from ``pool`` written ones (default: 37%
    of the roles; some written ones are alike). Each is used once and the other roles
    reuse them with a skew (a deploy and a read role per repository, one policy copied by
    a whole team), as in real accounts."""
    written = [messy_trust(rng, estate) for _ in range(pool or max(1, round(roles * 0.37)))]
    skew = [1 / (rank + 1) ** 0.6 for rank in range(len(written))]
    reused = rng.choices(written, weights=skew, k=max(0, roles - len(written)))
    chosen = (written + reused)[:roles]
    rng.shuffle(chosen)
    return chosen


def oidc_providers(estate: Estate) -> list[dict[str, Any]]:
    """oidc-providers.json for the issuers an estate uses (one EKS cluster is gone)."""
    issuers = [
        (GITHUB, STS_AUD),
        (GITLAB, "https://gitlab.com"),
        (TERRAFORM, "aws.workload.identity"),
    ]
    issuers += [(cluster, STS_AUD) for cluster in estate.clusters[1:]]
    return [
        {
            "Url": url,
            "ClientIDList": [audience],
            "ThumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"],
            "CreateDate": _date(600),
            "Tags": [],
            "Arn": f"arn:aws:iam::{estate.account}:oidc-provider/{url}",
        }
        for url, audience in issuers
    ]


def saml_providers(estate: Estate) -> dict[str, Any]:
    """saml-providers.json for the SAML providers an estate uses."""
    return {
        "SAMLProviderList": [
            {
                "Arn": f"arn:aws:iam::{estate.account}:saml-provider/{name}",
                "ValidUntil": "2035-01-01T00:00:00+00:00",
                "CreateDate": _date(900),
            }
            for name in estate.saml
        ]
    }


#: The adversarial policy's shapes: ``github`` makes witness searches costly (their bound
#: is hit, the findings stand), ``open-fields`` the decisions themselves (random text over a
#: few characters after Vercel's ``owner:``, whose sub fields take anything but ``:``: the
#: union's subset construction explodes; the checks that ask are not evaluated).
SHAPES = ("github", "open-fields")
VERCEL = "oidc.vercel.com"


def adversarial_trust(values: int, stars: int, seed: int, shape: str = "github") -> dict[str, Any]:
    """A trust policy with ``values`` StringLike ``sub`` values of ``stars`` ``*`` each."""
    rng = random.Random(f"adversarial-{seed}" if shape == "github" else f"{shape}-{seed}")
    issuer = GITHUB if shape == "github" else VERCEL
    subs = []
    for _ in range(values):
        if shape == "github":
            parts = ["repo:", f"acme/{rng.choice(WORDS)}", ":ref:refs/heads/", rng.choice(WORDS)]
            text, head = "".join(parts), 0
        else:
            text = "owner:" + "".join(rng.choice("abcdefgh:/-") for _ in range(30))
            head = len("owner:")
        # Stars at distinct places of the text, so never two in a row.
        for at in sorted(rng.sample(range(head, len(text) + 1), stars), reverse=True):
            text = text[:at] + "*" + text[at:]
        subs.append(text)
    condition: dict[str, Any] = {"StringLike": {f"{issuer}:sub": subs}}
    if shape == "github":
        condition["StringEquals"] = {f"{GITHUB}:aud": STS_AUD}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": condition,
            }
        ],
    }


def _ref(index: int) -> dict[str, str]:
    return {
        "PolicyName": f"policy-{index}",
        "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/policy-{index}",
    }


def generate(
    out: Path,
    users: int,
    groups: int,
    roles: int,
    policies: int,
    versions: int,
    seed: int,
    profile: str = "tidy",
    values: int = 200,
    stars: int = 4,
    trust_policies: int | None = None,
    shape: str = "github",
) -> None:
    """Write authorization-details.json and credential-report.csv into ``out`` (and, for
    the messy profile, oidc-providers.json and saml-providers.json)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    # Tidy trust policies draw on the main generator, as they always did (same bytes for
    # the same seed); the messy ones on their own, so the rest of the account keeps its
    # shape.
    trust: Callable[[int], dict[str, Any]]
    if profile == "messy":
        trust_rng = random.Random(f"messy-{seed}")
        estate = Estate.build(trust_rng, ACCOUNT)
        (out / "oidc-providers.json").write_bytes(orjson.dumps(oidc_providers(estate)))
        (out / "saml-providers.json").write_bytes(orjson.dumps(saml_providers(estate)))

        assigned = messy_assignment(trust_rng, estate, roles, trust_policies)

        def trust(index: int) -> dict[str, Any]:
            return assigned[index]
    elif profile == "adversarial":
        hard = adversarial_trust(values, stars, seed, shape)

        def trust(index: int) -> dict[str, Any]:
            return hard if index == 0 else _trust(rng, index)
    else:

        def trust(index: int) -> dict[str, Any]:
            return _trust(rng, index)

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
                "AssumeRolePolicyDocument": trust(index),
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
    details_path = out / "authorization-details.json"
    details_path.write_bytes(orjson.dumps(details))
    # An export is dated by this file's modification time: pin it to NOW, so the ages
    # the credential report's dates give are the ones intended whenever this runs.
    os.utime(details_path, (NOW.timestamp(), NOW.timestamp()))
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


PROFILES: dict[str, dict[str, int]] = {
    "tidy": {"users": 5_000, "groups": 500, "roles": 20_000, "policies": 10_000, "versions": 6},
    "messy": {"users": 2_500, "groups": 250, "roles": 10_000, "policies": 4_000, "versions": 5},
    "adversarial": {"users": 20, "groups": 4, "roles": 12, "policies": 20, "versions": 2},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="tidy")
    for name in PROFILES["tidy"]:
        parser.add_argument(f"--{name}", type=int, help="default: by profile")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--values", type=int, default=200, help="adversarial: sub values")
    parser.add_argument("--stars", type=int, default=4, help="adversarial: * per value")
    parser.add_argument("--shape", choices=SHAPES, default="github", help="adversarial: see SHAPES")
    parser.add_argument(
        "--trust-policies",
        type=int,
        help="messy: trust policies written (default: 37%% of the roles)",
    )
    args = parser.parse_args()
    sizes = {
        name: default if getattr(args, name) is None else getattr(args, name)
        for name, default in PROFILES[args.profile].items()
    }
    generate(
        args.out,
        **sizes,
        seed=args.seed,
        profile=args.profile,
        values=args.values,
        stars=args.stars,
        shape=args.shape,
    )
    details = args.out / "authorization-details.json"
    documents = orjson.loads(details.read_bytes())["RoleDetailList"]
    distinct = len({orjson.dumps(r["AssumeRolePolicyDocument"]) for r in documents})
    print(
        f"wrote {args.out} (authorization-details.json: {details.stat().st_size / 1e6:.1f} MB,"
        f" {len(documents)} roles, {distinct} distinct trust policies)"
    )


if __name__ == "__main__":
    main()
