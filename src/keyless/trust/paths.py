"""Who can assume a role: a trust policy's *access paths*, exact questions, and witnesses.

An :class:`AccessPath` is one principal (anyone, an AWS account or principal, an OIDC issuer,
a SAML provider, a service, Roles Anywhere) with the exact set of request contexts the policy
admits for it: the OR of the Allow statements that name it, minus every Deny statement that
applies to it (a request escapes a Deny when one of its conditions fails). ``"Principal":
"*"`` names IAM principals and service principals alike: its statements give an ``anyone``
path (IAM callers) and, when they condition on keys only a service sends
(``aws:PrincipalIsAWSService``, ``aws:SourceAccount``, …), a service path of any service
(:data:`ANY_SERVICE`). Conditions are
translated by :mod:`keyless.trust.conditions` into formulas over languages
(:mod:`keyless.trust.formula`); :meth:`AccessPath.find` answers "is there an
admitted request that also satisfies this question?" exactly and returns a concrete witness
(:mod:`keyless.trust.witness`) that :func:`keyless.trust.replay.evaluate_witness`
allows — every witness is replayed before it is returned.

Analysis is memoised per canonical policy text (most roles of an account share a handful of
trust policies) and lazy: automata are built only for the keys a question touches.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson

from keyless.errors import NotDecided
from keyless.idp.grammars import SubGrammar, grammar_for
from keyless.idp.providers import (
    BUILT_IN_PROVIDERS,
    GITLAB_SELF_MANAGED,
    Provider,
    is_known,
    provider_for,
)
from keyless.model.arn import foreign_partition, parse_arn
from keyless.patterns.budget import BUDGET, BudgetExceeded, SearchBudget, bounded
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
    Question,
    Term,
    all_of,
    f_and,
    keys_of,
    solve,
    with_question,
)
from keyless.trust.owner import names_foreign_provider
from keyless.trust.realism import mechanism_facts

ROLES_ANYWHERE_SERVICE = "rolesanywhere.amazonaws.com"

WITNESS_STEPS = 2_000_000
"""How much work the witness searches of one trust policy may do, all its paths and
questions together, in steps of :class:`keyless.patterns.budget.SearchBudget` (one leaf
automaton following one character; about a second of work). Ordinary policies stay far
below it: in the messy benchmark estate 99% of the policies need fewer than 60,000 and the
most demanding one about 525,000; a policy of hundreds of wildcard
values could otherwise keep a scan busy for hours. Past it, findings keep their exact
verdict and say that their witness was omitted. Deciding *whether* a path admits a
request is never bounded."""


def _gitlab_subjects(values: tuple[str, ...]) -> bool:
    return bool(values) and all(value.startswith("project_path:") for value in values)


DECISION_STEPS = 40_000_000
"""How much work *deciding* the questions of one trust policy may do, all its paths
together (the same steps as :data:`WITNESS_STEPS`; about twenty seconds). No ordinary policy
comes near it: on the messy benchmark estate the most demanding one needs under 2% of it.
It exists so that no policy can stall a scan: a union of hundreds of wildcard values can
make the subset construction of an exact decision astronomical. Past it, the checks that
asked are not evaluated for the roles of that policy (:class:`UndecidedTrust`; exit 3),
never reported clean."""


class UndecidedTrust(NotDecided):
    """A question about a trust policy was not decided within :data:`DECISION_STEPS`."""

    def __init__(self, limit: int):
        super().__init__(
            f"trust policy too complex to decide within keyless's bound of {limit:,} "
            "automaton steps"
        )
        self.limit = limit


class PrincipalClass(StrEnum):
    """Who a path admits, coarsely."""

    ANYONE = "anyone"
    AWS_ACCOUNT = "aws-account"
    AWS_PRINCIPAL = "aws-principal"
    DELETED_PRINCIPAL = "deleted-principal"
    OIDC = "oidc"
    SAML = "saml"
    SERVICE = "service"
    ROLES_ANYWHERE = "roles-anywhere"
    TEMPLATE = "template"  # an unrendered placeholder: whoever it will name, not judged
    CANONICAL_USER = "canonical-user"  # an S3 owner's ID: no STS caller carries one


@dataclass(slots=True)
class PathMemo:
    """The answers already computed for one access path. Roles that share a trust policy
    share its paths, and several checks ask the same questions: each is answered once.
    Keys are structural recipes (:meth:`Term.recipe`): hashing a Language would minimise
    its automaton."""

    solutions: dict[tuple[Any, ...], Term | None] = field(default_factory=dict)
    statement_solutions: dict[tuple[Any, ...], Term | None] = field(default_factory=dict)
    witnesses: dict[tuple[Any, ...], dict[str, Any] | None] = field(default_factory=dict)
    questions: dict[Hashable, Question | None] = field(default_factory=dict)
    realism: Term | None = None
    budget: SearchBudget = field(default_factory=lambda: SearchBudget(WITNESS_STEPS))
    """The witness searches' budget; the paths of one policy share one."""
    decisions: SearchBudget = field(
        default_factory=lambda: SearchBudget(DECISION_STEPS, proofs=True)
    )
    """The decisions' budget (:data:`DECISION_STEPS`), shared the same way."""
    own_policy: Policy | None = None
    """The policy cut down to the path's statements, for replays (built on first use)."""
    unreachable: dict[str, str | None] = field(default_factory=dict)
    """:meth:`AccessPath.unreachable` per account (every check asks it of every path)."""


