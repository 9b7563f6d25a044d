"""CloudFormation intrinsic functions, evaluated where the template alone decides them.

``Ref`` (parameters with defaults, IAM resources whose names the template fixes, the
pseudo parameters ``AWS::AccountId``, ``AWS::Partition``, ``AWS::URLSuffix`` and
``AWS::NoValue``), ``Fn::GetAtt`` (the ``Arn`` of such resources), ``Fn::Sub``,
``Fn::Join``, ``Fn::Select``, ``Fn::Split`` and ``Fn::FindInMap`` are evaluated;
everything else (``Fn::If``, ``Fn::ImportValue``, ``AWS::Region``, generated names) is
reported unknown. ``AWS::AccountId`` is the stack's account, which is the role's own: it
stands for :data:`~keyless.iac.model.DEPLOYING_ACCOUNT`, and the value says so.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from keyless.iac.model import DEPLOYING_ACCOUNT
from keyless.iac.tfobjects import OWN_ACCOUNT_NOTE, PARTITION_NOTE
from keyless.iac.values import Node, Position, Unknown, get, mapping, notes, text

_PSEUDO = {
    "AWS::AccountId": (DEPLOYING_ACCOUNT, OWN_ACCOUNT_NOTE),
    "AWS::Partition": ("aws", PARTITION_NOTE),
    "AWS::URLSuffix": ("amazonaws.com", PARTITION_NOTE),
}
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_NO_VALUE = "AWS::NoValue"
# The CDK's OpenIdConnectProvider is a custom resource whose physical ID (its Ref) is the
# provider's ARN, like AWS::IAM::OIDCProvider's.
# https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_iam.OpenIdConnectProvider.html
_OIDC_PROVIDERS = frozenset({"AWS::IAM::OIDCProvider", "Custom::AWSCDKOpenIdConnectProvider"})
_MAX_DEPTH = 200


class _Removed:
    """``Ref: AWS::NoValue``: the property or list item disappears."""


REMOVED = _Removed()


class Template:
    """Evaluates the intrinsic functions of one template."""

    def __init__(self, root: Node):
        self.parameters = _mapping(get(root, "Parameters"))
        self.mappings = get(root, "Mappings")
        self.resources = _mapping(get(root, "Resources"))
        self._depth = 0

    def evaluate(self, node: Node) -> Node:
        """``node`` with its intrinsic functions evaluated (unknown where not decided)."""
        result = self._evaluate(node)
        return result if isinstance(result, Node) else Node(None, node.position)

    def _evaluate(self, node: Node) -> Node | _Removed:
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                return _unknown("…", "nested too deeply to evaluate", node.position)
            return self._evaluate_inner(node)
        finally:
            self._depth -= 1

    def _evaluate_inner(self, node: Node) -> Node | _Removed:
        value = node.value
        if isinstance(value, tuple):
            items = [self._evaluate(item) for item in value]
            return Node(tuple(i for i in items if isinstance(i, Node)), node.position)
        if not isinstance(value, Mapping):
            return node
        if len(value) == 1:
            (name, argument), *_ = value.items()
            function = _FUNCTIONS.get(name)
            if function is not None:
                return function(self, argument, node.position)
        members = {key: self._evaluate(item) for key, item in value.items()}
        kept = {key: item for key, item in members.items() if isinstance(item, Node)}
        return Node(mapping(kept), node.position)

    # ----- functions -------------------------------------------------------------------------

    def ref(self, argument: Node, position: Position) -> Node | _Removed:
        name = text(argument)
        if name is None:
            return _unknown("Ref", "its argument is not a name", position)
        if name == _NO_VALUE:
            return REMOVED
        if name in _PSEUDO:
            stand_in, note = _PSEUDO[name]
            return Node(stand_in, position, (note,))
        if name in self.parameters:
            return self._parameter(name, position)
        resource = self.resources.get(name)
        if resource is not None:
            return self._resource_ref(name, resource, position)
        return _unknown(f"Ref {name}", "not evaluated", position)

    def _parameter(self, name: str, position: Position) -> Node:
        declaration = self.parameters[name]
        default = get(declaration, "Default")
        if default is None:
            return _unknown(f"Ref {name}", "the parameter has no default", position)
        kind = text(get(declaration, "Type")) or "String"
        if kind.startswith("List<") or kind == "CommaDelimitedList":
            raw = text(default)
            if raw is not None:
                parts = tuple(Node(p.strip(), default.position) for p in raw.split(","))
                return Node(parts, default.position)
        return default

    def _resource_ref(self, name: str, resource: Node, position: Position) -> Node:
        """``Ref`` of a role or user is its name; of an OIDC provider, its ARN."""
        kind = text(get(resource, "Type"))
        properties = get(resource, "Properties")
        if kind in ("AWS::IAM::Role", "AWS::IAM::User"):
            key = "RoleName" if kind == "AWS::IAM::Role" else "UserName"
            fixed = get(properties, key)
            if fixed is not None:
                return self._as_node(self._evaluate(fixed), position)
            return _unknown(f"Ref {name}", "CloudFormation generates its name", position)
        if kind in _OIDC_PROVIDERS:
            return self._provider_arn(name, properties, position)
        return _unknown(f"Ref {name}", "known only after deploy", position)

    def _provider_arn(self, name: str, properties: Node | None, position: Position) -> Node:
        url_node = get(properties, "Url")
        url = self._as_node(self._evaluate(url_node), position) if url_node else None
        if url is None or not isinstance(url.value, str):
            return _unknown(f"{name}.Arn", "the provider's Url is not known", position)
        host = url.value.removeprefix("https://")
        arn = f"arn:aws:iam::{DEPLOYING_ACCOUNT}:oidc-provider/{host}"
        return Node(arn, position, (OWN_ACCOUNT_NOTE, *url.notes))

    def get_att(self, argument: Node, position: Position) -> Node | _Removed:
        parts = argument.value
        if not isinstance(parts, tuple) or len(parts) != 2:
            return _unknown("Fn::GetAtt", "expects [resource, attribute]", position)
        name, attribute = text(parts[0]), text(self._as_node(self._evaluate(parts[1]), position))
        written = f"{name}.{attribute}"
        resource = self.resources.get(name or "")
        if resource is None or attribute != "Arn":
            return _unknown(written, "known only after deploy", position)
        kind = text(get(resource, "Type"))
        properties = get(resource, "Properties")
        if kind in _OIDC_PROVIDERS:
            return self._provider_arn(written, properties, position)
        if kind in ("AWS::IAM::Role", "AWS::IAM::User"):
            key, noun = ("RoleName", "role") if kind == "AWS::IAM::Role" else ("UserName", "user")
            fixed = get(properties, key)
            path_node = get(properties, "Path")
            iam_name = self._as_node(self._evaluate(fixed), position) if fixed else None
            path = self._as_node(self._evaluate(path_node), position) if path_node else None
            if iam_name is None or not isinstance(iam_name.value, str):
                return _unknown(written, "CloudFormation generates its name", position)
            prefix = path.value if path is not None and isinstance(path.value, str) else "/"
            arn = f"arn:aws:iam::{DEPLOYING_ACCOUNT}:{noun}{prefix}{iam_name.value}"
            return Node(arn, position, (OWN_ACCOUNT_NOTE,))
        return _unknown(written, "known only after deploy", position)

    def sub(self, argument: Node, position: Position) -> Node | _Removed:
        template: Node | None = argument
        variables: Mapping[str, Node] = {}
        if isinstance(argument.value, tuple) and len(argument.value) == 2:
            template, table = argument.value
            variables = _mapping(table)
        written = text(template)
        if written is None:
            return _unknown("Fn::Sub", "its template is not a string", position)
        carried: list[str] = []
        missing: list[str] = []

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"  # ${!Literal} is written as ${Literal}
            if name in variables:
                found = self._as_node(self._evaluate(variables[name]), position)
            elif "." in name:
                resource, _, attribute = name.partition(".")
                pair = (Node(resource, position), Node(attribute, position))
                found = self._as_node(self.get_att(Node(pair, position), position), position)
            else:
                found = self._as_node(self.ref(Node(name, position), position), position)
            carried.extend(notes(found))
            if isinstance(found.value, str | int | float) and not isinstance(found.value, bool):
                return str(found.value)
            missing.append(name)
            return match.group(0)

        result = _SUB_VARIABLE.sub(substitute, written)
        if missing:
            reason = f"${{{missing[0]}}} is not known"
            return _unknown(f"!Sub {written}", reason, position)
        return Node(result, position, tuple(dict.fromkeys(carried)))

    def join(self, argument: Node, position: Position) -> Node | _Removed:
        parts = argument.value
        if not isinstance(parts, tuple) or len(parts) != 2:
            return _unknown("Fn::Join", "expects [delimiter, list]", position)
        delimiter = text(parts[0])
        items = self._as_node(self._evaluate(parts[1]), position)
        if delimiter is None or not isinstance(items.value, tuple):
            return _merged("Fn::Join", items, position)
        rendered: list[str] = []
        for item in items.value:
            if not isinstance(item.value, str):
                return _merged("Fn::Join", item, position)
            rendered.append(item.value)
        return Node(delimiter.join(rendered), position, notes(items))

    def select(self, argument: Node, position: Position) -> Node | _Removed:
        parts = argument.value
        if not isinstance(parts, tuple) or len(parts) != 2:
            return _unknown("Fn::Select", "expects [index, list]", position)
        index = self._as_node(self._evaluate(parts[0]), position)
        items = self._as_node(self._evaluate(parts[1]), position)
        number = index.value
        if isinstance(number, str) and number.isascii() and number.isdigit():
            number = int(number)
        if isinstance(items.value, tuple) and isinstance(number, int):
            chosen = items.value[number : number + 1] if number >= 0 else ()
            if chosen:
                return chosen[0]
        return _merged("Fn::Select", items, position)

    def split(self, argument: Node, position: Position) -> Node | _Removed:
        parts = argument.value
        if not isinstance(parts, tuple) or len(parts) != 2:
            return _unknown("Fn::Split", "expects [delimiter, string]", position)
        delimiter = text(parts[0])
        source = self._as_node(self._evaluate(parts[1]), position)
        if not delimiter or not isinstance(source.value, str):
            return _merged("Fn::Split", source, position)
        pieces = tuple(Node(p, position, source.notes) for p in source.value.split(delimiter))
        return Node(pieces, position)

    def find_in_map(self, argument: Node, position: Position) -> Node | _Removed:
        parts = argument.value
        if not isinstance(parts, tuple) or len(parts) < 3:
            return _unknown("Fn::FindInMap", "expects [map, key, key]", position)
        keys = [self._as_node(self._evaluate(p), position) for p in parts[:3]]
        names = [text(k) for k in keys]
        if any(n is None for n in names):
            return _merged("Fn::FindInMap", next(k for k in keys if text(k) is None), position)
        found = get(self.mappings, *[n for n in names if n is not None])
        if found is None:
            return _unknown("Fn::FindInMap", "no such entry in Mappings", position)
        return self._evaluate(found)

    def _as_node(self, value: Node | _Removed, position: Position) -> Node:
        if isinstance(value, Node):
            return value
        return _unknown("AWS::NoValue", "no value here", position)


Function = Callable[[Template, Node, Position], Node | _Removed]


def _not_evaluated(name: str, reason: str) -> Function:
    def run(template: Template, argument: Node, position: Position) -> Node | _Removed:
        return _unknown(name, reason, position)

    return run


def _unknown(expression: str, reason: str, position: Position) -> Node:
    return Node(Unknown(expression, reason, position), position)


def _merged(expression: str, part: Node, position: Position) -> Node:
    """The unknown part that made a function unknown, or a new unknown."""
    if isinstance(part.value, Unknown):
        return part
    return _unknown(expression, "its arguments are not understood", position)


def _mapping(node: Node | None) -> Mapping[str, Node]:
    if node is not None and isinstance(node.value, Mapping):
        return node.value
    return {}


_FUNCTIONS: dict[str, Function] = {
    "Ref": Template.ref,
    "Fn::GetAtt": Template.get_att,
    "Fn::Sub": Template.sub,
    "Fn::Join": Template.join,
    "Fn::Select": Template.select,
    "Fn::Split": Template.split,
    "Fn::FindInMap": Template.find_in_map,
    "Fn::If": _not_evaluated("Fn::If", "conditions are not evaluated"),
    "Fn::ImportValue": _not_evaluated("Fn::ImportValue", "imported from another stack"),
    "Fn::Base64": _not_evaluated("Fn::Base64", "not evaluated"),
    "Fn::GetAZs": _not_evaluated("Fn::GetAZs", "known only at deploy"),
    "Fn::Cidr": _not_evaluated("Fn::Cidr", "not evaluated"),
    "Fn::Transform": _not_evaluated("Fn::Transform", "macros are not evaluated"),
    "Fn::ToJsonString": _not_evaluated("Fn::ToJsonString", "not evaluated"),
    "Fn::Length": _not_evaluated("Fn::Length", "not evaluated"),
}
