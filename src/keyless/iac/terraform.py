"""Terraform configurations read as Terraform evaluates them, as far as the code tells.

A module is a directory of ``.tf`` files
(https://developer.hashicorp.com/terraform/language/modules). Variables take the value a
module call passes, else the root module's ``terraform.tfvars`` / ``*.auto.tfvars`` (and
``--var-file``), else their default; locals, ``data "aws_iam_policy_document"`` and the
attributes of IAM resources declared in the configuration are evaluated; ``count`` and
``for_each`` expand into instances with Terraform's addresses. Modules with a local
``source`` are read with the inputs of their call; known community modules are read by
their inputs (:mod:`keyless.iac.modules`); other remote modules are noted as not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from lark import Tree

from keyless.iac import modules as known_modules
from keyless.iac.hcl import Block, Body, HclSyntaxError, parse_hcl
from keyless.iac.hcleval import Evaluator
from keyless.iac.hclrefs import Reference
from keyless.iac.hclsplit import parse_terraform
from keyless.iac.jsonpos import JsonSyntaxError, parse_json
from keyless.iac.model import DEPLOYING_ACCOUNT, IacResource, ResourceKind, SourceKind
from keyless.iac.policy_document import translate
from keyless.iac.sources import ReadError, read_source
from keyless.iac.values import (
    Attributes,
    JsonText,
    Node,
    SourcedText,
    Unknown,
    mapping,
    relocated,
)

_KINDS = {
    "aws_iam_user": ResourceKind.USER,
    "aws_iam_access_key": ResourceKind.ACCESS_KEY,
    "aws_iam_user_login_profile": ResourceKind.LOGIN_PROFILE,
    "aws_iam_role": ResourceKind.ROLE,
    "aws_iam_openid_connect_provider": ResourceKind.OIDC_PROVIDER,
}
_MODULE_META = frozenset(
    {"source", "version", "providers", "count", "for_each", "depends_on", "lifecycle"}
)
_MAX_MODULE_DEPTH = 16
_MAX_INSTANCES = 10_000
OWN_ACCOUNT_NOTE = f"the deploying account is shown as {DEPLOYING_ACCOUNT}"
PARTITION_NOTE = "judged in the aws partition"


@dataclass(frozen=True, slots=True)
class TerraformFile:
    """A parsed ``.tf`` file."""

    path: Path
    text: str
    body: Body


@dataclass
class ModuleResult:
    """What reading a module produced: resources, and notes on what was not read."""

    resources: list[IacResource] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[ReadError] = field(default_factory=list)


def parse_file(path: Path) -> TerraformFile:
    """Read and parse one ``.tf`` file. Raises :class:`ReadError` naming the position."""
    text = read_source(path)
    try:
        body = parse_terraform(text, is_read_eagerly)
    except HclSyntaxError as error:
        raise ReadError(path, f"malformed HCL: {error}") from None
    return TerraformFile(path, text, body)


#: The data sources keyless evaluates; other data sources are read at plan time.
DATA_SOURCES = frozenset(
    {
        "aws_iam_policy_document",
        "aws_caller_identity",
        "aws_partition",
        "aws_iam_openid_connect_provider",
    }
)


def is_read_eagerly(block_type: str, labels: tuple[str, ...]) -> bool:
    """The top-level blocks always parsed: what keyless judges or evaluates. Others
    (buckets, networks) are parsed only when a judged value refers to them."""
    if block_type in ("variable", "locals", "module"):
        return True
    kind = labels[0] if labels else ""
    return (block_type == "resource" and kind in _KINDS) or (
        block_type == "data" and kind in DATA_SOURCES
    )


def read_variable_file(path: Path) -> dict[str, Node]:
    """A ``.tfvars`` (HCL) or ``.tfvars.json`` file's values. Raises :class:`ReadError`."""
    text = read_source(path)
    if path.name.endswith(".json"):
        try:
            node = parse_json(text)
        except JsonSyntaxError as error:
            raise ReadError(path, f"malformed JSON: {error}") from None
        if not isinstance(node.value, Mapping):
            raise ReadError(path, "a variables file must hold an object")
        return dict(node.value)
    try:
        body = parse_hcl(text)
    except HclSyntaxError as error:
        raise ReadError(path, f"malformed HCL: {error}") from None

    def nothing(reference: Reference) -> tuple[Node, int]:
        reason = "a variables file holds values, not references"
        return Node(Unknown(reference.text, reason, reference.position), reference.position), 0

    evaluator = Evaluator(text, nothing)
    return {name: evaluator.evaluate(a.expression) for name, a in body.attributes.items()}


