"""Real-world trust policies and account exports, one directory each, with the verdict
AWS's or the vendor's documentation gives them (README.md names where each comes from and
why the verdict is right). A trust policy is judged as `keyless trust FILE` judges it (the
role named after the file, in the account the policy names); an export as `keyless scan
--input DIR` reads it. Every finding is listed: a case fails when keyless reports more,
less or otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from keyless.cli import cli

HERE = Path(__file__).parent
PULL_REQUEST = "a pull request can assume it"
BRANCH = "an unprotected branch can assume it"
PLAN = "a plan run can assume it"

# case → every finding of `keyless trust` as (check, severity, message); the policy is the
# case's one JSON file (`trust-policy.json`, or `role.json` for `aws iam get-role` output)
TRUST: dict[str, list[tuple[str, str, str]]] = {
    # GitLab: project_path:G/P:* admits every branch (and tag) of the project
    "policy-gitlab-project-any-ref": [
        ("trust-oidc-untrusted-trigger", "high", f"trust-policy: {BRANCH}")
    ],
    "policy-gitlab-main-branch": [],
    # a README's policy with YOUR_… placeholders: judged as written, said to be a template
    "policy-gitlab-readme-placeholders": [
        (
            "trust-unrendered-template",
            "info",
            "trust-policy: the trust policy is a template; unresolved: YOUR_AWS_ACCOUNT_ID "
            "(judged as written)",
        )
    ],
    # HCP Terraform: organization:NAME:* (and its ID) is every project and workspace, plan
    # runs too (speculative plans of pull requests)
    "policy-tfc-organization-and-id": [
        (
            "trust-oidc-broad-subject",
            "high",
            "trust-policy: another project of the organization can assume it",
        ),
        ("trust-oidc-untrusted-trigger", "medium", f"trust-policy: {PLAN}"),
    ],
    # every workspace of one project, HashiCorp's documented project-wide form: plan runs
    "policy-tfc-project-any-workspace": [
        ("trust-oidc-untrusted-trigger", "medium", f"trust-policy: {PLAN}")
    ],
    # a tutorial's StringEquals on run_phase:*: the * is literal, no token matches
    "policy-tfc-run-phase-stringequals": [
        (
            "trust-dead-condition",
            "low",
            "trust-policy: app.terraform.io:sub value 'organization:acme:project:platform:"
            "workspace:network-prod:run_phase:*' holds a wildcard, which is literal under "
            "this operator",
        ),
        (
            "trust-dead-condition",
            "medium",
            "trust-policy: statement 0 admits no real request from "
            "arn:aws:iam::111122223333:oidc-provider/app.terraform.io",
        ),
    ],
    # Cognito: the pool pinned, no amr condition (the action's case is IAM's business:
    # sts:AssumeroleWithWebIdentity is the same action)
    "policy-cognito-no-amr": [
        (
            "trust-cognito-unauthenticated",
            "critical",
            "trust-policy: a guest (unauthenticated) identity can assume it",
        )
    ],
    # the role a pool's guests are meant to get (CloudWatch RUM): amr says unauthenticated
    "policy-cognito-guest-role": [],
    "policy-cognito-no-aud": [
        (
            "trust-cognito-unauthenticated",
            "critical",
            "trust-policy: a token of any identity pool can assume it",
        )
    ],
    # Bitbucket's per-workspace issuer, {REPO_UUID}:* and no aud condition
    "policy-bitbucket-repository-uuid": [
        (
            "trust-oidc-missing-audience",
            "low",
            "trust-policy: accepts tokens for any audience its OIDC provider lists (that list "
            "is unknown: the trust policy is judged alone: no OIDC provider was read)",
        )
    ],
    "policy-buildkite-pipeline-any-ref": [
        ("trust-oidc-untrusted-trigger", "high", f"trust-policy: {BRANCH}")
    ],
    "policy-buildkite-request-tags": [],
    # Buildkite's 2026 condition keys without a sub: build_branch is the build's branch (a
    # feature branch's build never holds main); it was called any branch's build
    "policy-buildkite-branch-keys": [],
    "policy-buildkite-build-branch-pattern": [
        ("trust-oidc-untrusted-trigger", "high", f"trust-policy: {BRANCH}")
    ],
    # Roles Anywhere allowed sts:AssumeRole alone: nobody (it needs TagSession and
    # SetSourceIdentity too); it was called clean
    "policy-roles-anywhere-assume-role-only": [
        (
            "trust-dead-condition",
            "medium",
            "trust-policy: statement 0 trusts rolesanywhere.amazonaws.com, but it needs "
            "sts:TagSession and sts:SetSourceIdentity too, which no statement allows "
            "rolesanywhere.amazonaws.com: nobody can assume it through Roles Anywhere",
        )
    ],
    "policy-roles-anywhere-cn-and-anchor": [],
    "policy-saml-audience-only": [],  # IdP-delegated: the IdP's Role attribute decides
    # a provider that requires encrypted assertions: its own sign-in URL is the Recipient
    # (SAML:aud) of its assertions; it was "another recipient"
    "policy-saml-encrypted-provider-aud": [],
    "policy-identity-center-reserved-sso": [],
    "policy-cross-account-root": [
        (
            "trust-account-root-broad",
            "medium",
            "trust-policy: every principal account 444455556666 allows can assume it",
        ),
        (
            "trust-cross-account-no-external-id",
            "high",
            "trust-policy: account 444455556666 can assume it without an external ID",
        ),
    ],
    # BoolIfExists on MFA: a caller with long-term keys has no MFA key and passes
    "policy-cross-account-mfa-if-exists": [
        (
            "trust-account-root-broad",
            "medium",
            "trust-policy: every principal account 444455556666 allows can assume it",
        ),
        (
            "trust-condition-fails-open",
            "medium",
            "trust-policy: BoolIfExists aws:MultiFactorAuthPresent passes when "
            "aws:MultiFactorAuthPresent is missing",
        ),
        (
            "trust-cross-account-no-external-id",
            "high",
            "trust-policy: account 444455556666 can assume it without an external ID",
        ),
        ("trust-mfa-bypass", "high", "trust-policy: can be assumed without MFA"),
    ],
    "policy-vendor-external-id": [],
    "policy-eks-irsa-audience-only": [
        (
            "trust-eks-unpinned",
            "high",
            "trust-policy: any service account of the cluster can assume it, such as "
            "default:attacker",
        )
    ],
    # AWS's own Pod Identity trust policy: any association, low
    "policy-eks-pod-identity": [
        (
            "trust-eks-unpinned",
            "low",
            "trust-policy: any EKS Pod Identity association in the account can use it, "
            "through an association anyone allowed iam:PassRole on it may create",
        )
    ],
    # repository_id, repository_owner_id and ref pinned (2026 keys), no sub: the main
    # branch of one repository
    "policy-github-repository-ids-ref": [],
    "policy-github-immutable-sub-branches": [
        ("trust-oidc-untrusted-trigger", "high", f"trust-policy: {BRANCH}")
    ],
    "policy-github-stringequals-wildcard": [
        (
            "trust-dead-condition",
            "low",
            "trust-policy: token.actions.githubusercontent.com:sub value 'repo:acme/app:*' "
            "holds a wildcard, which is literal under this operator",
        ),
        (
            "trust-dead-condition",
            "medium",
            "trust-policy: statement 0 admits no real request from "
            "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
        ),
    ],
    # ForAllValues on sub, a claim every token has: the values are the pins
    "policy-github-forallvalues-sub": [],
    "policy-github-owner-environment": [
        (
            "trust-oidc-broad-subject",
            "high",
            "trust-policy: another repository of the owner can assume it",
        ),
        (
            "trust-oidc-untrusted-trigger",
            "high",
            "trust-policy: an environment a workflow creates unprotected can assume it",
        ),
    ],
    "policy-github-get-role-branches": [
        (
            "trust-oidc-untrusted-trigger",
            "high",
            f"GitHubAction-AssumeRoleWithAction: {BRANCH}",
        )
    ],
    # Google: oaud is the token's aud, which the caller chooses
    "policy-google-oaud-only": [
        (
            "trust-google-oaud-only",
            "high",
            "trust-policy: any Google identity can assume it by choosing oaud",
        ),
        ("trust-oidc-any-tenant", "critical", "trust-policy: any Google tenant can assume it"),
    ],
    # CircleCI: every project of the organization (the issuer is the organization's own)
    "policy-circleci-organization-projects": [
        (
            "trust-oidc-broad-subject",
            "high",
            "trust-policy: another project of the organization can assume it (a project of "
            "CircleCI organization c5b1d3f2-8a4e-4f6b-9c2d-7e8f9a0b1c2d only: the issuer "
            "serves no other organization)",
        )
    ],
    # GitHub Enterprise's unique issuer: repo:octocat-inc/* is every repository of the owner
    "policy-github-enterprise-issuer": [
        (
            "trust-oidc-broad-subject",
            "high",
            "trust-policy: another repository of the owner can assume it",
        )
    ],
    # GitHub Enterprise Server's issuer (HOSTNAME/_services/token): repo:O/R:* is pull
    # requests and any branch, as on github.com
    "policy-github-enterprise-server-issuer": [
        ("trust-oidc-untrusted-trigger", "high", f"trust-policy: {PULL_REQUEST}"),
        ("trust-oidc-untrusted-trigger", "high", f"trust-policy: {BRANCH}"),
    ],
    # GHE.com data residency (token.actions.SUBDOMAIN.ghe.com): repo:O/*:* is every
    # repository of the owner, their pull requests and branches
    "policy-github-ghe-com-owner-wildcard": [
        (
            "trust-oidc-broad-subject",
            "high",
            "trust-policy: another repository of the owner can assume it",
        ),
        ("trust-oidc-untrusted-trigger", "high", f"trust-policy: {PULL_REQUEST}"),
        ("trust-oidc-untrusted-trigger", "high", f"trust-policy: {BRANCH}"),
    ],
    # ECS's task role with its confused-deputy conditions: the account's own tasks
    "policy-ecs-task-source-arn": [],
    # Snowflake's storage integration: its IAM user, the integration's external ID
    "policy-snowflake-storage-integration": [],
    # a self-managed GitLab: group/* is every project of the group; no aud condition and
    # the provider's audiences unread
    "policy-gitlab-self-managed-group": [
        (
            "trust-oidc-broad-subject",
            "high",
            "trust-policy: another project of the group can assume it",
        ),
        (
            "trust-oidc-missing-audience",
            "low",
            "trust-policy: accepts tokens for any audience its OIDC provider lists (that list "
            "is unknown: the trust policy is judged alone: no OIDC provider was read)",
        ),
    ],
    # GitLab's 2026 keys: one project's protected refs, no sub
    "policy-gitlab-project-id-protected": [],
    # Pod Identity narrowed to one cluster: any association of that cluster
    "policy-eks-pod-identity-cluster-source": [
        (
            "trust-eks-unpinned",
            "low",
            "trust-policy: any EKS Pod Identity association of the clusters it names can use "
            "it, through an association anyone allowed iam:PassRole on it may create",
        )
    ],
    # "*" narrowed by aws:PrincipalArn with any account: anyone can name a role so
    "policy-principal-arn-any-account": [
        ("trust-anyone", "critical", "trust-policy: any principal in any AWS account can assume it")
    ],
    # HCP Terraform apply runs of every project and workspace of the organization
    "policy-tfc-any-project-apply": [
        (
            "trust-oidc-broad-subject",
            "high",
            "trust-policy: another project of the organization can assume it",
        )
    ],
    # Azure DevOps: one service connection of one project, the organization's issuer
    "policy-azure-devops-service-connection": [],
    # a GCP service account's ID token (Cloud Build, Cloud Run): sub and aud (azp) pin the
    # service account
    "policy-google-service-account-sub": [],
    "policy-google-template-sub": [
        (
            "trust-unrendered-template",
            "info",
            "trust-policy: the trust policy is a template; unresolved: "
            "<some_organization_identifier> (judged as written)",
        )
    ],
}

NOW = "2026-12-07T00:00:00+00:00"

# case → (exit code, every finding as (check, severity, message), the checks not evaluated
# or partial); exit code 2: the error line instead of the findings
EXPORTS: dict[str, tuple[int, list[tuple[str, str, str]], list[str]]] = {
    # the AWS CLI's documented output, as printed: a group's AttachedManagedPolicies is an
    # object there, which IAM never answers: refused, by pointer
    "export-awscli-doc-example": (
        2,
        [
            (
                "error",
                "",
                "authorization-details.json#/GroupDetailList/0: AttachedManagedPolicies "
                "must be a list, found an object",
            )
        ],
        [],
    ),
    # the same with lists, and still IsTruncated: true: the details are missing (exit 3),
    # the report's users are judged
    "export-awscli-example-truncated": (3, [], []),
    "export-awscli-example-whole": (3, [], ["user-admin-with-access-key"]),
    # roles of the policy cases above in one account, with its OIDC and SAML providers
    # (GitHub and HCP Terraform, one audience each) and a report of the root user alone:
    # the scan gives what `keyless trust` gives; Identity Center's role and a
    # service-linked role are clean; a bare AROA… principal is a deleted role
    "export-federated-roles": (
        1,
        [
            (
                "trust-dangling-principal",
                "low",
                "legacy-ci: trusts a deleted principal (AROAEXAMPLEDELETED01)",
            ),
            (
                "trust-dead-condition",
                "medium",
                "onprem: statement 0 trusts rolesanywhere.amazonaws.com, but it needs "
                "sts:TagSession and sts:SetSourceIdentity too, which no statement allows "
                "rolesanywhere.amazonaws.com: nobody can assume it through Roles Anywhere",
            ),
            (
                "trust-oidc-broad-subject",
                "high",
                "tfc-acme: another project of the organization can assume it",
            ),
            (
                "trust-oidc-untrusted-trigger",
                "high",
                f"GitHubAction-AssumeRoleWithAction: {BRANCH}",
            ),
            ("trust-oidc-untrusted-trigger", "medium", f"tfc-acme: {PLAN}"),
        ],
        [],
    ),
    # an organization's member account with the roles AWS Organizations and Control Tower
    # create, trusting the management account's root: a sister account of the organization
    # is no vendor (no external ID is asked of it), and the management account's principals
    # are meant to administer the member (judged alone, `keyless trust` gives both)
    "export-org-member-access-roles": (0, [], []),
}
_REPORT_FINDINGS = [
    ("key-not-rotated", "high", "access key 1 of Bob is 4801 days old (limit 90)"),
    ("key-not-rotated", "high", "access key 1 of Charlie is 4801 days old (limit 90)"),
    ("key-not-rotated", "high", "access key 2 of Charlie is 1066 days old (limit 90)"),
    ("key-two-active", "medium", "Charlie has 2 active access keys"),
    (
        "key-unused",
        "high",
        "access key 1 of Charlie has never been used and is 4801 days old (grace 7)",
    ),
    (
        "user-console-password-unused",
        "medium",
        "console password of Bob was last used 2836 days ago (limit 45)",
    ),
    ("user-console-without-mfa", "high", "Bob can sign in to the console without MFA"),
    (
        "user-for-workload",
        "medium",
        "Charlie has 2 active access key(s) and no console password: a workload identity "
        "that should be a role",
    ),
    ("user-long-lived-access-key", "medium", "Bob has 1 active access key (slot 1)"),
    ("user-long-lived-access-key", "medium", "Charlie has 2 active access keys (slot 1, 2)"),
]
EXPORTS["export-awscli-example-truncated"][1].extend(_REPORT_FINDINGS)
# every check that needs the authorization details is not evaluated
EXPORTS["export-awscli-example-truncated"][2].extend(
    [
        "account-mfa-not-enforced",
        "user-admin-with-access-key",
        "user-direct-policy",
        *(f"trust-{name}" for name in ("anyone", "cross-account-no-external-id")),
        *(f"trust-{name}" for name in ("account-root-broad", "mfa-bypass")),
        *(f"trust-{name}" for name in ("dangling-principal", "service-confused-deputy")),
        *(f"trust-oidc-{name}" for name in ("any-tenant", "broad-subject")),
        *(f"trust-oidc-{name}" for name in ("untrusted-trigger", "missing-audience")),
        *(f"trust-{name}" for name in ("roles-anywhere-unpinned", "eks-unpinned")),
        *(f"trust-{name}" for name in ("cognito-unauthenticated", "google-oaud-only")),
        *(f"trust-{name}" for name in ("saml-no-audience", "tag-forgeable")),
        *(f"trust-{name}" for name in ("condition-fails-open", "dead-condition")),
        "trust-unrendered-template",
    ]
)
# the whole export: Bob's AdministratorAccess less his inline Deny of IAM and billing is
# near-administrator (high; it was "full administrator", critical); Charlie's
# PowerUserAccess has no document in the example, so that check is partial
EXPORTS["export-awscli-example-whole"][1].extend(
    [
        *_REPORT_FINDINGS,
        (
            "account-mfa-not-enforced",
            "medium",
            "Alice can sign in to the console and no deny-unless-MFA policy applies to them "
            "(MFA registered)",
        ),
        (
            "account-mfa-not-enforced",
            "medium",
            "Bob can sign in to the console and no deny-unless-MFA policy applies to them "
            "(MFA not registered)",
        ),
        (
            "user-admin-with-access-key",
            "high",
            "Bob has near-administrator access: every action except the Billing console and "
            "IAM (aws-portal:*, iam:*) (arn:aws:iam::aws:policy/AdministratorAccess) and 1 "
            "active access key(s) (slot 1)",
        ),
        ("user-direct-policy", "low", "Bob has 1 inline policy attached directly"),
    ]
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_every_policy_case_has_one_policy_file() -> None:
    for case in TRUST:
        assert len(list((HERE / case).glob("*.json"))) == 1, case


@pytest.mark.parametrize("case", sorted(TRUST))
def test_trust_policies_get_the_documented_verdict(case: str) -> None:
    (policy,) = (HERE / case).glob("*.json")
    code, out, _ = run("trust", str(policy), "--format", "json", "--fail-on", "info")
    document: dict[str, Any] = json.loads(out)
    found = sorted((f["check"], f["severity"], f["message"]) for f in document["findings"])
    assert found == sorted(TRUST[case])
    assert code == (1 if found else 0)


@pytest.mark.parametrize("case", sorted(EXPORTS))
def test_exports_get_the_documented_verdict(case: str) -> None:
    expected_code, expected, not_evaluated = EXPORTS[case]
    code, out, err = run(
        "scan",
        "--input",
        str(HERE / case),
        *("--format", "json", "--now", NOW, "--workers", "1", "--fail-on", "info", "-q"),
    )
    assert code == expected_code
    if code == 2:
        ((_, _, message),) = expected
        assert err == f"keyless: error: {HERE / case}/{message}\n"
        return
    document: dict[str, Any] = json.loads(out)
    found = sorted((f["check"], f["severity"], f["message"]) for f in document["findings"])
    assert found == sorted(expected)
    runs = document["check_runs"]
    unjudged = [r["check"] for r in runs if r["status"] in ("not_evaluated", "partial")]
    assert sorted(unjudged) == sorted(not_evaluated)