@dataclass(frozen=True)
class AccessPath:
    """One principal of a trust policy and exactly what the policy admits for it.

    ``allow`` and ``deny`` are formulas over the request context (keys lower-cased);
    ``statements`` are the indexes of the Allow statements the path comes from, ``denied_by``
    those of the Deny statements that apply to it;
    ``approximate`` is set when a policy variable made the translation over-approximate.
    ``issuer`` is the OIDC condition-key prefix (e.g. ``token.actions.githubusercontent.com``).
    ``placeholders`` are the unrendered template placeholders of the principal and of the
    conditions of the path's statements (``${trusted_entity}``, ``<OWNER>``).
    ``partition`` is the role's (``aws``, ``aws-us-gov``, ``aws-cn``): witnesses name
    principals of it, since no principal of another partition can assume the role.
    """

    principal_class: PrincipalClass
    principal: str
    actions: tuple[str, ...]
    allow: Formula
    deny: Formula
    statements: tuple[int, ...]
    policy: Policy = field(repr=False, compare=False)
    approximate: bool = False
    issuer: str | None = None
    account: str | None = None
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    universe: Term = TRUE
    placeholders: tuple[str, ...] = ()
    denied_by: tuple[int, ...] = ()
    by_statement: Mapping[int, Formula] = field(default_factory=dict, repr=False)
    memo: PathMemo = field(default_factory=lambda: PathMemo(), repr=False, compare=False)
    partition: str = "aws"

    # ----- what the path is about -------------------------------------------------------------

    @functools.cached_property
    def provider(self) -> Provider | None:
        """The OIDC provider of the path (from the issuer table), if any; an issuer the table
        does not know whose policy names only GitLab subjects is a self-managed GitLab."""
        if not self.issuer:
            return None
        found = provider_for(self.issuer)
        if not is_known(found) and _gitlab_subjects(self.policy_values(self.key("sub"))):
            return GITLAB_SELF_MANAGED
        return found

    @property
    def any_service(self) -> bool:
        """Is this the service half of ``"Principal": "*"`` (:data:`ANY_SERVICE`): any AWS
        service principal, for a resource of any account?"""
        return self.principal_class is PrincipalClass.SERVICE and self.principal == ANY_SERVICE

    @property
    def has_service_half(self) -> bool:
        """Is this the ``anyone`` path of a ``"*"`` that also names services (its statements
        condition on keys only a service sends), so that a service path of the same
        statements exists?"""
        return self.principal_class is PrincipalClass.ANYONE and any(
            _names_service_keys(statement)
            for statement in self.policy.statements
            if statement.index in self.statements
        )

    @property
    def grammar(self) -> SubGrammar | None:
        """The ``sub`` grammar of the path's provider, if keyless knows it."""
        provider = self.provider
        return grammar_for(provider.name) if provider else None

    def unreachable(self, account: str) -> str | None:
        """Why the path's principal can never assume a role of ``account`` (empty or
        :data:`~keyless.trust.owner.UNKNOWN_ACCOUNT`: unknown) in :attr:`partition`,
        whatever the conditions say; None when it may. Two reasons: a principal or identity
        provider of another partition (partitions have independent IAM instances, see
        :func:`keyless.policy.evaluate.other_partition`), and another account's IAM OIDC
        provider (:func:`keyless.trust.owner.oidc_provider_account`)."""
        known = self.memo.unreachable
        if account not in known:
            known[account] = self._unreachable(account)
        return known[account]

    def _unreachable(self, account: str) -> str | None:
        if self.principal_class is PrincipalClass.CANONICAL_USER:
            return (
                "a CanonicalUser principal names an Amazon S3 owner, and no caller of STS "
                "carries one"
            )
        if self.principal_class not in (PrincipalClass.ANYONE, PrincipalClass.SERVICE):
            foreign = foreign_partition(self.principal, self.partition)
            if foreign is not None:
                return (
                    f"it is of the partition {foreign} and the role of {self.partition}, and "
                    "no principal or identity provider of one partition is trusted in another"
                )
        if self.principal_class is PrincipalClass.OIDC and names_foreign_provider(
            self.principal, account
        ):
            return (
                "it is an OIDC provider of another account, and STS only accepts a token "
                f"through the provider of the role's own account ({account})"
            )
        return None

    def key(self, name: str) -> str:
        """The full, lower-cased condition key for a claim of this path's issuer."""
        return f"{self.issuer}:{name}".lower() if self.issuer else name.lower()

    def mentioned_keys(self) -> frozenset[str]:
        """Every key the path's Allow and Deny conditions mention."""
        return frozenset(keys_of(self.allow)) | frozenset(keys_of(self.deny))

    def policy_values(self, key: str) -> tuple[str, ...]:
        """Every value the path's Allow statements compare ``key`` with (positive operators)."""
        return self.values.get(key.lower(), ())

    # ----- questions ----------------------------------------------------------------------------

    def solve(self, question: Term = TRUE) -> Term | None:
        """A term of the admitted requests that also satisfies ``question`` (None: none)."""
        # Several checks ask the same question of a path (roles share paths): answer once.
        key = question.recipe()
        solutions = self.memo.solutions
        if key not in solutions:
            scoped = self._scoped(question)
            solutions[key] = self._decided(
                lambda: solve(self.allow, self.deny, scoped, is_multivalued)
            )
        return solutions[key]

    def _decided(self, decide: Callable[[], Term | None]) -> Term | None:
        """``decide()`` on the policy's decision budget (a witness search already running
        keeps its own); :class:`UndecidedTrust` once that budget is spent."""
        if BUDGET.get() is not None:
            return decide()
        budget = self.memo.decisions
        if budget.exhausted:
            raise UndecidedTrust(budget.limit)
        try:
            with bounded(budget):
                return decide()
        except BudgetExceeded as exceeded:
            raise UndecidedTrust(exceeded.limit) from None

    def _scoped(self, question: Term) -> Term:
        """The question within the path's universe, merged but not yet decided: alone it is
        often a large language (every pull-request ``sub`` of an organisation), while met
        with the policy's own values (one pinned ``sub``) it is a few membership tests.
        :func:`keyless.trust.formula.solve` decides every key of it against each Allow
        term, so nothing unsatisfiable gets through."""
        return with_question(question, self.universe)

    def solve_statement(self, index: int, question: Term = TRUE) -> Term | None:
        """Like :meth:`solve` through the Allow statement ``index`` alone (Denies still apply)."""
        # Memoised like :meth:`solve`: every role sharing the policy asks it again.
        key = (index, question.recipe())
        solutions = self.memo.statement_solutions
        if key not in solutions:
            formula = self.by_statement.get(index, ())
            scoped = self._scoped(question)
            solutions[key] = self._decided(
                lambda: solve(formula, self.deny, scoped, is_multivalued)
            )
        return solutions[key]

    def admits(self, question: Term = TRUE) -> bool:
        """Is some request admitted that also satisfies ``question``?"""
        return self.solve(question) is not None