class Module:
    """One instance of a module: its files, its variables' values and its address."""

    def __init__(
        self,
        directory: Path,
        files: list[TerraformFile],
        *,
        inputs: Mapping[str, Node] | None = None,
        prefix: str = "",
        depth: int = 0,
        parents: tuple[Path, ...] = (),
        cache: DirectoryCache | None = None,
    ):
        self.directory = directory
        self.cache = cache if cache is not None else {}
        self.files = files
        self.inputs = dict(inputs or {})
        self.prefix = prefix
        self.depth = depth
        self.parents = parents
        self.evaluators = {f.path: Evaluator(f.text, self.resolve, f.path) for f in files}
        self.variables: dict[str, tuple[Block, TerraformFile]] = {}
        self.locals: dict[str, tuple[Tree[Any], TerraformFile]] = {}
        self.data: dict[tuple[str, str], tuple[Block, TerraformFile]] = {}
        self.declared: dict[tuple[str, str], tuple[Block, TerraformFile]] = {}
        self.calls: dict[str, tuple[Block, TerraformFile]] = {}
        for file in files:
            for block in file.body.blocks:
                self._index(block, file)
        self._local_values: dict[str, Node] = {}
        self._evaluating: set[str] = set()

    def _index(self, block: Block, file: TerraformFile) -> None:
        if block.type == "variable" and len(block.labels) == 1:
            self.variables[block.labels[0]] = (block, file)
        elif block.type == "locals":
            for name, attribute in block.body.attributes.items():
                self.locals[name] = (attribute.expression, file)
        elif block.type == "data" and len(block.labels) == 2:
            self.data[(block.labels[0], block.labels[1])] = (block, file)
        elif block.type == "resource" and len(block.labels) == 2:
            self.declared[(block.labels[0], block.labels[1])] = (block, file)
        elif block.type == "module" and len(block.labels) == 1:
            self.calls[block.labels[0]] = (block, file)

    # ----- references ------------------------------------------------------------------------

    def resolve(self, reference: Reference) -> tuple[Node, int]:
        """The value a reference names, and how many of its steps that used.

        A value defined in another file, or computed from another resource or a data
        source other than a policy document, is placed where the reference is: a finding
        then points into the file and resource it is about."""
        node, used, defined_in = self._resolve(reference)
        if defined_in is None or defined_in != reference.path:
            node = relocated(node, reference.position)
        return node, used

    def _resolve(self, reference: Reference) -> tuple[Node, int, Path | None]:
        """The value, the steps used, and the file it is defined in (None: relocate)."""
        root, steps = reference.root, reference.steps
        first = steps[0].name if steps else None
        if root == "var" and first is not None:
            return self.variable(first, reference), 1, None
        if root == "local" and first is not None:
            found_local = self.locals.get(first)
            return self.local(first, reference), 1, found_local[1].path if found_local else None
        if root == "data" and len(steps) >= 2 and first is not None and steps[1].name:
            found = self.data.get((first, steps[1].name))
            if found is None:
                return _unknown(reference, "no such data source in this module"), len(steps), None
            value = self._instances_value(found, reference, self._data_object)
            keeps = first == "aws_iam_policy_document"
            return value, 2, found[1].path if keeps else None
        if root in ("module", "path", "terraform", "self", "each", "count"):
            reason = {
                "module": "module outputs are not evaluated",
                "each": "each is only defined in a resource with for_each",
                "count": "count is only defined in a resource with count",
            }.get(root, f"{root}.* is not evaluated")
            return _unknown(reference, reason), len(steps), reference.path
        if first is not None and (root, first) in self.declared:
            found = self.declared[(root, first)]
            return self._instances_value(found, reference, self._resource_object), 1, None
        return _unknown(reference, "not evaluated"), len(steps), reference.path

    def variable(self, name: str, reference: Reference) -> Node:
        """A variable's value: the call's input, else the variables files', else the default."""
        if name in self.inputs:
            return self.inputs[name]
        found = self.variables.get(name)
        if found is None:
            return _unknown(reference, f"no variable {name!r} is declared")
        block, file = found
        default = block.body.attributes.get("default")
        if default is None:
            return _unknown(
                reference,
                "the variable has no default: give it in a .tfvars file or pass a plan",
            )
        return self.evaluators[file.path].evaluate(default.expression)

    def local(self, name: str, reference: Reference) -> Node:
        """A local value, evaluated once."""
        if name in self._local_values:
            return self._local_values[name]
        found = self.locals.get(name)
        if found is None:
            return _unknown(reference, f"no local {name!r} is declared")
        if name in self._evaluating:
            return _unknown(reference, "the local refers to itself")
        self._evaluating.add(name)
        try:
            expression, file = found
            value = self.evaluators[file.path].evaluate(expression)
        finally:
            self._evaluating.discard(name)
        self._local_values[name] = value
        return value

    def _instances_value(
        self,
        found: tuple[Block, TerraformFile],
        reference: Reference,
        build: Callable[[Block, TerraformFile, Mapping[str, Node]], Node],
    ) -> Node:
        """The object of a resource or data source; a list or map of objects when it has
        ``count`` or ``for_each``."""
        block, file = found
        try:
            instances = self.instances(block, file)
        except HclSyntaxError as error:
            reason = f"its block could not be parsed: {error}"
            return Node(Unknown(reference.text, reason, reference.position), reference.position)
        if isinstance(instances, Node):
            return instances
        if list(instances) == [None]:
            return build(block, file, instances[None])
        objects = {key: build(block, file, scope) for key, scope in instances.items()}
        if all(isinstance(k, int) for k in objects):
            return Node(tuple(objects.values()), block.position)
        return Node(mapping({str(k): v for k, v in objects.items()}), block.position)

    def instances(
        self, block: Block, file: TerraformFile
    ) -> dict[int | str | None, Mapping[str, Node]] | Node:
        """Instance keys and the scope of each (``count.index``, ``each.key/value``):
        ``{None: {}}`` for a single instance, an unknown node when it cannot be known.
        https://developer.hashicorp.com/terraform/language/meta-arguments/count"""
        evaluator = self.evaluators[file.path]
        count = block.body.attributes.get("count")
        for_each = block.body.attributes.get("for_each")
        if count is not None:
            value = evaluator.evaluate(count.expression)
            if isinstance(value.value, bool) or not isinstance(value.value, int):
                return _not_known(value, "count is not known")
            if value.value > _MAX_INSTANCES:
                reason = f"count above {_MAX_INSTANCES} is not expanded"
                return Node(Unknown("count", reason, value.position), value.position)
            return {
                i: {"count": Node(mapping({"index": Node(i, block.position)}), block.position)}
                for i in range(value.value)
            }
        if for_each is not None:
            value = evaluator.evaluate(for_each.expression)
            pairs: list[tuple[str, Node]]
            if isinstance(value.value, Mapping):
                pairs = list(value.value.items())
            elif isinstance(value.value, tuple) and all(
                isinstance(item.value, str) for item in value.value
            ):
                pairs = [(str(item.value), item) for item in value.value]
            else:
                return _not_known(value, "for_each is not known")
            return {
                key: {
                    "each": Node(
                        mapping({"key": Node(key, item.position), "value": item}), block.position
                    )
                }
                for key, item in pairs
            }
        return {None: {}}

    def _data_object(self, block: Block, file: TerraformFile, scope: Mapping[str, Node]) -> Node:
        kind = block.labels[0]
        evaluator = self.evaluators[file.path]
        position = block.position
        if kind == "aws_iam_policy_document":
            rendered = translate(block, lambda tree: evaluator.evaluate(tree, scope))
            return Node(mapping({"json": rendered, "minified_json": rendered}), position)
        if kind == "aws_caller_identity":
            account = Node(DEPLOYING_ACCOUNT, position, (OWN_ACCOUNT_NOTE,))
            return Node(mapping({"account_id": account, "id": account}), position)
        if kind == "aws_partition":
            partition = Node("aws", position, (PARTITION_NOTE,))
            suffix = Node("amazonaws.com", position, (PARTITION_NOTE,))
            return Node(mapping({"partition": partition, "dns_suffix": suffix}), position)
        if kind == "aws_iam_openid_connect_provider":
            url = block.body.attributes.get("url")
            if url is not None:
                host = evaluator.evaluate(url.expression, scope)
                return Node(mapping({"arn": _provider_arn(host), "url": host}), position)
        where = f"data.{kind}.{block.labels[1]}"
        reason = "data sources other than aws_iam_policy_document are read at plan time"
        return Node(Unknown(where, reason, position), position)

    def _resource_object(
        self, block: Block, file: TerraformFile, scope: Mapping[str, Node]
    ) -> Node:
        """A resource's arguments, and the attributes IAM computes from them."""
        evaluator = self.evaluators[file.path]
        members = {
            name: evaluator.evaluate(a.expression, scope)
            for name, a in block.body.attributes.items()
            if name not in ("count", "for_each", "depends_on", "provider")
        }
        kind = block.labels[0]
        name = members.get("name")
        path = members.get("path") or Node("/", block.position)
        if kind in ("aws_iam_role", "aws_iam_user") and name is not None:
            resource = "role" if kind == "aws_iam_role" else "user"
            if isinstance(name.value, str) and isinstance(path.value, str):
                arn = f"arn:aws:iam::{DEPLOYING_ACCOUNT}:{resource}{path.value}{name.value}"
                members["arn"] = Node(arn, block.position, (OWN_ACCOUNT_NOTE,))
                members["id"] = name
        if kind == "aws_iam_openid_connect_provider" and "url" in members:
            members["arn"] = _provider_arn(members["url"])
        address = f"{block.labels[0]}.{block.labels[1]}"
        return Node(Attributes(members, address, block.position), block.position)

    # ----- what the module declares ------------------------------------------------------------

    def read(self) -> ModuleResult:
        """The IAM resources of this module and of the modules it calls."""
        result = ModuleResult()
        for (kind, local_name), (block, file) in self.declared.items():
            resource_kind = _KINDS.get(kind)
            if resource_kind is None:
                continue
            instances = self.instances(block, file)
            address = f"{self.prefix}{kind}.{local_name}"
            if isinstance(instances, Node):
                unknown = instances.value
                assert isinstance(unknown, Unknown)
                result.problems.append(
                    ReadError(
                        file.path,
                        f"{block.position.line}:{block.position.column}: {address}: "
                        f"{unknown.reason} ({unknown.expression})",
                    )
                )
                continue
            for key, scope in instances.items():
                result.resources.append(
                    self._resource(resource_kind, block, file, address + _key(key), scope)
                )
        for name, (block, file) in self.calls.items():
            self._call(name, block, file, result)
        return result

    def _resource(
        self,
        kind: ResourceKind,
        block: Block,
        file: TerraformFile,
        address: str,
        scope: Mapping[str, Node],
    ) -> IacResource:
        evaluator = self.evaluators[file.path]
        # A key or a login profile is named by its user.
        named_by = "name" if kind in (ResourceKind.USER, ResourceKind.ROLE) else "user"
        name_attribute = block.body.attributes.get(named_by)
        name = evaluator.evaluate(name_attribute.expression, scope) if name_attribute else None
        trust = None
        trust_position = None
        if kind is ResourceKind.ROLE:
            attribute = block.body.attributes.get("assume_role_policy")
            if attribute is not None:
                trust_position = attribute.position
                trust = trust_document(evaluator.evaluate(attribute.expression, scope))
        return IacResource(
            kind=kind,
            address=address,
            type=block.labels[0],
            path=file.path,
            position=block.position,
            source=SourceKind.TERRAFORM,
            name=name.value if name is not None and isinstance(name.value, str) else None,
            trust=trust,
            trust_position=trust_position,
        )

    def _call(self, name: str, block: Block, file: TerraformFile, result: ModuleResult) -> None:
        evaluator = self.evaluators[file.path]
        source_attribute = block.body.attributes.get("source")
        source = evaluator.evaluate(source_attribute.expression) if source_attribute else None
        address = f"{self.prefix}module.{name}"
        if source is None or not isinstance(source.value, str):
            result.notes.append(f"{address}: its source is not known; not read")
            return
        instances = self.instances(block, file)
        if isinstance(instances, Node):
            result.notes.append(f"{address}: its count or for_each is not known; not read")
            return
        for key, scope in instances.items():
            inputs = {
                input_name: evaluator.evaluate(attribute.expression, scope)
                for input_name, attribute in block.body.attributes.items()
                if input_name not in _MODULE_META
            }
            instance = address + _key(key)
            if source.value.startswith(("./", "../")):
                self._local_call(instance, source.value, inputs, block, file, result)
                continue
            role = known_modules.role_from_module(
                source.value, inputs, instance, file.path, block.position
            )
            if role is not None:
                result.resources.append(role)
            else:
                result.notes.append(
                    f"{instance} ({source.value}): remote module not read; "
                    "pass `terraform show -json` output to judge what it creates"
                )

    def _local_call(
        self,
        address: str,
        source: str,
        inputs: Mapping[str, Node],
        block: Block,
        file: TerraformFile,
        result: ModuleResult,
    ) -> None:
        directory = (file.path.parent / source).resolve()
        if self.depth >= _MAX_MODULE_DEPTH or directory in self.parents:
            result.notes.append(f"{address}: module calls nest too deeply or in a loop; not read")
            return
        files, problems = read_directory(directory, self.cache)
        result.problems.extend(problems)
        if not files and not problems:
            result.notes.append(f"{address}: {source} holds no .tf files")
            return
        child = Module(
            directory,
            files,
            inputs=inputs,
            prefix=f"{address}.",
            depth=self.depth + 1,
            parents=(*self.parents, self.directory.resolve()),
            cache=self.cache,
        )
        found = child.read()
        result.resources.extend(found.resources)
        result.notes.extend(found.notes)
        result.problems.extend(found.problems)


