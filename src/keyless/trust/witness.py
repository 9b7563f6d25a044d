"""Concrete witnesses for access paths, in the forms of :mod:`keyless.trust.replay`.

A witness is built from a solution term (:func:`keyless.trust.formula.solve`)
plus the facts every real request of that kind carries ("realism"): an OIDC token always
has ``sub`` and ``aud``, and STS exposes only the claims AWS documents (any other key of the
issuer is absent); an AWS caller's ``aws:PrincipalArn``, ``aws:PrincipalAccount`` and
``aws:PrincipalType`` follow from who it is, and a role session always carries
``aws:MultiFactorAuthPresent``. The contract: :func:`keyless.trust.replay.evaluate_witness`
allows every witness returned here — each one is replayed before it is handed out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from keyless.idp.providers import Provider
from keyless.model.arn import is_account_id, parse_arn
from keyless.patterns.budget import BudgetExceeded, bounded
from keyless.patterns.dfa import CharClass, Token
from keyless.patterns.language import Glob, Language
from keyless.policy.document import Statement
from keyless.trust.conditions import is_multivalued
from keyless.trust.formula import (
    TRUE,
    Term,
    all_of,
    any_of,
    choose_values,
    present,
    with_question,
)
from keyless.trust.keys import canonical_context
from keyless.trust.paths import AccessPath, PrincipalClass
from keyless.trust.questions import folds, tenants
from keyless.trust.realism import SERVICE_NAME, mechanism_facts
from keyless.trust.replay import evaluate_witness

#: Account and principal used for "someone else" in witnesses (an AWS documentation account).
OUTSIDER_ACCOUNT = "999988887777"
STS_AUDIENCE = "sts.amazonaws.com"
#: STS's audience where a partition's differs (China's: the endpoint's domain).
#: https://github.com/aws-actions/configure-aws-credentials#oidc-audience
_STS_AUDIENCES = {"aws-cn": "sts.amazonaws.com.cn"}


def sts_audience(partition: str) -> str:
    """The audience STS expects of a web identity token in ``partition``."""
    return _STS_AUDIENCES.get(partition, STS_AUDIENCE)


_OTHER_ID = "99998888-7777-4666-8555-444433332222"
_OTHER_IDENTITY_POOL = f"us-east-1:{_OTHER_ID}"


# A region of each partition for "someone else's" trust anchor (us-east-1 is only in aws).
_REGIONS = {"aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}


def outsider_resources(partition: str, service: str) -> tuple[Language, ...]:
    """Readable ARNs of someone else's resources, most specific first, for a witness's
    ``aws:SourceArn``: the service's own (``arn:aws:sns:us-east-1:999988887777:example``),
    then any of the outsider account's, every field filled."""
    region = _REGIONS.get(partition, "us-east-1")
    prefix = service.split(".", 1)[0] or "service"
    named = (
        f"arn:{partition}:{prefix}:{region}:{OUTSIDER_ACCOUNT}:example",
        f"arn:{partition}:{prefix}:{region}:{OUTSIDER_ACCOUNT}:example/example",
        f"arn:{partition}:{prefix}:{region}:{OUTSIDER_ACCOUNT}:example:example",
        f"arn:{partition}:{prefix}:::example",  # S3 buckets name no Region or account
    )
    # A bucket names no Region or account; any other resource is the outsider's, and a
    # pattern's own resource type (`rule/*`) ends in "example".
    buckets = (Language.wildcard(f"arn:{partition}:{prefix}:::?*"),) if prefix == "s3" else ()
    return (
        *(Language.literal(arn) for arn in named),
        *buckets,
        Language.wildcard(f"arn:{partition}:{prefix}:{region}:{OUTSIDER_ACCOUNT}:*example"),
        Language.wildcard(f"arn:{partition}:{prefix}:*:{OUTSIDER_ACCOUNT}:?*"),
        Language.wildcard(f"arn:{partition}:?*:?*:{OUTSIDER_ACCOUNT}:?*"),
    )


_ANCHOR_ID = f"trust-anchor/{_OTHER_ID}"


def _outsider_anchor(partition: str) -> str:
    # A trust anchor of someone else's, in the role's partition (Roles Anywhere acts for
    # anchors of the role's own partition only).
    # The ID has a trust anchor's shape (a UUID), so `keyless simulate --trust-anchor` takes it.
    region = _REGIONS.get(partition, "us-east-1")
    return f"arn:{partition}:rolesanywhere:{region}:{OUTSIDER_ACCOUNT}:trust-anchor/{_OTHER_ID}"


