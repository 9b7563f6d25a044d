"""The Serverless Framework's ``serverless.yml``: its ``resources`` section is CloudFormation
added to the service's stack ("What goes in this property is raw CloudFormation template
syntax"; ``Resources``, ``Outputs``, ``Conditions`` and ``Mappings`` are merged in),
read here as a template of its own.
https://www.serverless.com/framework/docs/providers/aws/guide/resources

The framework resolves its variables (``${self:custom.repo}``, ``${opt:stage}``,
``${sls:stage}``, ``${file(roles.yml)}``) before CloudFormation sees the template, so a
string holding one is unknown, with a stand-in where a name would be
(``repo:acme/${opt:repo}:*``), unless it is ``${self:…}`` of a plain string the file
itself holds (``${self:custom.repo}`` with ``custom: {repo: acme/app}``);
``${AWS::Region}`` and ``${Role.Arn}`` in an ``Fn::Sub`` are CloudFormation's and stay.
A ``resources`` entry that is a file (``- ${file(resources/roles.yml)}``) is not read,
and says so. The roles the framework
generates for functions trust Lambda alone and are not listed.
https://www.serverless.com/framework/docs/providers/aws/guide/variables
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from keyless.errors import quoted
from keyless.iac.sources import ReadError
from keyless.iac.values import Node, Unknown, get, mapping, name_stand_in, stand_in_text, text

#: The file names the framework reads its configuration from (YAML or JSON).
NAMES = frozenset({"serverless.yml", "serverless.yaml", "serverless.json"})
# The framework's variable syntax (its default `variableSyntax` before v3): a source and a
# colon or a parenthesis (`self:`, `opt:`, `file(`), so `${AWS::Region}` is not one.
_VARIABLE = re.compile(r"\$\{([^{}:]+?(?:\(|:)(?:[^:{}][^{}]*?)?)\}")
_SECTIONS = ("Resources", "Conditions", "Mappings", "Outputs")
_SOURCES = ("self:", "opt:", "sls:", "env:", "param:")
_REASON = "a Serverless Framework variable, resolved when the service is deployed"
_MAX_DEPTH = 256


def is_serverless(path: Path, root: Node) -> bool:
    """``serverless.yml`` (or ``.yaml``, ``.json``) naming a ``service``."""
    return path.name in NAMES and get(root, "service") is not None


def template_of(path: Path, root: Node) -> tuple[Node, list[ReadError]]:
    """The CloudFormation the ``resources`` section adds, as a template, its Serverless
    variables unknown; and the entries that could not be read (files)."""
    resources = get(root, "resources")
    problems: list[ReadError] = []
    entries: tuple[Node, ...] = ()
    if resources is not None and isinstance(resources.value, tuple):
        entries = resources.value
    elif resources is not None:
        entries = (resources,)
    sections: dict[str, dict[str, Node]] = {}
    for entry in entries:
        if isinstance(entry.value, Mapping):
            for name in _SECTIONS:
                section = entry.value.get(name)
                if section is not None and isinstance(section.value, Mapping):
                    sections.setdefault(name, {}).update(section.value)
                elif section is not None:
                    reason = f"the resources entry's {name} is not a mapping: it is not read"
                    problems.append(ReadError(path, reason, section.position))
        elif entry.value is not None:
            shown = _shown(entry.value)
            reason = (
                f"the resources entry {shown} is not read: only CloudFormation written "
                "in the file is (a file a Serverless variable names, ${file(…)}, is not)"
            )
            problems.append(ReadError(path, reason, entry.position))
    position = resources.position if resources is not None else root.position
    template: dict[str, Node] = {}
    for name, members in sections.items():
        resolved: dict[str, Node] = {}
        for key, member in members.items():
            # A logical ID is only a name: one holding a variable is kept as written.
            node = _resolved(member, root, 1)
            if name == "Resources" and isinstance(node.value, Unknown):
                # Its Type and Properties are unknown: a role there would pass unseen.
                reason = f"the resource {quoted(key)} is not read: {node.value.reason}"
                problems.append(ReadError(path, reason, member.position))
                continue
            named = _key(key, root) or key
            if named in resolved:
                reason = f"two resources are named {quoted(named)} once variables are resolved"
                problems.append(ReadError(path, reason, member.position))
                continue
            resolved[named] = node
        template[name] = Node(mapping(resolved), position)
    return Node(mapping(template), position), problems


def _shown(value: object) -> str:
    """A resources entry that is no mapping, as a message names it."""
    if isinstance(value, Unknown):
        return quoted(value.expression)
    if isinstance(value, tuple):
        return "that is a list"
    return quoted(value)


def _resolved(node: Node, root: Node, depth: int) -> Node:
    """``node`` with each Serverless variable in its strings resolved (``${self:…}`` of a
    plain string of the file) or unknown."""
    value = node.value
    if depth > _MAX_DEPTH:
        return Node(Unknown("…", "nested too deeply to read", node.position), node.position)
    if isinstance(value, str):
        return _string(value, node, root)
    if isinstance(value, tuple):
        items = tuple(_resolved(item, root, depth + 1) for item in value)
        return Node(items, node.position, node.notes)
    if isinstance(value, Mapping):
        keys = {key: _key(key, root) for key in value}
        unresolved = next((key for key, known in keys.items() if known is None), None)
        if unresolved is not None:
            unknown = Unknown(unresolved[:100], f"a key holding {_REASON}", node.position)
            return Node(unknown, node.position)
        if len(set(keys.values())) < len(keys):  # `a:` and `${self:custom.a}:`, a is "a"
            twice = next(key for key in keys if keys[key] != key)
            reason = "a key that names another key of its mapping once variables are resolved"
            return Node(Unknown(twice[:100], reason, node.position), node.position)
        members = {
            keys[key] or key: _resolved(item, root, depth + 1) for key, item in value.items()
        }
        return Node(mapping(members), node.position, node.notes)
    return node


def _key(key: str, root: Node) -> str | None:
    """``key`` with its Serverless variables resolved (``${self:…}`` of a plain string of
    the file); None when one of them cannot be."""
    if _VARIABLE.search(key) is None:
        return key
    resolved = _string(key, Node(key, root.position), root).value
    return resolved if isinstance(resolved, str) else None


def _string(value: str, node: Node, root: Node) -> Node:
    if _VARIABLE.search(value) is None:
        return node
    pieces: list[str | Unknown] = []
    at = 0
    for match in _VARIABLE.finditer(value):
        pieces.append(value[at : match.start()])
        found = _own_value(match.group(1), root)
        if found is not None:
            pieces.append(found)
        else:
            name = _name(match.group(1))
            stand_in = name_stand_in(name) if name is not None else None
            pieces.append(Unknown(match.group(0)[:100], _REASON, node.position, stand_in))
        at = match.end()
    pieces.append(value[at:])
    first = next((p for p in pieces if isinstance(p, Unknown)), None)
    if first is None:
        return Node("".join(p for p in pieces if isinstance(p, str)), node.position, node.notes)
    stand_in = stand_in_text(pieces)
    return Node(Unknown(first.expression, _REASON, node.position, stand_in), node.position)


def _own_value(variable: str, root: Node) -> str | None:
    """``${self:custom.repo}``: the file's own ``custom.repo`` when it is a plain string
    (no variable of its own, no default to choose)."""
    if not variable.startswith("self:") or "," in variable:
        return None
    keys = variable.removeprefix("self:").strip().split(".")
    found = text(get(root, *keys))
    return found if found is not None and _VARIABLE.search(found) is None else None


def _name(variable: str) -> str | None:
    """The stand-in of a variable that names a value (``self:custom.repo`` is
    ``custom.repo``, ``opt:stage, 'dev'`` is ``stage``); None for a file or another
    source, which may hold anything."""
    address = variable.split(",", 1)[0].strip()
    if not address.startswith(_SOURCES):
        return None
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", address.split(":", 1)[1]).strip("-.")
    return name or None
