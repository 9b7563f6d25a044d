"""Access paths built from a trust policy: which principals it names, the statements that
admit and deny each, and their conditions as formulas (:mod:`keyless.trust.paths` holds
what a path is and answers; this module how a policy becomes its paths).

Analysis is memoised per canonical policy text (most roles of an account share a handful of
trust policies) and lazy: automata are built only for the keys a question touches.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from keyless.idp.providers import (
    BUILT_IN_PROVIDERS,
)
from keyless.model.arn import foreign_partition, parse_arn
from keyless.policy.document import (
    AwsPrincipalForm,
    Effect,
    Policy,
    Principal,
    PrincipalType,
    Statement,
    parse_trust_policy,
)
from keyless.policy.evaluate import (
    ASSUME_ROLE,
    ASSUME_ROLE_WITH_SAML,
    ASSUME_ROLE_WITH_WEB_IDENTITY,
    SET_SOURCE_IDENTITY,
    TAG_SESSION,
    actions_match,
)
from keyless.policy.operators import Family
from keyless.policy.templates import has_placeholder, placeholders_in
from keyless.trust.conditions import ConditionTranslator, is_multivalued
from keyless.trust.formula import (
    TRUE,
    Formula,
    Term,
    all_of,
    f_and,
    keys_of,
    with_question,
)
from keyless.trust.paths import (
    ANY_SERVICE,
    ROLES_ANYWHERE_SERVICE,
    AccessPath,
    PathMemo,
    PrincipalClass,
    TrustAnalysis,
    names_service_keys,
    policy_budgets,
)
from keyless.trust.realism import mechanism_facts, named_facts


def analyse(
    document: str | bytes | Mapping[str, Any] | Policy,
    *,
    memoise: bool = True,
    partition: str = "aws",
) -> TrustAnalysis:
    """The access paths of a trust policy (parsed, or JSON text / mapping to parse), for a
    role in ``partition`` (:func:`keyless.model.arn.partition_or_aws` of the role's ARN).

    Raises :class:`keyless.errors.PolicyError` for a malformed document. Memoised on the
    canonical JSON of the document unless ``memoise`` is false (for callers that keep
    their own table, such as a scan).
    """
    if not memoise:
        policy = document if isinstance(document, Policy) else parse_trust_policy(document)
        return _analyse_policy.__wrapped__(policy, partition)
    if isinstance(document, Policy):
        return _analyse_policy(document, partition)
    if isinstance(document, str | bytes):
        return _analyse_policy(parse_trust_policy(document), partition)
    return _analyse_canonical(canonical_text(document), partition)


def canonical_text(document: Mapping[str, Any]) -> str:
    """The canonical JSON of a policy mapping (sorted keys): the memoisation key."""
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS, default=_plain).decode()
    except TypeError:
        # orjson writes integers of at most 64 bits; a condition value may be any number,
        # and a non-finite float (NaN) should reach the parser, which names it.
        return json.dumps(document, sort_keys=True, default=_plain)


def _plain(value: Any) -> Any:
    # orjson serialises dict, list and tuple; frozen documents hold other mappings.
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


# Bounded and small: an analysis holds automata and memo tables; keyless.checks.trust keeps
# its own per-scan table of the policies many roles share.
@functools.lru_cache(maxsize=256)
def _analyse_canonical(text: str, partition: str) -> TrustAnalysis:
    return _analyse_policy(parse_trust_policy(text), partition)


@functools.lru_cache(maxsize=256)
def _analyse_policy(written: Policy, partition: str) -> TrustAnalysis:
    policy = keys_of_issuer(written)
    translator = ConditionTranslator(policy)
    allows: dict[int, Formula] = {}
    denies: dict[int, Formula] = {}
    for statement in policy.statements:
        if statement.effect is Effect.ALLOW:
            allows[statement.index] = translator.statement(statement, deny=False)
        else:
            denies[statement.index] = translator.statement(statement, deny=True)
    # Typed keys (Bool, Numeric, ...) range over their finite universe, also under negation.
    universe = with_question(*(all_of(k, u) for k, u in translator.universes.items()))
    index = _StatementIndex(policy, partition)
    budget, decisions = policy_budgets()
    paths = []
    for (principal_class, name), principal in index.allowed.items():
        actions = _actions(principal_class)
        allow: Formula = (TRUE,)
        deny: list[Term] = []
        used: set[int] = set()
        denied: set[int] = set()
        candidates = index.candidates(principal)
        for action in actions:
            per_action: list[Term] = []
            for position in candidates:
                statement = policy.statements[position]
                if not actions_match(statement, action):
                    continue
                if statement.effect is Effect.ALLOW:
                    if _names(statement, principal, partition, exact=True):
                        per_action.extend(allows[statement.index])
                        used.add(statement.index)
                elif _names(statement, principal, partition, exact=False):
                    deny.extend(denies[statement.index])
                    denied.add(statement.index)
            allow = f_and(allow, tuple(per_action), is_multivalued)
        issuer = (
            _issuer(principal, index.of(used)) if principal_class is PrincipalClass.OIDC else None
        )
        if principal_class is PrincipalClass.OIDC and issuer is None:
            principal_class = PrincipalClass.TEMPLATE  # ${oidc_provider_arn}, nothing to infer
        # Requests the mechanism cannot make (a key it never supplies, a sub the provider
        # cannot mint) are outside every question asked of the path.
        facts = mechanism_facts(
            principal_class.value,
            name,
            issuer,
            {*keys_of(allow), *keys_of(deny)},
            complete=False,
        )
        values = _values(index.of(used), index.of(denied))
        facts = with_question(facts, *named_facts(issuer, values))
        paths.append(
            AccessPath(
                principal_class=principal_class,
                principal=name,
                actions=actions,
                allow=allow,
                deny=tuple(deny),
                statements=tuple(sorted(used)),
                denied_by=tuple(sorted(denied)),
                policy=policy,
                approximate=translator.approximate,
                issuer=issuer,
                account=principal.account if principal.type is PrincipalType.AWS else None,
                values=values,
                universe=with_question(universe, facts),
                by_statement={i: allows[i] for i in sorted(used)},
                placeholders=_placeholders(principal, (written.statements[i] for i in used)),
                memo=PathMemo(budget=budget, decisions=decisions),
                partition=partition,
            )
        )
    return TrustAnalysis(written, tuple(paths))


def keys_of_issuer(policy: Policy) -> Policy:
    """The policy with each condition key whose issuer part is one unrendered placeholder
    (``${issuer}:sub``, ``%s:sub``) read as the key of the one OIDC issuer its statement's
    principals name: rendered, that is the issuer it names. Judged as written it is a key
    no request carries, and the statement's real ``sub`` and ``aud`` pins were lost (a
    pinned role read as open to every tenant)."""
    statements = []
    for statement in policy.statements:
        issuers = {
            _issuer(principal, (statement,))
            for principal in statement.principals or ()
            if principal.type is PrincipalType.FEDERATED
            and ":saml-provider/" not in principal.value
        }
        issuer = issuers.pop() if len(issuers) == 1 else None
        if issuer is None or has_placeholder(issuer):
            statements.append(statement)
            continue
        conditions = tuple(
            dataclasses.replace(condition, key=f"{issuer}:{name}")
            if sep and placeholders_in(prefix) == (prefix,)
            else condition
            for condition in statement.conditions
            for prefix, sep, name in (condition.key.rpartition(":"),)
        )
        statements.append(
            dataclasses.replace(statement, conditions=conditions)
            if conditions != statement.conditions
            else statement
        )
    if all(new is old for new, old in zip(statements, policy.statements, strict=True)):
        return policy
    return dataclasses.replace(policy, statements=tuple(statements))


class _StatementIndex:
    """Which statements may name a principal, found by lookup rather than by reading every
    statement for every principal: a policy of many independent statements is analysed in
    time that grows with its statements, not with their square.

    ``allowed``: each principal the Allow statements name (by identity, first seen first).
    :meth:`candidates`: the positions of the statements that can name a principal (its
    own identity, and for Deny ``"*"`` and its whole account), in document order; the
    exact test (:func:`_names`) is still applied to each.
    """

    def __init__(self, policy: Policy, partition: str):
        self.statements = policy.statements
        self._partition = partition
        self.allowed: dict[tuple[PrincipalClass, str], Principal] = {}
        self._by_identity: dict[tuple[PrincipalClass, str], list[int]] = {}
        self._by_account: dict[str, list[int]] = {}
        self._everyone: list[int] = []
        self._position = {statement.index: i for i, statement in enumerate(policy.statements)}
        for position, statement in enumerate(policy.statements):
            for principal in statement.principals or ():
                identity = _identity(principal, partition)
                self._by_identity.setdefault(identity, []).append(position)
                if statement.effect is Effect.ALLOW:
                    self.allowed.setdefault(identity, principal)
                    if principal.is_wildcard and names_service_keys(statement):
                        self.allowed.setdefault((PrincipalClass.SERVICE, ANY_SERVICE), principal)
                    continue
                if principal.is_wildcard:
                    self._everyone.append(position)
                elif principal.type is PrincipalType.AWS and principal.form is (
                    AwsPrincipalForm.ACCOUNT
                ):
                    key = _account_key(principal, partition)
                    self._by_account.setdefault(key, []).append(position)

    def candidates(self, principal: Principal) -> list[int]:
        """Positions of the statements that may name ``principal`` (a superset), in order."""
        found = set(self._by_identity.get(_identity(principal, self._partition), ()))
        found.update(self._everyone)
        if principal.type is PrincipalType.AWS:
            found.update(self._by_account.get(_account_key(principal, self._partition), ()))
        return sorted(found)

    def of(self, indexes: Iterable[int]) -> list[Statement]:
        """The statements of the given ``Statement.index`` values, in order."""
        return [self.statements[self._position[i]] for i in sorted(indexes)]


def _identity(principal: Principal, partition: str) -> tuple[PrincipalClass, str]:
    """What a principal stands for in a role of ``partition``: statements naming the same
    identity share one access path."""
    if principal.is_wildcard:
        return PrincipalClass.ANYONE, "*"
    if has_placeholder(principal.value) and principal.type is not PrincipalType.FEDERATED:
        return PrincipalClass.TEMPLATE, principal.value
    if principal.type is PrincipalType.AWS:
        if principal.form is AwsPrincipalForm.ACCOUNT:
            return PrincipalClass.AWS_ACCOUNT, _account_key(principal, partition)
        if principal.form is AwsPrincipalForm.UNIQUE_ID:
            return PrincipalClass.DELETED_PRINCIPAL, principal.value
        return PrincipalClass.AWS_PRINCIPAL, principal.value
    if principal.type is PrincipalType.FEDERATED:
        value = principal.value
        if ":saml-provider/" in value:
            return PrincipalClass.SAML, value
        return PrincipalClass.OIDC, value
    if principal.type is PrincipalType.SERVICE:
        if principal.value.lower() == ROLES_ANYWHERE_SERVICE:
            return PrincipalClass.ROLES_ANYWHERE, principal.value.lower()
        return PrincipalClass.SERVICE, principal.value.lower()
    if principal.type is PrincipalType.CANONICAL_USER:
        return PrincipalClass.CANONICAL_USER, principal.value
    return PrincipalClass.SERVICE, principal.value


def _actions(principal_class: PrincipalClass) -> tuple[str, ...]:
    if principal_class is PrincipalClass.OIDC:
        return (ASSUME_ROLE_WITH_WEB_IDENTITY,)
    if principal_class is PrincipalClass.SAML:
        return (ASSUME_ROLE_WITH_SAML,)
    if principal_class is PrincipalClass.ROLES_ANYWHERE:
        # https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html
        return (ASSUME_ROLE, TAG_SESSION, SET_SOURCE_IDENTITY)
    return (ASSUME_ROLE,)


def _account_key(principal: Principal, partition: str) -> str:
    """The account an AWS principal belongs to, as a role of ``partition`` tells accounts
    apart: ``123456789012`` and ``arn:aws:iam::123456789012:root`` are one account in an
    ``aws`` role, while ``arn:aws-cn:iam::123456789012:root`` is another account's (that of
    the China partition, :func:`keyless.model.arn.foreign_partition`), kept as its ARN."""
    if foreign_partition(principal.value, partition):
        return principal.value
    return principal.account or principal.value


def _names(statement: Statement, principal: Principal, partition: str, *, exact: bool) -> bool:
    """Does ``statement`` name ``principal``? For a Deny (``exact=False``) a wider principal
    counts too: ``"*"`` and the principal's whole account cover it."""
    for candidate in statement.principals or ():
        if _identity(candidate, partition) == _identity(principal, partition):
            return True
        if exact:
            continue
        if candidate.is_wildcard:
            return True
        if (
            candidate.type is PrincipalType.AWS
            and candidate.form is AwsPrincipalForm.ACCOUNT
            and principal.type is PrincipalType.AWS
            and _account_key(principal, partition) == _account_key(candidate, partition)
        ):
            return True
    return False


