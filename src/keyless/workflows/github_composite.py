"""Local composite actions given the keys as inputs: edit the job, never the action.

A composite action (``runs: using: composite``) in the repository is shared by every
workflow that uses it, so ``fix`` does not edit it. When the action only hands its key
inputs to configure-aws-credentials, the job can stop passing them: that action, given
empty key inputs, uses the credentials already in the environment
which
the credentials step ``fix`` inserts before it exports ("Proceed only if credentials can
be picked up" in https://github.com/aws-actions/configure-aws-credentials/blob/main/src/index.ts).
Any other use of the inputs (an ``env:``, a script, a step that also assumes a role)
would receive empty strings, so such an action is left to a person.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from keyless.errors import InputError
from keyless.workflows.action_files import local_action
from keyless.workflows.github import CONFIGURE_ACTION, KEY_INPUTS, shown_name
from keyless.workflows.yamldoc import Document, is_map, is_seq, load


def composite_verdict(repository_root: Path, uses: str, keys: tuple[str, ...]) -> str | None:
    """None when the job may stop passing ``keys`` to the local action ``uses``; else why
    not (for the report)."""
    path = local_action(repository_root, uses)
    if isinstance(path, str):
        return f"{uses} cannot be read: {path}"
    real = path.resolve()
    if path.is_symlink() or not real.is_relative_to(repository_root.resolve()):
        return f"{uses} is a link out of the repository"
    try:
        document = load(path)
    except InputError as error:
        return f"{uses} cannot be read ({error.message})"
    return _verdict(document, uses, keys)


def _verdict(document: Document, uses: str, keys: tuple[str, ...]) -> str | None:
    root = document.root
    runs: Any = root.get("runs") if is_map(root) else None
    if not is_map(runs) or runs.get("using") != "composite":
        return f"{uses} is not a composite action"
    for key in keys:
        mentions = len(
            re.findall(
                rf"inputs\.{re.escape(key)}\b|inputs\[['\"]{re.escape(key)}['\"]\]", document.text
            )
        )
        handed = _handed_to_configure(runs.get("steps"), key)
        if mentions != handed:
            return (
                f"{uses} uses its input {shown_name(key)} other than as a key input of "
                f"{CONFIGURE_ACTION}: an empty value would reach it"
            )
    return None


def _handed_to_configure(steps: Any, key: str) -> int:
    expression = re.compile(rf"\$\{{\{{\s*inputs\.{re.escape(key)}\s*\}}\}}")
    count = 0
    for step in steps if is_seq(steps) else ():
        uses: Any = step.get("uses") if is_map(step) else None
        inputs: Any = step.get("with") if is_map(step) else None
        configures = isinstance(uses, str) and uses.split("@")[0].strip() == CONFIGURE_ACTION
        if not configures or not is_map(inputs) or "role-to-assume" in inputs:
            continue
        for name, value in inputs.items():
            if (
                name in KEY_INPUTS
                and isinstance(value, str)
                and expression.fullmatch(value.strip())
            ):
                count += 1
    return count
