"""The reusable workflows a GitHub trust policy pins, for the OIDC trust checks: a run of
any trigger that can only run such a workflow's reviewed code is judged by that."""

from __future__ import annotations

import re

from keyless.idp.providers import GITHUB_FAMILY
from keyless.patterns.language import Language
from keyless.trust.formula import all_of
from keyless.trust.paths import AccessPath


def pinned_workflows(path: AccessPath) -> tuple[str, ...]:
    """The reusable workflows a GitHub policy pins exactly (at a branch, tag or commit),
    when every token it admits carries one of them; else ``()``: pinned by the
    ``job_workflow_ref`` claim, or by a custom subject that includes it
    (``job_workflow_ref:OWNER/REPO/PATH@REF``, alone or among other fields).

    Any repository of the owner (or any run) may then call the workflow, but only
    the workflow's own reviewed code at that ref runs with the role: GitHub's pattern for a
    shared deployment workflow, which its OIDC reference gives in both forms ("Requiring a
    reusable workflow": the claim in the `sub`). https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-with-reusable-workflows
    https://docs.github.com/en/actions/reference/security/oidc#example-requiring-a-reusable-workflow
    """
    provider = path.provider
    if provider is None or provider.name not in GITHUB_FAMILY:
        return ()
    key = path.key("job_workflow_ref")
    values = tuple(dict.fromkeys(path.policy_values(key)))
    if values:
        if any(c in v for v in values for c in "*?") or not all("@" in v for v in values):
            return ()
        if path.admits(all_of(key, ~Language.finite(values))):
            return ()
        return values
    return _subject_workflows(path)


# A custom subject's job_workflow_ref field naming one workflow at one ref: a field of its
# own (a value's `:` is written %3A, so the field ends at the next `:`), no wildcard or
# policy variable in it.
_SUBJECT_WORKFLOW = re.compile(r"(?:^|:)job_workflow_ref:(?P<ref>[^:*?$]+@[^:*?$]+)(?=:|$)")
_WORKFLOW_FIELD = (
    "job_workflow_ref:{}",
    "job_workflow_ref:{}:*",
    "*:job_workflow_ref:{}",
    "*:job_workflow_ref:{}:*",
)


def _subject_workflows(path: AccessPath) -> tuple[str, ...]:
    """The workflows the ``sub`` values name in a ``job_workflow_ref`` field, when every
    ``sub`` the path admits carries one of those fields; else ``()``."""
    sub = path.key("sub")
    workflows = tuple(
        dict.fromkeys(
            match.group("ref")
            for value in path.policy_values(sub)
            for match in _SUBJECT_WORKFLOW.finditer(value)
        )
    )
    if not workflows:
        return ()
    fields = Language.union_all(
        Language.wildcard(template.format(workflow))
        for workflow in workflows
        for template in _WORKFLOW_FIELD
    )
    if path.admits(all_of(sub, ~fields)):
        return ()
    return workflows


def workflow_words(workflows: tuple[str, ...]) -> str:
    noun = "the reusable workflow" if len(workflows) == 1 else "the reusable workflows"
    return f"{noun} {', '.join(workflows)}"