def _issuer(principal: Principal, statements: Iterable[Statement]) -> str | None:
    """The OIDC condition-key prefix of a Federated principal. An unrendered principal
    (``${oidc_provider_arn}``) gets the one issuer its statements' condition keys name, when
    they name exactly one; otherwise ``None`` (nothing to judge)."""
    value = principal.value
    if value.lower() in BUILT_IN_PROVIDERS:
        return value.lower()
    parsed = parse_arn(value)
    if parsed is not None and parsed.resource.startswith("oidc-provider/"):
        written = parsed.resource[len("oidc-provider/") :]
        host = written.rstrip("/")
        if written != host and not any(
            condition.key_lower.startswith(f"{host.lower()}:")
            for statement in statements
            for condition in statement.conditions
        ):
            # A provider registered with a trailing slash (Auth0, Entra ID v1): its issuer
            # and keys keep it (TENANT.auth0.com/:aud), unless the policy's keys do not.
            host = written
        if not has_placeholder(host):
            return host  # arn:aws:iam::${account_id}:oidc-provider/HOST: the host is known
    if not has_placeholder(value):
        return value
    prefixes = {
        condition.key_lower.partition(":")[0]
        for statement in statements
        for condition in statement.conditions
        if ":" in condition.key and not has_placeholder(condition.key)
    }
    issuers = {prefix for prefix in prefixes if "." in prefix or "/" in prefix}
    return issuers.pop() if len(issuers) == 1 else None


