"""Buildkite: steps and repository hooks that reach AWS with long-lived keys.

A Buildkite agent can request an OIDC token for the job (``buildkite-agent oidc
request-token``), which the ``aws-assume-role-with-web-identity`` plugin exchanges for a
role trusting ``agent.buildkite.com``
(https://buildkite.com/docs/pipelines/security/oidc/aws). Otherwise keys reach a step from
the agent's environment: an agent or repository hook that exports them, or a secret the
step reads. The pipeline file shows them where it hands them on:

* the docker plugin's ``environment: [AWS_ACCESS_KEY_ID, …]`` and the docker-compose
  plugin's ``environment:`` / ``env:``: a name alone passes the variable of the agent's
  environment into the container, ``NAME=value`` sets it
  (https://github.com/buildkite-plugins/docker-buildkite-plugin#environment-optional-array,
  https://github.com/buildkite-plugins/docker-compose-buildkite-plugin);
* a step's or the pipeline's ``env:`` setting a key variable to a credential;
* a command that reads the keys (``$AWS_ACCESS_KEY_ID``) or writes them into a profile.

A step that assumes a role (a plugin given ``role-arn``, a session token passed beside
the keys, ``assume-role-with-web-identity`` in its text) is not reported: its keys are
temporary. Repository hooks (``.buildkite/hooks/pre-command`` and the others the agent
runs from the checkout: https://buildkite.com/docs/agent/v3/hooks#hook-locations-repository-hooks)
are read as shell: each line that exports a key variable or writes a profile is
reported, unless the hook assumes a role itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.errors import quoted
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

BUILDKITE_STATIC_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="buildkite-static-aws-keys",
    title="A Buildkite step uses long-lived AWS access keys",
    severity=Severity.HIGH,
    rationale=(
        "The step authenticates with an IAM user's permanent access key, kept in the "
        "agent's environment (a hook, a secret) and handed to its commands or containers: "
        "it never expires and leaks with any command of the step. Buildkite can instead "
        "give the job an OIDC token that a role exchanges for temporary credentials."
        + "\n\n"
        + "https://buildkite.com/docs/pipelines/security/oidc/aws"
    ),
    remediation=(
        "Create an IAM OIDC provider for `https://agent.buildkite.com` and a role that "
        "trusts it for this pipeline, add the aws-assume-role-with-web-identity plugin with "
        "`role-arn` to the step (it exports the role's credentials, session token included: "
        "pass AWS_SESSION_TOKEN into containers too), and remove the key variables from "
        "the hooks and secrets. `keyless workflows fix` does not rewrite Buildkite pipelines."
    ),
)

#: Repository hooks the agent runs from ``.buildkite/hooks`` (a Windows agent's with
#: ``.bat`` / ``.ps1``): https://buildkite.com/docs/agent/v3/hooks#job-lifecycle-hooks
_HOOK_NAME = re.compile(
    r"(?:pre-checkout|checkout|post-checkout|environment|pre-command|command|post-command"
    r"|pre-artifact|post-artifact|pre-exit)(?:\.sh|\.bash|\.bat|\.ps1)?"
)
_CONTAINER_PLUGINS = frozenset({"docker", "docker-compose"})
_ROLE_KEYS = frozenset({"role-arn", "role_arn"})
# A hook line that sets a key variable (`export AWS_ACCESS_KEY_ID=…`, PowerShell's
# `$env:AWS_ACCESS_KEY_ID = …`, batch `set AWS_ACCESS_KEY_ID=…`).
_HOOK_SETS_KEY = re.compile(
    r"(?:^|[\s;&|])(?:export\s+|set\s+|\$env:)?(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)\s*=\s*\S",
    re.IGNORECASE,
)
_HOOK_PROFILE = re.compile(
    r"aws\s+configure\s+set\s+(?:[\w.-]+\.)?aws_(?:access_key_id|secret_access_key)\b"
)
#: Records one finding: 0-based (line, column), message, route.
Add = Callable[[tuple[int, int], str, str], None]


def is_hook(path: Path) -> bool:
    """Whether ``path`` is a repository hook (``.buildkite/hooks/pre-command``)."""
    return (
        path.parent.name == "hooks"
        and path.parent.parent.name == ".buildkite"
        and _HOOK_NAME.fullmatch(path.name) is not None
    )


def findings(document: Document, file: WorkflowFile) -> list[Finding]:
    """The findings of one Buildkite pipeline file or repository hook."""
    out: list[Finding] = []

    def add(position: tuple[int, int], message: str, route: str) -> None:
        line, column = position
        out.append(
            workflow_finding(
                BUILDKITE_STATIC_AWS_KEYS, file.path, line + 1, column + 1, message, route
            )
        )

    if is_hook(file.path):
        _hook_findings(document.text, file.path.name, add)
    elif document.root is not None:
        _pipeline_findings(document, add)
    return out


def _hook_findings(text: str, name: str, add: Add) -> None:
    if shows_temporary(text):
        return  # it assumes a role, or hands on a session token with the keys
    for number, line in enumerate(text.splitlines()):
        if line.lstrip().startswith(("#", "::", "REM ", "rem ")):
            continue
        found = _HOOK_SETS_KEY.search(line) or _HOOK_PROFILE.search(line)
        if found is None:
            continue
        shown = "writes" if "configure" in found.group(0) else "sets"
        add(
            (number, found.start()),
            f"the repository hook {name} {shown} long-lived AWS keys for every step of the "
            "pipeline",
            f"line {number + 1}",
        )


def _pipeline_findings(document: Document, add: Add) -> None:
    seen: set[int] = set()
    for route, node in mappings(document.root):
        if id(node) in seen:
            continue
        seen.add(id(node))
        _env_findings(node, route, add)
        if not _is_step(node):
            continue
        label = f"step {quoted(node['label'])}" if isinstance(node.get("label"), str) else "a step"
        if _assumes_role(node):
            continue
        for where, plugin, config in _plugins(node, route):
            if plugin in _CONTAINER_PLUGINS and is_map(config):
                _container_findings(config, where, plugin, label, add)
        for key in ("command", "commands"):
            _command_findings(document, node, key, f"{route}.{key}" if route else key, label, add)


def _is_step(node: Any) -> bool:
    return any(k in node for k in ("command", "commands", "plugins"))


def _assumes_role(step: Any) -> bool:
    """A step whose keys are temporary: a plugin given a role, or a session token (an
    OIDC exchange, an assumed role) anywhere in its text."""
    plugins = step.get("plugins")
    configs = [c for _, _, c in _plugins(step, "")] if plugins is not None else []
    if any(is_map(c) and any(str(k) in _ROLE_KEYS and c[k] for k in c) for c in configs):
        return True
    return any(shows_temporary(text) for text in strings(step))


def _plugins(step: Any, route: str) -> Iterator[tuple[str, str, Any]]:
    """(route, plugin's short name, configuration) of each plugin of a step: a list of
    ``name#version: config`` (or bare names) or one mapping of them
    (https://buildkite.com/docs/pipelines/integrations/plugins/using#adding-a-plugin-to-your-pipeline)."""
    plugins = step.get("plugins")
    entries: list[tuple[str, Any, Any]] = []
    if is_seq(plugins):
        for index, item in enumerate(plugins):
            if is_map(item):
                entries += [(f"{route}.plugins[{index}]", k, v) for k, v in item.items()]
            elif isinstance(item, str):
                entries.append((f"{route}.plugins[{index}]", item, None))
    elif is_map(plugins):
        entries += [(f"{route}.plugins", k, v) for k, v in plugins.items()]
    for where, name, config in entries:
        yield f"{where}.{name}", _short_name(str(name)), config


def _short_name(name: str) -> str:
    """``docker`` of ``docker#v5.12.0``, ``buildkite-plugins/docker-buildkite-plugin#v5``
    or ``https://github.com/buildkite-plugins/docker-buildkite-plugin.git#v5``."""
    base = name.split("#", 1)[0].strip().lower().removesuffix(".git").rstrip("/")
    last = base.rsplit("/", 1)[-1]
    return last.removesuffix("-buildkite-plugin")


def _container_findings(config: Any, where: str, plugin: str, label: str, add: Add) -> None:
    for key in ("environment", "env"):
        items = config.get(key)
        if not is_seq(items):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, str):
                continue
            name, equals, value = item.partition("=")
            if name.strip() not in KEY_VARIABLES or (equals and not is_credential(value)):
                continue
            what = (
                f"passes the agent's {name.strip()} into the container"
                if not equals
                else f"sets {name.strip()} in the container"
            )
            add(
                item_position(items, index),
                f"{label}: the {plugin} plugin {what} (long-lived keys of the agent's "
                "environment: a hook or a secret; no role is assumed)",
                f"{where}.{key}[{index}]",
            )


def _env_findings(node: Any, route: str, add: Add) -> None:
    env = node.get("env")
    if not is_map(env):
        return
    for key in KEY_VARIABLES:
        if key in env and is_credential(env.get(key)) and not shows_temporary(str(env)):
            scope = "the pipeline" if not route else "a step"
            add(
                key_position(env, key),
                f"{key} is set in the env of {scope} (a long-lived key, interpolated when "
                "the pipeline is uploaded)",
                f"{route}.env.{key}" if route else f"env.{key}",
            )


def _command_findings(
    document: Document, step: Any, key: str, route: str, label: str, add: Add
) -> None:
    value = step.get(key)
    lines = [value] if isinstance(value, str) else list(value) if is_seq(value) else []
    for index, line in enumerate(lines):
        if isinstance(line, str) and KEY_USE.search(line):
            position = item_position(value, index) if is_seq(value) else key_position(step, key)
            line_number, column = locate(document, position, line)
            add(
                (line_number - 1, column - 1),
                f"a command of {label} uses long-lived AWS keys from the agent's environment",
                f"{route}[{index}]" if is_seq(value) else route,
            )
