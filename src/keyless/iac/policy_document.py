"""``data "aws_iam_policy_document"`` translated into the policy document it renders.

Follows the AWS provider's documentation
(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document):
``statement`` blocks with ``sid``, ``effect`` (default ``Allow``), ``actions`` /
``not_actions``, ``resources`` / ``not_resources``, ``principals`` / ``not_principals``
(``type`` and ``identifiers``; ``type = "*"`` with ``identifiers = ["*"]`` renders
``"Principal": "*"``) and ``condition`` blocks (``test``, ``variable``, ``values``; blocks
with the same test and variable add their values together); ``source_policy_documents``
come first and ``override_policy_documents`` replace statements with the same ``sid``
(the deprecated ``source_json`` and ``override_json`` as one more of each: the first
source, the last override).
``dynamic`` blocks (``statement``, ``principals``, ``condition``...) are expanded as
Terraform expands them when their ``for_each`` is known, with the iterator's ``key`` and
``value`` in scope
(https://developer.hashicorp.com/terraform/language/expressions/dynamic-blocks); when it
is not, the document is unknown: a dropped condition would make a pinned role look open.
Every part keeps the position of the block or attribute it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from lark import Token, Tree

from keyless.errors import quoted
from keyless.iac.hcl import Block, Body
from keyless.iac.jsonpos import JsonSyntaxError, parse_json
from keyless.iac.values import (
    MAX_LITERAL_DEPTH,
    JsonText,
    Node,
    Position,
    SourcedText,
    Unknown,
    deeper_than,
    document,
    mapping,
)

# An expression evaluated with iteration variables (dynamic blocks' iterators) in scope.
Evaluate = Callable[[Tree[Any], Mapping[str, Node]], Node]
Scope = Mapping[str, Node]
_EMPTY: Scope = {}

_LIST_KEYS = {
    "actions": "Action",
    "not_actions": "NotAction",
    "resources": "Resource",
    "not_resources": "NotResource",
}


def translate(block: Block, evaluate: Evaluate) -> Node:
    """The document ``block`` renders, as a :class:`JsonText` node."""
    body = block.body
    members: dict[str, Node] = {}
    version = _attribute(body, "version", evaluate, _EMPTY)
    members["Version"] = version or Node("2012-10-17", block.position)
    policy_id = _attribute(body, "policy_id", evaluate, _EMPTY)
    if policy_id is not None:
        members["Id"] = policy_id
    expanded = blocks_of(body, "statement", evaluate, _EMPTY)
    if isinstance(expanded, Node):
        return expanded
    statements = []
    for statement_block, scope in expanded:
        statement = _statement(statement_block, evaluate, scope)
        if isinstance(statement.value, Unknown):
            return statement
        statements.append(statement)
    # The deprecated source_json and override_json merge as one more document each:
    # source_json first of the sources, override_json last of the overrides (the AWS
    # provider's dataSourcePolicyDocumentRead).
    source_json = _attribute(body, "source_json", evaluate, _EMPTY)
    source_documents = _attribute(body, "source_policy_documents", evaluate, _EMPTY)
    refused = _duplicate_sid(source_json, source_documents, statements, block.position)
    if refused is not None:
        return refused
    sources = _joined(source_json, source_documents)
    overrides = _joined(
        _attribute(body, "override_policy_documents", evaluate, _EMPTY),
        _attribute(body, "override_json", evaluate, _EMPTY),
        single_last=True,
    )
    if sources is not None or overrides is not None:
        merged = _merge(sources, statements, overrides, block.position)
        if isinstance(merged, Node):
            return merged
        statements = merged
    members["Statement"] = Node(tuple(statements), block.position)
    return Node(JsonText(Node(mapping(members), block.position)), block.position)


def blocks_of(
    body: Body, block_type: str, evaluate: Evaluate, scope: Scope
) -> list[tuple[Block, Scope]] | Node:
    """The nested blocks of ``block_type`` in order, ``dynamic`` ones expanded, each with
    the scope its expressions are evaluated in; an unknown node when a ``for_each`` is not
    known (the blocks it would generate cannot be left out)."""
    found: list[tuple[Block, Scope]] = []
    for nested in body.blocks:
        if nested.type == block_type:
            found.append((nested, scope))
            continue
        if nested.type != "dynamic" or nested.labels[:1] != (block_type,):
            continue
        generated = _dynamic(nested, evaluate, scope)
        if isinstance(generated, Node):
            return generated
        found.extend(generated)
    return found


def _dynamic(block: Block, evaluate: Evaluate, scope: Scope) -> list[tuple[Block, Scope]] | Node:
    """The ``content`` of a ``dynamic`` block once per element of its ``for_each``."""
    label = block.labels[0]
    body = block.body
    contents = body.blocks_of("content")
    for_each = body.attributes.get("for_each")
    if len(contents) != 1 or for_each is None:
        return _unknown(f'dynamic "{label}" needs for_each and one content block', block.position)
    iterator = label
    written = body.attributes.get("iterator")
    if written is not None:
        tokens = list(written.expression.scan_values(lambda v: isinstance(v, Token)))
        if len(tokens) != 1:
            return _unknown(f'dynamic "{label}": iterator must be a name', written.position)
        iterator = str(tokens[0])
    collection = evaluate(for_each.expression, scope)
    value = collection.value
    if isinstance(value, Unknown):
        reason = f'the for_each of dynamic "{label}" is not known ({value.reason})'
        where = Unknown(value.expression, reason, value.position)
        return Node(where, value.position)
    pairs: list[tuple[Node, Node]]
    if isinstance(value, tuple):
        pairs = [(Node(index, item.position), item) for index, item in enumerate(value)]
    elif isinstance(value, Mapping):
        pairs = [(Node(key, item.position), item) for key, item in value.items()]
    else:
        return _unknown(f'the for_each of dynamic "{label}" is not a collection', block.position)
    return [
        (contents[0], {**scope, iterator: Node(mapping({"key": key, "value": item}), key.position)})
        for key, item in pairs
    ]


def _unknown(reason: str, position: Position) -> Node:
    return Node(Unknown("data.aws_iam_policy_document", reason, position), position)


def _attribute(body: Body, name: str, evaluate: Evaluate, scope: Scope) -> Node | None:
    """The argument ``name``'s value; None when it is not written or is null, which
    Terraform treats alike ("as though you had completely omitted it"): the provider's
    default applies (``effect = lookup(statement.value, "effect", null)`` is ``Allow``).
    https://developer.hashicorp.com/terraform/language/expressions/types#null"""
    attribute = body.attributes.get(name)
    if attribute is None:
        return None
    value = evaluate(attribute.expression, scope)
    return None if value.value is None else value


