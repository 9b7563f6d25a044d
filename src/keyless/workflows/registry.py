"""The one explicit, ordered list of workflow checks. Each check's metadata is declared
beside its detector; this module only puts them in order."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from keyless.checks.registry import Check
from keyless.workflows import (
    azure,
    azure_implicit,
    bitbucket,
    buildkite,
    circleci,
    github_checks,
    gitlab,
    gitlab_jwt,
    hardcoded,
    implicit,
    jenkins,
    pwn_request,
)
from keyless.workflows.model import Platform

CHECKS: tuple[Check, ...] = (
    github_checks.STATIC_AWS_KEYS,
    github_checks.STATIC_AWS_KEYS_ENV,
    hardcoded.HARDCODED_AWS_KEY,
    github_checks.BROAD_ID_TOKEN,
    pwn_request.PWN_REQUEST_ID_TOKEN,
    gitlab.GITLAB_STATIC_AWS_KEYS,
    circleci.CIRCLECI_STATIC_AWS_KEYS,
    bitbucket.BITBUCKET_STATIC_AWS_KEYS,
    buildkite.BUILDKITE_STATIC_AWS_KEYS,
    jenkins.JENKINS_STATIC_AWS_KEYS,
    azure.AZURE_STATIC_AWS_KEYS,
    azure.AZURE_SERVICE_CONNECTION_AWS_KEYS,
    azure_implicit.AZURE_IMPLICIT_AWS_KEYS,
    implicit.CIRCLECI_IMPLICIT_AWS_KEYS,
    implicit.BITBUCKET_IMPLICIT_AWS_KEYS,
    implicit.GITLAB_IMPLICIT_AWS_KEYS,
    gitlab_jwt.GITLAB_REMOVED_JOB_JWT,
)

#: The checks whose findings mean "this pipeline still uses long-lived keys".
STATIC_KEY_CHECKS = frozenset(
    {
        github_checks.STATIC_AWS_KEYS.id,
        github_checks.STATIC_AWS_KEYS_ENV.id,
        hardcoded.HARDCODED_AWS_KEY.id,
        gitlab.GITLAB_STATIC_AWS_KEYS.id,
        circleci.CIRCLECI_STATIC_AWS_KEYS.id,
        bitbucket.BITBUCKET_STATIC_AWS_KEYS.id,
        buildkite.BUILDKITE_STATIC_AWS_KEYS.id,
        jenkins.JENKINS_STATIC_AWS_KEYS.id,
        azure.AZURE_STATIC_AWS_KEYS.id,
    }
)

_GITHUB = frozenset({Platform.GITHUB})

#: The GitHub checks of a workflow's jobs, triggers and permissions: a GitHub action's
#: metadata file (``action.yml``) has none, so they never count one as evaluated.
WORKFLOW_ONLY = frozenset({github_checks.BROAD_ID_TOKEN.id, pwn_request.PWN_REQUEST_ID_TOKEN.id})

#: The platforms whose files each check reads: a scan counts a check as having evaluated
#: only those files (a CircleCI check has not looked at a GitHub workflow), and a check
#: with none of them in the scan is not applicable rather than clean.
APPLIES_TO: Mapping[str, frozenset[Platform]] = MappingProxyType(
    {
        github_checks.STATIC_AWS_KEYS.id: _GITHUB,
        github_checks.STATIC_AWS_KEYS_ENV.id: _GITHUB,
        hardcoded.HARDCODED_AWS_KEY.id: frozenset(Platform),
        github_checks.BROAD_ID_TOKEN.id: _GITHUB,
        pwn_request.PWN_REQUEST_ID_TOKEN.id: _GITHUB,
        gitlab.GITLAB_STATIC_AWS_KEYS.id: frozenset({Platform.GITLAB}),
        circleci.CIRCLECI_STATIC_AWS_KEYS.id: frozenset({Platform.CIRCLECI}),
        bitbucket.BITBUCKET_STATIC_AWS_KEYS.id: frozenset({Platform.BITBUCKET}),
        buildkite.BUILDKITE_STATIC_AWS_KEYS.id: frozenset({Platform.BUILDKITE}),
        jenkins.JENKINS_STATIC_AWS_KEYS.id: frozenset({Platform.JENKINS}),
        azure.AZURE_STATIC_AWS_KEYS.id: frozenset({Platform.AZURE}),
        azure.AZURE_SERVICE_CONNECTION_AWS_KEYS.id: frozenset({Platform.AZURE}),
        azure_implicit.AZURE_IMPLICIT_AWS_KEYS.id: frozenset({Platform.AZURE}),
        implicit.CIRCLECI_IMPLICIT_AWS_KEYS.id: frozenset({Platform.CIRCLECI}),
        implicit.BITBUCKET_IMPLICIT_AWS_KEYS.id: frozenset({Platform.BITBUCKET}),
        implicit.GITLAB_IMPLICIT_AWS_KEYS.id: frozenset({Platform.GITLAB}),
        gitlab_jwt.GITLAB_REMOVED_JOB_JWT.id: frozenset({Platform.GITLAB}),
    }
)
