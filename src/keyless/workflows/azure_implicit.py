"""Azure Pipelines jobs that *may* use long-lived AWS keys from a variable group.

Azure Pipelines puts a pipeline's non-secret variables, a linked variable group's among
them, into every script's environment, the name upper-cased with ``.`` as ``_``; secret
variables are not: a script gets one only where the step's ``env:`` maps it
(https://learn.microsoft.com/en-us/azure/devops/pipelines/process/variables#environment-variables,
https://learn.microsoft.com/en-us/azure/devops/pipelines/library/variable-groups#use-a-variable-group).
So a group that holds the keys as plain (non-secret) variables hands them to the AWS CLI
without a word in the file, and a Microsoft-hosted agent has no role of its own: a job
that links a group (``variables: - group: aws-prod``, of the job, its stage or the
pipeline, or of a variable template they include: :func:`linked_groups`) and runs
``aws …`` in a ``script`` / ``bash`` / ``pwsh`` / ``powershell`` step
on a hosted agent, with no key variable, profile, assumed role or other endpoint anywhere
in the file, may be authenticating with the group's keys. Low confidence, and the message
says "may": the group's settings can tell (keys kept there as secrets do not reach the
CLI; the job then reaches AWS some other way, or not at all).

Not reported: a job on a self-hosted pool (``pool: name: …`` other than ``Azure
Pipelines``), whose agents may have a role of their own; a job linking no group (the
pipeline's own settings may hold non-secret keys too, but the file names nothing to look
at); jobs the explicit check already reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.errors import quoted
from keyless.findings import Finding, Severity
from keyless.workflows.azure_templates import local_template
from keyless.workflows.implicit import AWS_COMMAND, PROFILE, lead_finding, other_signs, within
from keyless.workflows.keyuse import mappings, strings
from keyless.workflows.model import Platform, WorkflowFile
from keyless.workflows.yamldoc import Document, is_map, is_seq, own_items

AZURE_IMPLICIT_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="azure-implicit-aws-keys",
    title="An Azure Pipelines job may use long-lived AWS keys from a variable group",
    severity=Severity.LOW,
    rationale=(
        "The job links a variable group and runs the AWS CLI on a Microsoft-hosted agent "
        "with no key mapped, no assumed role and no key variable in the file: Azure puts "
        "a group's non-secret variables into every script's environment, so the CLI reads "
        "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the group if it holds them "
        "unencrypted (secret variables reach a script only where its env: maps them). Low "
        "confidence: the file alone cannot prove it; the group's settings can."
        + "\n\n"
        + "https://learn.microsoft.com/en-us/azure/devops/pipelines/library/variable-groups"
    ),
    remediation=(
        "Open the variable group (Pipelines → Library). If it holds AWS_ACCESS_KEY_ID, "
        "give the job an AWS service connection with 'Use OIDC' and a role trusting the "
        "organization's issuer, run the AWS commands as an AWS Toolkit task "
        "(`AWSShellScript@1`) naming it, and delete the keys from the group. If the job "
        "reaches no AWS account, ignore the finding in keyless.toml."
    ),
)

_SCRIPT_KEYS = ("script", "bash", "pwsh", "powershell")
# The key variables under Azure's names too (`AWS.AccessKeyID`).
_KEY_NAMES = re.compile(
    r"AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS\.AccessKeyID|AWS\.SecretAccessKey", re.I
)
_HOSTED_POOL = "azure pipelines"


def findings(
    document: Document,
    file: WorkflowFile,
    reported: Collection[str],
    template_groups: Mapping[Path, tuple[str, ...]] | None = None,
) -> list[Finding]:
    """Jobs of one Azure pipeline or template that link a variable group and run ``aws``
    on a hosted agent with no visible credential. ``reported`` are the routes the explicit
    checks already report; ``template_groups`` the groups each variable template read
    links (:func:`linked_groups`): a job whose ``variables:`` include one links them."""
    root = document.root
    if not is_map(root) or _KEY_NAMES.search(document.text) or PROFILE.search(document.text):
        return []

    def included(reference: str) -> tuple[str, ...]:
        path = _resolved(local_template(reference, file.path, file.repository_root))
        return (template_groups or {}).get(path, ()) if path is not None else ()

    out: list[Finding] = []
    for route, job, scopes in _jobs(root):
        groups = [g for scope in scopes for g in _groups(scope.get("variables"), included)]
        # The root's steps are the file's only job: anything reported is in it.
        already = bool(reported) if not route else within(route, reported)
        if not groups or already or not _hosted(scopes):
            continue
        if other_signs(list(strings(job))):
            continue
        for step_route, step, key, command in _aws_steps(job, route):
            label = _label(job, route)
            group = ", ".join(quoted(g) for g in dict.fromkeys(groups))
            why = (
                f"it runs `{command}` on a Microsoft-hosted agent with no key mapped, no "
                f"assumed role and no key variable in the file, and links the variable group "
                f"{group}: its non-secret variables are in every script's environment, where "
                "the AWS CLI reads the keys"
            )
            out.append(
                lead_finding(
                    AZURE_IMPLICIT_AWS_KEYS,
                    document,
                    file,
                    (step, key, command),
                    f"{label} may use long-lived AWS keys from a variable group: {why}",
                    f"{step_route}.{key}",
                    why,
                )
            )
            break  # one lead per job
    return out


def _jobs(root: Any) -> Iterator[tuple[str, Any, list[Any]]]:
    """(route, job, scopes) of each job: the job, its stage and the pipeline, innermost
    first (where variables and a pool are looked up). A pipeline of steps only is one
    job, the root."""
    if is_seq(root.get("steps")):
        yield "", root, [root]
    stages: Any = root.get("stages")
    for index, stage in enumerate(stages if is_seq(stages) else ()):
        if is_map(stage):
            yield from _stage_jobs(stage.get("jobs"), f"stages[{index}].jobs", [stage, root])
    yield from _stage_jobs(root.get("jobs"), "jobs", [root])


def _stage_jobs(jobs: Any, route: str, outer: list[Any]) -> Iterator[tuple[str, Any, list[Any]]]:
    for index, job in enumerate(jobs if is_seq(jobs) else ()):
        if is_map(job) and ("job" in job or "deployment" in job):
            yield f"{route}[{index}]", job, [job, *outer]


def linked_groups(
    documents: Iterable[tuple[WorkflowFile, Document]],
) -> dict[Path, tuple[str, ...]]:
    """The variable groups each Azure file links in its top-level ``variables:``, by
    resolved path: what a variable template (``variables: - template: vars.yml``,
    https://learn.microsoft.com/en-us/azure/devops/pipelines/yaml-schema/variables-template)
    gives every job that includes it, its own included templates' groups too (each file
    once, so a loop ends). Each file's groups are gathered afresh, from what each file
    links and includes (read once): in a loop (``vars.yml`` including ``more.yml``, which
    includes ``vars.yml``) a file reached inside it would otherwise keep only the groups
    read before the loop closed."""
    read = {_resolved(f.path): (f, d) for f, d in documents if f.platform is Platform.AZURE}
    links: dict[Path, list[str | Path]] = {}
    for path, (file, document) in read.items():
        if path is None:
            continue
        root = document.root
        variables = root.get("variables") if is_map(root) else None
        links[path] = []
        for is_template, value in _links(variables):
            if not is_template:
                links[path].append(value)
                continue
            target = _resolved(local_template(value, file.path, file.repository_root))
            if target is not None:
                links[path].append(target)

    def groups_of(start: Path) -> tuple[str, ...]:
        # Depth first, in the order the files write them, without recursion: a chain of
        # MAX_TEMPLATES templates is deeper than Python's stack.
        found: list[str] = []
        seen = {start}
        stack = [iter(links[start])]
        while stack:
            link = next(stack[-1], None)
            if link is None:
                stack.pop()
            elif not isinstance(link, Path):
                found.append(link)
            elif link not in seen and link in links:
                seen.add(link)
                stack.append(iter(links[link]))
        return tuple(dict.fromkeys(found))

    return {path: groups_of(path) for path in links}


def _resolved(path: Path | None) -> Path | None:
    try:
        return path.resolve() if path is not None else None
    except (OSError, RuntimeError, ValueError):
        return None


def _groups(variables: Any, included: Callable[[str], tuple[str, ...]]) -> Iterator[str]:
    """The variable groups a ``variables:`` list links, inside ``${{ }}`` blocks too, and
    those of the variable templates it includes (``included``)."""
    for is_template, value in _links(variables):
        if is_template:
            yield from included(value)
        else:
            yield value


def _links(variables: Any) -> Iterator[tuple[bool, str]]:
    """What a ``variables:`` list links, in order, inside ``${{ }}`` blocks too: (False,
    a group's name) or (True, a variable template's reference)."""
    for item in variables if is_seq(variables) else ():
        if not is_map(item):
            continue
        name = item.get("group")
        if isinstance(name, str) and name.strip():
            yield False, name.strip()
        template = item.get("template")
        if isinstance(template, str):
            yield True, template
        for key, value in own_items(item):
            if str(key).startswith("${{") and is_seq(value):
                yield from _links(value)


def _hosted(scopes: list[Any]) -> bool:
    """Whether the innermost ``pool:`` is Microsoft-hosted: a ``vmImage``, the ``Azure
    Pipelines`` pool, or none written (Azure's default)."""
    for scope in scopes:
        pool = scope.get("pool")
        if pool is None:
            continue
        if isinstance(pool, str):
            return pool.strip().lower() == _HOSTED_POOL
        if is_map(pool):
            name = pool.get("name")
            if "vmImage" in pool:
                return True
            return isinstance(name, str) and name.strip().lower() == _HOSTED_POOL
        return False
    return True


def _aws_steps(job: Any, route: str) -> Iterator[tuple[str, Any, str, str]]:
    """(route, step, key, command) of each script step of ``job`` running the AWS CLI."""
    for relative, node in mappings(job):
        if relative.startswith(("jobs", "stages")) and route == "":
            continue  # the root's own jobs are judged as jobs
        for key in _SCRIPT_KEYS:
            text = node.get(key)
            found = AWS_COMMAND.search(text) if isinstance(text, str) else None
            if found is not None:
                where = f"{route}.{relative}" if route else relative
                yield where, node, key, found.group(1)
                break


def _label(job: Any, route: str) -> str:
    for kind in ("job", "deployment"):
        name = job.get(kind)
        if isinstance(name, str) and name:
            return f"job {quoted(name)}"
    return "the pipeline's job" if not route else "a job"
