"""The one explicit, ordered list of workflow checks. Each check's metadata is declared
beside its detector; this module only puts them in order."""

from __future__ import annotations

from keyless.checks.registry import Check
from keyless.workflows import bitbucket, circleci, github_checks, gitlab, hardcoded, pwn_request

CHECKS: tuple[Check, ...] = (
    github_checks.STATIC_AWS_KEYS,
    github_checks.STATIC_AWS_KEYS_ENV,
    hardcoded.HARDCODED_AWS_KEY,
    github_checks.BROAD_ID_TOKEN,
    pwn_request.PWN_REQUEST_ID_TOKEN,
    gitlab.GITLAB_STATIC_AWS_KEYS,
    circleci.CIRCLECI_STATIC_AWS_KEYS,
    bitbucket.BITBUCKET_STATIC_AWS_KEYS,
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
    }
)
