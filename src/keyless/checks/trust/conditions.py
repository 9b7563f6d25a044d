"""Trust checks on conditions that fail open or can never hold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import MappingProxyType

from keyless.checks.registry import CheckContext, Scope, check
from keyless.checks.trust._common import (
    _REQUIRES,
    TRUST_ANALYSIS,
    RoleTrust,
    _paths,
    _problem,
    other_half,
    unreachable,
)
from keyless.errors import PolicyError, quoted, quoted_list
from keyless.findings import Problem, Severity
from keyless.idp.context_keys import Mechanism, unsupplied
from keyless.idp.subject_grammar import SubGrammar
from keyless.model import Role
from keyless.patterns.language import Language
from keyless.policy.document import Condition, Statement
from keyless.policy.operators import Comparison, Family, Qualifier
from keyless.policy.templates import placeholders_in
from keyless.trust.actions import missing_actions_text
from keyless.trust.formula import absent
from keyless.trust.paths import AccessPath, PrincipalClass, TrustAnalysis
from keyless.trust.realism import EXTERNAL_IDS, MECHANISMS
from keyless.trust.witness import find, realism

# ----- conditions that fail open or can never hold ------------------------------------------------

_PINNING_CLAIMS = frozenset(
    {
        "sub",
        "aud",
        "environment",
        "job_workflow_ref",
        "repository",
        "repository_id",
        "repository_owner_id",
        "ref",
        "project_id",
        "namespace_id",
        "organization_id",
        "organization_slug",
        "amr",
    }
)


# Keys that list the session tags the caller sets: a condition on them limits what may be
# set (`ForAllValues:StringLike aws:TagKeys datazone*`, AWS's own DataZone and session-tag
# examples), and a request without them sets none: passing it opens nothing.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
_TAGS_SET = frozenset({"aws:tagkeys", "sts:transitivetagkeys"})


@check(
    "trust-condition-fails-open",
    title="Condition that passes when the key is missing",
    severity=Severity.MEDIUM,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Use the plain operator (`StringEquals`, `StringLike`) on single-valued keys, not "
        "`…IfExists`, `ForAllValues:` or a negated operator alone."
    ),
)
def trust_condition_fails_open(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """A condition is true for a request that lacks its key, and such a request is admitted.

    ``…IfExists``, ``ForAllValues:`` and negated operators are true when the key is absent
    (a token without an ``environment`` claim passes ``ForAllValues:StringEquals
    environment prod``). Not for ``aws:TagKeys`` / ``sts:TransitiveTagKeys``: a request
    without them sets no tag, which a limit on tag keys means to allow.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    """
    if isinstance(analysis, PolicyError):
        return
    for path in _paths(role, analysis):
        reported: set[str] = set()
        for index in path.statements:
            for condition in analysis.policy.statements[index].conditions:
                operator = condition.operator
                key = condition.key_lower
                opens = (
                    operator.if_exists
                    or operator.qualifier is Qualifier.FOR_ALL_VALUES
                    or (operator.base.negated and operator.base.family is not Family.NULL)
                )
                if not opens or key in reported or _names_the_issuer(path, key):
                    continue
                if key in _TAGS_SET:
                    continue
                witness = find(path, absent(key))
                if witness is None:
                    continue
                half = other_half(analysis, path) if path.any_service else None
                if half is not None and half.admits(absent(key)):
                    continue  # reported on the anyone half of "*", with an IAM caller
                reported.add(key)
                claim = key.rsplit(":", 1)[-1]
                severity = Severity.HIGH if claim in _PINNING_CLAIMS else None
                yield _problem(
                    role,
                    path,
                    f"{operator.text} {condition.key} passes when {condition.key} is missing",
                    witness,
                    severity,
                    key=condition.key,
                    pointer=condition.pointer,
                )


def _names_the_issuer(path: AccessPath, key: str) -> bool:
    """Whether ``key`` is the ``iss`` of the path's own OIDC issuer: the Federated
    principal already fixes the issuer, so a condition on it (``ForAllValues:StringEquals
    token.actions.githubusercontent.com:iss``, as terraform-aws-modules' GitHub OIDC role
    writes) admits no token the principal does not."""
    return path.issuer is not None and key == path.key("iss")


@check(
    "trust-dead-condition",
    title="Condition no real request can satisfy",
    severity=Severity.LOW,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Fix or remove the value: `*` is literal under StringEquals (use StringLike), the "
        "claim may not be exposed by AWS, or the repository now mints immutable subjects "
        "(`repo:OWNER@ID/REPO@ID:…`). A principal of another partition or another account's "
        "OIDC provider: name the role's own partition and account's provider."
    ),
)
def trust_dead_condition(role: Role, ctx: CheckContext, analysis: RoleTrust) -> Iterator[Problem]:
    """A statement or value of the trust policy can never match a real request.

    Examples: a wildcard under ``StringEquals`` (literal), a ``sub`` no token of the
    provider has, a claim STS does not expose, another account's OIDC provider (STS only
    uses the role's own account's), a principal of another partition (an ``aws`` account's
    root in a GovCloud or China role), a classic GitHub ``sub`` for a repository the same
    policy shows minting immutable subjects, or a Roles Anywhere trust that allows
    ``sts:AssumeRole`` without ``sts:TagSession`` and ``sts:SetSourceIdentity``, which
    Roles Anywhere needs too
    (https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html).
    The role silently does not work as written, and readers (and simpler tools) misread
    it. A malformed trust policy is reported here too, with the JSON pointer of the error.
    """
    if isinstance(analysis, PolicyError):
        yield Problem(
            resource=role.arn,
            message=f"{role.name}: the trust policy cannot be analysed: {analysis.message}",
            evidence=MappingProxyType({"error": analysis.message, "pointer": analysis.pointer}),
            severity=Severity.MEDIUM,
        )
        return
    yield from _unreachable(role, analysis)
    yield from _dead_values(role, analysis)
    for path in _paths(role, analysis):
        if path.principal_class is PrincipalClass.DELETED_PRINCIPAL:
            continue
        lacking = missing_actions_text(path)
        if lacking is not None:
            # Each statement may be satisfiable alone; together they lack an action.
            labels = ", ".join(analysis.policy.statements[i].label for i in path.statements)
            yield _problem(
                role,
                path,
                f"{labels} trusts {path.principal}, but {lacking}: nobody can assume it "
                "through Roles Anywhere",
                None,
                Severity.MEDIUM,
                pointer=analysis.policy.statements[path.statements[0]].pointer,
            )
            continue
        real = realism(path)
        half = other_half(analysis, path)
        for index in path.statements:
            if path.solve_statement(index, real) is not None:
                continue
            if half is not None and (
                path.any_service or half.solve_statement(index, realism(half)) is not None
            ):
                # "*" names IAM principals and services: a statement one of them can use
                # is alive, and one neither can is reported once, on the anyone path.
                continue
            statement = analysis.policy.statements[index]
            missing = [
                *_unsupplied_conditions(path, statement),
                *_impossible_external_ids(path, statement),
            ]
            for condition, reason in missing:
                yield _problem(
                    role,
                    path,
                    f"{statement.label} needs {condition.key}, which no request from "
                    f"{_mechanism_name(path)} carries ({reason}): nobody can assume it "
                    "through this statement",
                    None,
                    Severity.MEDIUM,
                    key=condition.key,
                    reason=reason,
                    pointer=condition.pointer,
                )
            if not missing:
                # As written; an unrendered template says so (trust-unrendered-template).
                template = " as written (an unrendered template)" if path.placeholders else ""
                yield _problem(
                    role,
                    path,
                    f"{statement.label} admits no real request from {path.principal}{template}",
                    None,
                    Severity.INFO if path.placeholders else Severity.MEDIUM,
                    pointer=statement.pointer,
                )


def _unsupplied_conditions(
    path: AccessPath, statement: Statement
) -> Iterator[tuple[Condition, str]]:
    """The statement's conditions that need a key the path's mechanism never supplies."""
    mechanism = MECHANISMS.get(path.principal_class.value)
    if mechanism is None:
        return
    for condition in statement.conditions:
        reason = unsupplied(condition.key, mechanism, path.issuer)
        if reason is not None and _needs_key(condition):
            yield condition, reason


def _impossible_external_ids(
    path: AccessPath, statement: Statement
) -> Iterator[tuple[Condition, str]]:
    """``sts:ExternalId`` conditions no value STS accepts can meet (``""``, one character,
    a space): the caller cannot send such an ID, so the statement is dead."""
    if MECHANISMS.get(path.principal_class.value) is not Mechanism.AWS:
        return
    for condition in statement.conditions:
        operator = condition.operator.base
        if (
            condition.key_lower != "sts:externalid"
            or operator.family is not Family.STRING
            or operator.negated
            or not _needs_key(condition)
        ):
            continue
        like = operator.comparison is Comparison.LIKE
        fold = operator.comparison is Comparison.EQUALS_IGNORE_CASE
        values = [
            Language.wildcard(v) if like else Language.literal(v, ignore_case=fold)
            for v in condition.values
        ]
        if all((value & EXTERNAL_IDS).is_empty() for value in values):
            shown = quoted_list(condition.values)
            which = f"{shown} is not" if len(condition.values) == 1 else f"none of {shown} is"
            yield (
                condition,
                f"{which} an external ID STS accepts: 2 to 1,224 letters, digits or _+=,.@:/-",
            )


def _needs_key(condition: Condition) -> bool:
    """Is ``condition`` false whenever its key is absent?"""
    operator = condition.operator
    if operator.base.family is Family.NULL:
        return all(value.lower() == "false" for value in condition.values)
    if operator.if_exists or operator.qualifier is Qualifier.FOR_ALL_VALUES:
        return False
    return operator.qualifier is Qualifier.FOR_ANY_VALUE or not operator.base.negated


def _mechanism_name(path: AccessPath) -> str:
    if path.principal_class is PrincipalClass.OIDC and path.provider is not None:
        return f"a {path.provider.name} token"
    mechanism = MECHANISMS.get(path.principal_class.value)
    return str(mechanism) if mechanism is not None else path.principal


def _unreachable(role: Role, analysis: TrustAnalysis) -> Iterator[Problem]:
    """Statements whose principal can never reach the role: another account's IAM OIDC
    provider (STS resolves a token's issuer to the provider of the role's own account,
    :func:`keyless.trust.owner.oidc_provider_account`) or a principal of another
    partition. They admit nobody."""
    for path in analysis.paths:
        why = unreachable(role, path)
        if why is None:
            continue
        statements = ", ".join(analysis.policy.statements[i].label for i in path.statements)
        yield _problem(
            role,
            path,
            f"{statements} trusts {path.principal}, which admits nobody: {why}",
            None,
            Severity.MEDIUM,
            pointer=analysis.policy.statements[path.statements[0]].pointer,
        )


def _dead_values(role: Role, analysis: TrustAnalysis) -> Iterator[Problem]:
    for path in _paths(role, analysis, PrincipalClass.OIDC):
        grammar = path.grammar
        sub = path.key("sub")
        immutable = set()
        if grammar is not None and grammar.immutable_repo_pattern:
            for value in path.policy_values(sub):
                match = re.match(grammar.immutable_repo_pattern, value)
                if match:
                    immutable.add((match["tenant"], match["repo"]))
        for index in path.statements:
            for condition in analysis.policy.statements[index].conditions:
                if condition.operator.base.family is not Family.STRING:
                    continue
                for value in condition.values:
                    reason = _dead_reason(
                        condition.operator.base.comparison.value,
                        condition.key_lower,
                        value,
                        sub,
                        grammar,
                        immutable,
                    )
                    if reason:
                        unrendered = placeholders_in(value)
                        if unrendered:
                            reason += f" as written (unrendered: {', '.join(unrendered)})"
                        yield _problem(
                            role,
                            path,
                            f"{condition.key} value {quoted(value)} {reason}",
                            None,
                            Severity.INFO if unrendered else None,
                            key=condition.key,
                            pointer=condition.pointer,
                        )


def _dead_reason(
    comparison: str,
    key: str,
    value: str,
    sub: str,
    grammar: SubGrammar | None,
    immutable: set[tuple[str, str]],
) -> str | None:
    if comparison != "like" and ("*" in value or "?" in value):
        return "holds a wildcard, which is literal under this operator"
    if key != sub or grammar is None:
        return None
    if comparison == "like":
        language = Language.wildcard(value)
    else:  # StringEqualsIgnoreCase 'REPO:o/r:…' admits the subject GitHub mints, repo:o/r:…
        language = Language.literal(value, ignore_case=comparison == "equals-ignore-case")
    if (language & grammar.well_formed_language()).is_empty():
        return "matches no subject the provider mints"
    name = grammar.invalid_name(value)
    if name is not None:
        return f"matches no subject the provider mints: {quoted(name)} ({grammar.names_rule})"
    foreign = grammar.foreign_names((value,))
    if foreign is not None and (language & grammar.well_formed_language() - foreign).is_empty():
        # `repo:o/r?é`: whatever the wildcard stands for, a name holds the character.
        return (
            "matches no subject the provider mints: a name in each holds a character no "
            f"name may ({grammar.names_rule})"
        )
    if grammar.classic_repo_pattern:
        match = re.match(grammar.classic_repo_pattern, value)
        if match and (match["tenant"], match["repo"]) in immutable:
            return (
                "uses the classic subject format, but the same repository mints immutable "
                "subjects (repo:OWNER@ID/REPO@ID:…)"
            )
    return None
