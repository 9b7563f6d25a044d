"""Where a repository's GitHub action metadata files (``action.yml``) are.

An action is described by ``action.yml`` or ``action.yaml`` in its directory
(https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions):
a repository that *is* an action has it at its root, and a repository keeps its own
actions in directories that its steps run with ``uses: ./path`` (``./`` is the
workspace, where the repository is checked out; ``.github/actions/<name>`` by
convention: https://docs.github.com/en/actions/sharing-automations/creating-actions/creating-a-composite-action).
keyless reads the root one, every one under ``.github/actions/``, and every one a
workflow or action of the repository runs with ``uses: ./path``. Each is read like a
workflow: a link out of the paths given, a FIFO, a name that is not UTF-8 is recorded
unread, never clean.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from keyless.engine import Unread
from keyless.workflows.model import Platform, WorkflowFile
from keyless.workflows.yamldoc import Document, is_map, is_seq, own_items

#: The names GitHub reads an action's metadata from, in the order the runner tries them.
ACTION_FILES = ("action.yml", "action.yaml")
#: The directory that holds a repository's own actions, by convention.
ACTIONS_DIRECTORY = (".github", "actions")
# `runs:` at the top of the file, and `using:` somewhere below it (block or flow style).
_TOP_RUNS = re.compile(r"""^["']?runs["']?\s*:""", re.MULTILINE)
_USING = re.compile(r"""(?:^\s+|[{,]\s*)["']?using["']?\s*:""", re.MULTILINE)
# `${{ secrets.X }}`: a value that may hold a credential (composite actions cannot read
# the `secrets` context themselves; callers hand secrets to them as inputs).
_SECRET = re.compile(r"\$\{\{[^}]*\bsecrets\b", re.IGNORECASE)


def is_action_text(head: str) -> bool:
    """Whether a file's beginning reads as action metadata: a top-level ``runs:`` with a
    ``using:`` (``composite``, ``docker``, ``node20``…)."""
    runs = _TOP_RUNS.search(head)
    return runs is not None and _USING.search(head, runs.end()) is not None


def is_action_metadata(root: Any) -> bool:
    """Whether a parsed document is action metadata (``runs:`` a mapping with ``using:``)."""
    runs: Any = root.get("runs") if is_map(root) else None
    return is_map(runs) and isinstance(runs.get("using"), str)


def actions_in(
    here: Path, filenames: Iterable[str], start: Path
) -> Iterator[tuple[Path, WorkflowFile]]:
    """The action metadata files of directory ``here`` met in a walk from ``start``: at a
    repository's root (a directory with ``.git`` or ``.github``, or the path walked), or
    anywhere under its ``.github/actions``."""
    names = [name for name in ACTION_FILES if name in filenames]
    if not names:
        return
    owner = _actions_owner(here)
    if owner is not None:
        root = owner
    elif here == start or (here / ".git").exists() or (here / ".github").is_dir():
        root = here
    else:
        return
    # The runner reads action.yml when both exist; the other is never run.
    path = here / names[0]
    yield path, WorkflowFile(path, Platform.GITHUB, root, action=True)


def linked_actions(
    here: Path, dirnames: list[str], root: Path, unread: list[Unread]
) -> Iterator[tuple[Path, WorkflowFile]]:
    """The subdirectories of ``.github/actions`` (or below) that are symbolic links, which
    a walk does not enter: each one's metadata file is read when the link stays inside
    ``root``; one that leads out of it is recorded unread."""
    owner = _actions_owner(here / "x")
    if owner is None:
        return
    for name in [d for d in dirnames if (here / d).is_symlink()]:
        dirnames.remove(name)
        directory = here / name
        if not directory.resolve().is_relative_to(root):
            unread.append(
                Unread(str(directory), "a symbolic link that leads outside the paths given")
            )
            continue
        path = next((directory / n for n in ACTION_FILES if os.path.lexists(directory / n)), None)
        if path is not None:
            yield path, WorkflowFile(path, Platform.GITHUB, owner, action=True)


def _actions_owner(here: Path) -> Path | None:
    """The repository whose ``.github/actions`` holds ``here`` (lexically), or None."""
    parts = here.parts
    for index in range(len(parts) - 2, -1, -1):
        if parts[index : index + 2] == ACTIONS_DIRECTORY:
            return Path(*parts[:index]) if index else Path(".")
    return None


def local_steps(root: Any) -> Iterator[tuple[str, Any]]:
    """``(uses, with)`` of every step of a workflow (``jobs.*.steps``) or a composite
    action (``runs.steps``) that runs a local action (``uses: ./path``)."""
    step_lists: list[Any] = []
    if is_map(root):
        runs = root.get("runs")
        if is_map(runs):
            step_lists.append(runs.get("steps"))
        for _, job in own_items(root.get("jobs")):
            if is_map(job):
                step_lists.append(job.get("steps"))
    for steps in step_lists:
        for step in steps if is_seq(steps) else ():
            uses = step.get("uses") if is_map(step) else None
            if isinstance(uses, str) and uses.strip().startswith("./"):
                yield uses.strip(), step.get("with")


def local_action(repository_root: Path, uses: str) -> Path | str:
    """The metadata file of ``uses: ./path`` in the repository, or why there is none
    readable (for the report). ``./path`` is relative to the workspace, where the
    repository is checked out."""
    relative = uses.removeprefix("./").split("@")[0]
    if "\0" in relative:
        return "its path holds a NUL character"
    directory = repository_root / relative
    try:
        inside = directory.resolve().is_relative_to(repository_root.resolve())
    except (OSError, ValueError, RuntimeError):
        return "its path cannot be resolved"
    if not inside:
        return "it lies outside the repository"
    for name in ACTION_FILES:
        if os.path.lexists(directory / name):
            return directory / name
    return "it holds no action.yml or action.yaml"


def referenced_actions(
    document: Document, repository_root: Path
) -> tuple[list[WorkflowFile], list[Unread]]:
    """The local actions a workflow or composite action runs, and those that cannot be
    found: such an action was given secrets (its use of them was not read) is unread; one
    given none has nothing to tell (an action an earlier step checks out or builds)."""
    found: list[WorkflowFile] = []
    missing: list[Unread] = []
    for uses, inputs in local_steps(document.root):
        target = local_action(repository_root, uses)
        if isinstance(target, Path):
            found.append(WorkflowFile(target, Platform.GITHUB, repository_root, action=True))
        elif _gives_secrets(inputs):
            where = str(repository_root / uses.removeprefix("./").split("@")[0].replace("\0", ""))
            missing.append(
                Unread(
                    where,
                    f"{document.path} runs it as a local action given secrets, but {target}; "
                    "what it does with them was not read",
                )
            )
    return found, missing


def _gives_secrets(inputs: Any) -> bool:
    return is_map(inputs) and any(
        isinstance(value, str) and _SECRET.search(value) for value in inputs.values()
    )
