"""The roles of infrastructure code as the trust checks see them: model roles named by
their address, with a unique, valid ARN in the deploying account's stand-in, and a trust
policy whose unknowns are stood in for where a finding can hold whatever they are
(:func:`stand_in_document`); what cannot be judged is unread, never clean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from keyless.engine import Unread
from keyless.errors import PolicyError
from keyless.findings import Finding, Severity
from keyless.iac.model import DEPLOYING_ACCOUNT, IacResource, ResourceKind, location
from keyless.iac.partitions import provider_arn, providers_partition
from keyless.iac.stood_in import (
    StandInPlace,
    admitted_whatever_stood_in,
    condition_place,
    presents_open_ended,
)
from keyless.iac.values import JsonText, Node, Unknown, mapping, plain, unknowns
from keyless.model import Role
from keyless.policy.document import escape_pointer, parse_trust_policy
from keyless.policy.limits import PolicyTooLarge
from keyless.trust.owner import owner_account, owner_partition


@dataclass(frozen=True, slots=True)
class JudgedRole:
    """A role of the code, as the trust checks see it. A role judged with stand-ins
    (``stand_ins`` names what the code leaves unset, judged as its own name; ``places``
    where they are) reports only the findings that hold whatever those names are
    (:func:`holds_for_any_name`); when it has none, it is reported as ``not_judged``."""

    resource: IacResource
    role: Role
    stand_ins: tuple[str, ...] = ()
    not_judged: Unread | None = None
    #: The statements (their indices in the code's policy) left out of ``role``'s trust
    #: policy: ``Allow`` statements whose unknowns no stand-in can fill. Another ``Allow``
    #: only adds who may assume the role, so a :data:`STAND_IN_CHECKS` finding on the rest
    #: holds whatever they are; the role stays not judged (``not_judged``) all the same.
    left_out: tuple[int, ...] = ()
    places: tuple[StandInPlace, ...] = ()
    #: The condition values (their pointers) judged as a sibling of their list: values of
    #: an ``Allow``'s positive operator that no stand-in can fill (a data source's
    #: attribute). Such a value only adds requests the condition admits, so a
    #: :data:`STAND_IN_CHECKS` finding on the rest holds whatever it is; the role stays not
    #: judged all the same.
    values_left_out: tuple[str, ...] = ()

    @property
    def is_partial(self) -> bool:
        """Judged with stand-ins or without some statements or values: only what holds
        whatever the code leaves unset is reported."""
        return bool(self.stand_ins or self.left_out or self.values_left_out)

    @property
    def leaves_out(self) -> bool:
        """Judged without some statements or values: not judged whole, whatever it shows."""
        return bool(self.left_out or self.values_left_out)


def _without_trust(resource: IacResource) -> Unread:
    """A role the code gives no trust policy: Terraform (``assume_role_policy``) and
    CloudFormation (``AssumeRolePolicyDocument``) both require one and refuse the role
    without it, so what the code means to deploy is not known: reported, never skipped.
    https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html"""
    argument = (
        "assume_role_policy" if resource.type == "aws_iam_role" else ("AssumeRolePolicyDocument")
    )
    return Unread(
        location(resource.path, resource.position),
        f"{resource.address}: trust policy not judged: the role has no {argument}, "
        "which is required (the role is refused as written)",
    )


# Checks whose findings on a subject pattern do not depend on the names a stand-in fills
# in: the wildcards the code writes around them admit a pull request, any branch, another
# repository, any tenant or any service account, whatever the names turn out to be.
STAND_IN_CHECKS = frozenset(
    {
        "trust-oidc-untrusted-trigger",
        "trust-oidc-broad-subject",
        "trust-oidc-any-tenant",
        "trust-eks-unpinned",
    }
)
# Where a stand-in may be: a condition's value (a string in its list).
_CONDITION_VALUE = re.compile(r"/Statement(?:/\d+)?/Condition/[^/]+/[^/]+(?:/\d+)?")


def roles_to_judge(
    resources: Iterable[IacResource],
) -> tuple[list[JudgedRole], list[Unread]]:
    """The roles whose trust policy is known, as model roles (named by their address,
    each with a unique, valid ARN in the stand-in account: :func:`_arn_name`), and those
    that cannot be judged."""
    judged: list[JudgedRole] = []
    unread: list[Unread] = []
    taken: set[str] = set()
    for resource in resources:
        if resource.kind is not ResourceKind.ROLE:
            continue
        if resource.trust is None:
            unread.append(_without_trust(resource))
            continue
        missing = list(unknowns(resource.trust))
        stand_ins: tuple[str, ...] = ()
        places: tuple[StandInPlace, ...] = ()
        left_out: tuple[int, ...] = ()
        not_judged: Unread | None = None
        values_left_out: tuple[str, ...] = ()
        if missing:
            not_judged = _not_judged(resource, missing)
            rendered = _with_stand_ins(resource.trust, resource.partition)
            if rendered is None:
                narrowed, values_left_out = _with_known_siblings(resource.trust)
                rendered = (
                    _with_stand_ins(narrowed, resource.partition) if values_left_out else None
                )
                if rendered is None:
                    values_left_out = ()
            if rendered is None:
                rendered, left_out = _without_unknown_allows(resource.trust, resource.partition)
                if left_out:  # named by what no stand-in fills, in the first left out
                    first_left = _statement_unknowns(resource.trust, left_out[0])
                    not_judged = _not_judged(resource, first_left)
            if rendered is None:
                unread.append(not_judged)
                continue
            document, stand_ins, places = rendered
        else:
            try:
                document = plain(resource.trust)
            except ValueError as error:  # JSON text keyless cannot write exactly
                unread.append(
                    Unread(
                        location(resource.path, resource.position),
                        f"{resource.address}: trust policy not judged: {error}",
                    )
                )
                continue
        malformed = _malformed(document)
        if malformed is not None:
            unread.append(
                Unread(
                    location(resource.path, resource.position),
                    f"{resource.address}: trust policy not judged: {malformed}",
                )
            )
            continue
        account = _role_account(document)
        # Trust does not cross partitions: the partition the code deploys the role to (its
        # provider's region), else that of its principals (GovCloud's make a GovCloud role).
        partition = (
            resource.partition
            or providers_partition(document)
            or owner_partition(document)
            or "aws"
        )
        role = Role(
            account_id=account,
            name=resource.address,
            arn=f"arn:{partition}:iam::{account}:role/{_arn_name(resource, taken)}",
            trust_policy=document,
        )
        judged.append(
            JudgedRole(resource, role, stand_ins, not_judged, left_out, places, values_left_out)
        )
    return judged, unread


def _not_judged(resource: IacResource, missing: list[Unknown]) -> Unread:
    first = missing[0]
    more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
    return Unread(
        location(resource.path, resource.position),
        f"{resource.address}: trust policy not judged: {first.expression} at "
        f"line {first.position.line}, column {first.position.column}: {first.reason}{more}",
    )


def _statement_unknowns(trust: Node, index: int) -> list[Unknown]:
    """The unknowns of one statement of a policy whose ``Statement`` is a list."""
    assert isinstance(trust.value, Mapping)
    statements = trust.value["Statement"].value
    assert isinstance(statements, tuple)
    return list(unknowns(statements[index]))


def _without_unknown_allows(
    trust: Node, partition: str | None
) -> tuple[_Rendered | None, tuple[int, ...]]:
    """The trust policy without its ``Allow`` statements that no stand-in can complete (a
    principal from a parameter without a default, a principal's ARN read at plan time),
    rendered with stand-ins as :func:`_with_stand_ins` does, and their indices. A policy
    grants the union of its ``Allow`` statements less its ``Deny`` ones: leaving an
    ``Allow`` out leaves out only some of who may assume the role, so whoever the rest
    admits can assume it whatever the left-out statements say. A ``Deny`` (or a statement
    whose ``Effect`` is not known) is never left out: without it more would seem allowed.
    (None, ()) when nothing may be left out, or nothing would remain."""
    statements = trust.value.get("Statement") if isinstance(trust.value, Mapping) else None
    if statements is None or not isinstance(statements.value, tuple):
        return None, ()
    left_out = []
    for index, statement in enumerate(statements.value):
        alone = Node(
            mapping({"Statement": Node((statement,), statements.position)}), trust.position
        )
        if stand_in_document(alone, partition) is not None:
            continue
        effect = statement.value.get("Effect") if isinstance(statement.value, Mapping) else None
        if effect is None or effect.value != "Allow":
            return None, ()
        left_out.append(index)
    kept = tuple(s for i, s in enumerate(statements.value) if i not in left_out)
    if not left_out or not kept:
        return None, ()
    assert isinstance(trust.value, Mapping)
    reduced = Node(
        mapping({**trust.value, "Statement": Node(kept, statements.position)}), trust.position
    )
    rendered = _with_stand_ins(reduced, partition)
    return (rendered, tuple(left_out)) if rendered is not None else (None, ())


# Operators whose list of values is a union: a value fewer admits fewer requests (not the
# ``Not`` operators, where it admits more). With or without a set prefix or IfExists.
_UNION_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}
)


def _is_union_operator(name: str) -> bool:
    base = name.lower().removeprefix("foranyvalue:").removeprefix("forallvalues:")
    return base.removesuffix("ifexists") in _UNION_OPERATORS


def _fillable(node: Node) -> bool:
    value = node.value
    return isinstance(value, str) or (isinstance(value, Unknown) and value.stand_in is not None)


def _with_known_siblings(trust: Node) -> tuple[Node, tuple[str, ...]]:
    """The trust policy with each condition value that no stand-in can fill replaced by a
    sibling that can, where that only narrows what the policy allows: in an ``Allow``
    statement, under an operator whose values are a union (``StringLike``,
    ``StringEquals``, ``ArnLike``…), in a list with such a sibling. The pointers of the
    values replaced (none: nothing could be)."""
    replaced: list[str] = []

    def conditions(block: Node, pointer: str) -> Node:
        if not isinstance(block.value, Mapping):
            return block
        operators = {}
        for operator, keys in block.value.items():
            here = f"{pointer}/{escape_pointer(operator)}"
            if not _is_union_operator(operator) or not isinstance(keys.value, Mapping):
                operators[operator] = keys
                continue
            values = {}
            for key, listed in keys.value.items():
                items = listed.value
                sibling = (
                    next((i for i in items if _fillable(i)), None)
                    if isinstance(items, tuple)
                    else None
                )
                if sibling is None:
                    values[key] = listed
                    continue
                assert isinstance(items, tuple)
                kept = []
                for index, item in enumerate(items):
                    if _fillable(item) or not isinstance(item.value, Unknown):
                        kept.append(item)
                        continue
                    replaced.append(f"{here}/{escape_pointer(key)}/{index}")
                    kept.append(Node(sibling.value, item.position, item.notes))
                values[key] = Node(tuple(kept), listed.position, listed.notes)
            operators[operator] = Node(mapping(values), keys.position, keys.notes)
        return Node(mapping(operators), block.position, block.notes)

    def statement(node: Node, pointer: str) -> Node:
        value = node.value
        if not isinstance(value, Mapping):
            return node
        effect = value.get("Effect")
        condition = value.get("Condition")
        if effect is None or effect.value != "Allow" or condition is None:
            return node
        changed = {**value, "Condition": conditions(condition, f"{pointer}/Condition")}
        return Node(mapping(changed), node.position, node.notes)

    def document(node: Node) -> Node:
        value = node.value
        if isinstance(value, JsonText):
            inner = document(value.document)
            return Node(JsonText(inner, value.by_jsonencode), node.position, node.notes)
        if not isinstance(value, Mapping) or "Statement" not in value:
            return node
        statements = value["Statement"]
        if isinstance(statements.value, tuple):
            rewritten = Node(
                tuple(
                    statement(item, f"/Statement/{index}")
                    for index, item in enumerate(statements.value)
                ),
                statements.position,
                statements.notes,
            )
        else:
            rewritten = statement(statements, "/Statement")
        return Node(mapping({**value, "Statement": rewritten}), node.position, node.notes)

    narrowed = document(trust)
    return narrowed, tuple(replaced)


# An IAM role name: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_NOT_IN_ROLE_NAME = re.compile(r"[^\w+=,.@-]+", re.ASCII)


def _arn_name(resource: IacResource, taken: set[str]) -> str:
    """The name in a role's ARN: its IAM name when the code fixes a valid one (``name``,
    ``RoleName``), else a stand-in made of its address (``DeployRole-in-StackSet-Org``,
    as CloudFormation or Terraform would generate one); a name another role of the run
    already has (IAM names are unique regardless of case) gets ``-2``, ``-3``…"""
    name = resource.name
    if name is None or not _ROLE_NAME.fullmatch(name):
        name = _NOT_IN_ROLE_NAME.sub("-", resource.address).strip("-")[:64] or "role"
    candidate, count = name, 1
    while candidate.casefold() in taken:
        count += 1
        suffix = f"-{count}"
        candidate = name[: 64 - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def _role_account(document: Any) -> str:
    """The deploying account's stand-in, unless the policy names its own account itself (a
    literal provider ARN, ``aws:SourceAccount``) and nowhere stands for the deploying one."""
    owner = owner_account(document)
    if owner is None or DEPLOYING_ACCOUNT in orjson.dumps(document).decode():
        return DEPLOYING_ACCOUNT
    return owner


def stand_in_document(
    trust: Node, partition: str | None = None
) -> tuple[Any, tuple[str, ...]] | None:
    """The trust policy with each unknown replaced by its stand-in, and the expressions
    stood in for; None when an unknown cannot be stood in for. Stand-ins go in a
    condition's value (a name the code leaves unset, :func:`stand_in_text`), or in a
    ``Federated`` principal whose statement's condition keys name one OIDC issuer: only
    that issuer's provider gives those keys, so a role that works at all trusts it: in the
    issuer's partition, else ``partition`` (the code's), else ``aws``."""
    rendered = _with_stand_ins(trust, partition)
    return None if rendered is None else rendered[:2]


#: A policy rendered with stand-ins: the document, the expressions stood in for, and
#: where the stand-ins are.
_Rendered = tuple[Any, tuple[str, ...], tuple[StandInPlace, ...]]


def _with_stand_ins(trust: Node, partition: str | None) -> _Rendered | None:
    """:func:`stand_in_document`, with the places of its stand-ins."""
    used: list[str] = []
    places: list[StandInPlace] = []

    def render(node: Node, pointer: str, issuer: str | None) -> Any:
        value = node.value
        if isinstance(value, Unknown):
            if _FEDERATED.fullmatch(pointer) and issuer is not None:
                used.append(value.expression)
                places.append(StandInPlace())
                return provider_arn(DEPLOYING_ACCOUNT, issuer, partition)
            if value.stand_in is None or not _CONDITION_VALUE.fullmatch(pointer):
                raise LookupError(pointer)
            used.append(value.expression)
            places.append(condition_place(pointer, value.open_ended))
            return value.stand_in
        if isinstance(value, JsonText):
            return render(value.document, pointer, issuer)
        if _STATEMENT.fullmatch(pointer):
            issuer = _issuer_of(node)
        if isinstance(value, tuple):
            return [render(item, f"{pointer}/{i}", issuer) for i, item in enumerate(value)]
        if isinstance(value, Mapping):
            return {
                k: render(item, f"{pointer}/{escape_pointer(k)}", issuer)
                for k, item in value.items()
            }
        return value

    try:
        document = render(trust, "", None)
    except LookupError:
        return None
    return document, tuple(dict.fromkeys(used)), tuple(dict.fromkeys(places))


_STATEMENT = re.compile(r"/Statement(?:/\d+)?")
_FEDERATED = re.compile(r"/Statement(?:/\d+)?/Principal/Federated(?:/\d+)?")
# Condition keys of AWS itself, not of an identity provider.
_AWS_KEY_PREFIXES = ("aws:", "sts:", "saml:", "cognito-identity.amazonaws.com:")


def _issuer_of(statement: Node) -> str | None:
    """The one OIDC issuer whose claims a statement's condition keys name
    (``token.actions.githubusercontent.com`` for ``…:sub``), or None."""
    conditions = statement.value.get("Condition") if isinstance(statement.value, Mapping) else None
    if conditions is None or not isinstance(conditions.value, Mapping):
        return None
    issuers = {
        key.rsplit(":", 1)[0]
        for block in conditions.value.values()
        if isinstance(block.value, Mapping)
        for key in block.value
        if ":" in key and not key.lower().startswith(_AWS_KEY_PREFIXES)
    }
    if len(issuers) != 1:
        return None
    (issuer,) = issuers
    return issuer if "." in issuer and not any(c in issuer for c in "*?${}") else None


def _malformed(document: Any) -> str | None:
    """Why a trust policy cannot be judged: beyond keyless's limits
    (keyless.policy.limits), or not a policy IAM accepts (a ``Condition`` written as a
    list: CloudFormation and Terraform fail to create the role). Not judged, so never clean
    and never passed as a finding below ``--fail-on`` (exit 3), as ``keyless trust`` says
    of the same file."""
    try:
        parse_trust_policy(document)
    except PolicyTooLarge as error:
        return error.message
    except PolicyError as error:
        return error.describe()
    return None


def holds_for_any_name(finding: Finding, judged: JudgedRole) -> bool:
    """A finding on a policy judged with stand-ins (or without some statements) that does
    not depend on the names: one of :data:`STAND_IN_CHECKS`, at medium or above (a low one
    is about the named branch itself, which a stand-in only pretends to know); or one whose
    witness the policy decides alike whatever the stand-ins are (it presents none of their
    condition keys: an account trusted beside a statement pinned to an unset
    ``sts:ExternalId``, :mod:`keyless.iac.stood_in`). The statements left out only add
    who may assume the role: what the rest admits, the whole policy admits. A subject
    finding rests on the names alone only when the code closes each one
    (``repo:${var.repo}:*``): one ending the value (``repo:${var.subject}``) may hold a
    narrower rest, so a finding whose request presents its key is not claimed."""
    role_arn = judged.role.arn
    if (
        finding.check in STAND_IN_CHECKS
        and finding.severity >= Severity.MEDIUM
        and not presents_open_ended(finding.witness, role_arn, judged.places)
    ):
        return True
    return admitted_whatever_stood_in(finding.witness, role_arn, judged.places)