def realism(path: AccessPath) -> Term:
    """What every real request of the path's kind satisfies (see the module doc and
    :mod:`keyless.trust.realism`), including keys the policy does not mention."""
    found = path.memo.realism
    if found is None:
        found = path.memo.realism = mechanism_facts(
            path.principal_class.value,
            path.principal,
            path.issuer,
            path.mentioned_keys(),
            complete=True,
        )
    return found


def find(
    path: AccessPath,
    question: Term = TRUE,
    prefer: Mapping[str, Iterable[Language]] | None = None,
) -> dict[str, Any] | None:
    """A witness: a concrete request ``path`` admits that satisfies ``question``, or None.

    The witness has one of the forms of :mod:`keyless.trust.replay` and is replayed
    through the concrete evaluator before it is returned; if the replay disagrees (a
    policy variable made the path approximate), no witness is returned.
    """
    # Roles sharing a trust policy share its (memoised) paths: answer each question once.
    # Keyed by structural recipes: hashing a Language would minimise its automaton.
    preferences = tuple(
        sorted((k, tuple(language.key for language in v)) for k, v in (prefer or {}).items())
    )
    key = (question.recipe(), preferences)
    witnesses = path.memo.witnesses
    if key not in witnesses:
        # Most questions have no answer: decide that (memoised) before building anything.
        # The decision is exact and unbounded; only the search for a readable witness is
        # held to the policy's budget.
        admitted = path.solve(question) is not None
        witnesses[key] = _bounded_witness(path, question, prefer or {}) if admitted else None
    found = witnesses[key]
    if found is None or isinstance(found, OmittedWitness):
        return found
    return dict(found)


