"""What a template leaves to a transform that keyless does not run.

CloudFormation runs a template's transforms before it creates anything: a macro of the
account's own (``Transform: [OrgRoles]``) or ``AWS::Include`` (a snippet kept in S3) can
add or rewrite any resource, and an ``AWS::LanguageExtensions`` loop
(``Fn::ForEach::Name`` under ``Resources``) creates resources whose logical IDs and
properties are written once for every item. A loop whose collection the template decides
is written out (:func:`expand_loops`); the rest are not in the template as written, so
such a template is reported as not read in full, never as clean.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html

AWS's own transforms that keyless reads around are not reported: ``AWS::Serverless``
(the roles it creates trust a service, or the function's own document,
:mod:`keyless.iac.sam`), ``AWS::LanguageExtensions`` itself (its functions are unknown
values where they are used), ``AWS::CodeDeployBlueGreen`` (no IAM) and
``AWS::SecretsManager`` (a rotation function whose role trusts Lambda).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping

from keyless.iac.values import Node, get, mapping, text

#: Transforms written by AWS whose output keyless judges (or that create no trust).
#: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/transform-reference.html
_READ_AROUND = (
    "AWS::Serverless-2016-10-31",
    "AWS::LanguageExtensions",
    "AWS::CodeDeployBlueGreen",
    "AWS::SecretsManager-2020-07-23",
    "AWS::SecretsManager-2024-09-16",
)
_FOR_EACH = "Fn::ForEach::"
#: Resources one loop may write: CloudFormation's limit for a whole template.
#: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
_MAX_LOOP_RESOURCES = 500
_ALNUM = re.compile(r"[^A-Za-z0-9]")


def expand_loops(
    resources: Mapping[str, Node], evaluate: Callable[[Node], Node]
) -> dict[str, Node]:
    """``resources`` with each ``Fn::ForEach`` loop replaced by the resources it creates,
    where keyless can write them exactly: a collection that ``evaluate`` decides (a list, a
    ``CommaDelimitedList`` parameter's value), every ``${Identifier}`` and ``&{Identifier}``
    of the fragment's keys and strings replaced by the item (``&{}`` keeping its letters
    and digits alone) and ``Ref: Identifier`` by the item, as the guide says. A loop with
    a loop inside, a collection not decided, or more than :data:`_MAX_LOOP_RESOURCES`
    resources is kept, and :func:`unread_parts` reports it."""
    expanded: dict[str, Node] = {}
    for key, node in resources.items():
        made = _expand(node, evaluate) if key.startswith(_FOR_EACH) else None
        if made is None:
            expanded[key] = node
        else:
            expanded.update(made)
    return expanded


def _expand(loop: Node, evaluate: Callable[[Node], Node]) -> dict[str, Node] | None:
    parts = loop.value
    if not isinstance(parts, tuple) or len(parts) != 3:
        return None
    identifier = text(parts[0])
    body = parts[2].value
    if not identifier or not isinstance(body, Mapping):
        return None
    collection = evaluate(parts[1]).value
    items = [text(item) for item in collection] if isinstance(collection, tuple) else None
    if items is None or len(items) * len(body) > _MAX_LOOP_RESOURCES:
        return None
    made: dict[str, Node] = {}
    for item in items:
        if item is None:
            return None
        marks = {"${" + identifier + "}": item, "&{" + identifier + "}": _ALNUM.sub("", item)}
        for written, fragment in body.items():
            key = _replaced(written, marks)
            if key == written or written.startswith(_FOR_EACH):
                return None  # a key without the identifier, or a loop inside
            declaration = _substituted(fragment, identifier, item, marks)
            if declaration is None:
                return None
            made[key] = declaration
    return made


def _replaced(written: str, marks: Mapping[str, str]) -> str:
    for mark, value in marks.items():
        written = written.replace(mark, value)
    return written


def _substituted(node: Node, identifier: str, item: str, marks: Mapping[str, str]) -> Node | None:
    """``node`` with the loop's item written in; None where a loop is nested inside."""
    value = node.value
    if isinstance(value, str):
        return Node(_replaced(value, marks), node.position, node.notes)
    if isinstance(value, tuple):
        items = [_substituted(part, identifier, item, marks) for part in value]
        if any(part is None for part in items):
            return None
        return Node(tuple(part for part in items if part is not None), node.position)
    if isinstance(value, Mapping):
        if len(value) == 1 and text(value.get("Ref")) == identifier:
            return Node(item, node.position)
        members: dict[str, Node] = {}
        for key, part in value.items():
            done = _substituted(part, identifier, item, marks)
            if done is None or key.startswith(_FOR_EACH):
                return None
            members[_replaced(key, marks)] = done
        return Node(mapping(members), node.position, node.notes)
    return node


