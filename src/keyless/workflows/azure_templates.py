"""The templates an Azure pipeline includes from its own repository
(https://learn.microsoft.com/en-us/azure/devops/pipelines/process/templates): what ``scan``
reads beside the pipeline, and the references that cannot be read.

``template: path`` appears as a stage, job, step or variable (``- template: …``) and under
``extends:``. A relative path is resolved from the including file's directory, a path that
starts with ``/`` from the repository's root; ``path@self`` is the same repository. A
template of another repository (``path@alias``, declared in ``resources.repositories``),
a path computed by an expression (``${{ parameters.template }}``, ``$(var)``), a file that
does not exist, a path that leads outside the repository and a value that is no path (a
number, a list, a mapping, nothing) are unread (exit 3): steps
keyless cannot see may use keys. Each file is read once, so a template that includes
itself, directly or not, ends; at most :data:`MAX_TEMPLATES` template files are
followed per repository.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from keyless.engine import Unread
from keyless.errors import InputError, quoted
from keyless.workflows.yamldoc import Document, is_map, is_seq, key_position, load, own_items

#: Azure Pipelines refuses a pipeline that includes more than 100 YAML files, directly or
#: indirectly (https://learn.microsoft.com/en-us/azure/devops/pipelines/process/templates#imposed-limits);
#: a repository holds many pipelines, so keyless follows ten times that many per repository.
MAX_TEMPLATES = 1_000
_EXPRESSIONS = ("${{", "$(", "$[")
#: Mappings whose keys are names, so a key ``template`` there is no reference: a task's
#: ``inputs``, the ``parameters`` given to a template (or declared in the old mapping
#: form) and ``variables`` in mapping form (``variables: {template: x}`` sets a variable
#: named ``template``; a variable template is a list entry, ``variables: - template: x``:
#: https://learn.microsoft.com/en-us/azure/devops/pipelines/yaml-schema/variables-template).
_NAMED_MAPPINGS = frozenset({"inputs", "parameters", "variables"})


def template_references(
    document: Document, repository_root: Path
) -> tuple[tuple[Path, ...], tuple[Unread, ...]]:
    """The template files an Azure pipeline (or template) includes from the same
    repository, and the references that cannot be read, with why."""
    found: list[Path] = []
    missing: list[Unread] = []
    base = repository_root.resolve()
    for node in _referring_mappings(document.root):
        if "template" not in node:
            continue
        target = node.get("template")
        if not isinstance(target, str) or not target.strip():
            # Azure reads the value as a file path; a number, list, mapping or nothing
            # names no file keyless can follow, and the steps it stands for go unseen.
            line = key_position(node, "template")[0] + 1
            missing.append(
                Unread(f"{document.path}: template at line {line}",
                       f"its value is {_kind(target)}, not a template path keyless can follow")
            )  # fmt: skip
            continue
        reference = target.strip()
        where = f"{document.path}: template {quoted(reference)}"
        if any(mark in reference for mark in _EXPRESSIONS):
            missing.append(
                Unread(where, "its path is a template expression or variable keyless cannot "
                       "resolve")
            )  # fmt: skip
            continue
        path_text, at, repository = reference.rpartition("@")
        if at and repository.strip() != "self":
            missing.append(
                Unread(where, "a template of another repository (resources.repositories)")
            )  # fmt: skip
            continue
        relative = path_text if at else reference
        if relative.startswith("/"):
            candidate = repository_root / relative.lstrip("/")
        else:
            candidate = document.path.parent / relative
        try:
            inside = candidate.resolve().is_relative_to(base)
            exists = candidate.is_file()
        except RecursionError:
            # Path.resolve follows a chain of symbolic links recursively: a long one
            # exhausts the stack. Said so, rather than taken for a link loop below.
            missing.append(
                Unread(where, "its path is a chain of symbolic links too long to follow")
            )
            continue
        except RuntimeError:  # Python 3.11 raises it for a loop of symbolic links
            missing.append(Unread(where, "its path is a loop of symbolic links"))
            continue
        except (OSError, ValueError):  # a name too long, a NUL
            missing.append(Unread(where, "the template cannot be read"))
            continue
        if not inside:
            missing.append(Unread(where, "leads outside the repository"))
        elif not exists:
            missing.append(Unread(where, "the template does not exist (or is not a file)"))
        else:
            found.append(candidate)
    return tuple(dict.fromkeys(found)), tuple(dict.fromkeys(missing))


def _referring_mappings(root: Any) -> Iterator[Any]:
    """Every mapping written in the document whose keys may be references (each once),
    that is all but those of :data:`_NAMED_MAPPINGS` and the ``${{ if }}`` / ``${{ each }}``
    blocks written in them: such a block's entries join the mapping that holds it
    (https://learn.microsoft.com/en-us/azure/devops/pipelines/process/expressions#conditionally-assign-a-variable),
    so ``variables: {${{ if … }}: {template: x}}`` sets a variable named ``template``. A
    block written in a list adds items, which may be templates."""
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, named = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if is_seq(node):
            stack.extend((item, False) for item in reversed(node) if is_map(item) or is_seq(item))
            continue
        if not is_map(node):
            continue
        if not named:
            yield node
        children = [
            (value, str(key) in _NAMED_MAPPINGS or (named and _is_expression_key(key)))
            for key, value in own_items(node)
            if is_map(value) or is_seq(value)
        ]
        stack.extend(reversed(children))


def _is_expression_key(key: Any) -> bool:
    text = str(key).strip()
    return text.startswith("${{") and text.endswith("}}")


def local_template(reference: str, including: Path, repository_root: Path) -> Path | None:
    """The file a ``template:`` reference names in the same repository, resolved as
    :func:`template_references` resolves it (``/path`` from the root, ``path@self``,
    otherwise from the including file's directory); None for an expression or another
    repository's template."""
    reference = reference.strip()
    if not reference or any(mark in reference for mark in _EXPRESSIONS):
        return None
    path_text, at, repository = reference.rpartition("@")
    if at and repository.strip() != "self":
        return None
    relative = path_text if at else reference
    if relative.startswith("/"):
        return repository_root / relative.lstrip("/")
    return including.parent / relative


def _kind(value: object) -> str:
    """What a ``template:`` value that is no path is, as a message says it."""
    if value is None or isinstance(value, str):
        return "empty"
    if is_map(value):
        return "a mapping"
    if is_seq(value):
        return "a list"
    if isinstance(value, bool):
        kind = "a boolean"
    elif isinstance(value, int | float):
        kind = "a number"
    elif isinstance(value, datetime.date):
        kind = "a date"
    else:
        kind = "no string"
    return f"{quoted(str(value))}, {kind}"


#: The pipelines Azure reads by default at a repository's root.
PIPELINE_FILES = ("azure-pipelines.yml", "azure-pipelines.yaml")


def is_azure_template(path: Path, root: Path) -> bool:
    """Whether the repository's ``azure-pipelines.yml`` (or ``.yaml``), or a pipeline of
    its ``.azure-pipelines`` directory, includes ``path`` as a template, itself or through
    the templates it includes, each file read once (a cycle ends) and no more than
    :data:`MAX_TEMPLATES` of them: such a file is Azure's whatever its keywords look like
    (a steps template's top-level ``steps:`` is also Buildkite's). A file that cannot be
    read says nothing here; scanning it reports why."""
    real = path.resolve()
    queue = [root / name for name in PIPELINE_FILES]
    directory = root / ".azure-pipelines"
    if directory.is_dir() and not directory.is_symlink():
        found = (p for p in directory.rglob("*") if p.suffix in (".yml", ".yaml"))
        queue += sorted(itertools.islice(found, MAX_TEMPLATES))
    seen: set[Path] = set()
    while queue and len(seen) <= MAX_TEMPLATES:
        current = queue.pop(0)
        try:
            key = current.resolve()
            if key in seen or not os.path.isfile(current) or not key.is_relative_to(root.resolve()):
                continue
            seen.add(key)
            stat = current.stat()
            templates = _included(current, root, (stat.st_mtime_ns, stat.st_size, stat.st_ino))
        except (InputError, OSError, RuntimeError, ValueError):
            continue
        if any(template.resolve() == real for template in templates):
            return True
        queue.extend(templates)
    return False


@functools.lru_cache(maxsize=4_096)
def _included(path: Path, root: Path, version: tuple[int, int, int]) -> tuple[Path, ...]:
    """The templates ``path`` includes, parsed once per version of the file (``version``:
    its modification time, size and inode). Each file named on the command line walks the
    pipelines again, and parsing every template per file was quadratic: 300 templates
    named took 25 seconds."""
    del version  # part of the cache key only
    return template_references(load(path), root)[0]
