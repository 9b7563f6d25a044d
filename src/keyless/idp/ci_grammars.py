"""The ``sub`` grammars of the other CI/CD and deployment providers (GitLab, HCP Terraform,
Buildkite, CircleCI, Bitbucket Pipelines, Spacelift, Semaphore, Azure DevOps, Vercel, Pulumi
Cloud) and of EKS service accounts, each with the document that defines its format.
"""

from __future__ import annotations

from types import MappingProxyType

from keyless.idp.sub_shapes import EMPTY_FIELD, NAME
from keyless.idp.subject_grammar import SubGrammar
from keyless.idp.triggers import DEFAULT_BRANCHES, Trigger

# GitLab's ref types.
_GITLAB_REF_TYPES = ("branch", "tag")


GITLAB = SubGrammar(
    provider="GitLab",
    # project_path is GROUP[/SUBGROUP…]/PROJECT; ref is the branch or tag name itself. A
    # project may choose its sub's components (`ci_id_token_sub_claim_components`):
    # project_path first, then ref_type and ref, ref and ref_type, ref alone or ref_type
    # alone (https://gitlab.com/gitlab-org/gitlab/-/issues/477260).
    well_formed=(
        *(f"project_path:+/=:ref_type:{kind}:ref:%" for kind in _GITLAB_REF_TYPES),
        *(f"project_path:+/=:ref:%:ref_type:{kind}" for kind in _GITLAB_REF_TYPES),
        "project_path:+/=:ref:%",
        *(f"project_path:+/=:ref_type:{kind}" for kind in _GITLAB_REF_TYPES),
    ),
    ill_formed=("project_path:*//*:ref*", "project_path:*/:ref*"),
    ref_marker=":ref:",
    tenant_templates=("project_path:{tenant}/*",),
    repo_templates=("project_path:{tenant}/{repo}:*",),
    tenant_pattern=rf"project_path:(?P<tenant>{NAME})(?:/|$)",
    repo_pattern=r"project_path:(?P<tenant>[^/:*?]+)/(?P<repo>[^:*?]+)(?=:)",
    example="project_path:{tenant}/{repo}:ref_type:branch:ref:main",
    tenant_word="group",
    repo_word="project",
    other_repo="other-project",
    triggers=(
        # A sub of the ref alone may be a branch's; one of the ref type alone
        # (`…:ref_type:branch`) is every branch's, even written exactly (`unnamed`).
        Trigger(
            "an unprotected branch",
            (
                "project_path:*:ref_type:branch:ref:*",
                "project_path:*:ref:*:ref_type:branch",
                "project_path:+/=:ref:%",
                "project_path:*:ref_type:branch",
            ),
            tuple(
                form.format(b)
                for b in DEFAULT_BRANCHES
                for form in (
                    "project_path:*:ref_type:branch:ref:{}",
                    "project_path:*:ref:{}:ref_type:branch",
                    "project_path:+/=:ref:{}",
                )
            ),
            named_pins=True,
            unnamed=("project_path:*:ref_type:branch",),
            # A branch without protection mints ref_protected "false".
            carries=(("ref_protected", "false"),),
            example="*:ref_type:branch:ref:feature",
        ),
        # Developers may create tags that no protected-tag rule covers; such a tag's token
        # has ref_protected "false". A tag named exactly is a release already cut.
        # https://docs.gitlab.com/user/project/protected_tags/
        Trigger(
            "an unprotected tag",
            (
                "project_path:*:ref_type:tag:ref:*",
                "project_path:*:ref:*:ref_type:tag",
                "project_path:*:ref_type:tag",
            ),
            named_exempt=True,
            unnamed=("project_path:*:ref_type:tag",),
            carries=(("ref_protected", "false"),),
            example="*:ref_type:tag:ref:v9.9.9",
        ),
    ),
    tenant_keys=MappingProxyType({"namespace_id": "id", "project_id": "id"}),
    # A group's or project's full path is unique whatever its case: GitLab validates every
    # route (`group/sub/project`) with `uniqueness: { case_sensitive: false }`
    # (https://gitlab.com/gitlab-org/gitlab/-/blob/master/app/models/route.rb), and looks
    # projects up so ("GitLab projects are unique with case insensitive":
    # https://gitlab.com/gitlab-org/gitlab-pages/-/merge_requests/948). A case variant an
    # `…IgnoreCase` operator admits is the same group or project, never another tenant.
    names_ignore_case=True,
)
TERRAFORM = SubGrammar(
    provider="HCP Terraform",
    well_formed=(
        # Project names may hold spaces ("Default Project"); older tokens have no project.
        "organization:+:project:=:workspace:+:run_phase:plan",
        "organization:+:project:=:workspace:+:run_phase:apply",
        "organization:+:workspace:+:run_phase:plan",
        "organization:+:workspace:+:run_phase:apply",
        # A Stack deployment's identity token: organization, project, stack, deployment and
        # the operation (as public Stacks trust policies and federated credentials write it,
        # `organization:O:project:P:stack:*:deployment:*:operation:*`; some stop at the
        # deployment). https://developer.hashicorp.com/terraform/language/stacks/deploy/authenticate
        "organization:+:project:=:stack:+:deployment:+",
        "organization:+:project:=:stack:+:deployment:+:operation:=",
    ),
    tenant_templates=("organization:{tenant}:*",),
    repo_templates=(
        "organization:{tenant}:project:{repo}:*",
        "organization:{tenant}:project:*:workspace:{repo}:*",
    ),
    tenant_pattern=rf"organization:(?P<tenant>{NAME}):",
    repo_pattern=r"organization:(?P<tenant>[^:*?]+):project:(?P<repo>[^:*?]+):",
    example="organization:{tenant}:project:{repo}:workspace:prod:run_phase:apply",
    tenant_word="organization",
    repo_word="project",
    other_repo="other-project",
    # A workspace's name is unique in its organization (the API addresses one by
    # organization and name: GET /organizations/:organization_name/workspaces/:name,
    # https://developer.hashicorp.com/terraform/cloud-docs/api-docs/workspaces), so
    # `project:*:workspace:W` is the one workspace W, wherever it is moved: no other
    # project's runs.
    unit_pattern=(
        r"organization:(?P<tenant>[^:*?]+):(?:project:[^:]*:)?workspace:(?P<repo>[^:*?]+):"
    ),
    unit_templates=(
        "organization:{tenant}:project:*:workspace:{repo}:*",
        "organization:{tenant}:workspace:{repo}:*",
    ),
    triggers=(
        Trigger(
            "a plan run",
            ("*:run_phase:plan", "*:operation:plan"),
            severity="medium",
            example="*:run_phase:plan",
        ),
    ),
)
BUILDKITE = SubGrammar(
    provider="Buildkite",
    well_formed=("organization:+:pipeline:+:ref:%:commit:+:step:*",),
    ref_marker=":ref:",
    tenant_templates=("organization:{tenant}:*",),
    repo_templates=("organization:{tenant}:pipeline:{repo}:*",),
    tenant_pattern=rf"organization:(?P<tenant>{NAME}):",
    repo_pattern=r"organization:(?P<tenant>[^:*?]+):pipeline:(?P<repo>[^:*?]+):",
    example="organization:{tenant}:pipeline:{repo}:ref:refs/heads/main:commit:0:step:deploy",
    tenant_word="organization",
    repo_word="pipeline",
    other_repo="other-pipeline",
    triggers=(
        Trigger(
            "an unprotected branch",
            ("organization:*:ref:*:commit:*",),
            (
                "organization:*:ref:refs/heads/main:commit:*",
                "organization:*:ref:main:commit:*",
                "organization:*:ref:refs/heads/master:commit:*",
                "organization:*:ref:master:commit:*",
            ),
            # Every token names the build's branch in `build_branch` too (an AWS key since
            # 2026): a policy pinning it to a default branch admits no other branch's build.
            # https://buildkite.com/docs/pipelines/security/oidc
            carries=(("build_branch", "*"),),
            carries_excluded=(("build_branch", "main"), ("build_branch", "master")),
            example="*:ref:refs/heads/feature:commit:0:step:deploy",
        ),
    ),
    tenant_keys=MappingProxyType({"organization_id": "id", "organization_slug": "{tenant}"}),
)
# CircleCI: one issuer per organization, so every token's sub is org/ORG/… of that
# organization; $CIRCLE_OIDC_TOKEN_V2 adds /vcs-origin/ORIGIN/vcs-ref/REF. Project IDs are
# UUIDs: a project segment named anywhere in a value is one of the policy's projects.
# https://circleci.com/docs/openid-connect-tokens/
CIRCLECI = SubGrammar(
    provider="CircleCI",
    well_formed=("org/+/project/+/user/+", "org/+/project/+/user/+/vcs-origin/*"),
    tenant_templates=("org/{tenant}/*",),
    repo_templates=("org/*/project/{repo}/*",),
    tenant_pattern=rf"org/(?P<tenant>{NAME})(?:/|$)",
    repo_search=r"/project/(?P<repo>[^/*?]+)(?=/|$)",
    example="org/{tenant}/project/{repo}/user/00000000-0000-4000-8000-000000000000",
    tenant_word="organization",
    repo_word="project",
    # Project IDs are UUIDs (the project settings' "Project ID").
    other_repo="00000000-0000-4000-8000-000000000001",
)
# Bitbucket: one issuer per workspace; sub is {REPOSITORY_UUID}:{STEP_UUID}, or
# {REPOSITORY_UUID}:{ENVIRONMENT_UUID}:{STEP_UUID} for a deployment step (braces literal).
# Every field is a UUID of the repository's own (its deployment environments, its steps):
# a token of another repository carries none that a policy names, wherever it names it.
# https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/
BITBUCKET = SubGrammar(
    provider="Bitbucket Pipelines",
    well_formed=("{=}:{=}", "{=}:{=}:{=}"),
    repo_templates=("*{{repo}}*",),
    repo_search=r"\{(?P<repo>[^{}*?]+)\}",
    example="{{repo}}:{00000000-0000-4000-8000-000000000000}",
    tenant_word="workspace",
    repo_word="repository",
    # Repository UUIDs, in braces in the sub.
    other_repo="00000000-0000-4000-8000-000000000001",
)
# Spacelift: one issuer per account; sub is
# space:SPACE:stack|module:ID:run_type:PROPOSED|TRACKED|TASK|TESTING|DESTROY:scope:read|write,
# or an account-wide custom template of placeholders (alphanumerics, - _ : / | { }), so any
# text may be a subject. Stack and module IDs (slugs) are unique in the account: a value that
# names one is of that stack, whichever space. Proposed runs are the runs of pull requests
# and feature-branch pushes (the code under review, with a read-scoped token).
# https://docs.spacelift.io/integrations/cloud-providers/oidc
# https://docs.spacelift.io/integrations/cloud-providers/oidc/subject-template
# https://docs.spacelift.io/concepts/run/proposed
SPACELIFT = SubGrammar(
    provider="Spacelift",
    well_formed=("?*",),
    # Every placeholder is filled (no empty field), and a proposed run's token is always
    # read-scoped, so no subject shows both PROPOSED and write.
    ill_formed=(
        *EMPTY_FIELD,
        ":*",
        "*run_type:PROPOSED*scope:write*",
        "*scope:write*run_type:PROPOSED*",
    ),
    repo_templates=("space:{repo}:*",),
    repo_pattern=r"space:(?P<tenant>)(?P<repo>[^:*?]+):",
    example="space:{repo}:stack:infra:run_type:TRACKED:scope:write",
    tenant_word="account",
    repo_word="space",
    other_repo="other-space",
    unit_pattern=r"(?P<tenant>)(?:.*:)?(?:stack|module):(?P<repo>[^:*?]+):",
    unit_templates=("*:stack:{repo}:*", "*:module:{repo}:*", "stack:{repo}:*", "module:{repo}:*"),
    triggers=(
        Trigger(
            "a proposed run (a pull request)",
            ("*:run_type:PROPOSED:*", "*:run_type:PROPOSED"),
            severity="medium",
            example="space:*:stack:*:run_type:PROPOSED:scope:read",
        ),
    ),
)
# Semaphore: org:ORG:project:PROJECT_ID:repo:REPO:ref_type:branch|tag|pr:ref:REF, one issuer
# per organization; project IDs are UUIDs (a project named anywhere in a value is one of the
# policy's). A pull request's run has ref_type pr.
# https://docs.semaphoreci.com/using-semaphore/openid
SEMAPHORE = SubGrammar(
    provider="Semaphore",
    well_formed=tuple(
        f"org:+:project:+:repo:=:ref_type:{kind}:ref:%" for kind in ("branch", "tag", "pr")
    ),
    ref_marker=":ref:",
    tenant_templates=("org:{tenant}:*",),
    repo_templates=("org:*:project:{repo}:*",),
    tenant_pattern=r"org:(?P<tenant>[^:*?]+):",
    repo_search=r":project:(?P<repo>[^:*?]+)(?=:|$)",
    example="org:{tenant}:project:{repo}:repo:web:ref_type:branch:ref:refs/heads/main",
    tenant_word="organization",
    repo_word="project",
    other_repo="00000000-0000-4000-8000-000000000001",
    triggers=(
        Trigger(
            "a pull request", ("*:ref_type:pr:*",), example="*:ref_type:pr:ref:refs/pull/1/merge"
        ),
        Trigger(
            "an unprotected branch",
            ("*:ref_type:branch:ref:*",),
            tuple(f"*:ref_type:branch:ref:refs/heads/{b}" for b in DEFAULT_BRANCHES),
            named_pins=True,
            example="*:ref_type:branch:ref:refs/heads/feature",
        ),
    ),
)
# Azure DevOps: sc://ORGANIZATION/PROJECT/SERVICE_CONNECTION, one issuer per organization
# (by ID). A pipeline gets a token only for a service connection it is authorised to use,
# and a connection's name is unique in its project: a sub names one connection of one
# project. The sub says nothing of the branch or pull request that runs the pipeline (the
# connection's approvals and checks gate that), so there is no trigger to ask about.
# https://learn.microsoft.com/en-us/azure/devops/pipelines/release/configure-workload-identity
AZURE_DEVOPS = SubGrammar(
    provider="Azure DevOps",
    # Organization names are letters, digits and hyphens; project names hold no `/`.
    well_formed=("sc://+/+/?*",),
    repo_templates=("sc://*/{repo}/*",),
    # The issuer serves one organization, so `sc://*/web/…` names the project web too.
    repo_search=r"^sc://[^/]*/(?P<repo>[^/*?]+)/",
    example="sc://organization/{repo}/aws",
    tenant_word="organization",
    repo_word="project",
    other_repo="other-project",
)
# Vercel: owner:TEAM_SLUG:project:PROJECT:environment:production|preview|development (or a
# custom environment's name). Preview deployments are built from any branch pushed (and
# pull requests); development tokens go to any team member's machine (`vercel env pull`).
# https://vercel.com/docs/oidc/reference ; https://vercel.com/docs/deployments/environments
VERCEL = SubGrammar(
    provider="Vercel",
    well_formed=("owner:+:project:=:environment:=",),
    tenant_templates=("owner:{tenant}:*",),
    # A project named anywhere (`owner:*:project:web:…` on a team's own issuer is that
    # team's project web).
    repo_templates=("owner:*:project:{repo}:*",),
    tenant_pattern=r"owner:(?P<tenant>[^:*?]+):",
    repo_search=r":project:(?P<repo>[^:*?]+)(?=:|$)",
    example="owner:{tenant}:project:{repo}:environment:production",
    tenant_word="team",
    repo_word="project",
    other_repo="other-project",
    triggers=(
        Trigger(
            "a preview deployment (any branch)",
            ("*:environment:preview",),
            example="owner:*:project:*:environment:preview",
        ),
        Trigger(
            "a development token (any team member's machine)",
            ("*:environment:development",),
            severity="medium",
            example="owner:*:project:*:environment:development",
        ),
    ),
)
# Pulumi Cloud: Deployments'
# pulumi:deploy:org:ORG:project:PROJECT:stack:STACK:operation:OPERATION:scope:write, ESC's
# pulumi:environments:org:ORG:env:[PROJECT/]ENV (or, with subject attributes,
# pulumi:environments:pulumi.organization.login:ORG:…). Every token's aud is its
# organization's (ORG, aws:ORG): a pinned aud keeps other organizations out. Pull-request
# previews run the pull request's code as a `preview` operation.
# https://www.pulumi.com/docs/deployments/deployments/oidc/aws/
# https://www.pulumi.com/docs/esc/guides/configuring-oidc/
PULUMI = SubGrammar(
    provider="Pulumi Cloud",
    well_formed=("pulumi:*",),
    ill_formed=EMPTY_FIELD,
    tenant_templates=(
        "pulumi:deploy:org:{tenant}:*",
        "pulumi:environments:org:{tenant}:*",
        "pulumi:environments:pulumi.organization.login:{tenant}:*",
    ),
    # A Deployments project; an ESC environment's project (env:PROJECT/ENV), or the
    # environment itself where it has none (env:ENV).
    repo_templates=(
        "pulumi:deploy:org:{tenant}:project:{repo}:*",
        "pulumi:environments:org:{tenant}:env:{repo}",
        "pulumi:environments:org:{tenant}:env:{repo}/*",
        "pulumi:environments:org:{tenant}:env:{repo}:*",
    ),
    tenant_pattern=(
        r"pulumi:(?:deploy|environments):(?:org|pulumi\.organization\.login):"
        r"(?P<tenant>[^:*?]+)(?::|$)"
    ),
    repo_pattern=(
        r"pulumi:(?:deploy|environments):org:(?P<tenant>[^:*?]+):(?:project|env):"
        r"(?P<repo>[^:*?/]+)"
    ),
    # An ESC subject built from subject attributes names no project keyless can read: an
    # exact one is its own unit (never "another project"), a pattern over it is judged.
    unit_pattern=(
        r"pulumi:environments:pulumi\.organization\.login:(?P<tenant>[^:*?]+):(?P<repo>[^*?]+)$"
    ),
    unit_templates=("pulumi:environments:pulumi.organization.login:{tenant}:{repo}",),
    example="pulumi:deploy:org:{tenant}:project:{repo}:stack:prod:operation:update:scope:write",
    tenant_word="organization",
    repo_word="project",
    other_repo="other-project",
    tenant_keys=MappingProxyType({"aud": "id"}),
    triggers=(
        Trigger(
            "a preview (a pull request)",
            ("pulumi:deploy:*:operation:preview:*", "pulumi:deploy:*:operation:preview"),
            severity="medium",
            example="pulumi:deploy:org:*:project:*:stack:*:operation:preview:scope:write",
        ),
    ),
)
EKS = SubGrammar(
    provider="Amazon EKS (IRSA)",
    well_formed=("system:serviceaccount:+:+",),
    repo_templates=("system:serviceaccount:{repo}:*",),
    repo_pattern=r"system:serviceaccount:(?P<tenant>)(?P<repo>[^:*?]+):",
    example="system:serviceaccount:{repo}:attacker",
    repo_word="namespace",
    other_repo="other-namespace",
)
# A GitHub Enterprise Server mints GitHub's subjects; before 3.20 its pull_request_target
# runs the pull request's base branch's workflow, under that branch's ref.