#: Parsed directories of one reading, so a module called several times is parsed once.
DirectoryCache = dict[Path, tuple[list[TerraformFile], list[ReadError]]]


def read_directory(
    directory: Path, cache: DirectoryCache | None = None
) -> tuple[list[TerraformFile], list[ReadError]]:
    """Parse every ``.tf`` file of one directory (a module); unreadable ones are reported."""
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
        names = sorted(p for p in directory.iterdir() if p.name.endswith(".tf"))
    except OSError as error:
        return [], [ReadError(directory, f"cannot list: {error.strerror}")]
    for path in names:
        if path.is_symlink():
            problems.append(ReadError(path, "symbolic link not followed"))
            continue
        try:
            files.append(parse_file(path))
        except ReadError as error:
            problems.append(error)
    return files, problems


def trust_document(node: Node) -> Node:
    """A trust policy attribute's value as a structured document: ``jsonencode`` and
    policy documents as they are, JSON strings (heredocs) parsed with their positions."""
    value = node.value
    if isinstance(value, JsonText):
        return value.document
    if isinstance(value, str):
        try:
            if isinstance(value, SourcedText):
                return parse_json(value)
            return parse_json(value, pinned=node.position)
        except JsonSyntaxError as error:
            reason = f"the trust policy is not valid JSON ({error})"
            return Node(Unknown("assume_role_policy", reason, node.position), node.position)
    return node


def _provider_arn(url: Node) -> Node:
    """``arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`` for a provider's URL."""
    if not isinstance(url.value, str):
        return url
    host = url.value.removeprefix("https://")
    arn = f"arn:aws:iam::{DEPLOYING_ACCOUNT}:oidc-provider/{host}"
    return Node(arn, url.position, (OWN_ACCOUNT_NOTE,))


def _unknown(reference: Reference, reason: str) -> Node:
    return Node(Unknown(reference.text, reason, reference.position), reference.position)


def _not_known(value: Node, reason: str) -> Node:
    if isinstance(value.value, Unknown):
        return value
    return Node(Unknown("count/for_each", reason, value.position), value.position)


def _key(key: int | str | None) -> str:
    """Terraform's instance key syntax: ``[0]`` or ``["name"]``."""
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return f"[{orjson.dumps(key).decode()}]"


def modules_of(paths: list[Path]) -> Iterator[Path]:
    """The directories holding ``paths`` (``.tf`` files), each once, in order."""
    seen: dict[Path, None] = {}
    for path in paths:
        seen.setdefault(path.parent, None)
    yield from seen
