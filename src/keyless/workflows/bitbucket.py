"""Bitbucket Pipelines: steps that reach AWS with long-lived keys.

A step with ``oidc: true`` gets ``$BITBUCKET_STEP_OIDC_TOKEN``, which an IAM role trusting
the workspace's identity provider accepts; Atlassian's ``atlassian/aws-*`` pipes exchange
it when given ``AWS_OIDC_ROLE_ARN``, and an ECR image is pulled with ``aws: oidc-role``
(https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/).
Otherwise the pipes take ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``: repository or
workspace variables holding an IAM user's keys.

A step is reported where the file shows such keys: a pipe given the key variables
without OIDC (both ``oidc: true`` and ``AWS_OIDC_ROLE_ARN``), an image pulled with
``aws: access-key``, and script lines that read the keys (``$AWS_ACCESS_KEY_ID``) or write
them into a profile. A step that exchanges its OIDC token or assumes a role itself is not
reported for its scripts. A custom pipeline whose run-time ``variables:`` ask for the key
pair is reported too
(https://support.atlassian.com/bitbucket-cloud/docs/configure-bitbucket-pipelinesyml/).
Steps are found wherever they are written (``pipelines:`` of
every kind, ``parallel`` and ``stage`` groups, ``definitions:`` anchors), each once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.findings import Finding, Severity
from keyless.workflows.keyuse import (
    KEY_USE,
    KEY_VARIABLES,
    is_credential,
    locate,
    mappings,
    shows_temporary,
    strings,
)
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.yamldoc import Document, is_map, is_seq, item_position, key_position

BITBUCKET_STATIC_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="bitbucket-static-aws-keys",
    title="A Bitbucket Pipelines step uses long-lived AWS access keys",
    severity=Severity.HIGH,
    rationale=(
        "The step authenticates with an IAM user's permanent access key, kept in a "
        "repository or workspace variable: it never expires and leaks with any script or "
        "pipe of the step. Bitbucket can instead give the step an OIDC token that a role "
        "exchanges for temporary credentials."
        + "\n\n"
        + "https://support.atlassian.com/bitbucket-cloud/docs/"
        + "integrate-pipelines-with-resource-servers-using-oidc/"
    ),
    remediation=(
        "Add the workspace's identity provider (Repository settings → OpenID Connect) to "
        "IAM and a role that trusts it for this repository, set `oidc: true` on the step and "
        "pass the role to atlassian/aws-* pipes as `AWS_OIDC_ROLE_ARN` (ECR images: "
        "`aws: oidc-role`) instead of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; then delete "
        "the key variables. `keyless workflows fix` does not rewrite Bitbucket pipelines."
    ),
)

_PIPE_PREFIX = "atlassian/aws-"
#: Records one finding: 1-based (line, column), message, route.
Add = Callable[[tuple[int, int], str, str], None]
_SCRIPTS = ("script", "after-script")


def findings(document: Document, file: WorkflowFile) -> list[Finding]:
    """The findings of one ``bitbucket-pipelines.yml``, each where the keys show."""
    out: list[Finding] = []
    seen: set[int] = set()

    def add(position: tuple[int, int], message: str, route: str) -> None:
        line, column = position
        out.append(
            workflow_finding(BITBUCKET_STATIC_AWS_KEYS, file.path, line, column, message, route)
        )

    for route, node in mappings(document.root):
        image = node.get("image")
        aws: Any = image.get("aws") if is_map(image) else None
        if is_map(aws) and is_credential(aws.get("access-key")) and not aws.get("oidc-role"):
            line, column = key_position(aws, "access-key")
            add(
                (line + 1, column + 1),
                "the image is pulled from ECR with long-lived keys (aws: access-key)",
                f"{route}.image.aws.access-key" if route else "image.aws.access-key",
            )
        prompted: Any = node.get("variables")
        for index, variable in enumerate(prompted if is_seq(prompted) else ()):
            name = variable.get("name") if is_map(variable) else None
            if name in KEY_VARIABLES:
                line, column = item_position(prompted, index)
                add(
                    (line + 1, column + 1),
                    f"the custom pipeline asks for {name} when it is run: whoever runs it "
                    "types an IAM user's long-lived key",
                    f"{route}.variables[{index}]",
                )
        step = node.get("step")
        if is_map(step) and id(step) not in seen:  # a step used through aliases: once
            seen.add(id(step))
            _step_findings(document, step, f"{route}.step" if route else "step", add)
    return out


def _step_findings(document: Document, step: Any, route: str, add: Add) -> None:
    oidc = step.get("oidc") is True
    label = f"step '{step['name']}'" if isinstance(step.get("name"), str) else "a step"
    temporary = any(shows_temporary(text) for text in strings(step))
    for section in _SCRIPTS:
        script = step.get(section)
        if not is_seq(script):
            continue
        for index, item in enumerate(script):
            where = f"{route}.{section}[{index}]"
            if is_map(item) and isinstance(item.get("pipe"), str):
                _pipe_finding(item, oidc, label, where, add)
            elif isinstance(item, str) and not temporary and KEY_USE.search(item):
                add(
                    locate(document, item_position(script, index), item),
                    f"the {section} of {label} uses long-lived AWS keys from repository or "
                    "workspace variables",
                    where,
                )


def _pipe_finding(item: Any, oidc: bool, label: str, where: str, add: Add) -> None:
    pipe = str(item["pipe"]).split(":")[0].strip()
    variables = item.get("variables")
    if not pipe.startswith(_PIPE_PREFIX) or not is_map(variables):
        return
    keys = [k for k in KEY_VARIABLES if is_credential(variables.get(k))]
    role = bool(variables.get("AWS_OIDC_ROLE_ARN"))
    if not keys or (oidc and role):
        return
    absent = [
        what for what, there in (("`oidc: true`", oidc), ("AWS_OIDC_ROLE_ARN", role)) if not there
    ]
    missing = " nor ".join(absent)
    line, column = key_position(variables, keys[0])
    add(
        (line + 1, column + 1),
        f"{label} gives the pipe {pipe} {' and '.join(keys)} (long-lived keys; no {missing})",
        f"{where}.variables.{keys[0]}",
    )


def imported_pipelines(document: Document) -> list[tuple[str, str]]:
    """(route, ``import`` value) of each pipeline the file takes from another repository
    (``main: {import: shared-pipelines:master:deploy}``,
    https://support.atlassian.com/bitbucket-cloud/docs/share-pipelines-configurations/):
    its steps and variables are not in this file, so they are named as not read."""
    pipelines: Any = document.root.get("pipelines") if is_map(document.root) else None
    return [
        (f"pipelines.{route}" if route else "pipelines", str(node["import"]))
        for route, node in mappings(pipelines)
        if isinstance(node.get("import"), str)
    ]
