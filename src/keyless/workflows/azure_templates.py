"""The templates an Azure pipeline includes from its own repository
(https://learn.microsoft.com/en-us/azure/devops/pipelines/process/templates): what ``scan``
reads beside the pipeline, and the references that cannot be read.

``template: path`` appears as a stage, job, step or variable (``- template: …``) and under
``extends:``. A relative path is resolved from the including file's directory, a path that
starts with ``/`` from the repository's root; ``path@self`` is the same repository. A
template of another repository (``path@alias``, declared in ``resources.repositories``),
a path computed by an expression (``${{ parameters.template }}``, ``$(var)``), a file that
does not exist and a path that leads outside the repository are unread (exit 3): steps
keyless cannot see may use keys. Each file is read once, so a template that includes
itself, directly or not, ends; at most :data:`MAX_TEMPLATES` files are read per
repository, Azure Pipelines' own limit.
"""

from __future__ import annotations

from pathlib import Path

from keyless.engine import Unread
from keyless.errors import quoted
from keyless.workflows.keyuse import mappings
from keyless.workflows.yamldoc import Document

#: Azure Pipelines refuses a pipeline that includes more than 100 YAML files, directly or
#: indirectly (https://learn.microsoft.com/en-us/azure/devops/pipelines/process/templates#imposed-limits).
MAX_TEMPLATES = 100
_EXPRESSIONS = ("${{", "$(", "$[")


def template_references(
    document: Document, repository_root: Path
) -> tuple[tuple[Path, ...], tuple[Unread, ...]]:
    """The template files an Azure pipeline (or template) includes from the same
    repository, and the references that cannot be read, with why."""
    found: list[Path] = []
    missing: list[Unread] = []
    base = repository_root.resolve()
    for route, node in mappings(document.root):
        target = node.get("template")
        if route.endswith(".inputs") or route == "inputs" or not isinstance(target, str):
            continue
        reference = target.strip()
        where = f"{document.path}: template {quoted(reference)}"
        if not reference:
            continue
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
        except (OSError, RuntimeError, ValueError):  # a name too long, a link loop, a NUL
            missing.append(Unread(where, "the template cannot be read"))
            continue
        if not inside:
            missing.append(Unread(where, "leads outside the repository"))
        elif not exists:
            missing.append(Unread(where, "the template does not exist (or is not a file)"))
        else:
            found.append(candidate)
    return tuple(dict.fromkeys(found)), tuple(dict.fromkeys(missing))
