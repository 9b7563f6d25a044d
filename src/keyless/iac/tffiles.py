"""Terraform files as parsed: one ``.tf`` file, a module's directory, a variables file.

Parsing is kept apart from evaluation (:mod:`keyless.iac.terraform`): a directory is
parsed once per reading however often it is called, and only the blocks keyless judges or
evaluates are parsed eagerly (:func:`is_read_eagerly`); unreadable files and symbolic
links are reported as :class:`~keyless.iac.sources.ReadError`, never followed or skipped
silently.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from keyless.iac.hcl import Block, Body, HclSyntaxError, HclTooLargeError, parse_hcl
from keyless.iac.hcleval import Evaluator
from keyless.iac.hcljson import json_node
from keyless.iac.hclrefs import Reference
from keyless.iac.hclsplit import parse_terraform
from keyless.iac.jsonpos import JsonSyntaxError, parse_json
from keyless.iac.model import ResourceKind
from keyless.iac.sources import (
    JSON_CONFIGURATION_SUFFIXES,
    ReadError,
    is_ignored_by_terraform,
    read_source,
)
from keyless.iac.tfjson import JsonConfigurationError, parse_json_configuration
from keyless.iac.tflabels import RefusedBlockError
from keyless.iac.values import MAX_LITERAL_DEPTH, Node, Unknown, deeper_than

#: What some Windows editors write first in a UTF-8 file.
BYTE_ORDER_MARK = "\ufeff"

#: The Terraform resource types that deploy a CloudFormation template, whose IAM resources
#: keyless reads (:mod:`keyless.iac.tfstacks`).
STACK_TYPES = frozenset({"aws_cloudformation_stack", "aws_cloudformation_stack_set"})

#: The Terraform resource types keyless judges, and what each is.
RESOURCE_KINDS = {
    "aws_iam_user": ResourceKind.USER,
    "aws_iam_access_key": ResourceKind.ACCESS_KEY,
    "aws_iam_user_login_profile": ResourceKind.LOGIN_PROFILE,
    "aws_iam_role": ResourceKind.ROLE,
    "aws_iam_openid_connect_provider": ResourceKind.OIDC_PROVIDER,
}


@dataclass(frozen=True, slots=True)
class TerraformFile:
    """A parsed ``.tf`` file (or ``.tofu``, ``.tf.json``, ``.tofu.json``)."""

    path: Path
    text: str
    body: Body


def parse_file(path: Path) -> TerraformFile:
    """Read and parse one ``.tf`` file, or one in Terraform's JSON syntax (``.tf.json``).
    Raises :class:`ReadError` naming the position."""
    if path.name.endswith(JSON_CONFIGURATION_SUFFIXES):
        text = _json_source(path)
        try:
            return TerraformFile(path, text, parse_json_configuration(text, is_read_eagerly))
        except JsonConfigurationError as error:
            raise ReadError(path, str(error)) from None
    text = read_source(path)
    try:
        body = parse_terraform(text, is_read_eagerly)
    except HclSyntaxError as error:
        raise ReadError(path, _problem(error)) from None
    return TerraformFile(path, text, body)


def _json_source(path: Path) -> str:
    """A file in Terraform's JSON syntax (a ``.tf.json`` file, a ``.tfvars.json`` file) as
    text. Terraform reads a native ``.tf`` file past a leading UTF-8 byte order mark
    (https://github.com/hashicorp/terraform/pull/19715: "native syntax" only), but hands a
    ``.json`` file to HCL's JSON parser as it is (``LoadHCLFile`` in
    https://github.com/hashicorp/terraform/blob/main/internal/configs/parser.go), whose
    scanner has no case for the mark and refuses the file ("Invalid start of value" at
    line 1, column 1: https://github.com/hashicorp/hcl/blob/main/json/scanner.go). So
    such a file is unread, never judged as Terraform would not deploy it."""
    text = read_source(path, keep_byte_order_mark=True)
    if text.startswith(BYTE_ORDER_MARK):
        reason = (
            "starts with a UTF-8 byte order mark (U+FEFF), which Terraform's JSON syntax "
            'refuses ("Invalid start of value" at line 1, column 1); save the file as UTF-8 '
            "without one"
        )
        # Placed in the reason, as the JSON syntax's other errors are: the file itself is
        # what is unread (`keyless trust FILE` names it and exits 2).
        raise ReadError(path, reason)
    return text


def _problem(error: HclSyntaxError) -> str:
    if isinstance(error, HclTooLargeError | RefusedBlockError):
        return str(error)  # well-formed HCL, refused
    return f"malformed HCL: {error}"


#: The file names Terraform (``.tf``, ``.tf.json``) and OpenTofu (also ``.tofu``,
#: ``.tofu.json``) read as a module's configuration.
CONFIGURATION_SUFFIXES = (".tf", ".tofu", *JSON_CONFIGURATION_SUFFIXES)

#: The data sources keyless evaluates; other data sources are read at plan time.
DATA_SOURCES = frozenset(
    {
        "aws_iam_policy_document",
        "aws_caller_identity",
        "aws_organizations_organization",
        "aws_partition",
        "aws_service_principal",
        "aws_iam_openid_connect_provider",
    }
)


def is_read_eagerly(block_type: str, labels: tuple[str, ...]) -> bool:
    """The top-level blocks always parsed: what keyless judges or evaluates. Others
    (buckets, networks) are only checked for syntax until a judged value refers to them."""
    if block_type in ("variable", "locals", "module"):
        return True
    kind = labels[0] if labels else ""
    return (block_type == "resource" and kind in RESOURCE_KINDS) or (
        block_type == "data" and kind in DATA_SOURCES
    )


def read_variable_file(path: Path) -> dict[str, Node]:
    """A ``.tfvars`` (HCL) or ``.tfvars.json`` file's values. Raises :class:`ReadError`."""
    if path.name.endswith(".json"):
        text = _json_source(path)
        try:
            node = parse_json(text)
        except JsonSyntaxError as error:
            raise ReadError(path, f"malformed JSON: {error}") from None
        if not isinstance(node.value, Mapping):
            raise ReadError(path, "a variables file must hold an object")
        return {name: _bounded(name, value) for name, value in node.value.items()}
    text = read_source(path)
    try:
        body = parse_hcl(text)
    except HclSyntaxError as error:
        raise ReadError(path, _problem(error)) from None

    def nothing(reference: Reference) -> tuple[Node, int]:
        reason = "a variables file holds values, not references"
        return Node(Unknown(reference.text, reason, reference.position), reference.position), 0

    evaluator = Evaluator(text, nothing)
    return {name: evaluator.evaluate(a.expression) for name, a in body.attributes.items()}


def _bounded(name: str, value: Node) -> Node:
    """A value of a ``.tfvars.json`` file, unknown past the depth expressions are evaluated
    to (what reads a value walks it recursively: 500 levels exhausted Python's stack)."""
    if deeper_than(value, MAX_LITERAL_DEPTH):
        unknown = Unknown(f"var.{name}", "nested too deeply to evaluate", value.position)
        return Node(unknown, value.position)
    return value


#: Parsed directories of one reading, so a module called several times is parsed once.
DirectoryCache = dict[Path, tuple[list[TerraformFile], list[ReadError]]]


def read_directory(
    directory: Path, cache: DirectoryCache | None = None
) -> tuple[list[TerraformFile], list[ReadError]]:
    """Parse every ``.tf`` and ``.tofu`` file of one directory (a module), but a ``.tf``
    file a ``.tofu`` one replaces (:func:`shadowed_by_tofu`); unreadable ones are
    reported."""
    key = directory.resolve()
    if cache is not None and key in cache:
        return cache[key]
    found = _read_directory(directory)
    if cache is not None:
        cache[key] = found
    return found


def _read_directory(directory: Path) -> tuple[list[TerraformFile], list[ReadError]]:
    files: list[TerraformFile] = []
    problems: list[ReadError] = []
    try:
        listed = sorted(directory.iterdir())
    except OSError as error:
        return [], [ReadError(directory, f"cannot list: {error.strerror}")]
    # As Terraform lists a module: neither a directory (x.tf/) nor a file it ignores
    # (.main.tf, an editor's .#main.tf lock) is configuration.
    names = [
        p
        for p in listed
        if p.name.endswith(CONFIGURATION_SUFFIXES)
        and not is_ignored_by_terraform(p.name)
        and (p.is_symlink() or not p.is_dir())
    ]
    shadowed = set(shadowed_by_tofu(names))
    names = [p for p in names if p not in shadowed]
    overrides = [p for p in names if is_override_file(p)]
    for path in sorted(overrides):
        # Terraform merges an override file's blocks into the ones they name, argument by
        # argument: keyless does not, so it reads neither as deployed (never clean).
        if path in names:
            names.remove(path)
        problems.append(ReadError(path, _OVERRIDE_REASON))
    for path in names:
        if path.is_symlink():
            problems.append(ReadError(path, "symbolic link not followed"))
            continue
        try:
            files.append(parse_file(path))
        except ReadError as error:
            problems.append(error)
    return files, problems


_OVERRIDE_REASON = (
    "an override file: Terraform merges its blocks into the ones they name, which keyless "
    "does not, so what it changes is not read; pass `terraform show -json` output to judge "
    "the module (https://developer.hashicorp.com/terraform/language/files/override)"
)


def is_override_file(path: Path) -> bool:
    """``override.tf`` or ``*_override.tf`` (``.tofu``, ``.tf.json`` and ``.tofu.json``
    too): loaded after the others and merged into the blocks it names."""
    name = path.name
    for suffix in (*JSON_CONFIGURATION_SUFFIXES, ".tf", ".tofu"):
        if name.endswith(suffix):
            stem = name.removesuffix(suffix)
            return stem == "override" or stem.endswith("_override")
    return False


def tofu_counterpart(path: Path) -> Path | None:
    """The OpenTofu file that would replace ``path`` (``main.tofu`` for ``main.tf``,
    ``main.tofu.json`` for ``main.tf.json``), whether it exists or not."""
    for terraform, tofu in ((".tf.json", ".tofu.json"), (".tf", ".tofu")):
        if path.name.endswith(terraform):
            return path.parent / (path.name.removesuffix(terraform) + tofu)
    return None


def shadowed_by_tofu(paths: Iterable[Path]) -> list[Path]:
    """The ``.tf`` files OpenTofu does not load because a ``.tofu`` file of the same name
    is beside them (``main.tofu`` in place of ``main.tf``; ``main.tofu.json`` in place of
    ``main.tf.json``): a module written for both tools keeps each one's version, and
    OpenTofu's is read.
    https://opentofu.org/docs/language/files/#extension-precedence"""
    given = list(paths)
    found = []
    for terraform, tofu in ((".tf", ".tofu"), (".tf.json", ".tofu.json")):
        stems = {p.parent / p.name.removesuffix(tofu) for p in given if p.name.endswith(tofu)}
        found += [
            p
            for p in given
            if p.name.endswith(terraform) and p.parent / p.name.removesuffix(terraform) in stems
        ]
    return found


def literal_string(expression: object) -> str | None:
    """A plain string literal's text (a module's ``source`` must be one in Terraform)."""
    from lark import Token, Tree

    if not isinstance(expression, Tree):
        return None
    written = json_node(expression)  # a .tf.json file's module source: a JSON string
    if written is not None:
        return written.value if isinstance(written.value, str) else None
    strings = list(expression.find_data("string"))
    if len(strings) != 1:
        return None
    tokens = list(strings[0].scan_values(lambda v: isinstance(v, Token)))
    parts = [str(t) for t in tokens if t.type == "STRING_CHARS"]
    return "".join(parts) if len(parts) == len(tokens) - 2 else None


def linked_part(directory: Path, source: str) -> Path | None:
    """The first part of the local module path ``source``, taken from ``directory``, that
    is a symbolic link (None when none is, or the path does not exist: reading it says
    so). Only the parts ``source`` adds are looked at, as the walker looks only below
    the directories it is given."""
    start = os.path.abspath(directory)
    target = Path(os.path.normpath(os.path.join(start, source)))
    base = Path(os.path.commonpath([start, target]))
    current = base
    for part in target.relative_to(base).parts:
        current = current / part
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                # named as the walker names it: relative when the scan was
                return current if directory.is_absolute() else Path(os.path.relpath(current))
        except OSError:
            return None
    return None


_MAX_CALL_DEPTH = 16


def may_declare_iam(
    directory: Path,
    cache: DirectoryCache,
    reads_remote: Callable[[str, str | None], bool],
    seen: frozenset[Path] = frozenset(),
) -> bool:
    """Whether the module in ``directory`` — or a module it calls — may create an IAM
    resource keyless judges: it declares one, calls a local module that may, or calls a
    remote one ``reads_remote`` says keyless reads (given its source and its ``version``,
    if any: what a known module creates depends on it). A file that cannot be parsed, or
    a source that is not a literal, may (never assumed away)."""
    here = directory.resolve()
    if here in seen:
        return False  # a loop: never deployed (terraform init fails), a note where read
    if len(seen) >= _MAX_CALL_DEPTH:
        # Deployable, but past what keyless follows (as keyless.iac.tfcalls reads a call):
        # what lies below is not looked at, so it may create one.
        return True
    files, problems = read_directory(directory, cache)
    if problems:
        return True
    for file in files:
        for block in file.body.blocks:
            kind = block.labels[0] if block.type == "resource" and block.labels else None
            if kind in RESOURCE_KINDS or kind in STACK_TYPES:
                return True
            if block.type != "module":
                continue
            source = block.body.attributes.get("source")
            written = literal_string(source.expression) if source is not None else None
            if written is None:
                return True
            if written.startswith(("./", "../")):
                if linked_part(directory, written) is not None:
                    return True  # not followed: reported where it is read
                if may_declare_iam(directory / written, cache, reads_remote, seen | {here}):
                    return True
            elif reads_remote(written, _version_text(block)):
                return True
    return False


def _version_text(block: Block) -> str | None:
    """A module call's ``version`` as written (None without one). Terraform takes only a
    literal there: another expression is the empty text, a constraint no module reads,
    so a known module is taken to create what it may (never assumed away)."""
    attribute = block.body.attributes.get("version")
    if attribute is None:
        return None
    return literal_string(attribute.expression) or ""
