"""A CI file's platform by its content: the documented top-level keywords each platform
uses and no other does, read from the file's beginning. :mod:`.discovery` asks this only
when a file's name and place say nothing."""

from __future__ import annotations

import re
from pathlib import Path

from keyless.workflows.model import Platform

_GUESS_BYTES = 64 * 1024


def file_head(path: Path) -> str:
    """The beginning of a regular file (checked before), as text: what
    :func:`guess_platform` reads."""
    with path.open("rb") as handle:
        return handle.read(_GUESS_BYTES).decode("utf-8", errors="replace")


_TOP_KEY = re.compile(r"""^["']?([A-Za-z_][\w.-]*)["']?\s*:(?:\s|$)""")


# Azure's stages and jobs are list items (`- stage: Build`, `- job: A`); GitLab's `stages:`
# lists names and its jobs say `stage: build` as a mapping key.
_AZURE_STAGE = re.compile(r"^\s{0,4}-\s+stage\s*:")


_AZURE_JOB = re.compile(r"^\s{0,4}-\s+(?:job|deployment)\s*:")


_NESTED_KEY = re.compile(r"""^(?:\s+|\s*-\s+)["']?([A-Za-z_][\w.-]*)["']?\s*:(?:\s|$)""")


def guess_platform(head: str) -> Platform | None:
    """The platform whose documented top-level keywords ``head`` (a file's beginning) uses,
    or None when it is no CI file keyless recognises. Each platform has keywords no other
    uses: Drone's ``kind: pipeline``, CodeBuild's ``phases``, Bitbucket's ``pipelines``,
    CircleCI's ``workflows``/``orbs``, GitHub's ``jobs`` with ``on``, Azure's ``pool`` /
    ``trigger`` / ``- stage:``, Buildkite's top-level ``steps``, Travis's ``language`` /
    top-level ``script``; GitLab jobs carry ``script`` / ``extends`` / ``stage``."""
    lines = head.splitlines()
    top = {m.group(1) for line in lines if (m := _TOP_KEY.match(line))}
    nested = {m.group(1) for line in lines if (m := _NESTED_KEY.match(line))}
    if "kind" in top and any(re.match(r"^kind:\s*pipeline\b", line) for line in lines):
        return Platform.DRONE
    if "phases" in top:
        return Platform.CODEBUILD
    if "pipelines" in top:
        return Platform.BITBUCKET
    if top & {"workflows", "orbs", "executors"} or ("jobs" in top and "version" in top):
        return Platform.CIRCLECI
    if "jobs" in top and top & {"on", "true", "True"}:
        return Platform.GITHUB
    if top & {"pool", "trigger", "pr", "resources"}:
        return Platform.AZURE
    if "stages" in top and any(_AZURE_STAGE.match(line) for line in lines):
        return Platform.AZURE
    if "jobs" in top and any(_AZURE_JOB.match(line) for line in lines):
        return Platform.AZURE
    if "jobs" in top:
        return Platform.GITHUB
    if top & {"language", "script", "dist", "os"}:
        return Platform.TRAVIS
    if "steps" in top:
        return Platform.BUILDKITE
    if top & {"stages", "include", "default", "workflow"} or nested & {
        "script", "extends", "stage", "before_script", "trigger",
    }:  # fmt: skip
        return Platform.GITLAB
    return None
