"""The names of IAM condition operators, split into base operator, set qualifier and IfExists.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from keyless.errors import quoted


class Family(StrEnum):
    """Which kind of value an operator compares."""

    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOL = "Bool"
    BINARY = "Binary"
    IP = "IpAddress"
    ARN = "Arn"
    NULL = "Null"


class Comparison(StrEnum):
    """What a (positive) operator checks between a policy value and a request value."""

    EQUALS = "equals"
    EQUALS_IGNORE_CASE = "equals-ignore-case"
    LIKE = "like"
    LESS = "less"
    LESS_EQUALS = "less-equals"
    GREATER = "greater"
    GREATER_EQUALS = "greater-equals"
    IN_NETWORK = "in-network"
    ABSENT = "absent"


class Qualifier(StrEnum):
    """The set operators for multivalued keys."""

    FOR_ANY_VALUE = "ForAnyValue"
    FOR_ALL_VALUES = "ForAllValues"


@dataclass(frozen=True, slots=True)
class BaseOperator:
    """A condition operator without qualifier or ``IfExists``: e.g. ``StringNotLike``.

    ``negated`` operators are the negation of the ``comparison`` they name; over several
    policy values they combine as NOR (none may match).
    """

    name: str
    family: Family
    comparison: Comparison
    negated: bool = False


def _table() -> dict[str, BaseOperator]:
    ops = [
        BaseOperator("StringEquals", Family.STRING, Comparison.EQUALS),
        BaseOperator("StringNotEquals", Family.STRING, Comparison.EQUALS, negated=True),
        BaseOperator("StringEqualsIgnoreCase", Family.STRING, Comparison.EQUALS_IGNORE_CASE),
        BaseOperator(
            "StringNotEqualsIgnoreCase", Family.STRING, Comparison.EQUALS_IGNORE_CASE, negated=True
        ),
        BaseOperator("StringLike", Family.STRING, Comparison.LIKE),
        BaseOperator("StringNotLike", Family.STRING, Comparison.LIKE, negated=True),
        BaseOperator("NumericEquals", Family.NUMERIC, Comparison.EQUALS),
        BaseOperator("NumericNotEquals", Family.NUMERIC, Comparison.EQUALS, negated=True),
        BaseOperator("NumericLessThan", Family.NUMERIC, Comparison.LESS),
        BaseOperator("NumericLessThanEquals", Family.NUMERIC, Comparison.LESS_EQUALS),
        BaseOperator("NumericGreaterThan", Family.NUMERIC, Comparison.GREATER),
        BaseOperator("NumericGreaterThanEquals", Family.NUMERIC, Comparison.GREATER_EQUALS),
        BaseOperator("DateEquals", Family.DATE, Comparison.EQUALS),
        BaseOperator("DateNotEquals", Family.DATE, Comparison.EQUALS, negated=True),
        BaseOperator("DateLessThan", Family.DATE, Comparison.LESS),
        BaseOperator("DateLessThanEquals", Family.DATE, Comparison.LESS_EQUALS),
        BaseOperator("DateGreaterThan", Family.DATE, Comparison.GREATER),
        BaseOperator("DateGreaterThanEquals", Family.DATE, Comparison.GREATER_EQUALS),
        BaseOperator("Bool", Family.BOOL, Comparison.EQUALS),
        BaseOperator("BinaryEquals", Family.BINARY, Comparison.EQUALS),
        BaseOperator("IpAddress", Family.IP, Comparison.IN_NETWORK),
        BaseOperator("NotIpAddress", Family.IP, Comparison.IN_NETWORK, negated=True),
        # ArnEquals and ArnLike behave identically (segment-wise wildcard match).
        BaseOperator("ArnEquals", Family.ARN, Comparison.LIKE),
        BaseOperator("ArnLike", Family.ARN, Comparison.LIKE),
        BaseOperator("ArnNotEquals", Family.ARN, Comparison.LIKE, negated=True),
        BaseOperator("ArnNotLike", Family.ARN, Comparison.LIKE, negated=True),
        BaseOperator("Null", Family.NULL, Comparison.ABSENT),
    ]
    return {op.name.lower(): op for op in ops}


BASE_OPERATORS = MappingProxyType(_table())


@dataclass(frozen=True, slots=True)
class Operator:
    """A full operator as written in a policy: ``ForAnyValue:StringLikeIfExists``."""

    text: str
    base: BaseOperator
    qualifier: Qualifier | None = None
    if_exists: bool = False


class UnknownOperatorError(ValueError):
    """The text is not an IAM condition operator."""


_QUALIFIERS = {q.value.lower(): q for q in Qualifier}


def parse_operator(text: str) -> Operator:
    """Split ``text`` into qualifier, base operator and ``IfExists``.

    Operator names are matched case-insensitively (lenient: AWS documents them in one
    spelling only). Raises ``UnknownOperatorError`` for anything else, including
    ``NullIfExists``, which AWS does not allow.
    """
    rest = text
    qualifier = None
    if ":" in rest:
        prefix, rest = rest.split(":", 1)
        qualifier = _QUALIFIERS.get(prefix.lower())
        if qualifier is None:
            raise UnknownOperatorError(f"unknown set operator {quoted(prefix)}")
    lowered = rest.lower()
    if_exists = False
    base = BASE_OPERATORS.get(lowered)
    if base is None and lowered.endswith("ifexists"):
        base = BASE_OPERATORS.get(lowered[: -len("ifexists")])
        if_exists = True
    if base is None:
        raise UnknownOperatorError(f"unknown condition operator {quoted(text)}")
    if if_exists and base.family is Family.NULL:
        raise UnknownOperatorError("the Null operator has no IfExists form")
    return Operator(text=text, base=base, qualifier=qualifier, if_exists=if_exists)