def _statement(block: Block, evaluate: Evaluate, scope: Scope) -> Node:
    body = block.body
    members: dict[str, Node] = {}
    sid = _attribute(body, "sid", evaluate, scope)
    if sid is not None:
        members["Sid"] = sid
    effect = _attribute(body, "effect", evaluate, scope)
    members["Effect"] = effect or Node("Allow", block.position)
    for attribute, key in _LIST_KEYS.items():
        value = _attribute(body, attribute, evaluate, scope)
        if value is not None:
            members[key] = _single_or_list(value)
    for block_type, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        blocks = blocks_of(body, block_type, evaluate, scope)
        if isinstance(blocks, Node):
            return blocks
        if blocks:
            members[key] = _principals(blocks, evaluate)
    conditions = blocks_of(body, "condition", evaluate, scope)
    if isinstance(conditions, Node):
        return conditions
    if conditions:
        members["Condition"] = _conditions(conditions, evaluate)
    return Node(mapping(members), block.position)


def _single_or_list(node: Node) -> Node:
    """The provider renders a one-element list as a plain string."""
    value = node.value
    if isinstance(value, tuple) and len(value) == 1:
        return value[0]
    return node


def _principals(blocks: list[tuple[Block, Scope]], evaluate: Evaluate) -> Node:
    by_type: dict[str, list[Node]] = {}
    position = blocks[0][0].position
    for block, scope in blocks:
        kind = _attribute(block.body, "type", evaluate, scope)
        identifiers = _attribute(block.body, "identifiers", evaluate, scope)
        if kind is None or identifiers is None:
            return _unknown(
                "a principals block needs type and identifiers (one is missing or null)",
                block.position,
            )
        if not isinstance(kind.value, str):
            return kind
        items = identifiers.value
        if isinstance(items, Unknown):
            return identifiers
        if not isinstance(items, tuple):
            return _unknown("identifiers must be a list", identifiers.position)
        unset = _null_item(items)
        if unset is not None:
            return unset
        by_type.setdefault(kind.value, []).extend(items)
    if set(by_type) == {"*"}:
        return Node("*", position)
    members = {
        kind: _single_or_list(Node(tuple(items), position)) for kind, items in by_type.items()
    }
    return Node(mapping(members), position)