@dataclass(frozen=True)
class TrustAnalysis:
    """The access paths of one trust policy."""

    policy: Policy
    paths: tuple[AccessPath, ...]

    def of_class(self, *classes: PrincipalClass) -> tuple[AccessPath, ...]:
        """The paths of the given principal classes."""
        if not classes:
            return self.paths
        return tuple(path for path in self.paths if path.principal_class in classes)


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
    budget = SearchBudget(WITNESS_STEPS)
    decisions = SearchBudget(DECISION_STEPS, proofs=True)
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
                values=_values(index.of(used), index.of(denied)),
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
                    if principal.is_wildcard and _names_service_keys(statement):
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


ANY_SERVICE = "*"
"""The principal of the service half of ``"Principal": "*"``: any AWS service principal."""

# Keys only a service principal's request carries (aws:PrincipalIsAWSService is "true" only
# for one): a ``"*"`` statement conditioned on them is written for services, and ``"*"``
# names service principals as well as IAM ones.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice
# https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
_SERVICE_KEYS = frozenset(
    {
        "aws:principalisawsservice",
        "aws:principalservicename",
        "aws:principalservicenameslist",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
    }
)


def _names_service_keys(statement: Statement) -> bool:
    return any(condition.key_lower in _SERVICE_KEYS for condition in statement.conditions)


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


__all__ = [
    "ANY_SERVICE",
    "AccessPath",
    "PrincipalClass",
    "TrustAnalysis",
    "analyse",
    "canonical_text",
]