def unread_parts(
    root: Node, resources: Mapping[str, Node], read_types: Collection[str]
) -> Iterator[str]:
    """Why parts of the template are not read: each transform that may write resources
    keyless does not see, and each ``Fn::ForEach`` loop left in ``resources`` (those
    :func:`expand_loops` could not write) that creates a resource of one of
    ``read_types``."""
    for name, node in _transforms(get(root, "Transform")):
        if name in _READ_AROUND:
            continue
        where = f"line {node.position.line}"
        if name is None:
            yield f"Transform at {where}: not a name keyless knows, so what it writes is not read"
        elif name == "AWS::Include":
            yield (
                f"Transform AWS::Include at {where}: the snippet it inserts (kept in S3) is not "
                "read, so the resources it adds are not judged"
            )
        else:
            yield (
                f"Transform {name} at {where}: a macro rewrites the template before "
                "CloudFormation creates it; keyless does not run it, so what it creates or "
                "changes is not judged"
            )
    for key, node in resources.items():
        if key == "Fn::Transform":
            yield (
                f"Resources.Fn::Transform at line {node.position.line}: the resources a "
                "transform (AWS::Include) inserts are not read, so they are not judged"
            )
        elif key.startswith(_FOR_EACH) and _creates(node, read_types):
            yield (
                f"Resources.{key} at line {node.position.line}: the IAM resources an "
                "AWS::LanguageExtensions loop creates are not read (keyless writes out a loop "
                "over a list the template decides, with no loop inside), so they are not "
                "judged"
            )
        elif written_by_transform(node, read_types):
            yield (
                f"Resources.{key} at line {node.position.line}: its declaration or its "
                "Properties are written by a transform (Fn::Transform, AWS::Include) keyless "
                "does not run, so what it creates is not judged"
            )


def _transforms(written: Node | None) -> Iterator[tuple[str | None, Node]]:
    """The transforms named at the top of the template (a name, a list of names, or
    ``{Name, Parameters}`` mappings); an entry that names none is ``(None, node)``."""
    if written is None:
        return
    items = written.value if isinstance(written.value, tuple) else (written,)
    for item in items:
        name = text(item) if isinstance(item.value, str) else text(get(item, "Name"))
        yield name, item


def written_by_transform(declaration: Node, read_types: Collection[str]) -> bool:
    """A resource whose declaration holds ``Fn::Transform`` (the snippet may give its
    ``Type`` and ``Properties``: it may be any resource unless its ``Type`` is written and
    is none of ``read_types``), or one of ``read_types`` whose ``Properties`` do. AWS::Include
    may stand anywhere in a template but its parameters and version.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/transform-aws-include.html"""
    if not isinstance(declaration.value, Mapping):
        return False
    kind = get(declaration, "Type")
    if kind is not None and isinstance(kind.value, str) and kind.value not in read_types:
        return False
    if _TRANSFORM in declaration.value:
        return True
    properties = get(declaration, "Properties")
    return (
        properties is not None
        and isinstance(properties.value, Mapping)
        and _TRANSFORM in properties.value
    )


_TRANSFORM = "Fn::Transform"


def _creates(loop: Node, read_types: Collection[str]) -> bool:
    """The loop's body (nested loops too) declares a resource of one of ``read_types``;
    a ``Type`` keyless does not know (an intrinsic function) counts, as it may be one."""
    stack = [loop]
    while stack:
        value = stack.pop().value
        if isinstance(value, tuple):
            stack.extend(value)
        elif isinstance(value, Mapping):
            kind = value.get("Type")
            if kind is not None and (not isinstance(kind.value, str) or kind.value in read_types):
                return True
            stack.extend(value.values())
    return False