def _conditions(blocks: list[tuple[Block, Scope]], evaluate: Evaluate) -> Node:
    tests: dict[str, dict[str, list[Node]]] = {}
    where: dict[str, Position] = {}
    for block, scope in blocks:
        test = _attribute(block.body, "test", evaluate, scope)
        variable = _attribute(block.body, "variable", evaluate, scope)
        values = _attribute(block.body, "values", evaluate, scope)
        if test is None or variable is None or values is None:
            return _unknown(
                "a condition needs test, variable and values (one is missing or null)",
                block.position,
            )
        for part in (test, variable, values):
            if isinstance(part.value, Unknown):
                return part
        if not isinstance(test.value, str) or not isinstance(variable.value, str):
            return _unknown("test and variable must be strings", block.position)
        items = values.value if isinstance(values.value, tuple) else (values,)
        unset = _null_item(items)
        if unset is not None:
            return unset
        tests.setdefault(test.value, {}).setdefault(variable.value, []).extend(items)
        where.setdefault(test.value, block.position)
    members = {
        test: Node(
            mapping(
                {
                    variable: _single_or_list(Node(tuple(items), items[0].position))
                    if items
                    else Node((), where[test])
                    for variable, items in variables.items()
                }
            ),
            where[test],
        )
        for test, variables in tests.items()
    }
    return Node(mapping(members), blocks[0][0].position)


def _null_item(items: tuple[Node, ...]) -> Node | None:
    """An unknown for a null among ``items`` (a variable left at ``default = null``): the
    provider refuses it, so the value the deployment will give is not known here."""
    for item in items:
        if item.value is None:
            return _unknown("a value is null (a variable without a value?)", item.position)
    return None


def _merge(
    sources: Node | None, own: list[Node], overrides: Node | None, position: Position
) -> list[Node] | Node:
    """Statements of the source documents, then this document's, then the overrides',
    a later statement replacing an earlier one with the same ``Sid``."""
    groups: list[list[Node]] = []
    for documents in (sources, overrides):
        found = [] if documents is None else _documents(documents)
        if isinstance(found, Node):
            return found
        groups.append([s for d in found for s in _statements(d)])
    ordered: list[Node] = []
    for statement in (*groups[0], *own, *groups[1]):
        sid = _sid(statement)
        index = next((i for i, e in enumerate(ordered) if sid and _sid(e) == sid), None)
        if index is None:
            ordered.append(statement)
        else:
            ordered[index] = statement
    return ordered