class OmittedWitness(dict[str, Any]):
    """What :func:`find` returns when the path admits a request answering the question
    (the verdict is exact) but building a witness for it ran out of the policy's search
    budget (:data:`WITNESS_STEPS`): an empty mapping that says so, never a guess.
    ``limit`` is the budget that was spent."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit


def _bounded_witness(
    path: AccessPath, question: Term, prefer: Mapping[str, Iterable[Language]]
) -> dict[str, Any] | None:
    budget = path.memo.budget
    if budget.exhausted:
        return OmittedWitness(budget.limit)
    try:
        with bounded(budget):
            return build_witness(path, question, prefer)
    except BudgetExceeded:
        return OmittedWitness(budget.limit)


def build_witness(
    path: AccessPath, question: Term, prefer: Mapping[str, Iterable[Language]]
) -> dict[str, Any] | None:
    """A replayed witness for ``path`` satisfying ``question`` (see the module doc)."""
    full = with_question(question, realism(path))
    preferences = {**_default_preferences(path), **{k.lower(): tuple(v) for k, v in prefer.items()}}
    if path.issuer and _names_job_workflow(path):
        # Each preferred subject first with a readable workflow in it (a question's own
        # preferences, a trigger's example, replace the defaults for the sub).
        sub = path.key("sub")
        held = preferences.get(sub, ())
        preferences[sub] = (
            *(nice & _READABLE_WORKFLOW_FIELD for nice in held),
            _READABLE_WORKFLOW_FIELD,
            *held,
        )
    if path.principal_class in (
        PrincipalClass.ANYONE,
        PrincipalClass.AWS_ACCOUNT,
        PrincipalClass.AWS_PRINCIPAL,
    ):
        return _aws_witness(path, full, preferences)
    solution = path.solve(full)
    if solution is None:
        return None
    values = choose_values(solution, is_multivalued, preferences)
    if path.principal_class is PrincipalClass.OIDC:
        asked = frozenset(k for k, c in question.keys if c.needs)
        witness = _claims_witness(path, values, asked)
    elif path.principal_class is PrincipalClass.SAML:
        witness = _saml_witness(values)
    elif path.principal_class is PrincipalClass.ROLES_ANYWHERE:
        witness = _certificate_witness(values, path.partition)
    elif path.principal_class is PrincipalClass.SERVICE:
        witness = _service_witness(path, values, question)
    else:
        return None
    if "context" in witness:
        witness["context"] = canonical_context(witness["context"], path.policy)
    return witness if replays(path, witness) else None


def replays(path: AccessPath, witness: Mapping[str, Any]) -> bool:
    """Does the concrete evaluator allow ``witness`` under the path's policy?

    First against the path's own statements (its Allows and the Denies that apply to it):
    what that allows, the whole policy allows too (more Allows cannot deny it), and it
    costs the path's statements rather than the policy's, so a policy of many independent
    statements is replayed in linear time. Only when that does not allow is the whole
    policy asked.
    """
    own = path.memo.own_policy
    if own is None:
        every = path.policy.statements
        statements = tuple(
            every[i] if i < len(every) and every[i].index == i else _statement(every, i)
            for i in sorted({*path.statements, *path.denied_by})
        )
        own = path.memo.own_policy = dataclasses.replace(path.policy, statements=statements)
    try:
        if evaluate_witness(own, witness, partition=path.partition).allowed:
            return True
        return evaluate_witness(path.policy, witness, partition=path.partition).allowed
    except Exception:
        return False


def _statement(statements: tuple[Statement, ...], index: int) -> Statement:
    return next(s for s in statements if s.index == index)


def _default_preferences(path: AccessPath) -> dict[str, tuple[Language, ...]]:
    prefer: dict[str, tuple[Language, ...]] = {}
    if path.issuer:
        provider = path.provider
        if provider is not None and provider.name == "Amazon Cognito identity pools":
            # Cognito's aud is the identity pool's ID, never STS's audience.
            prefer[path.key("aud")] = (Language.literal(_OTHER_IDENTITY_POOL),)
            prefer[path.key("amr")] = (Language.literal("authenticated"),)
        elif provider is not None and provider.audience:
            # The audience the vendor's tokens carry (CircleCI's: the organization's ID).
            audience = provider.default_audience(path.issuer)
            sts = Language.literal(sts_audience(path.partition))
            prefer[path.key("aud")] = (Language.literal(audience), sts)
        else:
            prefer[path.key("aud")] = (Language.literal(sts_audience(path.partition)),)
        grammar = path.grammar
        if grammar is not None and grammar.example:
            # Then a readable subject of a repository or tenant the policy names, then one in
            # the provider's usual form, before any subject.
            values = path.policy_values(path.key("sub"))
            repos = sorted(grammar.repos_in(values, fold=folds(path)))[:1]
            named = sorted(tenants(path, grammar))[:1]
            usual = grammar.example.replace("{tenant}", "*").replace("{repo}", "*")
            prefer[path.key("sub")] = (
                *grammar.nice("attacker", "anything"),
                *(nice for tenant, repo in repos for nice in grammar.nice(tenant, repo)),
                *(nice for tenant in named for nice in grammar.nice(tenant, "anything")),
                Language.wildcard(usual),
                Language.wildcard(usual.rsplit(":", 1)[0] + ":*"),
                grammar.well_formed_language(),
            )
        # A reusable workflow in GitHub's form rather than the shortest one (`a/a/…@refs/a`).
        prefer[path.key("job_workflow_ref")] = (_READABLE_WORKFLOW,)
    prefer["aws:multifactorauthpresent"] = (Language.literal("false"),)
    if path.any_service:
        prefer[SERVICE_NAME] = _SERVICE_NAMES
    if path.principal_class is PrincipalClass.ROLES_ANYWHERE:
        anchor = _outsider_anchor(path.partition)
        head = f"arn:{path.partition}:rolesanywhere:"
        prefer["aws:sourcearn"] = (
            Language.literal(anchor),
            Language.from_glob((anchor.rsplit(":", 1)[0] + ":", _STAR)),
            # A pattern over the account's own anchors (`…:*:111122223333:trust-anchor/*`):
            # one of them with an anchor's shape (a Region, a UUID), as simulate takes it.
            Language.from_glob((anchor.rsplit(":", 2)[0] + ":", _STAR, ":" + _ANCHOR_ID)),
            Language.wildcard(f"{head}?*:?*:{_ANCHOR_ID}"),
            Language.wildcard(f"{head}?*:?*:trust-anchor/?*"),
        )
    return prefer


# A readable GitHub workflow reference (the `job_workflow_ref` claim, OWNER/REPO/.github/
# workflows/FILE@REF), and a custom subject's field of it.
_READABLE_WORKFLOW = Language.wildcard("?*/?*/.github/workflows/?*.yml@refs/heads/main")
_READABLE_WORKFLOW_FIELD = Language.wildcard(
    "*job_workflow_ref:?*/?*/.github/workflows/?*.yml@refs/heads/main*"
)


def _names_job_workflow(path: AccessPath) -> bool:
    """Does a ``sub`` value of the policy name a ``job_workflow_ref:`` field (GitHub's
    custom subject of a reusable workflow)?"""
    return any("job_workflow_ref:" in value for value in path.policy_values(path.key("sub")))


# ----- OIDC -----------------------------------------------------------------------------------


def _claims_witness(
    path: AccessPath, values: Mapping[str, str | list[str]], wanted: frozenset[str]
) -> dict[str, Any]:
    provider = path.provider
    assert provider is not None
    assert path.issuer is not None
    prefix = f"{path.issuer}:".lower()
    claims: dict[str, Any] = {"iss": f"https://{path.issuer}"}
    context: dict[str, Any] = {}
    names = {key.name.lower(): key for key in provider.keys}
    keep = path.mentioned_keys() | {path.key("sub"), path.key("aud")}
    for key, value in values.items():
        if key not in keep and key not in wanted:
            continue  # a claim every token has, which this policy does not look at
        if not key.startswith(prefix):
            context[key] = value
            continue
        name = key[len(prefix) :]
        claims[_claim_name(provider, names, name)] = _claim_value(names, name, value)
    if provider.name == "Google" and "azp" in claims and "aud" not in claims:
        claims["aud"] = claims["azp"]
    witness: dict[str, Any] = {"claims": claims}
    if context:
        witness["context"] = context
    return witness


def _claim_name(provider: Provider, names: Mapping[str, Any], name: str) -> str:
    if name in names:
        claim = str(names[name].claim)
        if provider.name == "Google" and name == "aud":
            return "azp"  # accounts.google.com:aud is the token's azp when present
        return claim.split("|")[0]
    return name


def _claim_value(names: Mapping[str, Any], name: str, value: str | list[str]) -> Any:
    key = names.get(name)
    if key is not None and str(key.type) == "Numeric" and isinstance(value, str):
        if not value.isascii():  # int() would read digits of every script
            return value
        try:
            return int(value)
        except ValueError:
            return value
    return value


# ----- AWS principals -------------------------------------------------------------------------

_KINDS = (("role", "AssumedRole"), ("user", "User"))
# Twelve digits: built from character-class tokens (patterns has no concatenation).
_ACCOUNT = Language.from_tokens((Token(CharClass(frozenset("0123456789"))),) * 12)


def _aws_witness(
    path: AccessPath, question: Term, prefer: Mapping[str, tuple[Language, ...]]
) -> dict[str, Any] | None:
    first = path.solve(question)
    if first is None:
        return None
    accounts = _account_choices(path, first)
    for account in accounts:
        for kind, principal_type in _KINDS:
            witness = _aws_attempt(path, question, first, prefer, account, kind, principal_type)
            if witness is not None:
                return witness
    return None


_STRANGER_ACCOUNTS = (OUTSIDER_ACCOUNT, "777788889999")


def _account_choices(path: AccessPath, solution: Term) -> list[str]:
    if path.account:
        return [path.account]
    allowed = solution.constraint("aws:principalaccount")
    language = allowed.single_value_language() & _ACCOUNT
    # The documentation's stranger, then another documentation account (000000000000,
    # the shortest, is what keyless prints for an unknown account).
    choices = [account for account in _STRANGER_ACCOUNTS if account in language]
    choices.extend(a for a in language.examples(3) if a not in choices)
    arn = solution.constraint("aws:principalarn").single_value_language()
    for example in arn.examples(3):
        parsed = parse_arn(example)
        if parsed is not None and parsed.account in language and parsed.account not in choices:
            choices.append(parsed.account)
    return choices


def _aws_attempt(
    path: AccessPath,
    question: Term,
    current: Term,
    prefer: Mapping[str, tuple[Language, ...]],
    account: str,
    kind: str,
    principal_type: str,
) -> dict[str, Any] | None:
    if path.principal_class is PrincipalClass.AWS_PRINCIPAL:
        principal = path.principal
        parsed = parse_arn(principal)
        if parsed is None:
            return None
        if parsed.resource.startswith("user/"):
            kind, principal_type = "user", "User"
        else:
            kind, principal_type = "role", "AssumedRole"
            if parsed.resource.startswith("assumed-role/"):
                role = parsed.resource.split("/")[1]
                principal_arn = f"arn:{parsed.partition}:iam::{parsed.account}:role/{role}"
            else:
                principal_arn = principal
        if kind == "user":
            principal_arn = principal
    else:
        prefix = f"arn:{path.partition}:iam::{account}:{kind}/"
        shape = Language.from_glob((prefix, _STAR))
        options = current.constraint("aws:principalarn").single_value_language() & shape
        nice = Language.literal(prefix + "any")
        chosen = (options & nice).shortest_example() or options.shortest_example()
        if chosen is None:
            return None
        principal = principal_arn = chosen
    extras = [
        any_of("aws:principalarn", Language.literal(principal_arn)),
        all_of("aws:principalarn", Language.literal(principal_arn)),
        any_of("aws:principalaccount", Language.literal(account)),
        all_of("aws:principalaccount", Language.literal(account)),
        any_of("aws:principaltype", Language.literal(principal_type)),
        all_of("aws:principaltype", Language.literal(principal_type)),
    ]
    if kind == "role":
        extras.append(present("aws:multifactorauthpresent"))
    else:
        name = principal.rsplit("/", 1)[-1]
        extras.append(all_of("aws:username", Language.literal(name)))
        extras.append(present("aws:username"))
    solution = path.solve(with_question(question, *extras))
    if solution is None:
        return None
    values = choose_values(solution, is_multivalued, prefer)
    mentioned = path.mentioned_keys() | {k for k, c in question.keys if c.needs}
    context = {key: value for key, value in values.items() if key in mentioned}
    witness: dict[str, Any] = {
        "principal": principal,
        "context": canonical_context(context, path.policy),
    }
    return witness if replays(path, witness) else None


_STAR = Glob.STAR


# ----- services ---------------------------------------------------------------------------------


#: The service a witness of ``"*"``'s service half names when the policy does not say which
#: (``aws:PrincipalServiceName``): SNS acts for topics of any account.
ANY_SERVICE_EXAMPLE = "sns.amazonaws.com"
_SERVICE_NAMES = (
    Language.literal(ANY_SERVICE_EXAMPLE),
    Language.wildcard("?*.amazonaws.com"),
)


def _service_witness(
    path: AccessPath, values: Mapping[str, str | list[str]], question: Term
) -> dict[str, Any]:
    # What the service sends: the keys the policy or the question looks at.
    wanted = path.mentioned_keys() | {k for k, c in question.keys if c.needs}
    context = {key: value for key, value in values.items() if key in wanted}
    service = path.principal
    if path.any_service:
        # Every service principal: the one aws:PrincipalServiceName names (realism makes
        # it present for a service, and the preferences a real one).
        named = values.get(SERVICE_NAME)
        service = named if isinstance(named, str) and named else ANY_SERVICE_EXAMPLE
    witness: dict[str, Any] = {"service": service}
    if context:
        witness["context"] = context
    return witness


# ----- SAML and Roles Anywhere ----------------------------------------------------------------


def _saml_witness(values: Mapping[str, str | list[str]]) -> dict[str, Any]:
    attributes = {key: value for key, value in values.items() if key.startswith("saml:")}
    context = {key: value for key, value in values.items() if not key.startswith("saml:")}
    witness: dict[str, Any] = {"saml": attributes}
    if context:
        witness["context"] = context
    return witness


_SECTIONS = {"x509subject/": "subject", "x509issuer/": "issuer", "x509san/": "san"}


def _certificate_witness(values: Mapping[str, str | list[str]], partition: str) -> dict[str, Any]:
    certificate: dict[str, dict[str, str]] = {"subject": {}, "issuer": {}, "san": {}}
    context: dict[str, Any] = {}
    outsider = anchor = _outsider_anchor(partition)
    for key, value in values.items():
        if key == "aws:sourcearn" and isinstance(value, str):
            anchor = value
            continue
        if key.startswith("aws:principaltag/"):
            tag = key[len("aws:principaltag/") :]
            for prefix, section in _SECTIONS.items():
                if tag.startswith(prefix) and isinstance(value, str):
                    field = tag[len(prefix) :]
                    certificate[section][_field_name(field)] = value
                    break
            else:
                context[key] = value
            continue
        if key == "sts:sourceidentity" and isinstance(value, str):
            certificate["subject"].setdefault("CN", value)
            continue
        context[key] = value
    source_account = values.get("aws:sourceaccount")
    if anchor == outsider and isinstance(source_account, str) and is_account_id(source_account):
        # Roles Anywhere acts for a trust anchor of the account the caller names: the same.
        anchor = anchor.replace(OUTSIDER_ACCOUNT, source_account)
    witness: dict[str, Any] = {"certificate": certificate, "trust_anchor": anchor}
    if context:
        witness["context"] = context
    return witness


def _field_name(field: str) -> str:
    # RDN short names are upper case (CN, OU, O, C, ST, L); SAN types too (DNS, URI, Name/CN).
    if field.startswith("name/"):
        return "Name/" + field[5:].upper()
    return field.upper()


__all__ = [
    "ANY_SERVICE_EXAMPLE",
    "OUTSIDER_ACCOUNT",
    "OmittedWitness",
    "build_witness",
    "realism",
    "replays",
]
