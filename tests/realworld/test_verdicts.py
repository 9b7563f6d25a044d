"""Real-world shapes, one directory each, with the verdict AWS's or the vendor's
documentation gives them (README.md names the public file each follows and why the
verdict is right). Every finding, and every role left not judged, is listed: a case
fails when keyless reports more, less or otherwise."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from keyless.findings import FileLocation
from keyless.iac.scan import scan as scan_iac
from keyless.workflows import FixOptions, RoleSource
from keyless.workflows import fix as fix_workflows
from keyless.workflows import scan as scan_workflows
from keyless.workflows.gitlab_pipeline import assemble
from keyless.workflows.model import Platform
from keyless.workflows.yamldoc import load_text
from tests.realworld.test_policy_verdicts import EXPORTS, TRUST
from tests.workflows.conftest import actionlint_added, actionlint_available

HERE = Path(__file__).parent
PULL_REQUEST = "a pull request can assume it"
BRANCH = "an unprotected branch can assume it"
ROLE = "arn:aws:iam::123456789012:role/deploy"
SHARED_WORKFLOW = (
    "the reusable workflow acme/shared-workflows/.github/workflows/deploy.yml@refs/heads/main"
)
ONLY = f", only through {SHARED_WORKFLOW}"

# case → (the findings as (check, message), the roles not judged (their addresses))
IAC: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    # CircleCI's per-organization issuer, sub pinned to one project: clean (no aud pin
    # needed: CircleCI fixes the audience to the organization ID)
    "tf-circleci-oidc": ([], []),
    "tf-eks-irsa-namespaces": ([], []),  # named service accounts, aud pinned: clean
    # terraform-aws-modules' github-oidc-role: subjects acme/app:* give repo:acme/app:*
    # (pull requests, any branch); a subject given with repo: and a branch is pinned.
    # Its ForAllValues on :iss (no key AWS exposes) is vacuously true: no effect either way
    "tf-aws-modules-github-oidc-role": (
        [
            (
                "trust-oidc-untrusted-trigger",
                f"module.any_ref.aws_iam_role.this[0]: {PULL_REQUEST}",
            ),
            ("trust-oidc-untrusted-trigger", f"module.any_ref.aws_iam_role.this[0]: {BRANCH}"),
        ],
        [],
    ),
    # terraform-aws-modules' IRSA role: one named service account is clean; StringLike with
    # ci:* admits every service account of the namespace
    "tf-aws-modules-irsa": (
        [
            (
                "trust-eks-unpinned",
                "module.ci_namespace.aws_iam_role.this[0]: any service account of namespace ci "
                "can assume it, such as ci:attacker",
            )
        ],
        [],
    ),
    # the same module called from the registry (5.x) with the cluster's provider from
    # module.eks: read by its inputs; what the subjects admit holds for any cluster, the
    # role pinned to one service account is not judged (not called clean on a guess)
    "tf-aws-modules-irsa-registry": (
        [
            (
                "trust-eks-unpinned",
                "module.irsa_agent.aws_iam_role.this[0]: any service account of the cluster "
                "can assume it, such as attacker:attacker",
            ),
            (
                "trust-eks-unpinned",
                "module.crossplane_irsa.aws_iam_role.this[0]: any service account matching "
                "crossplane-system:provider-aws-* can assume it, such as "
                "crossplane-system:provider-aws-attacker",
            ),
        ],
        ["module.external_dns_irsa.aws_iam_role.this[0]"],
    ),
    # iam-assumable-role-with-oidc from the registry, no version (only 5.x and older have
    # it), the provider's URL a module output: repo:acme/app:* admits pull requests and any
    # branch whatever GitHub issuer it is; the main-branch role is clean
    "tf-aws-modules-assumable-role-oidc": (
        [
            (
                "trust-oidc-untrusted-trigger",
                f"module.iam_assumable_role_with_oidc.aws_iam_role.this[0]: {PULL_REQUEST}",
            ),
            (
                "trust-oidc-untrusted-trigger",
                f"module.iam_assumable_role_with_oidc.aws_iam_role.this[0]: {BRANCH}",
            ),
        ],
        [],
    ),
    # the service account written under aud, sub unpinned: a pod may project a token with
    # any audience, so only the provider's client IDs stand between any service account
    # and the role; AWS's guide pins sub
    "tf-eks-aud-holds-service-account": (
        [
            (
                "trust-eks-unpinned",
                "aws_iam_role.cni: any service account of the cluster can assume it, such as "
                "default:attacker",
            )
        ],
        [],
    ),
    # job_workflow_ref names the called workflow, not the caller, and a public repository's
    # reusable workflow may be called from any repository: a pin of it alone is any tenant
    # (a pattern over one repository's workflows: critical; one workflow at a ref: high,
    # only through it); with the owner pinned in sub too, low
    "tf-gha-job-workflow-ref-only": (
        [
            (
                "trust-oidc-any-tenant",
                "aws_iam_role.gha_deploy: any GitHub Actions tenant can assume it",
            ),
            ("trust-oidc-untrusted-trigger", f"aws_iam_role.gha_deploy: {PULL_REQUEST}"),
            ("trust-oidc-untrusted-trigger", f"aws_iam_role.gha_deploy: {BRANCH}"),
            (
                "trust-oidc-any-tenant",
                f"aws_iam_role.shared_deploy: any GitHub Actions tenant can assume it through "
                f"{SHARED_WORKFLOW}, if its repository is public (any repository may call a public "
                "reusable workflow, any of the enterprise's an internal one; the token names the "
                "caller's repository)",
            ),
            ("trust-oidc-untrusted-trigger", f"aws_iam_role.shared_deploy: {PULL_REQUEST}{ONLY}"),
            ("trust-oidc-untrusted-trigger", f"aws_iam_role.shared_deploy: {BRANCH}{ONLY}"),
            (
                "trust-oidc-broad-subject",
                "aws_iam_role.shared_deploy_org: another repository of the owner can assume "
                f"it{ONLY}",
            ),
            (
                "trust-oidc-untrusted-trigger",
                f"aws_iam_role.shared_deploy_org: {PULL_REQUEST}{ONLY}",
            ),
            ("trust-oidc-untrusted-trigger", f"aws_iam_role.shared_deploy_org: {BRANCH}{ONLY}"),
        ],
        [],
    ),
    # A custom subject template of repo, environment, ref and event_name: the deploy role
    # pins the environment and main (clean); `repo:acme/app:event_name:push` names no
    # branch, so a push to any branch mints it
    "tf-gha-custom-sub-event": (
        [("trust-oidc-untrusted-trigger", f"aws_iam_role.preview: {BRANCH}")],
        [],
    ),
    # a custom template with event_name and base_ref: a push's empty base_ref is an empty
    # field GitHub writes (it was a dead condition), a pull_request_target run's context is
    # the default branch's ref (its wildcard was a pull request and any branch); a
    # pull_request run's is a pull request's
    "tf-gha-custom-sub-base-ref": (
        [("trust-oidc-untrusted-trigger", f"aws_iam_role.preview: {PULL_REQUEST}")],
        [],
    ),
    "tf-gha-role-templatefile": (
        [
            ("trust-oidc-untrusted-trigger", f"aws_iam_role.gha: {PULL_REQUEST}"),
            ("trust-oidc-untrusted-trigger", f"aws_iam_role.gha: {BRANCH}"),
        ],
        [],
    ),
    # setunion() of condition objects, then a grouping for: allow_all is repo:acme/app:*;
    # the defaults (main branch, pull requests denied) are clean
    "tf-philips-github-oidc": (
        [
            (
                "trust-oidc-untrusted-trigger",
                f"module.deploy_any_ref.aws_iam_role.main[0]: {PULL_REQUEST}",
            ),
            (
                "trust-oidc-untrusted-trigger",
                f"module.deploy_any_ref.aws_iam_role.main[0]: {BRANCH}",
            ),
        ],
        [],
    ),
    # a %{if} template directive builds the sub: a bare repository becomes repo:acme/app:*
    # (pull requests, any branch); one given with its ref is kept. No aud condition, but the
    # provider the module declares lists sts.amazonaws.com alone: STS accepts nothing else.
    "tf-module-github-oidc-provider": (
        [
            (
                "trust-oidc-untrusted-trigger",
                f"module.github_oidc.aws_iam_role.this[0]: {PULL_REQUEST}",
            ),
            ("trust-oidc-untrusted-trigger", f"module.github_oidc.aws_iam_role.this[0]: {BRANCH}"),
        ],
        [],
    ),
    # unfunco/oidc-github by its release: 1.7.1 writes repo:acme/app:* for a bare repository
    # (pull requests, any branch); ~> 1.6 installs 1.8.1, whose pinned entry is kept; no
    # version installs the latest release, whose code keyless does not follow: not judged
    "tf-unfunco-oidc-github": (
        [
            (
                "trust-oidc-untrusted-trigger",
                f"module.oidc_github.aws_iam_role.github[0]: {PULL_REQUEST}",
            ),
            (
                "trust-oidc-untrusted-trigger",
                f"module.oidc_github.aws_iam_role.github[0]: {BRANCH}",
            ),
        ],
        ["module.oidc_github_latest.aws_iam_role.github[0]"],
    ),
    "cfn-configure-aws-credentials-sample": (
        [
            ("trust-oidc-untrusted-trigger", f"Role: {PULL_REQUEST}"),
            ("trust-oidc-untrusted-trigger", f"Role: {BRANCH}"),
        ],
        [],
    ),
    # the same sample with an account root from a parameter without a default: that
    # statement is not judged (exit 3), but another Allow only adds who may assume the role,
    # so repo:ORG/REPO:* still admits pull requests and any branch, whatever the root is
    "cfn-oidc-role-account-root-parameter": (
        [
            ("trust-oidc-untrusted-trigger", f"Role: {PULL_REQUEST}"),
            ("trust-oidc-untrusted-trigger", f"Role: {BRANCH}"),
        ],
        ["Role"],
    ),
    # sam pipeline bootstrap's stage template: the pipeline user and its key are created
    # unless the (undecided) parameters say OIDC; the execution role's trust is one of two
    # policies by a condition on a parameter without a default: not judged
    "cfn-sam-pipeline-bootstrap": (
        [
            ("iac-iam-user", "PipelineUser creates an IAM user"),
            ("iac-access-key", "PipelineUserAccessKey creates an access key"),
        ],
        ["PipelineExecutionRole"],
    ),
    "cfn-sam-github-deploy-main": ([], []),  # the main branch only: clean
    # the role SAM creates for a Lambda@Edge function, trusting the two Lambda services
    "cfn-sam-lambda-edge": ([], []),
    # roles written once per repository in an AWS::LanguageExtensions loop over a
    # CommaDelimitedList parameter: written out, each repo:acme/${Repo}:* admits pull
    # requests and any branch
    "cfn-foreach-github-roles": (
        [
            ("trust-oidc-untrusted-trigger", f"{repo}DeployRole: {what}")
            for repo in ("app", "site")
            for what in (PULL_REQUEST, BRANCH)
        ],
        [],
    ),
    "cfn-github-oidc-no-sub": (
        [("trust-oidc-any-tenant", "GitHubActionsRole: any GitHub Actions tenant can assume it")],
        [],
    ),
    "cfn-stackset-org-github-role": (
        [
            (
                "trust-oidc-broad-subject",
                "DeployRole (in StackSet GitHubRoleStackSet): another repository of the "
                "owner can assume it",
            ),
            (
                "trust-oidc-untrusted-trigger",
                f"DeployRole (in StackSet GitHubRoleStackSet): {PULL_REQUEST}",
            ),
            (
                "trust-oidc-untrusted-trigger",
                f"DeployRole (in StackSet GitHubRoleStackSet): {BRANCH}",
            ),
        ],
        [],
    ),
    "cdk-github-oidc-role": (
        [
            (
                "trust-oidc-untrusted-trigger",
                f"DeployRoleE3CA1D26 (GithubOidcStack/DeployRole/Resource): {PULL_REQUEST}",
            ),
            (
                "trust-oidc-untrusted-trigger",
                f"DeployRoleE3CA1D26 (GithubOidcStack/DeployRole/Resource): {BRANCH}",
            ),
        ],
        [],
    ),
    # aripalo's GithubActionsRole with GithubActionsIdentityProvider.fromAccount: the
    # provider's ARN an Fn::Join, sub under ForAnyValue:StringLike; the repository given
    # without a filter gets '*' (pull requests, any branch); MainRole's sub is an Fn::Join
    # of a parameter pinned to main
    "cdk-github-actions-role-from-account": (
        [
            (
                "trust-oidc-untrusted-trigger",
                f"DeployRoleE3CA1D26 (GhStack/DeployRole/Resource): {what}",
            )
            for what in (PULL_REQUEST, BRANCH)
        ],
        [],
    ),
    # aws-eks ServiceAccount: the condition keys hold the cluster's issuer, so the CDK writes
    # them through a CfnJson custom resource; one service account, aud pinned: clean
    "cdk-eks-service-account": ([], []),
    # data.aws_service_principal: ec2 runs the account's own instances (clean); SNS acts
    # for topics and sends aws:SourceAccount, which the role does not pin
    "tf-service-principal-data-source": (
        [
            (
                "trust-service-confused-deputy",
                "aws_iam_role.sns_feedback: sns.amazonaws.com can assume it for another "
                "account's resources",
            )
        ],
        [],
    ),
    # cdktf synth output (cdk.tf.json): service roles whose trust is a literal JSON string
    # with the account interpolated; aws:SourceAccount pinned, so no confused deputy: clean
    "cdktf-service-roles-source-account": ([], []),
    "cdk-circleci-oidc-role": (
        [
            (
                "trust-oidc-broad-subject",
                "AllProjectsRole (CircleCiStack/AllProjectsRole/Resource): another project "
                "of the organization can assume it (a project of CircleCI organization "
                "11111111-2222-3333-4444-555555555555 only: the issuer serves no other "
                "organization)",
            )
        ],
        [],
    ),
}

# GitLab: project_path:${var.gitlab_project_path}:ref_type:branch:ref:* is any branch
# whatever the project is
IAC["tf-gitlab-any-branch"] = (
    [("trust-oidc-untrusted-trigger", f"aws_iam_role.gitlab: {BRANCH}")],
    [],
)
# an IAM user and its key, the secret a sensitive output (hidden from the CLI, in state)
IAC["tf-user-key-outputs"] = (
    [
        (
            "iac-access-key",
            "aws_iam_access_key.s3_user creates an access key for IAM user 's3_user'",
        ),
        ("iac-iam-user", "aws_iam_user.s3_user creates an IAM user named 's3_user'"),
    ],
    [],
)
# a vendor onboarding template: a user with a key whose secret is a stack output, and a
# role trusting AWS "*" with no condition (anyone in any account)
IAC["cfn-user-key-role-anyone"] = (
    [
        (
            "iac-access-key",
            "CFNUserAccessKey creates an access key for IAM user 'CloudVRM-Findings-User'",
        ),
        ("iac-iam-user", "CFNUser creates an IAM user named 'CloudVRM-Findings-User'"),
        (
            "iac-secret-key-output",
            "Outputs.SecretKey shows the secret access key of 'CFNUserAccessKey' in plain text",
        ),
        ("trust-anyone", "CFNRole: any principal in any AWS account can assume it"),
    ],
    [],
)
# Buildkite: ref:refs/heads/*:commit:*:step:terraform-plan is any branch's build
IAC["tf-buildkite-plan-step"] = (
    [("trust-oidc-untrusted-trigger", f"aws_iam_role.terraform_plan: {BRANCH}")],
    [],
)
# Roles Anywhere pinned to the trust anchor the code creates (concat with an empty list)
IAC["tf-roles-anywhere-anchor"] = ([], [])
# GitHub: repository_id, repository_owner_id and ref pinned by variables' defaults
IAC["tf-github-repository-id"] = ([], [])
# Snowflake's storage integration: the role trusts the IAM user and external ID the
# integration reports after apply: not judged (never clean on a guess)
IAC["tf-snowflake-storage-integration"] = ([], ["aws_iam_role.snowflake"])
# the AWS provider's Pod Identity example: any association in the account (low)
IAC["tf-eks-pod-identity-association"] = (
    [
        (
            "trust-eks-unpinned",
            "aws_iam_role.example: any EKS Pod Identity association in the account can use "
            "it, through an association anyone allowed iam:PassRole on it may create",
        )
    ],
    [],
)
# a vendor's integration role: its account by a parameter's default, the external ID a
# parameter without one (each customer's own): not judged until it is given
IAC["cfn-datadog-integration-role"] = ([], ["DatadogIntegrationRole"])

# case → the findings as (check, route)
WORKFLOWS: dict[str, list[tuple[str, str]]] = {
    "gh-oidc-dispatch-example": [],
    "gh-pull-request-job-oidc": [],  # a pull_request token says pull_request: no pwn request
    "gh-keys-then-assume-role": [
        ("workflow-static-aws-keys", "jobs.terraform.steps[1].with.aws-access-key-id")
    ],
    # exported by an earlier step, with a session token: temporary credentials
    "gh-session-token-from-env": [],
    "gh-pwn-request-reusable-call": [
        ("workflow-untrusted-checkout-id-token", "jobs.deploy-preview.with.ref")
    ],
    "gh-pwn-request-env-sha": [("workflow-untrusted-checkout-id-token", "jobs.test.steps[1].run")],
    # the called workflow shares the caller's event and checks its head out
    "gh-pwn-request-callee-event": [("workflow-untrusted-checkout-id-token", "jobs.ci.uses")],
    # the IAM user's keys handed to Terraform's provider as TF_VAR_ variables, per step
    # keys passed to a local reusable workflow whose jobs run in environments
    "gh-reusable-keys-environments": [
        ("workflow-static-aws-keys-env", "jobs.cicd.secrets.AWS_ACCESS_KEY_ID"),
        ("workflow-static-aws-keys", "jobs.DeployStage.steps[1].with.aws-access-key-id"),
        ("workflow-static-aws-keys", "jobs.DeployProd.steps[1].with.aws-access-key-id"),
    ],
    # the key pair chosen by the branch: one finding, at the key input
    "gh-keys-chosen-by-branch": [
        (
            "workflow-static-aws-keys",
            "jobs.build-and-deploy.steps[1].with.aws-access-key-id",
        )
    ],
    # CircleCI: the role is assumed in a reusable command (a step, an orb step's auth:)
    "cc-command-assumes-role": [],
    # hashicorp/vault-action exporting the keys from Vault's key-value store
    "gh-vault-keys-dispatch-choice": [
        (
            "workflow-static-aws-keys-env",
            "jobs.configure-environment.steps[0].with.secrets",
        )
    ],
    "gh-terraform-tf-var-keys": [
        ("workflow-static-aws-keys-env", "jobs.terraform.steps[3].env.TF_VAR_aws_access_key"),
        ("workflow-static-aws-keys-env", "jobs.terraform.steps[4].env.TF_VAR_aws_access_key"),
    ],
    # GitLab: a template's variables re-export CI/CD variables named for the keys
    "gl-terraform-prod-key-variables": [
        ("gitlab-static-aws-keys", ".terraform.TF_VAR_aws_access_key"),
        ("gitlab-static-aws-keys", ".terraform.TF_VAR_aws_secret_key"),
    ],
    # GitLab: a template logs in to Vault with its own ID token; the job extends it
    # GitLab's ECS template, included: nothing in the file, the template not read (exit 3)
    "gl-ecs-template-include": [],
    "gl-vault-token-template-keys": [
        ("gitlab-static-aws-keys", "deploy.variables.AWS_ACCESS_KEY_ID")
    ],
    # `on:` commented out: the workflow never runs, its keys are reported all the same
    # (the secrets are configured), the message saying it does not run
    "gh-on-commented-out": [
        ("workflow-static-aws-keys", "jobs.tests.steps[2].with.aws-access-key-id")
    ],
    # indented by four: the configure step's inputs and a later step's env, same keys
    "gh-four-space-hugo-keys": [
        ("workflow-static-aws-keys", "jobs.build.steps[1].with.aws-access-key-id"),
        ("workflow-static-aws-keys-env", "jobs.build.steps[2].env.AWS_ACCESS_KEY_ID"),
    ],
    # keys (with a session token) in the workflow's env, read back with ${{ env.* }}
    "gh-workflow-env-keys-env-inputs": [
        ("workflow-static-aws-keys-env", "env.AWS_ACCESS_KEY_ID"),
        ("workflow-static-aws-keys", "jobs.apply.steps[1].with.aws-access-key-id"),
    ],
    # the key secret named by the dispatch input: one IAM user per environment
    "gh-dispatch-secret-per-environment": [
        ("workflow-static-aws-keys", "jobs.release.steps[1].with.aws-access-key-id")
    ],
    # the keys in the workflow's env of a lint, test, build, deploy pipeline
    "gh-workflow-env-pr-lint": [("workflow-static-aws-keys-env", "env.AWS_ACCESS_KEY_ID")],
    # GitLab: a template merged in with `<<:` writes the keys into a profile
    "gl-terraform-anchor-configure-set": [
        ("gitlab-static-aws-keys", ".terraform.before_script[0]"),
        ("gitlab-static-aws-keys", ".terraform.before_script[1]"),
    ],
}

# `aws configure set` with the keys in a run step (indented by four)
WORKFLOWS["gh-run-configure-set"] = [
    ("workflow-static-aws-keys-env", "jobs.build-and-push.steps[2].run")
]
# the keys handed to a script run on an EC2 host over SSH
WORKFLOWS["gh-ssh-action-remote-keys"] = [
    ("workflow-static-aws-keys-env", "jobs.deploy.steps[1].with.script")
]
# a Terraform plan job run on pull requests, the keys written into a profile
WORKFLOWS["gh-pr-terraform-configure-set"] = [
    ("workflow-static-aws-keys-env", "jobs.terraform-plan.steps[1].run")
]
# GitLab's documented ID-token job: assume-role-with-web-identity, no keys
WORKFLOWS["gl-id-token-assume-role"] = []
# a /deploy comment on a pull request runs the default branch's workflow, which checks out
# the pull request's head with write-all (id-token: write): the fork's code gets the token
WORKFLOWS["gh-issue-comment-deploy-pr"] = [
    ("workflow-untrusted-checkout-id-token", "jobs.deploy.steps[1].with.ref")
]
# /ok-to-test: gh pr checkout of the comment's pull request, or its branch looked up by
# xt0rted/pull-request-comment-branch, is the fork's code; a checkout of
# github.event.pull_request.head.sha on issue_comment is empty (the default branch)
WORKFLOWS["gh-issue-comment-ok-to-test"] = [
    ("workflow-untrusted-checkout-id-token", "jobs.integration.steps[1].run"),
    ("workflow-untrusted-checkout-id-token", "jobs.preview.steps[1].with.ref"),
]

# Atlassian's aws-s3-deploy pipe given the key variables (its README's basic example), and
# with OIDC instead (`oidc: true` and AWS_OIDC_ROLE_ARN, the README's OIDC example)
WORKFLOWS["bb-aws-s3-deploy-pipe"] = [
    (
        "bitbucket-static-aws-keys",
        "pipelines.branches.main[0].step.script[1].variables.AWS_ACCESS_KEY_ID",
    )
]
WORKFLOWS["bb-aws-s3-deploy-pipe-oidc"] = []
# the AWS Toolkit's S3Upload task: a service connection holds keys unless set to OIDC,
# which the pipeline cannot show (low)
WORKFLOWS["az-s3upload-service-connection"] = [
    ("azure-service-connection-aws-keys", "steps[0].inputs.awsCredentials")
]
# pipeline-aws-plugin's withAWS signing with a Jenkins credential: an IAM user's key
WORKFLOWS["jk-with-aws-credentials"] = [("jenkins-static-aws-keys", "line 6")]
# the aws-cli orb's setup without role_arn: the keys from a context or the project
WORKFLOWS["cc-aws-cli-setup-keys"] = [("circleci-static-aws-keys", "jobs.deploy.steps[1]")]

# case → what is named as not read (the part after the file: an include from outside)
UNREAD: dict[str, list[str]] = {
    # GitLab's ECS template reads AWS_ACCESS_KEY_ID from the CI/CD variables: unseen
    "gl-ecs-template-include": ["include template 'AWS/Deploy-ECS.gitlab-ci.yml'"],
}

# case → (the jobs `fix` rewrites, the jobs it leaves for a person, every `sub` the role
# must trust); the rewritten copy is scanned again and must be clean of what was rewritten
FIXES: dict[str, tuple[list[str], list[str], list[str]]] = {
    # the job gets GITLAB_OIDC_TOKEN beside the template's Vault token (GitLab merges
    # id_tokens key by key across extends), or the token line writes an empty file
    "gl-vault-token-template-keys": (
        ["deploy"],
        [],
        ["project_path:acme/app:ref_type:branch:ref:main"],
    ),
    # the branch chooses between two IAM users (prod, staging): one role cannot stand for
    # both, so the job is left (exit 1), as two configure steps gated by `if:` are
    "gh-keys-chosen-by-branch": ([], ["build-and-deploy"], []),
    # the keys come from Vault in a step fix cannot rewrite: left (exit 1)
    "gh-vault-keys-dispatch-choice": ([], ["configure-environment"], []),
    # the caller assumes nothing: the called workflow's jobs do, in their environments;
    # the caller's own ref (the main branch) is no subject to trust
    "gh-reusable-keys-environments": (
        ["DeployProd", "DeployStage"],
        [],
        ["repo:acme/app:environment:Production", "repo:acme/app:environment:Stage"],
    ),
    # never runs (no event): left as it is, as a workflow with a merge key is
    "gh-on-commented-out": ([], ["tests"], []),
    # the blocks fix inserts are indented by four too; actionlint checks the copy
    "gh-four-space-hugo-keys": (["build"], [], ["repo:acme/app:ref:refs/heads/main"]),
    # ${{ env.AWS_ACCESS_KEY_ID }} is the workflow's pair: one pair, rewritten; the job of
    # GitHub's own actions only gets nothing
    "gh-workflow-env-keys-env-inputs": (
        ["apply"],
        [],
        ["repo:acme/app:environment:production"],
    ),
    # one IAM user per environment, named at run time: one role cannot stand for them all
    "gh-dispatch-secret-per-environment": ([], ["release"], []),
    # only the deploy job calls AWS; the jobs pull requests run get no credentials step
    "gh-workflow-env-pr-lint": (["deploy"], [], ["repo:acme/app:ref:refs/heads/main"]),
    # both jobs get their own before_script (token line, then the template's by
    # !reference); the template's key lines go, every job that merges it is rewritten
    "gl-terraform-anchor-configure-set": (
        ["apply", "plan"],
        [],
        ["project_path:acme/app:ref_type:branch:ref:main"],
    ),
}


# the script runs on another machine, which no OIDC token reaches: left (exit 1)
FIXES["gh-ssh-action-remote-keys"] = ([], ["deploy"], [])


def test_every_case_directory_has_an_expected_verdict() -> None:
    cases = {p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert cases == set(IAC) | set(WORKFLOWS) | set(TRUST) | set(EXPORTS)


@pytest.mark.parametrize("case", sorted(IAC))
def test_infrastructure_code_gets_the_documented_verdict(case: str) -> None:
    result = scan_iac([HERE / case])
    findings, not_judged = IAC[case]
    assert sorted((f.check, f.message) for f in result.findings) == sorted(findings)
    assert sorted(u.reason.split(":")[0] for u in result.unread) == sorted(not_judged)


@pytest.mark.parametrize("case", sorted(WORKFLOWS))
def test_workflows_get_the_documented_verdict(case: str) -> None:
    result = scan_workflows([HERE / case])
    rows = sorted(
        (f.check, f.location.route) for f in result.findings if isinstance(f.location, FileLocation)
    )
    assert len(rows) == len(result.findings)
    assert rows == sorted(WORKFLOWS[case])
    assert sorted(u.where.split(": ", 1)[1] for u in result.unread) == UNREAD.get(case, [])


@pytest.mark.parametrize("case", sorted(FIXES))
def test_fix_gets_the_documented_outcome(case: str, tmp_path: Path) -> None:
    copy = tmp_path / case
    shutil.copytree(HERE / case, copy)
    options = FixOptions(RoleSource(arn=ROLE), region="eu-west-1", repository="acme/app")
    result = fix_workflows([copy], options)
    rewritten, left, subjects = FIXES[case]
    assert sorted(j.job for r in result.files for j in r.jobs) == sorted(rewritten)
    trusted = {s.value for r in result.files for j in r.jobs for s in j.recommended}
    assert sorted(trusted) == sorted(subjects)
    assert sorted(str(u.job) for _, u in result.unfixed) == sorted(left)
    for rewrite in result.changed:
        rewrite.file.path.write_text(rewrite.after, encoding="utf-8")
    rows = [(f.check, f.location) for f in scan_workflows([copy]).findings]
    assert [
        r for r in rows if isinstance(r[1], FileLocation) and r[1].route.split(".")[0] in rewritten
    ] == []
    if actionlint_available() is None:
        for github in [r for r in result.changed if r.file.platform is Platform.GITHUB]:
            before = HERE / case / github.file.path.relative_to(copy)
            assert actionlint_added(before, github.file.path) == []
    for gitlab in [r for r in result.changed if r.file.platform is Platform.GITLAB]:
        pipeline = assemble([(r.file, load_text(r.after, r.file.path)) for r in result.files])
        for job in (j for j in pipeline.jobs() if j.name in rewritten):
            assert "GITLAB_OIDC_TOKEN" in job.keys["id_tokens"], (gitlab.file.path, job.name)
