"""Azure Pipelines: steps that reach AWS with long-lived keys.

Azure Pipelines hands a step secrets only where the file maps them: a secret variable
(set in the pipeline's settings or a variable group) is not in a script's environment
unless the step's ``env:`` maps it (``AWS_ACCESS_KEY_ID: $(awsKeyId)``); a variable the
file sets in ``variables:`` is in every script's environment, its name upper-cased with
``.`` as ``_`` (https://learn.microsoft.com/en-us/azure/devops/pipelines/process/variables#environment-variables,
https://learn.microsoft.com/en-us/azure/devops/pipelines/process/set-secret-variables).
So keys show where they are written: an ``env:`` of a step or container, ``variables:``
(of the pipeline, a stage, a job or a variable template, in list or mapping form, inside
``${{ if }}`` / ``${{ each }}`` blocks too), a script that reads them (``$(AWS_ACCESS_KEY_ID)``,
``$AWS_SECRET_ACCESS_KEY``, ``$env:AWS_ACCESS_KEY_ID``) or writes them into a profile —
``azure-static-aws-keys``. The AWS Toolkit for Azure DevOps' tasks also read variables
named ``AWS.AccessKeyID`` / ``AWS.SecretAccessKey`` when given no service connection.

The toolkit's tasks (``AWSShellScript@1``, ``AWSCLI@1``, ``S3Upload@1``…) take their
credentials from an AWS service connection (``awsCredentials``). The connection holds an
IAM user's access key unless its "Use OIDC" option is set, in which case the task asks
Azure DevOps for an OIDC token and calls AssumeRoleWithWebIdentity
(https://docs.aws.amazon.com/vsts/latest/userguide/getting-started.html,
https://github.com/aws/aws-toolkit-azure-devops/pull/558). No task input says which: the
option lives in the connection, outside the file. Such a task is reported at low
confidence (``azure-service-connection-aws-keys``), saying what to look at.

The whole document is walked, every mapping once, wherever it is written (a template's
``parameters``, a ``${{ each }}`` loop, a conditional block), so a template expression
never hides a step; templates the file includes are read by :mod:`.azure_templates`. The
keys of a stage, job or step whose ``condition:`` is false as written are reported ``low``
(:mod:`.azure_conditions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.errors import quoted
from keyless.findings import FileLocation, Finding, Severity
from keyless.workflows import azure_implicit
from keyless.workflows.azure_conditions import lowered_if_never_run
from keyless.workflows.keyuse import KEY_USE, is_credential, mappings, shows_temporary
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.yamldoc import (
    Document,
    is_map,
    is_seq,
    key_position,
    own_items,
    value_position,
)

_REFERENCE = "https://github.com/aws/aws-toolkit-azure-devops"

AZURE_STATIC_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="azure-static-aws-keys",
    title="An Azure Pipelines step uses long-lived AWS access keys",
    severity=Severity.HIGH,
    rationale=(
        "The step gets an IAM user's permanent access key, from a secret variable, a "
        "variable group or the file itself: it never expires and leaks with any script or "
        "task of the job that can read the environment. The AWS Toolkit for Azure DevOps "
        "can instead assume a role with the pipeline's OIDC token (an AWS service "
        "connection with 'Use OIDC')." + "\n\n" + _REFERENCE
    ),
    remediation=(
        "Create an IAM OIDC provider for the organization's issuer "
        "(`https://vstoken.dev.azure.com/ORGANIZATION_ID`, audience "
        "`api://AzureADTokenExchange`) and a role that trusts it for the connection's "
        "subject `sc://ORGANIZATION/PROJECT/CONNECTION`; give the AWS service connection "
        "that role with 'Use OIDC' set, run the step as an AWS Toolkit task "
        "(`AWSShellScript@1`, `AWSCLI@1`) with `awsCredentials` naming it, and delete the "
        "key variables. `keyless workflows fix` does not rewrite Azure pipelines."
    ),
)

AZURE_SERVICE_CONNECTION_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="azure-service-connection-aws-keys",
    title="An AWS Toolkit task in Azure Pipelines may use a service connection's keys",
    severity=Severity.LOW,
    rationale=(
        "The task authenticates through an AWS service connection, which holds an IAM "
        "user's access key unless the connection is set to use OIDC: the task then "
        "exchanges the pipeline's OIDC token for a role's temporary credentials "
        "(AssumeRoleWithWebIdentity). The option lives in the connection, not in the "
        "file: low confidence, the connection's settings can prove it." + "\n\n" + _REFERENCE
    ),
    remediation=(
        "Open the service connection (Project settings → Service connections). If it holds "
        "an access key, give it a role trusting the organization's OIDC issuer for the "
        "subject `sc://ORGANIZATION/PROJECT/CONNECTION`, set 'Use OIDC', and delete the "
        "IAM user's key. If it already uses OIDC, ignore the finding in keyless.toml."
    ),
)

# Azure variable names ignore case; a variable is exported upper-cased, `.` as `_`.
_KEY_VARIABLES = frozenset(
    {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS.ACCESSKEYID", "AWS.SECRETACCESSKEY"}
)
_SCRIPT_KEYS = ("script", "bash", "pwsh", "powershell")
_STEP_KEYS = frozenset({*_SCRIPT_KEYS, "task"})
# Top-level keys of a pipeline, or of a stage, job or steps template: a file with none of
# them beside its `variables:` is a variable template.
_PIPELINE_KEYS = frozenset(
    {"stages", "jobs", "steps", "extends", "trigger", "pr", "pool", "resources", "schedules"}
)
# The inputs that name an AWS service connection: the AWS Toolkit's tasks, and the
# Terraform extension's AWS provider (https://github.com/microsoft/azure-pipelines-terraform).
_CONNECTION_INPUTS = ("awsCredentials", "backendServiceAWS", "environmentServiceNameAWS")
# A key variable read with Azure's macro syntax (`$(AWS_ACCESS_KEY_ID)`) or as a template
# or runtime expression of the variables (`${{ variables.AWS_ACCESS_KEY_ID }}`).
_KEY_MACRO = re.compile(
    r"\$\(\s*AWS(?:_ACCESS_KEY_ID|_SECRET_ACCESS_KEY|\.AccessKeyID|\.SecretAccessKey)\s*\)"
    r"|variables(?:\.|\[\s*')AWS(?:_ACCESS_KEY_ID|_SECRET_ACCESS_KEY|\.AccessKeyID"
    r"|\.SecretAccessKey)\b",
    re.IGNORECASE,
)
# A script that reads the keys: as a shell or PowerShell variable, or as Azure's macro.
_SCRIPT_KEY_USE = re.compile(
    KEY_USE.pattern
    + "|"
    + _KEY_MACRO.pattern
    + r"|\$env:AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY)\b",
    re.IGNORECASE,
)


def findings(
    document: Document,
    file: WorkflowFile,
    template_groups: Mapping[Path, tuple[str, ...]] | None = None,
) -> list[Finding]:
    """The findings of one Azure pipeline or template, each where the keys show.
    ``template_groups``: the variable groups each variable template read beside it links
    (:func:`.azure_implicit.linked_groups`), by resolved path."""
    out: list[Finding] = []
    for route, node in mappings(document.root):
        if route.endswith(".inputs") or route == "inputs":
            continue
        where = f"{route}." if route else ""
        variables = node.get("variables")
        for holder, key, name, route_to in _key_variables(variables, f"{where}variables"):
            line, column = _position(holder, key)
            out.append(
                workflow_finding(
                    AZURE_STATIC_AWS_KEYS,
                    file.path,
                    line + 1,
                    column + 1,
                    f"{name} is set in {_variables_of(document.root, node, route)} in their "
                    "environment, and AWS Toolkit tasks without a service connection use it",
                    route_to,
                )
            )
        if not (_STEP_KEYS & set(map(str, node)) or "image" in node):
            continue
        mapped = list(_key_env(node.get("env")))
        for key in mapped:
            line, column = key_position(node["env"], key)
            name = str(key)
            how = (
                "is mapped into"
                if name.upper() in _KEY_VARIABLES
                else "is set from an AWS key variable (the keys under another name) in"
            )
            out.append(
                workflow_finding(
                    AZURE_STATIC_AWS_KEYS,
                    file.path,
                    line + 1,
                    column + 1,
                    f"{quoted(name) if len(name) > 100 else name} {how} the env of "
                    f"{_label(node, route)}",
                    f"{where}env.{name}",
                )
            )
        out += _script(document, file, node, route, bool(mapped))
        out += _connection(file, node, route)
    reported = [f.location.route for f in out if isinstance(f.location, FileLocation)]
    out += azure_implicit.findings(document, file, reported, template_groups or {})
    # What never runs (`condition: false`) uses no keys: low, with the reason.
    return lowered_if_never_run(out, document.root)


def _key_variables(variables: Any, route: str) -> Iterator[tuple[Any, Any, str, str]]:
    """(mapping, key, name, route) of each key variable set with a credential in a
    ``variables:`` (mapping or list form), inside ``${{ }}`` blocks too. A ``group:``
    (a variable group) holds what the file cannot show."""
    if is_map(variables):
        for key, value in own_items(variables):
            name = str(key)
            if name.upper() in _KEY_VARIABLES and is_credential(value):
                yield variables, key, name, f"{route}.{name}"
            elif name.startswith("${{") and (is_map(value) or is_seq(value)):
                yield from _key_variables(value, route)
    elif is_seq(variables):
        for index, item in enumerate(variables):
            if not is_map(item):
                continue
            name = item.get("name")
            if isinstance(name, str) and name.upper() in _KEY_VARIABLES:
                if is_credential(item.get("value")):
                    yield item, "value", name, f"{route}[{index}]"
                continue
            for key, value in own_items(item):
                if str(key).startswith("${{") and (is_map(value) or is_seq(value)):
                    yield from _key_variables(value, f"{route}[{index}]")


def _key_env(env: Any) -> Iterator[Any]:
    """The entries of an ``env:`` that hand a step the keys: the key variables set from a
    credential, and any name set from a key variable (``TF_VAR_access_key:
    $(AWS_ACCESS_KEY_ID)``: the keys under another name)."""
    for key, value in own_items(env):
        names_a_key = str(key).upper() in _KEY_VARIABLES and is_credential(value)
        reads_a_key = isinstance(value, str) and _KEY_MACRO.search(value) is not None
        if names_a_key or reads_a_key:
            yield key


def _script(
    document: Document, file: WorkflowFile, step: Any, route: str, mapped: bool
) -> list[Finding]:
    """A script step that reads the keys (unless its ``env:`` mapping them is reported,
    or it obtains temporary credentials itself)."""
    for key in _SCRIPT_KEYS:
        text = step.get(key)
        if not isinstance(text, str) or not _SCRIPT_KEY_USE.search(text):
            continue
        if mapped or shows_temporary(text) or _has_session_token(step.get("env")):
            return []
        line, column = _locate(document, value_position(step, key), text)
        return [
            workflow_finding(
                AZURE_STATIC_AWS_KEYS,
                file.path,
                line,
                column,
                f"the {key} of {_label(step, route)} uses long-lived AWS keys (a secret or "
                "pipeline variable, or a variable group)",
                f"{route}.{key}" if route else key,
            )
        ]
    return []


def _connection(file: WorkflowFile, step: Any, route: str) -> list[Finding]:
    task = step.get("task")
    inputs = step.get("inputs")
    if not isinstance(task, str) or not is_map(inputs):
        return []
    for key in _CONNECTION_INPUTS:
        connection = inputs.get(key)
        if not isinstance(connection, str) or not connection.strip():
            continue
        line, column = key_position(inputs, key)
        name = task.split("@")[0].strip()
        return [
            workflow_finding(
                AZURE_SERVICE_CONNECTION_AWS_KEYS,
                file.path,
                line + 1,
                column + 1,
                f"{_label(step, route)} runs {quoted(name)} with the AWS service connection "
                f"{quoted(connection.strip())}: it holds an IAM user's access key unless it is "
                "set to use OIDC, which the file cannot show",
                f"{route}.inputs.{key}" if route else f"inputs.{key}",
            )
        ]
    return []


def _has_session_token(env: Any) -> bool:
    # ASCII only: Python upper-cases `aws_\u017fession_token` (a long s) to AWS_SESSION_TOKEN,
    # which the AWS CLI never reads, so it hid the script's keys.
    return any(
        str(k).isascii() and str(k).upper() == "AWS_SESSION_TOKEN" for k, _ in own_items(env)
    )


def _label(node: Any, route: str) -> str:
    """How a message names a step, job or stage: by its display name or name."""
    for kind in ("stage", "job", "deployment"):
        name = node.get(kind)
        if isinstance(name, str) and name:
            return f"{'job' if kind == 'deployment' else kind} {quoted(name)}"
    shown = node.get("displayName") or node.get("name")
    if isinstance(shown, str) and shown and _STEP_KEYS & set(map(str, node)):
        return f"the step {quoted(shown)}"
    if _STEP_KEYS & set(map(str, node)):
        return "a step"
    if "image" in node:
        return "a container"
    return "the file's top level" if not route else "a template block"


def _variables_of(root: Any, node: Any, route: str) -> str:
    """Whose ``variables:`` hold a key, and whose scripts get it: the pipeline's (its
    jobs'), a variable template's (the jobs that include it, or whose stage or pipeline
    does: https://learn.microsoft.com/en-us/azure/devops/pipelines/yaml-schema/variables-template),
    a stage's (its jobs'), a job's (its own), the parameters given to a template (the jobs
    it puts them in)."""
    if not route:
        if not _PIPELINE_KEYS & set(map(str, node)):
            return (
                "the variable template's variables: the scripts of every job that includes "
                "it (in its own variables, its stage's or the pipeline's) get it"
            )
        return "the file's top-level variables: its jobs' scripts get it"
    if route.rpartition(".")[2] == "parameters":
        holder = _holder_of(root, route.rpartition(".")[0])
        template = holder.get("template") if is_map(holder) else None
        if isinstance(template, str):
            return (
                f"the variables given to template {quoted(template.strip())} as a parameter: "
                "the scripts of the jobs it puts them in get it"
            )
    label = _label(node, route)
    if label.startswith("job "):
        return f"the variables of {label}: its scripts get it"
    return f"the variables of {label}: its jobs' scripts get it"


def _holder_of(root: Any, route: str) -> Any:
    """The mapping at ``route`` (as :func:`.keyuse.mappings` writes routes), or None."""
    for found, node in mappings(root):
        if found == route:
            return node
    return None


def _position(holder: Any, key: Any) -> tuple[int, int]:
    if key == "value" and "name" in holder:
        return key_position(holder, "name")
    return key_position(holder, key)


def _locate(document: Document, start: tuple[int, int], text: str) -> tuple[int, int]:
    """1-based (line, column) of the first key use in a script that starts at 0-based
    ``start``; ``start`` itself when it cannot be found there."""
    lines = document.lines
    first = start[0]
    for number in range(first, min(len(lines), first + text.count("\n") + 2)):
        found = _SCRIPT_KEY_USE.search(lines[number])
        if found is not None:
            return number + 1, found.start() + 1
    return first + 1, start[1] + 1