def _duplicate_sid(
    source_json: Node | None, sources: Node | None, own: list[Node], position: Position
) -> Node | None:
    """Terraform's refusal of a ``Sid`` written twice: among this document's statements,
    or among the ``source_policy_documents`` (and ``source_json``'s) statements ("duplicate
    Sid … Remove the Sid or ensure Sids are unique"); None when there is none."""
    seen: set[str] = set()
    for statement in own:
        sid = _sid(statement)
        if sid and sid in seen:
            return _unknown(f"Terraform refuses the document: Sid {quoted(sid)} twice", position)
        if sid:
            seen.add(sid)
    listed: set[str] = set()
    if source_json is not None:
        found = _documents(Node((source_json,), source_json.position))
        if isinstance(found, Node):
            return None  # unknown: the merge says so
        listed = {sid for d in found for s in _statements(d) if (sid := _sid(s))}
    found = [] if sources is None else _documents(sources)
    if isinstance(found, Node):
        return None
    for statement in (s for d in found for s in _statements(d)):
        sid = _sid(statement)
        if sid and sid in listed:
            reason = f"Terraform refuses the document: Sid {quoted(sid)} twice in its sources"
            return _unknown(reason, position)
        if sid:
            listed.add(sid)
    return None


def _joined(first: Node | None, second: Node | None, *, single_last: bool = False) -> Node | None:
    """A list of documents: the single document (``source_json``, ``override_json``)
    before or after (``single_last``) the list of them; None when neither is given."""
    single, many = (second, first) if single_last else (first, second)
    if single is None:
        return many
    if isinstance(single.value, Unknown):
        return single
    listed: tuple[Node, ...] = (single,)
    if many is not None:
        if not isinstance(many.value, tuple):
            return many  # unknown, or not a list: _documents says so
        listed = (*listed, *many.value) if not single_last else (*many.value, *listed)
    return Node(listed, single.position)


def _documents(group: Node) -> list[Node] | Node:
    if isinstance(group.value, Unknown):
        return group
    if not isinstance(group.value, tuple):
        return _unknown("policy documents must be a list", group.position)
    found = []
    for item in group.value:
        if isinstance(item.value, Unknown):
            return item
        if isinstance(item.value, str):
            # JSON policy text (file(), a heredoc), which the provider parses as it does
            # a policy document's json
            parsed = json_text_document(item, "the policy document", "policy document text")
            if isinstance(parsed.value, Unknown):
                return parsed
            found.append(parsed)
            continue
        if not isinstance(item.value, JsonText):
            return _unknown("a policy document is JSON text", item.position)
        found.append(document(item))
    return found


def json_text_document(node: Node, what: str, expression: str = "assume_role_policy") -> Node:
    """JSON text (a heredoc, ``file()``) as a structured document, with the positions a
    heredoc's text remembers (else ``node``'s); unknown when it is not JSON, or nested
    deeper than keyless evaluates. What the text stood in for (the deploying account, a
    resource the code creates) is said of the document built from it."""
    assert isinstance(node.value, str)
    try:
        parsed = (
            parse_json(node.value)
            if isinstance(node.value, SourcedText)
            else parse_json(node.value, pinned=node.position)
        )
    except JsonSyntaxError as error:
        reason = f"{what} is not valid JSON ({error})"
        return Node(Unknown(expression, reason, node.position), node.position)
    if deeper_than(parsed, MAX_LITERAL_DEPTH):
        # what judges a policy walks it recursively: 500 levels were a traceback
        reason = f"{what} is nested too deeply to evaluate"
        return Node(Unknown(expression, reason, node.position), node.position)
    return replace(parsed, notes=(*parsed.notes, *node.notes)) if node.notes else parsed


def _statements(doc: Node) -> list[Node]:
    statement = doc.value.get("Statement") if isinstance(doc.value, Mapping) else None
    if statement is None:
        return []
    return list(statement.value) if isinstance(statement.value, tuple) else [statement]


def _sid(statement: Node) -> str | None:
    if not isinstance(statement.value, Mapping):
        return None
    sid = statement.value.get("Sid")
    return sid.value if sid is not None and isinstance(sid.value, str) else None
