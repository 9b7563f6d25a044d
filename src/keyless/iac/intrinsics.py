"""CloudFormation intrinsic functions, evaluated where the template alone decides them.

``Ref`` (parameters with defaults, IAM resources whose names the template fixes, the
pseudo parameters ``AWS::AccountId``, ``AWS::Partition``, ``AWS::URLSuffix`` and
``AWS::NoValue``), ``Fn::GetAtt`` (the ``Arn`` of such resources), ``Fn::Sub``,
``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap`` and ``Fn::If`` (when the
``Conditions`` section decides its condition from what is known) are evaluated; everything
else (``Fn::ImportValue``, ``AWS::Region``, parameters read from SSM Parameter Store,
generated names) is reported unknown. ``AWS::AccountId`` is the stack's account, which is
the role's own: it stands for :data:`~keyless.iac.model.DEPLOYING_ACCOUNT`, and the value says so.
What a resource's ``Ref`` and attributes return is :mod:`keyless.iac.cfnreturns`; the
``Conditions`` section is decided by :mod:`keyless.iac.cfnconditions`.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from keyless.iac import sam
from keyless.iac.cfnconditions import Conditions
from keyless.iac.cfnreturns import ReturnValues
from keyless.iac.model import DEPLOYING_ACCOUNT
from keyless.iac.partitions import template_partition
from keyless.iac.tfobjects import OWN_ACCOUNT_NOTE, PARTITION_NOTE
from keyless.iac.values import (
    Node,
    Position,
    Unknown,
    chosen_on_stand_in,
    ends_with_name,
    get,
    mapping,
    name_stand_in,
    notes,
    stand_in_text,
    text,
    unknowns,
)

_PSEUDO = {
    "AWS::AccountId": (DEPLOYING_ACCOUNT, OWN_ACCOUNT_NOTE),
    "AWS::Partition": ("aws", PARTITION_NOTE),
    "AWS::URLSuffix": ("amazonaws.com", PARTITION_NOTE),
}
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_NO_VALUE = "AWS::NoValue"
_SSM_PARAMETER = "AWS::SSM::Parameter::Value<"
# Each level of evaluation is up to six Python frames (Fn::Sub of a GetAtt of a role whose
# name is another Fn::Sub …): 100 levels stay well inside Python's default 1,000.
_MAX_DEPTH = 100


class _Removed:
    """``Ref: AWS::NoValue``: the property or list item disappears."""


REMOVED = _Removed()


class Template:
    """Evaluates the intrinsic functions of one template."""

    def __init__(
        self,
        root: Node,
        given: Mapping[str, str] | None = None,
        unknown: Mapping[str, str] | None = None,
    ):
        self.parameters = _mapping(get(root, "Parameters"))
        self.given = dict(given or {})
        #: Parameters a deployment gives a value keyless does not know (name → why).
        self.unknown = dict(unknown or {})
        self.mappings = get(root, "Mappings")
        declared = _mapping(get(root, "Resources"))
        # The roles SAM generates for its functions can be named by Ref and Fn::GetAtt too.
        self.resources = {**sam.generated_roles(declared), **declared}
        self.conditions = Conditions(_mapping(get(root, "Conditions")), self._value)
        self.returns = ReturnValues(self.resources, self._value)
        #: The partition the template's own ARNs name, if one (else aws is assumed).
        self.partition = template_partition(root)
        self._depth = 0

    def evaluate(self, node: Node) -> Node:
        """``node`` with its intrinsic functions evaluated (unknown where not decided)."""
        try:
            result = self._evaluate(node)
        except RecursionError:  # deep already when called: the depth limit is a backstop
            return _unknown("…", "nested too deeply to evaluate", node.position)
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
            partitioned = self._in_partition(name, position)
            if partitioned is not None:
                return partitioned
            stand_in, note = _PSEUDO[name]
            return Node(stand_in, position, (note,))
        if name in self.parameters:
            return self._parameter(name, position)
        resource = self.resources.get(name)
        if resource is not None:
            return self.returns.ref(name, resource, position)
        if name.startswith("AWS::"):
            return _unknown(f"Ref {name}", "known only at deploy", position)
        return _unknown(f"Ref {name}", "not declared in Parameters or Resources", position)

    def _in_partition(self, name: str, position: Position) -> Node | None:
        """``AWS::Partition`` and ``AWS::URLSuffix`` in the partition the template's own
        ARNs name (:func:`~keyless.iac.partitions.template_partition`), if they do."""
        partition = self.partition
        if partition is None or name not in ("AWS::Partition", "AWS::URLSuffix"):
            return None
        if name == "AWS::Partition":
            return Node(partition.name, position, (partition.note,))
        suffix = partition.dns_suffix
        if suffix is None:
            reason = f"the DNS suffix of {partition.name} is not known to keyless"
            return _unknown(f"Ref {name}", reason, position)
        return Node(suffix, position, (partition.note,))

    def _parameter(self, name: str, position: Position) -> Node:
        declaration = self.parameters[name]
        kind = text(get(declaration, "Type")) or "String"
        default = get(declaration, "Default")
        if name in self.unknown:
            return _unknown(f"Ref {name}", self.unknown[name], position)
        if name in self.given:
            default = Node(self.given[name], position)
            kind = kind.removeprefix(_SSM_PARAMETER).removesuffix(">")
        if kind.startswith(_SSM_PARAMETER):
            # The default of an SSM parameter type is the name of a Parameter Store entry;
            # its value is read at deploy time.
            # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#aws-ssm-parameter-types
            stored = text(default)
            where = f"SSM parameter {stored}" if stored else "SSM Parameter Store"
            reason = f"its value is read from {where} at deploy: pass --parameter {name}=VALUE"
            return _unknown(f"Ref {name}", reason, position)
        if default is None:
            reason = f"the parameter has no default: pass --parameter {name}=VALUE"
            stand_in = name_stand_in(name) if kind == "String" else None
            return Node(Unknown(f"Ref {name}", reason, position, stand_in), position)
        if kind.startswith("List<") or kind == "CommaDelimitedList":
            raw = text(default)
            if raw is not None:
                parts = tuple(Node(p.strip(), default.position) for p in raw.split(","))
                return Node(parts, default.position)
        # A parameter's value is a string wherever Ref uses it ("the parameter value becomes
        # a string", Number included): an unquoted YAML boolean default (true, yes) is
        # "true", an integer its digits. A fraction is left as read (its text is not known).
        # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
        if isinstance(default.value, bool):
            return Node("true" if default.value else "false", default.position, default.notes)
        if isinstance(default.value, int):
            return Node(str(default.value), default.position, default.notes)
        return default

    def get_att(self, argument: Node, position: Position) -> Node | _Removed:
        parts = getatt_parts(argument)
        if parts is None:
            return _unknown("Fn::GetAtt", "expects [resource, attribute]", position)
        name, attribute = text(parts[0]), text(self._as_node(self._evaluate(parts[1]), position))
        written = f"{name}.{attribute}"
        resource = self.resources.get(name or "")
        if resource is None or name is None or attribute is None:
            return _unknown(written, "known only after deploy", position)
        return self.returns.attribute(name, attribute, resource, position)

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
        missing: list[tuple[str, str]] = []
        stand_ins: dict[str, Unknown] = {}

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
            cause = next(unknowns(found), None)
            missing.append((name, cause.reason if cause is not None else "not a string"))
            if isinstance(found.value, Unknown):
                stand_ins[match.group(0)] = found.value
            return match.group(0)

        result = _SUB_VARIABLE.sub(substitute, written)
        if missing:
            name, why = missing[0]
            reason = f"${{{name}}} is not known ({why})"
            blank = Unknown("", "", position)
            pieces: list[str | Unknown] = [
                stand_ins.get(chunk, blank) if _SUB_VARIABLE.fullmatch(chunk) else chunk
                for chunk in re.split(r"(\$\{[^}]*\})", result)
            ]
            stand_in = stand_in_text(pieces)
            open_ended = ends_with_name(pieces)
            return Node(
                Unknown(f"!Sub {written}", reason, position, stand_in, open_ended=open_ended),
                position,
            )
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
        pieces: list[str | Unknown] = []
        first: Node | None = None
        for index, item in enumerate(items.value):
            if index:
                pieces.append(delimiter)
            if isinstance(item.value, str):
                rendered.append(item.value)
                pieces.append(item.value)
                continue
            first = first or item
            pieces.append(
                item.value if isinstance(item.value, Unknown) else Unknown("", "", position)
            )
        if first is not None:
            merged = _merged("Fn::Join", first, position)
            cause = merged.value
            stand_in = stand_in_text(pieces)
            if stand_in is not None and isinstance(cause, Unknown):
                return Node(
                    Unknown(
                        cause.expression,
                        cause.reason,
                        cause.position,
                        stand_in,
                        open_ended=ends_with_name(pieces),
                    ),
                    merged.position,
                )
            return merged
        return Node(delimiter.join(rendered), position, notes(items))

    def select(self, argument: Node, position: Position) -> Node | _Removed:
        parts = argument.value
        if not isinstance(parts, tuple) or len(parts) != 2:
            return _unknown("Fn::Select", "expects [index, list]", position)
        index = self._as_node(self._evaluate(parts[0]), position)
        items = self._as_node(self._evaluate(parts[1]), position)
        number = index.value
        # A longer string of digits indexes no list (and int() refuses past 4,300 digits).
        if isinstance(number, str) and number.isascii() and number.isdigit() and len(number) <= 18:
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
        # the entry is chosen by its keys: not by a value keyless stands in for
        # (`!FindInMap [Accounts, !Ref AWS::AccountId, Role]`)
        guessed = chosen_on_stand_in("Fn::FindInMap", position, *keys)
        if guessed is not None:
            return guessed
        found = get(self.mappings, *[n for n in names if n is not None])
        if found is None:
            return _unknown("Fn::FindInMap", "no such entry in Mappings", position)
        return self._evaluate(found)

    def if_(self, argument: Node, position: Position) -> Node | _Removed:
        parts = argument.value
        if not isinstance(parts, tuple) or len(parts) != 3:
            return _unknown(
                "Fn::If", "expects [condition, value if true, value if false]", position
            )
        name = text(parts[0])
        if name is None:
            return _unknown("Fn::If", "its condition is not a name", position)
        decided = self.condition(name, position)
        if isinstance(decided, Node):
            cause = next(unknowns(decided))
            if cause.expression == f"Condition {name}":
                reason = cause.reason
            else:
                reason = f"condition {name} depends on {cause.expression} ({cause.reason})"
            return _unknown(f"Fn::If {name}", reason, position)
        return self._evaluate(parts[1] if decided else parts[2])

    def condition(self, name: str, position: Position) -> bool | Node:
        """The truth of the condition ``name`` of the ``Conditions`` section, or an unknown
        node saying why it is not decided (:mod:`keyless.iac.cfnconditions`)."""
        return self.conditions.decide(name, position)

    def _value(self, node: Node, position: Position) -> Node:
        """``node`` evaluated, with ``AWS::NoValue`` an unknown node."""
        return self._as_node(self._evaluate(node), position)

    def _as_node(self, value: Node | _Removed, position: Position) -> Node:
        if isinstance(value, Node):
            return value
        return _unknown("AWS::NoValue", "no value here", position)


Function = Callable[[Template, Node, Position], Node | _Removed]


def getatt_parts(argument: Node) -> tuple[Node, Node] | None:
    """``Fn::GetAtt``'s resource and attribute: ``[Resource, Attribute]``, or the text
    ``Resource.Attribute`` (the short form's, which cfn-lint also accepts in the long
    form: ``Fn::GetAtt: Key.SecretAccessKey``) split at its first dot; None otherwise."""
    value = argument.value
    if isinstance(value, tuple) and len(value) == 2:
        return value[0], value[1]
    if isinstance(value, str) and "." in value:
        resource, _, attribute = value.partition(".")
        return Node(resource, argument.position), Node(attribute, argument.position)
    return None


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
    "Fn::If": Template.if_,
    "Fn::ImportValue": _not_evaluated("Fn::ImportValue", "imported from another stack"),
    "Fn::Base64": _not_evaluated("Fn::Base64", "not evaluated"),
    "Fn::GetAZs": _not_evaluated("Fn::GetAZs", "known only at deploy"),
    "Fn::Cidr": _not_evaluated("Fn::Cidr", "not evaluated"),
    "Fn::Transform": _not_evaluated("Fn::Transform", "macros are not evaluated"),
    "Fn::ToJsonString": _not_evaluated("Fn::ToJsonString", "not evaluated"),
    "Fn::Length": _not_evaluated("Fn::Length", "not evaluated"),
}
