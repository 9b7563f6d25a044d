"""The ``Conditions`` section of a CloudFormation template, decided where the template
alone decides it (``Fn::If`` and a resource's ``Condition`` ask it).
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from keyless.errors import quoted
from keyless.iac.values import Node, Position, Unknown, chosen_on_stand_in, plain, text, unknowns

#: Evaluates a node's intrinsic functions (``AWS::NoValue`` is an unknown node here).
Evaluate = Callable[[Node, Position], Node]


class Conditions:
    """Decides the conditions of one template, evaluating their arguments with
    ``evaluate`` (the template's intrinsic functions)."""

    def __init__(self, declarations: Mapping[str, Node], evaluate: Evaluate):
        self.declarations = declarations
        self._evaluate = evaluate
        self._deciding: set[str] = set()

    def decide(self, name: str, position: Position) -> bool | Node:
        """The truth of the condition ``name``, or an unknown node saying why it is not
        decided."""
        declaration = self.declarations.get(name)
        if declaration is None:
            return _unknown(f"Condition {name}", "no such condition in Conditions", position)
        if name in self._deciding:
            return _unknown(f"Condition {name}", "the condition refers to itself", position)
        self._deciding.add(name)
        try:
            return self._truth(declaration, name)
        finally:
            self._deciding.discard(name)

    def _truth(self, node: Node, name: str) -> bool | Node:
        """A condition function's truth (``Fn::Equals``, ``Fn::And``, ``Fn::Or``,
        ``Fn::Not``, ``Condition``), or the unknown node that leaves it undecided."""
        value = node.value
        if not isinstance(value, Mapping) or len(value) != 1:
            return _unknown(f"Condition {name}", "not a condition function", node.position)
        (function, argument), *_ = value.items()
        if function == "Condition":
            other = text(argument)
            if other is None:
                return _unknown(f"Condition {name}", "Condition expects a name", node.position)
            return self.decide(other, node.position)
        parts = argument.value if isinstance(argument.value, tuple) else None
        if parts is None:
            return _unknown(f"Condition {name}", f"{function} expects a list", node.position)
        if function == "Fn::Equals" and len(parts) == 2:
            left, right = (self._evaluate(p, node.position) for p in parts)
            for side in (left, right):
                if not side.is_known:
                    return Node(next(unknowns(side)), node.position)
            # not decided on a value keyless stands in for (AWS::AccountId, an assumed
            # AWS::Partition): the stack's own would choose otherwise
            guessed = chosen_on_stand_in(f"Condition {name}", node.position, left, right)
            if guessed is not None:
                return guessed
            try:
                compared = [_comparable(plain(side)) for side in (left, right)]
            except _Inexact as error:
                return _unknown(f"Condition {name}", f"Fn::Equals of {error}", node.position)
            return compared[0] == compared[1]
        if function in ("Fn::And", "Fn::Or", "Fn::Not"):
            if function == "Fn::Not" and len(parts) != 1:
                return _unknown(f"Condition {name}", "Fn::Not expects one condition", node.position)
            truths = [self._truth(p, name) for p in parts]
            decided = [t for t in truths if isinstance(t, bool)]
            if function == "Fn::And" and False in decided:
                return False
            if function == "Fn::Or" and True in decided:
                return True
            undecided = next((t for t in truths if isinstance(t, Node)), None)
            if undecided is not None:
                return undecided
            if function == "Fn::Not":
                return not decided[0]
            return function == "Fn::And"
        return _unknown(
            f"Condition {name}", f"{function} is not a condition function", node.position
        )


class _Inexact(ValueError):
    """A value whose text CloudFormation compares keyless cannot write exactly."""


def _comparable(value: object) -> object:
    """Fn::Equals compares strings: a boolean equals ``"true"``/``"false"`` (not
    ``"True"``) and an integer its digits, as cfn-lint's W8003 records CloudFormation doing
    ("True (boolean) == 'true'", "1 == '1'", tested by AWS in 2023; cfnlint/rules/conditions/
    EqualsIsUseful.py). In a YAML template the scalars are CloudFormation's YAML 1.1
    readings (:mod:`keyless.iac.yamlpos`: ``yes`` is a boolean, ``012345678901`` a string;
    ``y``, ``0x1F``, ``1_000``, ``017``, base-60 numbers are unknown, so undecided). A
    number with a fraction or exponent (``1.50``, ``1e2``, ``1.0``) was read as a float,
    which keeps neither how it was written nor CloudFormation's text of it:
    :class:`_Inexact`, so the condition is undecided rather than decided on Python's
    ``str(float)``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        raise _Inexact(f"the number {quoted(value)}, whose text is not known exactly")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


def _unknown(expression: str, reason: str, position: Position) -> Node:
    return Node(Unknown(expression, reason, position), position)
