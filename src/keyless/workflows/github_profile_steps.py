"""GitHub Actions: a ``run:`` step that only writes the key pair from secrets into the
default profile (``aws configure set aws_access_key_id ${{ secrets.X }}``), which
``fix`` replaces with the credentials step, as GitLab's ``aws configure set`` lines are.

Such a step configures the AWS CLI for the steps after it, nothing more. The
configure-aws-credentials step that ``fix`` puts in its place exports the role's
temporary credentials (session token included) and the region to the steps after it,
which the AWS CLI and SDKs read before the default profile
(https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html); removing
the step is then safe. It is only when every line of the step is ``aws configure set``
of the key pair, ``region`` or ``output`` in the default profile, the keys come from
secrets (written in the line, or in a variable of the step's, job's or workflow's
``env:`` set from one), and the step has no ``if:``, ``id:`` nor anchor: otherwise
:func:`replacement_problem` says why a person rewrites it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from keyless.workflows.github import GithubAnalysis
from keyless.workflows.values import is_context_expression, is_region
from keyless.workflows.yamldoc import anchor_of, is_map, is_seq

#: The reason ``github.analyse`` gives a step that writes keys into a profile.
PROFILE_REASON = "it writes the key pair into a profile"

_SET = re.compile(
    r"aws\s+configure\s+set\s+(?:default\.)?"
    r"(?P<name>aws_access_key_id|aws_secret_access_key|region|output)"
    r"\s+(?P<value>\$\{\{[^}]*\}\}|\"[^\"]*\"|'[^']*'|[^\s\"']+)\s*",
)
_SECRET = re.compile(r"\$\{\{\s*secrets\.[A-Za-z_][A-Za-z0-9_]{0,99}\s*\}\}")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_]\w{0,99})\}|([A-Za-z_]\w{0,99}))")
#: What a step may hold besides its script: nothing the credentials step would need.
_PLAIN_KEYS = frozenset(
    {"name", "run", "env", "shell", "working-directory", "timeout-minutes", "continue-on-error"}
)


@dataclass(frozen=True, slots=True)
class ProfileStep:
    """A step ``fix`` removes, the credentials step inserted before it (its region:
    :func:`written_region`)."""

    index: int


def replaceable_steps(analysis: GithubAnalysis, name: str, job: Any) -> list[ProfileStep]:
    """The steps of job ``name`` that only write the key pair from secrets into the
    default profile (:func:`replacement_problem` finds nothing), in order."""
    root = analysis.document.root
    return [
        ProfileStep(script.step_index)
        for script in _profile_scripts(analysis, name)
        if replacement_problem(script.step, job, root) is None
    ]


def _profile_scripts(analysis: GithubAnalysis, name: str) -> Iterator[Any]:
    return (
        s
        for s in analysis.scripts
        if s.job == name and s.at == "run" and s.reason.startswith(PROFILE_REASON)
    )


def replacement_problem(step: Any, job: Any, root: Any) -> str | None:
    """Why the profile-writing ``step`` cannot be replaced by the credentials step, or
    None when it can."""
    run = step.get("run") if is_map(step) else None
    if not isinstance(run, str):
        return "its script is not plain text"
    if "--profile" in run:
        return "it writes a named profile (--profile), which later commands name"
    extra = sorted(str(k) for k in step if str(k) not in _PLAIN_KEYS)
    if extra:
        shown = ", ".join(f"{k}:" for k in extra)
        return f"it has {shown}, which the credentials step would not keep"
    if _has_anchor(step):
        return "it holds a YAML anchor that other places may use"
    settings = _settings(run)
    if settings is None:
        return "it runs other commands than `aws configure set` of the key pair, region or output"
    if not {"aws_access_key_id", "aws_secret_access_key"} <= settings.keys():
        return "it writes one key of the pair only"
    for key in ("aws_access_key_id", "aws_secret_access_key"):
        if not _is_secret(settings[key], step, job, root):
            # The value is not shown: it may be the key itself.
            return (
                f"its {key} is not read from a secret (a literal, or a variable the "
                "workflow does not set from one)"
            )
    return None


def _settings(run: str) -> dict[str, str] | None:
    """Each setting the script writes (name → value, quotes removed), or None when a line
    is anything else."""
    found: dict[str, str] = {}
    for line in run.splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        match = _SET.fullmatch(text)
        if match is None:
            return None
        found[match.group("name")] = match.group("value").strip("\"'")
    return found


def _is_secret(value: str, step: Any, job: Any, root: Any) -> bool:
    """Whether ``value`` is a secret: ``${{ secrets.X }}``, or ``$NAME`` of a variable the
    step's, job's or workflow's ``env:`` sets to one (the innermost that sets it)."""
    if _SECRET.fullmatch(value):
        return True
    match = _VARIABLE.fullmatch(value)
    if match is None:
        return False
    name = match.group(1) or match.group(2)
    scopes: tuple[Any, ...] = (
        step.get("env"),
        job.get("env"),
        root.get("env") if is_map(root) else None,
    )
    for env in scopes:
        if is_map(env) and name in env:
            written = env[name]
            return isinstance(written, str) and bool(_SECRET.fullmatch(written.strip()))
    return False


def written_region(step: Any, job: Any, root: Any) -> str | None:
    """The region a step writes into the profile (``aws configure set region …``), when it
    is a region name or an expression (``$NAME`` read from the ``env:`` as the keys are)."""
    run = step.get("run") if is_map(step) else None
    settings = (_settings(run) if isinstance(run, str) else None) or {}
    value = settings.get("region")
    if value is None:
        return None
    match = _VARIABLE.fullmatch(value)
    if match is not None:
        name = match.group(1) or match.group(2)
        scopes: tuple[Any, ...] = (
            step.get("env"),
            job.get("env"),
            root.get("env") if is_map(root) else None,
        )
        found = (env.get(name) for env in scopes if is_map(env) and name in env)
        value = next((v for v in found if isinstance(v, str)), "")
    return value if is_region(value) or is_context_expression(value) else None


def _has_anchor(node: Any, depth: int = 0) -> bool:
    if anchor_of(node) is not None:
        return True
    if depth > 20:
        return True  # deeper than a step goes: not judged, kept
    if is_map(node):
        return any(_has_anchor(v, depth + 1) for v in node.values())
    if is_seq(node):
        return any(_has_anchor(v, depth + 1) for v in node)
    return False
