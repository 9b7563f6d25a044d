"""Terraform's JSON configuration syntax (``*.tf.json``, ``*.tofu.json``) read into the
blocks and attributes the native syntax's reader gives (:mod:`keyless.iac.hcl`), so one
module reader and one evaluator judge both.

HCL's JSON mapping needs the schema of each block to tell a nested block from an
argument whose value is an object; this module knows the schemas keyless reads: the
top-level block types and their labels, the meta-blocks of resources (``lifecycle``,
``dynamic``...), and the nested blocks of ``aws_iam_policy_document`` (``statement``,
``principals``, ``condition``). Everything else is an argument: read when a judged value
refers to it, never guessed. As Terraform does, a block's labels are nested objects; a body
is an object, or an array of objects (several blocks); a ``"//"`` property of a body is a
comment; a ``null`` body is no block; a variable's ``default`` and a module's ``source``
are taken literally, while other strings are templates (:mod:`keyless.iac.hcljson`). A
file Terraform refuses (a key twice in one object, a body that is not an object) is
refused whole, by JSON pointer.
https://developer.hashicorp.com/terraform/language/syntax/json
https://github.com/hashicorp/hcl/blob/main/json/spec.md
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lark import Tree

from keyless.duplicate_keys import find_duplicate_key
from keyless.errors import quoted
from keyless.iac.hcl import Attribute, Block, Body, parse_expression
from keyless.iac.hcljson import LITERAL, json_tree
from keyless.iac.jsonpos import DeferredJson, JsonSyntaxError, parse_json
from keyless.iac.tflabels import refused_block_type, refused_label
from keyless.iac.values import Node, Position
from keyless.policy.document import escape_pointer

#: The comment property HCL ignores in an object that is a body.
COMMENT = "//"
#: The most values a file may hold (as for YAML, yamlpos.MAX_NODES): each is kept with its
#: position, about 200 bytes, so 64 MiB of `[0,0,…]` would have taken gigabytes.
MAX_VALUES = 2_000_000


class JsonConfigurationError(ValueError):
    """A ``.tf.json`` file Terraform refuses: what, where, and the JSON pointer."""

    def __init__(self, message: str, position: Position, pointer: str | None = ""):
        where = f"at {pointer or '/'}, " if pointer is not None else ""
        super().__init__(f"{message} ({where}line {position.line}, column {position.column})")
        self.message = message
        self.position = position
        self.pointer = pointer


@dataclass(frozen=True, slots=True)
class Schema:
    """What a body holds besides arguments: nested block types with their number of
    labels and schema; arguments taken literally; arguments read as native expressions."""

    blocks: Mapping[str, tuple[int, Schema]] = field(default_factory=dict)
    literal: frozenset[str] = frozenset()
    native: frozenset[str] = frozenset()


_LEAF = Schema()
_STATEMENT = Schema(
    {"principals": (0, _LEAF), "not_principals": (0, _LEAF), "condition": (0, _LEAF)}
)
# Terraform's meta-blocks of every resource and data source.
# https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle
_META_BLOCKS: Mapping[str, tuple[int, Schema]] = {
    "lifecycle": (0, Schema({"precondition": (0, _LEAF), "postcondition": (0, _LEAF)})),
    "provisioner": (1, Schema({"connection": (0, _LEAF)})),
    "connection": (0, _LEAF),
}
#: The nested blocks of the resource and data source types keyless reads (the AWS
#: provider's schemas); other types' nested blocks are left as arguments, never read.
_TYPED_BLOCKS: Mapping[tuple[str, str], Mapping[str, tuple[int, Schema]]] = {
    ("data", "aws_iam_policy_document"): {"statement": (0, _STATEMENT)},
    ("resource", "aws_iam_role"): {"inline_policy": (0, _LEAF)},
}
_VARIABLE = Schema(
    {"validation": (0, _LEAF)},
    literal=frozenset({"default", "description", "sensitive", "nullable", "ephemeral"}),
    native=frozenset({"type"}),
)
_OUTPUT = Schema({"precondition": (0, _LEAF)}, literal=frozenset({"description", "sensitive"}))
_MODULE = Schema(literal=frozenset({"source", "version"}))
_TERRAFORM = Schema(
    {"required_providers": (0, _LEAF), "backend": (1, _LEAF), "cloud": (0, _LEAF)},
    literal=frozenset({"required_version"}),
)
#: The top-level block types: labels, and the schema of their body (None: by type).
_TOP_LEVEL: Mapping[str, tuple[int, Schema | None]] = {
    "resource": (2, None),
    "data": (2, None),
    "ephemeral": (2, None),
    "variable": (1, _VARIABLE),
    "output": (1, _OUTPUT),
    "module": (1, _MODULE),
    "provider": (1, Schema(literal=frozenset({"alias"}))),
    "check": (1, Schema({"data": (2, _LEAF), "assert": (0, _LEAF)})),
    "locals": (0, _LEAF),
    "terraform": (0, _TERRAFORM),
    "moved": (0, _LEAF),
    "import": (0, _LEAF),
    "removed": (0, _LEAF),
}
_DYNAMIC = "dynamic"
#: The block types whose bodies' arguments may be read only when referred to.
_LAZY_TYPES = frozenset({"resource", "data"})


def parse_json_configuration(
    text: str, eager: Callable[[str, tuple[str, ...]], bool] | None = None
) -> Body:
    """A ``.tf.json`` file's top-level blocks. Raises :class:`JsonConfigurationError`
    (the file is malformed JSON, has a key twice, or holds what Terraform refuses).

    A resource or data source that ``eager`` does not select (as for ``.tf`` files,
    :func:`keyless.iac.hclsplit.parse_terraform`) has its body checked but read only
    when a judged value refers to it: CDKTF writes whole stacks into one file, whose
    buckets and functions would otherwise be most of the time and memory spent."""
    # Every value but the first follows a comma or opens a container: a bound found in C.
    values = text.count(",") + text.count("[") + text.count("{") + 1
    if values > MAX_VALUES:
        raise JsonConfigurationError(
            f"too many values (about {values:,}; keyless reads at most {MAX_VALUES:,} "
            "values of a JSON configuration)",
            Position(1, 1),
            None,
        )
    # Reading creates no reference cycles, but each allocation would let the cyclic GC
    # walk the nodes read so far again (as for an export: load_export): paused here,
    # restored whatever happens.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _configuration(text, eager)
    finally:
        if paused:
            gc.enable()


def _configuration(text: str, eager: Callable[[str, tuple[str, ...]], bool] | None) -> Body:
    try:
        root = parse_json(text, defer=None if eager is None else _deferred_bodies(eager))
    except JsonSyntaxError as error:
        raise JsonConfigurationError(
            f"malformed JSON: {error.message}", error.position, _pointer_of(error, text)
        ) from None
    if not isinstance(root.value, Mapping):
        raise JsonConfigurationError("a JSON configuration must hold an object", root.position)
    blocks: list[Block] = []
    for key, value in root.value.items():
        if key == COMMENT:
            continue
        refused = refused_block_type(key)
        if refused is not None:  # as in a .tf file (keyless.iac.tflabels)
            raise JsonConfigurationError(refused, value.position, f"/{escape_pointer(key)}")
        if key not in _TOP_LEVEL:
            continue  # a block type keyless does not read (as in .tf files)
        labels, schema = _TOP_LEVEL[key]
        blocks.extend(_blocks(key, value, labels, schema, f"/{escape_pointer(key)}", ()))
    return Body(MappingProxyType({}), tuple(blocks))


def _deferred_bodies(
    eager: Callable[[str, tuple[str, ...]], bool],
) -> Callable[[tuple[str, ...]], bool]:
    """Whether a value, by the keys leading to it, is the body of a resource or data
    source ``eager`` leaves unread: ``resource``, type, name (arrays between them, as
    HCL's JSON mapping allows, add no key)."""

    def defer(keys: tuple[str, ...]) -> bool:
        return len(keys) == 3 and keys[0] in _LAZY_TYPES and not eager(keys[0], keys[1:])

    return defer


def _pointer_of(error: JsonSyntaxError, text: str) -> str | None:
    """The JSON pointer of a duplicate key (None for other errors)."""
    if not error.message.startswith("duplicate key"):
        return None
    try:
        # Read by its own parser, which keeps every integer exact: a wide one is no error.
        return find_duplicate_key(text.encode("utf-8", "surrogatepass"), read_by_orjson=False)
    except (RecursionError, ValueError):
        return None


def _blocks(
    block_type: str,
    value: Node,
    labels_left: int,
    schema: Schema | None,
    pointer: str,
    labels: tuple[str, ...],
) -> Iterator[Block]:
    """HCL's ``unpackBlock``: one object level per label, then a body or an array of them."""
    if labels_left:
        found = list(_properties(value, pointer, f"the labels of a {block_type} block"))
        if not found:
            raise JsonConfigurationError(
                f"a {block_type} block needs a label: an object with at least one property",
                value.position,
                pointer,
            )
        for label, inner, where in found:
            refused = refused_label(block_type, (*labels, label))
            if refused is not None:  # as in a .tf file (keyless.iac.tflabels)
                raise JsonConfigurationError(refused[1], inner.position, where)
            yield from _blocks(block_type, inner, labels_left - 1, schema, where, (*labels, label))
        return
    chosen = schema if schema is not None else _resource_schema(block_type, labels)
    if isinstance(value.value, DeferredJson):
        if _is_plain_body(value.value, chosen):
            yield Block(block_type, labels, _deferred_body(value, chosen, pointer), value.position)
            return
        value = value.value.load()
    if value.value is None:
        return  # no block
    if isinstance(value.value, Mapping):
        yield Block(block_type, labels, _body(value, chosen, pointer), value.position)
        return
    if isinstance(value.value, tuple):
        for index, item in enumerate(value.value):
            yield Block(
                block_type, labels, _body(item, chosen, f"{pointer}/{index}"), item.position
            )
        return
    raise JsonConfigurationError(
        f"a {block_type} block must be a JSON object or an array of objects",
        value.position,
        pointer,
    )


def _is_plain_body(deferred: DeferredJson, schema: Schema) -> bool:
    """Whether a body checked well-formed, not yet read, is an object of arguments alone,
    which reading it later cannot find fault with: no name of a nested block written in
    it, nor any ``\\u`` escape that could spell one. Anything else is read now, so what
    Terraform refuses in it makes the file unread at once."""
    return deferred.holds_object() and not deferred.matches(
        _nested_block_names(frozenset(schema.blocks))
    )


@functools.cache
def _nested_block_names(blocks: frozenset[str]) -> re.Pattern[str]:
    """A nested block's name as a key, or an escape that could spell one."""
    names = "|".join(re.escape(name) for name in sorted({*blocks, _DYNAMIC}))
    return re.compile(rf'\\u|"(?:{names})"')


def _deferred_body(value: Node, schema: Schema, pointer: str) -> Callable[[], Body]:
    deferred = value.value
    assert isinstance(deferred, DeferredJson)
    return lambda: _body(deferred.load(), schema, pointer)


def _resource_schema(block_type: str, labels: tuple[str, ...]) -> Schema:
    typed = _TYPED_BLOCKS.get((block_type, labels[0] if labels else ""), {})
    return Schema({**_META_BLOCKS, **typed})


def _properties(value: Node, pointer: str, what: str) -> Iterator[tuple[str, Node, str]]:
    """HCL's ``collectDeepAttrs``: the properties of an object, or of each object of an
    array in order; nothing for null."""
    if value.value is None:
        return
    if isinstance(value.value, Mapping):
        for key, item in value.value.items():
            yield key, item, f"{pointer}/{escape_pointer(key)}"
        return
    if isinstance(value.value, tuple):
        for index, element in enumerate(value.value):
            if not isinstance(element.value, Mapping):
                raise JsonConfigurationError(
                    f"{what} must be a JSON object", element.position, f"{pointer}/{index}"
                )
            for key, item in element.value.items():
                yield key, item, f"{pointer}/{index}/{escape_pointer(key)}"
        return
    raise JsonConfigurationError(
        f"{what} must be a JSON object or an array of objects", value.position, pointer
    )


def _body(value: Node, schema: Schema, pointer: str) -> Body:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for key, item, where in _properties(value, pointer, "a block's body"):
        if key == COMMENT:
            continue
        if key in schema.blocks:
            labels, nested = schema.blocks[key]
            blocks.extend(_blocks(key, item, labels, nested, where, ()))
            continue
        if key == _DYNAMIC and schema.blocks:
            blocks.extend(_dynamic(item, schema, where))
            continue
        if key in attributes:
            raise JsonConfigurationError(
                f"the argument {quoted(key)} is set twice", item.position, where
            )
        attributes[key] = Attribute(key, _expression(key, item, schema, where), item.position)
    return Body(MappingProxyType(attributes), tuple(blocks))


def _dynamic(value: Node, schema: Schema, pointer: str) -> Iterator[Block]:
    """``"dynamic": {"statement": {"for_each": ..., "content": {...}}}``: the generated
    block type's schema is the ``content``'s."""
    for label, inner, where in _properties(value, pointer, "the labels of a dynamic block"):
        generated = schema.blocks.get(label, (0, _LEAF))[1]
        body_schema = Schema({"content": (0, generated)}, native=frozenset({"iterator"}))
        yield from _blocks(_DYNAMIC, inner, 0, body_schema, where, (label,))


def _expression(name: str, value: Node, schema: Schema, pointer: str) -> Tree[Any]:
    if name in schema.literal:
        return json_tree(value, LITERAL)
    if name in schema.native:
        written = value.value
        parsed = parse_expression(written, value.position) if isinstance(written, str) else None
        if parsed is None:
            raise JsonConfigurationError(
                f"{quoted(name)} must be a string holding an expression", value.position, pointer
            )
        return parsed
    return json_tree(value)
