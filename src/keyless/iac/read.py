"""Reading paths into one :class:`~keyless.iac.model.IacModel`: each file by its reader,
what cannot be read recorded beside what was.

Terraform is read per module (a directory): a directory another scanned directory calls
as a local module is read through that call, with its inputs; ``.tf`` files named
directly are judged in the context of their whole module, and only their own resources
are reported. A plan (``terraform show -json``) is the resolved truth: when one is given,
Terraform configurations are not read beside it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from keyless.engine import ScannedFile, Unread
from keyless.iac import cloudformation, plan, serverless
from keyless.iac.hclfiles import FileAccess, root_directories
from keyless.iac.literal_keys import literal_keys
from keyless.iac.model import IacModel, IacResource, LiteralKey, SourceKind, location
from keyless.iac.sources import (
    Candidate,
    FileKind,
    ReadError,
    discover,
    is_ignored_by_terraform,
    looks_like_cloudformation,
    looks_like_plan,
    may_be_cloudformation,
    read_source,
    require_something_read,
)
from keyless.iac.terraform import Module
from keyless.iac.tffiles import (
    DirectoryCache,
    TerraformFile,
    is_override_file,
    linked_part,
    literal_string,
    read_directory,
    read_variable_file,
    shadowed_by_tofu,
    tofu_counterpart,
)
from keyless.iac.values import Node

#: ``(done, total)``: files read of the files found.
Tally = Callable[[int, int], None]


def read_paths(
    paths: Iterable[Path],
    *,
    var_files: Sequence[Path] = (),
    parameters: Mapping[str, str] | None = None,
    progress: Tally | None = None,
) -> IacModel:
    """Read every infrastructure file under ``paths``. Never raises for a bad file: it is
    recorded as unread, and the other files are still read. Raises
    :class:`~keyless.errors.InputError` for a directory among ``paths`` under which
    nothing was read or reported (:func:`~keyless.iac.sources.require_something_read`):
    nothing read must not look clean. ``parameters`` are the values
    of CloudFormation parameters (``--parameter``), as a stack deployment gives them.
    ``progress(done, total)`` is told how many of the files found have been read (for a
    progress bar)."""
    paths = list(paths)
    candidates, problems = discover(paths)
    count = _Counter(len(candidates), progress)
    unread = [_unread(p) for p in problems]
    files: list[ScannedFile] = []
    resources: list[IacResource] = []
    notes: list[str] = []
    included: set[Path] = set()
    keys: list[LiteralKey] = []
    data = [c for c in candidates if c.kind is FileKind.DATA]
    terraform = [c for c in candidates if c.kind is FileKind.TERRAFORM]
    # What was read or reported, whatever came of it (JSON or YAML that is neither a
    # template nor a plan is neither).
    taken = [c.path for c in candidates if c.kind is not FileKind.DATA]
    taken.extend(p.path for p in problems)
    for candidate in candidates:
        if candidate.kind is FileKind.TERRAGRUNT:
            notes.append(f"{candidate.path}: {TERRAGRUNT_REASON}")
            count.one()
    for candidate in data:
        before = (len(files), len(unread))
        resources.extend(_read_data(candidate, files, unread, notes, parameters or {}, keys))
        if (len(files), len(unread)) != before:
            taken.append(candidate.path)
        count.one()
    require_something_read(paths, taken)
    plans_given = any(f.kind == SourceKind.TERRAFORM_PLAN.value for f in files)
    if terraform and plans_given:
        notes.append(
            "Terraform configurations were not read: a plan was given, and a plan is the "
            "resolved truth of its configuration"
        )
    elif terraform:
        roots = root_directories(paths)
        _read_terraform(
            terraform, var_files, roots, files, resources, unread, notes, included, count, keys
        )
    count.rest()
    resources.sort(key=lambda r: (str(r.path), r.position, r.address))
    files.sort(key=lambda f: str(f.path))
    return IacModel(
        tuple(files),
        tuple(resources),
        tuple(dict.fromkeys(unread)),
        tuple(dict.fromkeys(notes)),
        tuple(sorted(included)),
        tuple(dict.fromkeys(keys)),
    )


class _Counter:
    """Files read of ``total``, told to ``progress`` after each one."""

    def __init__(self, total: int, progress: Tally | None) -> None:
        self.done = 0
        self.total = total
        self._progress = progress
        self._tell()

    def one(self) -> None:
        self.done += 1
        self._tell()

    def rest(self) -> None:
        """Everything counted (files not read, such as Terraform beside a plan)."""
        if self.done < self.total:
            self.done = self.total
            self._tell()

    def _tell(self) -> None:
        if self._progress is not None:
            self._progress(self.done, self.total)


TERRAGRUNT_REASON = (
    "Terragrunt configuration is not read: the module it deploys is judged only where it "
    "is scanned, with its own defaults, not the inputs this file gives"
)


def _unread(error: ReadError) -> Unread:
    where = error.path if error.position is None else location(error.path, error.position)
    return Unread(str(where), error.reason)


def _read_data(
    candidate: Candidate,
    files: list[ScannedFile],
    unread: list[Unread],
    notes: list[str],
    parameters: Mapping[str, str],
    keys: list[LiteralKey],
) -> list[IacResource]:
    """A JSON or YAML file: a plan, a CloudFormation template, or not infrastructure
    (``keys``: the access key IDs written in a plan or template)."""
    path = candidate.path
    try:
        # A leading UTF-8 byte order mark is dropped: the CloudFormation console takes a
        # template that starts with one (https://github.com/aws/aws-cdk/issues/29792) and
        # cfn-lint reads it, JSON or YAML. Terraform's JSON syntax refuses it (tffiles).
        source = read_source(path)
        if looks_like_plan(source):
            root = plan.parse_plan(path, source)
            if plan.is_plan(root):
                files.append(ScannedFile(path, SourceKind.TERRAFORM_PLAN.value))
                keys.extend(literal_keys(path, source, SourceKind.TERRAFORM_PLAN))
                return plan.read_plan(path, root)
        # A file with a top-level Resources key or a template version is parsed even
        # without an AWS:: type (YAML cut short may have lost them): if it is malformed,
        # that is reported, never clean. Other JSON and YAML (package.json, CI files) are
        # not infrastructure and are skipped, as the pre-commit hook relies on.
        named = path.name in serverless.NAMES
        if looks_like_cloudformation(source) or may_be_cloudformation(source) or named:
            root = cloudformation.parse_template(path, source)
            problems: list[ReadError] = []
            if not cloudformation.is_template(root) and serverless.is_serverless(path, root):
                # The resources section of serverless.yml: CloudFormation of the stack.
                root, problems = serverless.template_of(path, root)
                found = cloudformation.read_template(path, root, parameters, notes, problems)
                unread.extend(_unread(problem) for problem in problems)
                files.append(ScannedFile(path, SourceKind.CLOUDFORMATION.value))
                keys.extend(literal_keys(path, source, SourceKind.CLOUDFORMATION))
                return found
            if cloudformation.is_template(root):
                found = cloudformation.read_template(path, root, parameters, notes, problems)
                unread.extend(_unread(problem) for problem in problems)
                kind = SourceKind.CDK if "cdk.out" in path.parts else SourceKind.CLOUDFORMATION
                if any(r.source is SourceKind.CDK for r in found):
                    kind = SourceKind.CDK
                files.append(ScannedFile(path, kind.value))
                keys.extend(literal_keys(path, source, kind))
                return found
    except ReadError as error:
        unread.append(_unread(error))
    return []


def _read_terraform(
    candidates: list[Candidate],
    var_files: Sequence[Path],
    roots: tuple[Path, ...],
    files: list[ScannedFile],
    resources: list[IacResource],
    unread: list[Unread],
    notes: list[str],
    included: set[Path],
    count: _Counter,
    keys: list[LiteralKey],
) -> None:
    directories: dict[Path, list[TerraformFile]] = {}
    explicit: dict[Path, set[Path]] = {}
    cache: DirectoryCache = {}
    given = {c.path for c in candidates}
    named = {c.path for c in candidates if c.explicit}
    beside = (sibling for path in given for sibling in _beside(path))
    for shadowed in shadowed_by_tofu(beside):
        if shadowed not in given:
            continue
        reason = (
            f"not read: OpenTofu reads {_tofu_name(shadowed)} in its place (Terraform, "
            "which ignores .tofu files, would read this one)"
        )
        if shadowed in named:
            # The file the user asked about was not judged: the run is incomplete, never
            # clean (a walked directory's shadowed file is OpenTofu's choice: a note).
            unread.append(Unread(str(shadowed), reason))
        else:
            notes.append(f"{shadowed}: {reason}")
    for candidate in candidates:
        directory = candidate.path.parent
        if directory not in directories:
            parsed, problems = read_directory(directory, cache)
            directories[directory] = parsed
            unread.extend(_unread(p) for p in problems)
        if candidate.explicit:
            explicit.setdefault(directory, set()).add(candidate.path)
        count.one()
    # Every file read, a module's too: a key written there is in the code all the same;
    # an override file too, which is not read (tffiles.is_override_file) but is code.
    for parsed in directories.values():
        for file in parsed:
            keys.extend(literal_keys(file.path, file.text, SourceKind.TERRAFORM))
    for candidate in candidates:
        ignored = is_ignored_by_terraform(candidate.path.name)
        if ignored:
            reason = (
                "not read: Terraform ignores a file whose name starts with '.' (or '#', or "
                "ends with '~'), so nothing in it is deployed"
            )
            if candidate.explicit:  # the file asked about was not judged: never clean
                unread.append(Unread(str(candidate.path), reason))
            else:
                notes.append(f"{candidate.path}: {reason}")
        if ignored or is_override_file(candidate.path):
            with contextlib.suppress(ReadError):  # reported unread already
                text = read_source(candidate.path)
                keys.extend(literal_keys(candidate.path, text, SourceKind.TERRAFORM))
    called = _called_directories(directories)
    # A directory that was walked is reported whole, even if some of its files were named.
    walked = {c.path.parent for c in candidates if not c.explicit}
    for directory, parsed in directories.items():
        if directory not in explicit and directory.resolve() in called:
            continue  # read through the module call, with its inputs
        files.extend(ScannedFile(f.path, SourceKind.TERRAFORM.value) for f in parsed)
        inputs = _root_variables(directory, var_files, unread, keys)
        access = FileAccess(roots, Path(os.path.abspath(directory)))
        module = Module(directory, parsed, inputs=inputs, cache=cache, file_access=access)
        result = module.read()
        wanted = None if directory in walked else explicit.get(directory)
        resources.extend(r for r in result.resources if wanted is None or r.path in wanted)
        unread.extend(_unread(p) for p in result.problems)
        notes.extend(result.notes)
        included.update(access.opened)


def _beside(path: Path) -> tuple[Path, ...]:
    """``path`` and the ``.tofu`` file of the same name, if there is one."""
    tofu = tofu_counterpart(path)
    return (path, tofu) if tofu is not None and tofu.is_file() else (path,)


def _tofu_name(path: Path) -> str:
    tofu = tofu_counterpart(path)
    return tofu.name if tofu is not None else path.name


def _called_directories(directories: dict[Path, list[TerraformFile]]) -> set[Path]:
    """The scanned directories read only through the calls of other scanned modules (a
    local ``source``): those the modules read on their own reach. A directory that only
    a loop of calls reaches (a module calling itself, ``source = "./"``) is read on its
    own: skipped, it was reported as nothing at all (exit 0)."""
    calls: dict[Path, set[Path]] = {}
    for directory, parsed in directories.items():
        targets = calls.setdefault(directory.resolve(), set())
        for file in parsed:
            for block in file.body.blocks_of("module"):
                source = block.body.attributes.get("source")
                if source is None:
                    continue
                written = literal_string(source.expression)
                if written is None or not written.startswith(("./", "../")):
                    continue
                # A call through a symbolic link is not followed (tfcalls): the directory
                # it names, if scanned, is read as a module of its own.
                if linked_part(directory, written) is None:
                    targets.add((directory / written).resolve())
    called = set().union(*calls.values())
    reached: set[Path] = set()
    waiting = [directory for directory in calls if directory not in called]
    while waiting:
        for target in calls.get(waiting.pop(), ()):
            if target not in reached:
                reached.add(target)
                waiting.append(target)
    return reached


def _root_variables(
    directory: Path, var_files: Sequence[Path], unread: list[Unread], keys: list[LiteralKey]
) -> dict[str, Node]:
    """The values Terraform loads for a root module: ``terraform.tfvars(.json)``, then
    ``*.auto.tfvars(.json)`` in name order, then ``-var-file`` files in order (``keys``:
    the access key IDs written in them, as ``aws_access_key = "AKIA…"``).
    https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence"""
    automatic = [directory / "terraform.tfvars", directory / "terraform.tfvars.json"]
    with contextlib.suppress(OSError):
        automatic += sorted(
            p for p in directory.iterdir() if p.name.endswith((".auto.tfvars", ".auto.tfvars.json"))
        )
    values: dict[str, Node] = {}
    loaded = []
    for path in automatic:
        if path.is_symlink():
            # met while reading the directory, as a .tf file is when walking it: not
            # followed (it may point anywhere: /proc/self/environ, ~/.aws/credentials)
            unread.append(Unread(str(path), "symbolic link not followed"))
        elif path.is_file():
            loaded.append(path)
    for path in [*loaded, *var_files]:
        try:
            values.update(read_variable_file(path))
            keys.extend(literal_keys(path, read_source(path), SourceKind.TERRAFORM))
        except ReadError as error:
            unread.append(_unread(error))
    return values
