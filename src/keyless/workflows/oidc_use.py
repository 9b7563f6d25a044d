"""Which GitHub Actions jobs use the OIDC token that ``id-token: write`` lets them request.

A workflow-level ``id-token: write`` is inherited by every job that declares no
``permissions:`` of its own
(https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token).
It is too broad only when one of those jobs has no use for the token: the check names
those jobs. A job is taken to use the token when a step runs an action known to request
it (configure-aws-credentials assuming a role, cloud logins, Pages deployments,
attestations, trusted publishing, keyless signing), passes an input whose name says OIDC,
or runs a script that requests it or publishes with provenance. A job that calls a
reusable workflow, or runs a local or Docker action keyless does not read, may use it:
it is never named, so the check errs towards silence, not noise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from keyless.workflows.github import (
    CONFIGURE_ACTION,
    KEY_INPUTS,
    jobs_of,
    steps_of,
)
from keyless.workflows.github_values import (
    grants_id_token,
)
from keyless.workflows.yamldoc import is_map

# Actions that request the job's OIDC token whatever their inputs (their documentation
# asks for `id-token: write`).
_ALWAYS = frozenset(
    {
        "actions/deploy-pages",
        "actions/attest",
        "actions/attest-build-provenance",
        "actions/attest-sbom",
        "google-github-actions/auth",
        "azure/login",
        "pypa/gh-action-pypi-publish",
        "sigstore/gh-action-sigstore-python",
        "sigstore/cosign-installer",
        "rust-lang/crates-io-auth-action",
        "rubygems/release-gem",
        "rubygems/configure-rubygems-credentials",
        "octo-sts/action",
        "pulumi/auth-actions",
        "nuget/login",
        "hashicorp/vault-action",
        "slsa-framework/slsa-github-generator",
        "docker/github-builder",
    }
)
# Inputs whose name says the action exchanges the token (`use_oidc`, `oidc-provider-name`,
# `workload_identity_provider`, `audience`, `role-to-assume`...).
_OIDC_INPUT = re.compile(
    r"oidc|workload[-_]?identity|id[-_]?token|audience|web[-_]?identity|role[-_]?to[-_]?assume",
    re.IGNORECASE,
)
# Scripts that request the token themselves, or tools that do when publishing or signing.
_OIDC_SCRIPT = re.compile(
    r"ACTIONS_ID_TOKEN_REQUEST|getIDToken|--provenance|\b(?:npm|pnpm|yarn)\b[^\n]*\bpublish\b"
    r"|\bcosign\s+(?:sign|attest)|\buv\s+publish|--trusted-publishing|\bgh\s+attestation\s+(?!verify)",
    re.IGNORECASE,
)


def needless_id_token_jobs(root: Any) -> tuple[str, ...]:
    """The jobs that inherit a workflow-level ``id-token: write`` and have no use for it
    (empty when the workflow grants no such permission)."""
    if not is_map(root) or not grants_id_token(root.get("permissions")):
        return ()
    return tuple(
        name for name, job in jobs_of(root) if "permissions" not in job and not may_use_oidc(job)
    )


def may_use_oidc(job: Any) -> bool:
    """Whether a job uses (or may use, as far as keyless can read) its OIDC token."""
    if isinstance(job.get("uses"), str):
        return True  # a reusable workflow gets the caller's permissions
    return any(_step_may_use_oidc(step) for _, step in steps_of(job))


def _step_may_use_oidc(step: Any) -> bool:
    uses = step.get("uses")
    inputs = step.get("with")
    if isinstance(uses, str):
        action = uses.split("@")[0].strip()
        if action.startswith(("./", "docker://")):
            return True
        name = "/".join(action.split("/")[:2]).lower()
        if name == CONFIGURE_ACTION:
            return is_map(inputs) and "role-to-assume" in inputs and not _has_keys(inputs)
        if name in _ALWAYS:
            return True
        if is_map(inputs) and any(_OIDC_INPUT.search(str(k)) for k in inputs):
            return True
        return any(_OIDC_SCRIPT.search(text) for text in _strings(inputs))
    run = step.get("run")
    return isinstance(run, str) and bool(_OIDC_SCRIPT.search(run))


def _has_keys(inputs: Any) -> bool:
    """configure-aws-credentials given keys: role chaining, no OIDC token requested."""
    return any(inputs.get(k) for k in KEY_INPUTS[:2])


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif is_map(value):
        for item in value.values():
            yield from _strings(item)
