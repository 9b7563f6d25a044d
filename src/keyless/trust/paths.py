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

import functools
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from keyless.errors import NotDecided
from keyless.idp.grammars import grammar_for
from keyless.idp.providers import (
    GITLAB_SELF_MANAGED,
    Provider,
    is_known,
    provider_for,
)
from keyless.idp.subject_grammar import SubGrammar
from keyless.model.arn import foreign_partition
from keyless.patterns.budget import BUDGET, BudgetExceeded, SearchBudget, bounded
from keyless.policy.document import (
    Policy,
    Statement,
)
from keyless.trust.conditions import is_multivalued
from keyless.trust.formula import (
    TRUE,
    Formula,
    Question,
    Term,
    keys_of,
    solve,
    with_question,
)
from keyless.trust.owner import (
    malformed_provider,
    names_foreign_provider,
    names_provider_by_host,
)

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


def policy_budgets() -> tuple[SearchBudget, SearchBudget]:
    """A fresh witness budget (:data:`WITNESS_STEPS`) and decision budget
    (:data:`DECISION_STEPS`), which the paths of one policy share."""
    return SearchBudget(WITNESS_STEPS), SearchBudget(DECISION_STEPS, proofs=True)


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
            names_service_keys(statement)
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
        whatever the conditions say; None when it may. The reasons: a principal or identity
        provider of another partition (partitions have independent IAM instances, see
        :func:`keyless.policy.evaluate.other_partition`), another account's IAM OIDC
        provider (:func:`keyless.trust.owner.oidc_provider_account`), a provider ARN that
        names no account (:func:`keyless.trust.owner.malformed_provider`), and an OIDC issuer
        named by host name where STS takes only its provider's ARN
        (:func:`keyless.trust.owner.names_provider_by_host`)."""
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
        if self.principal_class in (PrincipalClass.OIDC, PrincipalClass.SAML):
            malformed = malformed_provider(self.principal)
            if malformed is not None:
                return (
                    f"{malformed}, so it names no identity provider that can exist: STS "
                    "takes no token or assertion through it"
                )
        if self.principal_class is PrincipalClass.OIDC and names_foreign_provider(
            self.principal, account
        ):
            return (
                "it is an OIDC provider of another account, and STS only accepts a token "
                f"through the provider of the role's own account ({account})"
            )
        if self.principal_class is PrincipalClass.OIDC and names_provider_by_host(self.principal):
            return (
                "STS takes a host name as a Federated principal only for its built-in "
                "providers (accounts.google.com, cognito-identity.amazonaws.com, "
                "graph.facebook.com, www.amazon.com); any other issuer's token comes "
                "through its IAM OIDC provider, named by the provider's ARN "
                "(arn:aws:iam::ACCOUNT:oidc-provider/HOST)"
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


def names_service_keys(statement: Statement) -> bool:
    return any(condition.key_lower in _SERVICE_KEYS for condition in statement.conditions)


__all__ = [
    "ANY_SERVICE",
    "AccessPath",
    "PathMemo",
    "PrincipalClass",
    "TrustAnalysis",
]
