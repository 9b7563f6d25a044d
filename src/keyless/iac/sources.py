"""Finding infrastructure code under the paths a user gives, and reading it safely.

A directory is walked (without following symbolic links, skipping ``.git``,
``.terraform`` and dependency folders); a template or plan given directly is read even
through a symbolic link, while Terraform is read by module directory, whose symbolic
links are not followed. Only regular files are opened, without blocking (a FIFO named
``main.tf`` neither hangs nor is read), up to :data:`MAX_BYTES`. JSON and YAML files are
read only when their text looks like a CloudFormation template or a Terraform plan, so a
repository's ``package.json`` or Helm templates are not mistaken for infrastructure code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from keyless.errors import InputError
from keyless.files import has_undecodable_name, read_text
from keyless.iac.values import Position

MAX_BYTES = 64 * 1024 * 1024
_SKIP_DIRS = frozenset(
    {".git", ".terraform", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".hg"}
)
# OpenTofu reads ``.tofu`` files as it reads ``.tf`` ones (Terraform ignores them).
# https://opentofu.org/docs/language/files/
_TERRAFORM_SUFFIXES = (".tf", ".tofu")
_DATA_SUFFIXES = (".json", ".yaml", ".yml", ".template")
#: Terraform's and OpenTofu's JSON syntax, read as Terraform (:mod:`keyless.iac.tfjson`).
JSON_CONFIGURATION_SUFFIXES = (".tf.json", ".tofu.json")
_CLOUDFORMATION = re.compile(r"""(^|[{,])\s*["']?Resources["']?\s*:""", re.MULTILINE)
_PLAN = re.compile(r'"(format_version|terraform_version)"\s*:')


class FileKind(StrEnum):
    """How a file is read."""

    TERRAFORM = "terraform"
    DATA = "data"  # JSON or YAML: a CloudFormation template or a Terraform plan
    TERRAGRUNT = "terragrunt"  # noted, not read


#: Terragrunt's configuration files: the modules they deploy, with inputs keyless does not
#: read (https://terragrunt.gruntwork.io/docs/reference/config-blocks-and-attributes/).
TERRAGRUNT_NAMES = frozenset({"terragrunt.hcl", "terragrunt.hcl.json", "terragrunt.stack.hcl"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file to read: ``explicit`` when the user named it."""

    path: Path
    kind: FileKind
    explicit: bool


class ReadError(Exception):
    """A file that could not be read, and why (reported as unread, never as clean);
    ``position``, where in it, when one part of it is what could not be read."""

    def __init__(self, path: Path, reason: str, position: Position | None = None):
        where = f"{path}:{position.line}:{position.column}" if position else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.reason = reason
        self.position = position


def is_ignored_by_terraform(name: str) -> bool:
    """Whether Terraform (and OpenTofu) skip a file of this name in a module's directory,
    whatever its suffix: a hidden file (``.main.tf``, an editor's ``.#main.tf`` lock), a
    backup (``main.tf~``), an Emacs autosave (``#main.tf#``). Its blocks are never
    deployed (``IsIgnoredFile``,
    https://github.com/hashicorp/terraform/blob/main/internal/configs/parser_config_dir.go)."""
    return (
        name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))
    )


def kind_of(path: Path) -> FileKind | None:
    """The kind of a file by its name, or None when keyless does not read it."""
    name = path.name
    if name in TERRAGRUNT_NAMES:
        return FileKind.TERRAGRUNT
    if name.endswith(_TERRAFORM_SUFFIXES + JSON_CONFIGURATION_SUFFIXES):
        return FileKind.TERRAFORM
    if name.endswith(_DATA_SUFFIXES):
        return FileKind.DATA
    return None


def discover(paths: Iterable[Path]) -> tuple[list[Candidate], list[ReadError]]:
    """Every file to read under ``paths``, each once, in a stable order, and the paths
    that could not be used (missing, or a symbolic link met while walking)."""
    found: dict[Path, Candidate] = {}
    problems: list[ReadError] = []
    for path in paths:
        if not os.path.lexists(path):
            problems.append(ReadError(path, "no such file or directory"))
            continue
        if path.is_dir():
            for candidate in _walk(path, problems):
                found.setdefault(candidate.path, candidate)
            continue
        kind = kind_of(path)
        if kind is None:
            continue  # not infrastructure code (pre-commit hands over any staged file)
        found[path] = Candidate(path, kind, explicit=True)
    return sorted(found.values(), key=lambda c: str(c.path)), problems


def require_something_read(paths: Iterable[Path], taken: Iterable[Path]) -> None:
    """Raise :class:`~keyless.errors.InputError` (exit 2, as a path that does not exist)
    for the first directory of ``paths`` under which no file of ``taken`` (the files read
    or reported unread) lies: an empty directory, one holding no infrastructure code, or
    a directory named as a file (``main.tf/``) would otherwise read as "0 finding(s) in 0
    file(s)", clean. A file named directly that is not infrastructure code is skipped
    (the pre-commit hook hands over every staged file)."""
    found = [Path(p) for p in taken]
    for path in paths:
        if not path.is_dir() or any(f == path or path in f.parents for f in found):
            continue
        # main.tf/, template.yaml/: a directory named as the file meant
        named_as_file = "; it is a directory, named as a file" if kind_of(path) else ""
        raise InputError(
            f"nothing to check: no infrastructure code keyless reads is in it{named_as_file}",
            where=str(path),
            hint="name the files or the directories that hold the Terraform, "
            "CloudFormation, CDK output or plans to judge",
        )


def _walk(directory: Path, problems: list[ReadError]) -> Iterator[Candidate]:
    for current, dirnames, filenames in os.walk(directory):
        here = Path(current)
        kept = []
        for name in sorted(dirnames):
            if name in _SKIP_DIRS or name.startswith("asset."):  # CDK assets are not templates
                continue
            if (here / name).is_symlink():
                problems.append(ReadError(here / name, "symbolic link not followed"))
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            path = here / name
            kind = kind_of(path)
            if kind is None:
                continue
            if path.is_symlink():
                if kind is FileKind.TERRAFORM and is_ignored_by_terraform(name):
                    continue  # an editor's lock (.#main.tf), which Terraform never reads
                problems.append(ReadError(path, "symbolic link not followed"))
                continue
            yield Candidate(path, kind, explicit=False)


def read_source(path: Path, *, keep_byte_order_mark: bool = False) -> str:
    """The file as UTF-8 text, read by :func:`keyless.files.read_text` (a regular file
    only, opened without blocking, at most :data:`MAX_BYTES`; a leading byte order mark
    dropped unless ``keep_byte_order_mark``). Raises :class:`ReadError` saying why not, a
    name that is not UTF-8 included: no JSON or SARIF document can hold it, so the file's
    findings could not be located (keyless.files.path_text)."""
    if has_undecodable_name(path):
        raise ReadError(path, "its name is not UTF-8, so no report could name it; rename it")
    try:
        return read_text(
            path, "the file", limit=MAX_BYTES, keep_byte_order_mark=keep_byte_order_mark
        )
    except InputError as error:
        reason = error.message.removeprefix("cannot read the file: ").removeprefix("it is ")
        raise ReadError(path, reason) from None


def looks_like_cloudformation(text: str) -> bool:
    """A top-level ``Resources`` key and an ``AWS::`` type: a CloudFormation template."""
    return "AWS::" in text and _CLOUDFORMATION.search(text) is not None


def may_be_cloudformation(text: str) -> bool:
    """A top-level ``Resources`` key or a template format version, with or without an
    ``AWS::`` type: worth parsing, so that a malformed template is reported as such."""
    return "AWSTemplateFormatVersion" in text or _CLOUDFORMATION.search(text) is not None


def looks_like_plan(text: str) -> bool:
    """``terraform show -json`` output names its format and Terraform versions."""
    head = text[:4096]
    return len(_PLAN.findall(head)) >= 1 and ("planned_values" in text or '"values"' in text)