def _placeholders(principal: Principal, statements: Iterable[Statement]) -> tuple[str, ...]:
    found = list(placeholders_in(principal.value))
    for statement in statements:
        for condition in statement.conditions:
            found.extend(placeholders_in(condition.key))
            for value in condition.values:
                found.extend(placeholders_in(value))
    return tuple(dict.fromkeys(found))


def _values(
    statements: Iterable[Statement], denials: Iterable[Statement] = ()
) -> dict[str, tuple[str, ...]]:
    """The values the Allow statements compare each key with (positive operators), and
    those a Deny of one negated condition requires (``Deny`` when ``sub`` is
    ``StringNotLike`` X admits only X). A ``Null`` condition's ``"true"``/``"false"`` says
    whether the key is there, not what it holds: never one of the key's values
    (``Null aws:PrincipalOrgID false`` pins no organization named "false")."""
    found: dict[str, list[str]] = {}
    for statement in statements:
        for condition in statement.conditions:
            base = condition.operator.base
            if not base.negated and base.family is not Family.NULL:
                found.setdefault(condition.key_lower, []).extend(condition.values)
    for statement in denials:
        if len(statement.conditions) != 1:
            continue
        condition = statement.conditions[0]
        if condition.operator.base.negated and condition.operator.qualifier is None:
            found.setdefault(condition.key_lower, []).extend(condition.values)
    return {key: tuple(values) for key, values in found.items()}


__all__ = ["analyse", "canonical_text", "keys_of_issuer"]
