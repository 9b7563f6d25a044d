"""The questions the trust checks ask of an access path, as question terms.

Each function returns ``(question, preferences)`` for :meth:`AccessPath.find`, or ``None``
when the question does not apply to the path. The questions are exact with respect to the
provider grammars of :mod:`keyless.idp.grammars`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable

from keyless.idp.grammars import grammar_for
from keyless.idp.subject_grammar import SubGrammar, Trigger, shape
from keyless.patterns.language import Glob, Language
from keyless.policy.operators import Comparison
from keyless.trust.formula import TRUE, Question, Term, absent, all_of, any_of, with_question
from keyless.trust.paths import AccessPath

#: Keys of the organization a service acts for: an outside AWS caller sends none.
SOURCE_ORG_KEYS = ("aws:sourceorgid", "aws:sourceorgpaths")


def _values_of(path: AccessPath, name: str) -> tuple[str, ...]:
    return path.policy_values(path.key(name))


def tenants(path: AccessPath, grammar: SubGrammar) -> frozenset[str]:
    """Tenants the policy names, in ``sub`` and in tenant-pinning claims; for an issuer that
    serves one tenant (CircleCI's ``oidc.circleci.com/org/ID``), that tenant alone: its
    tokens name no other, whatever the values say."""
    own = issuer_tenant(path)
    if own is not None and grammar.tenant_templates:
        return frozenset({own})
    found = set(grammar.tenants_in(_values_of(path, "sub"), fold=folds(path)))
    for suffix, kind in grammar.tenant_keys.items():
        if kind != "id":
            for value in _values_of(path, suffix):
                head = value.split("/", 1)[0].split("*", 1)[0].split("?", 1)[0]
                if head:
                    found.add(head)
    return frozenset(found)


def folds(path: AccessPath) -> bool:
    """Does one of the path's statements compare a value without case
    (``StringEqualsIgnoreCase``)? Only then can a policy value admit a case variant of the
    tenant or repository it names (:meth:`SubGrammar.tenant_language`)."""
    return any(
        condition.operator.base.comparison is Comparison.EQUALS_IGNORE_CASE
        for index in (*path.statements, *path.denied_by)
        for condition in path.policy.statements[index].conditions
    )


#: The tenant a witness names when the policy pins it by ID only (any name will do).
_ANY_TENANT = "example-org"


def pins_tenant_by_id(path: AccessPath, grammar: SubGrammar) -> bool:
    """Does the policy pin the tenant by an ID claim (GitHub ``repository_owner_id``, GitLab
    ``namespace_id``) to exact values? Another tenant's token never carries them."""
    for suffix, kind in grammar.tenant_keys.items():
        key = path.key(suffix)
        values = path.policy_values(key)
        exact = not any(c in value for value in values for c in "*?$")
        if kind == "id" and values and exact and key in path.mentioned_keys():
            return True
    return False


def issuer_tenant(path: AccessPath) -> str | None:
    """The one tenant the path's issuer serves (``Provider.tenant_in_issuer``), if any."""
    provider = path.provider
    if provider is None or path.issuer is None:
        return None
    return provider.issuer_tenant(path.issuer)


def _tenant_ids(path: AccessPath, grammar: SubGrammar) -> Language:
    """Every ``sub`` carrying a tenant ID the policy's ``sub`` values name
    (:meth:`SubGrammar.tenant_ids_in`): those tenants' subjects, whatever their names; and
    every ``sub`` carrying a tenant field they name before a wildcard
    (:meth:`SubGrammar.tenant_heads_in`)."""
    values = _values_of(path, "sub")
    fold = folds(path)
    ids = Language.union_all(
        grammar.id_language(i, fold=fold) for i in sorted(grammar.tenant_ids_in(values, fold=fold))
    )
    heads = sorted(grammar.tenant_heads_in(values, fold=fold))
    return ids | Language.union_all(grammar.head_language(h, fold=fold) for h in heads)


def _repo_ids(path: AccessPath, grammar: SubGrammar) -> Language:
    """Every ``sub`` carrying a repository ID the policy's ``sub`` values name
    (``repository_id:456``): that repository's subjects, whatever its name."""
    values = _values_of(path, "sub")
    fold = folds(path)
    ids = sorted(grammar.repo_ids_in(values, fold=fold))
    return Language.union_all(grammar.id_language(i, fold=fold) for i in ids)


def _attacker_claims(path: AccessPath, grammar: SubGrammar, victims: frozenset[str]) -> list[Term]:
    """An attacker's token carries its own IDs and names in tenant-pinning claims."""
    terms = []
    for suffix, kind in grammar.tenant_keys.items():
        key = path.key(suffix)
        if key not in path.mentioned_keys():
            continue
        if kind == "id":
            taken = Language.finite(_values_of(path, suffix))
        else:
            taken = Language.union_all(shape(kind, tenant) for tenant in victims)
        terms.append(all_of(key, ~taken))
    return terms


def _memoised(
    path: AccessPath, name: Hashable, build: Callable[[], Question | None]
) -> Question | None:
    # Several checks build the same question for a path; paths are shared by roles.
    questions = path.memo.questions
    if name not in questions:
        questions[name] = build()
    return questions[name]


def other_tenant(path: AccessPath) -> Question | None:
    """A token of a tenant the policy does not name (shared issuers only)."""
    return _memoised(path, "other-tenant", lambda: _other_tenant(path))


def _other_tenant(path: AccessPath) -> Question | None:
    provider = path.provider
    if provider is None or not provider.shared:
        return None
    grammar = path.grammar
    sub = path.key("sub")
    if provider.tenant_keys:
        # Another tenant's token carries its own identity in every pinning key the
        # policy names; with none named, any token passes.
        pinning = [path.key(k) for k in provider.tenant_keys]
        named = [key for key in pinning if key in path.mentioned_keys()]
        if not named:
            return Term(), {}
        terms = [all_of(key, ~Language.finite(path.policy_values(key))) for key in named]
        return with_question(*terms), {}
    if grammar is None or not grammar.tenant_templates:
        if provider.tenant_claim in (None, "sub"):
            return (Term(), {}) if sub not in path.mentioned_keys() else _unpinned_sub(path)
        return None
    victims = tenants(path, grammar)
    theirs = Language.union_all(
        grammar.tenant_language(tenant, fold=folds(path)) for tenant in victims
    ) | _tenant_ids(path, grammar)
    outside = grammar.well_formed_language() - theirs
    terms = [any_of(sub, outside), all_of(sub, outside), *_attacker_claims(path, grammar, victims)]
    return with_question(*terms), {sub: grammar.nice("attacker", "anything")}


def _unpinned_sub(path: AccessPath) -> Question | None:
    """Where the issuer's ``sub`` grammar is unknown (an issuer AWS's samples call shared,
    such as ``scalr.io``), where a tenant stands in the ``sub`` is unknown too; but a ``sub``
    that matches none of the policy's values with literal text in them (admitted by a value
    of wildcards alone, ``*``, or by ``StringNotLike`` alone) pins no tenant: any tenant's
    token passes. Values are read as patterns and, where the policy compares without case,
    without case: never fewer strings than the policy pins, so nothing pinned is called
    open."""
    sub = path.key("sub")
    fold = folds(path)
    pinned = Language.union_all(
        Language.wildcard(value, ignore_case=fold)
        for value in path.policy_values(sub)
        if value.strip("*?")
    )
    outside = ~pinned
    return with_question(any_of(sub, outside), all_of(sub, outside)), {
        sub: (Language.literal(_OTHER_TENANT_SUB),)
    }


#: The ``sub`` of another tenant's token, in witnesses, where the issuer's grammar is unknown.
_OTHER_TENANT_SUB = "another-tenant:anything"


def other_repository(path: AccessPath) -> Question | None:
    """A token of another repository (project, namespace) of a tenant the policy names."""
    return _memoised(path, "other-repository", lambda: _other_repository(path))


def _other_repository(path: AccessPath) -> Question | None:
    grammar = path.grammar
    if grammar is None or not grammar.repo_templates:
        return None
    sub = path.key("sub")
    values = _values_of(path, "sub")
    repos = grammar.repos_in(values, fold=folds(path))
    if grammar.tenant_templates:
        owners = tenants(path, grammar)
        if owners:
            scope = Language.union_all(
                grammar.tenant_language(tenant, fold=folds(path)) for tenant in owners
            )
            example_tenant = sorted(owners)[0]
        elif not (ids := _tenant_ids(path, grammar)).is_empty():
            # The sub pins the tenant by its ID (`repository_owner_id:123:*`): every
            # repository of that tenant is in scope.
            scope = ids
            example_tenant = _ANY_TENANT
        elif pins_tenant_by_id(path, grammar):
            # The tenant is pinned by its ID (repository_owner_id) and the sub names none:
            # every repository of that tenant is in scope.
            scope = grammar.well_formed_language()
            example_tenant = _ANY_TENANT
        else:
            return None
    else:
        # Without a tenant in the sub, "another repository" means one of the issuer's own
        # tenant (Bitbucket's workspace); an issuer of no known tenant (an EKS cluster's)
        # needs a repository the policy names to compare with.
        if not repos and sub in path.mentioned_keys() and issuer_tenant(path) is None:
            return None
        scope = grammar.well_formed_language()
        example_tenant = ""
    mine = Language.union_all(
        grammar.repo_language(tenant, repo, fold=folds(path)) for tenant, repo in repos
    )
    mine = mine | grammar.unit_language(values, fold=folds(path)) | _repo_ids(path, grammar)
    target = (scope & grammar.well_formed_language()) - mine
    terms = [any_of(sub, target), all_of(sub, target), *_other_repository_claims(path)]
    return with_question(*terms), {sub: grammar.nice(example_tenant, grammar.other_repo)}


def _other_repository_claims(path: AccessPath) -> list[Term]:
    """Another repository's token carries its own ID and name in the claims that name a
    repository (GitHub ``repository_id``, CircleCI ``project-id``, …): never the values
    the policy lists (a pattern among them still admits the names it matches)."""
    provider = path.provider
    terms = []
    for suffix in provider.repo_keys if provider is not None else ():
        key = path.key(suffix)
        if key in path.mentioned_keys():
            terms.append(all_of(key, ~Language.finite(_values_of(path, suffix))))
    return terms


def triggered_by(path: AccessPath, trigger: Trigger) -> Question | None:
    """A token of the policy's own repositories minted by ``trigger`` (e.g. a pull request)."""
    return _memoised(path, ("triggered-by", trigger), lambda: _triggered_by(path, trigger))


def _own_scope(path: AccessPath, grammar: SubGrammar) -> tuple[Language, bool]:
    """The ``sub`` values of the policy's own repositories (empty: none it names), and
    whether they are every caller of a reusable workflow the policy names."""
    fold = folds(path)
    scope = Language.union_all(
        grammar.repo_language(tenant, repo, fold=fold)
        for tenant, repo in grammar.repos_in(_values_of(path, "sub"), fold=fold)
    )
    if scope.is_empty():
        scope = Language.union_all(
            grammar.tenant_language(tenant, fold=fold) for tenant in tenants(path, grammar)
        )
    if scope.is_empty():
        scope = _tenant_ids(path, grammar)  # `repository_owner_id:123:*`: that tenant's
    if scope.is_empty():
        # Units named in any position (a Spacelift stack: `*:stack:infra:*`).
        scope = grammar.unit_language(_values_of(path, "sub"), fold=fold)
    if scope.is_empty() and pins_tenant_by_id(path, grammar):
        return grammar.well_formed_language(), False  # every repository of that tenant
    if scope.is_empty() and _names_workflow(path):
        # Every caller of the reusable workflow a GitHub policy names (`job_workflow_ref`
        # names the called workflow, no caller).
        return grammar.well_formed_language(), True
    return scope, False


def _carried(path: AccessPath, trigger: Trigger, *, always: bool = False) -> list[Term]:
    """The claims a run of ``trigger`` carries (:attr:`Trigger.carries`), where the policy
    reads them (``always``: in any case, so that a witness shows them)."""
    terms = []
    for claim, held in trigger.carried():
        key = path.key(claim)
        if always or key in path.mentioned_keys():
            terms += [any_of(key, held), all_of(key, held)]
    return terms


def silent_run(path: AccessPath, trigger: Trigger, silent: Language) -> Question | None:
    """A token of the policy's own repositories (as :func:`triggered_by` scopes them) whose
    ``sub`` is in ``silent`` (shows no trigger, so a run of ``trigger`` mints it too),
    carrying the claims such a run does (in the witness even where the policy does not
    read them: they say which run it is)."""
    grammar = path.grammar
    if grammar is None:
        return None
    scope, _ = _own_scope(path, grammar)
    if scope.is_empty():
        return None
    sub = path.key("sub")
    target = scope & silent
    carried = _carried(path, trigger, always=True)
    return with_question(any_of(sub, target), all_of(sub, target), *carried), {}


def _triggered_by(path: AccessPath, trigger: Trigger) -> Question | None:
    grammar = path.grammar
    if grammar is None:
        return None
    sub = path.key("sub")
    fold = folds(path)
    scope, callers = _own_scope(path, grammar)
    if scope.is_empty():
        return None
    target = scope & _runs(grammar.provider, trigger)
    terms = [any_of(sub, target), all_of(sub, target), *_carried(path, trigger)]
    examples: tuple[Language, ...] = ()
    if trigger.example:
        # A repository the policy names first: a witness's sub agrees with the claims that
        # name it (GitHub's `repository`), as a real token's does.
        # One preference per group, each repository of it an alternative: a preference
        # that admits no run costs a search of the whole product, and a policy may name
        # dozens of repositories (one preference each cost the messy benchmark 16%).
        example = Language.wildcard(trigger.example)
        claimed, named = _named_repos(path, grammar)
        examples = (
            # The ref the `ref` claim names, in the sub too: a real token's agree.
            *_ref_subjects(path, grammar, trigger),
            # A caller's own subject (`repo:example-org/…:pull_request`), not a bare field.
            *((example & grammar.nice(_ANY_TENANT, grammar.other_repo)[1],) if callers else ()),
            *(
                example
                & Language.union_all(
                    grammar.repo_language(t, r, fold=fold) for t, r in sorted(group)
                )
                for group in (claimed, named)
                if group
            ),
            example,
            *_beyond_literal_text(_values_of(path, "sub")),
        )
    # A claim's value a pattern admits beyond its literal text (`refs/heads/release/a`
    # under `refs/heads/release/*`, not the bare prefix, no ref git allows).
    claims = {
        path.key(claim): _beyond_literal_text(_values_of(path, claim))
        for claim, _ in trigger.carried()
        if path.key(claim) in path.mentioned_keys()
    }
    return with_question(*terms), {sub: examples, **claims}


def _names_workflow(path: AccessPath) -> bool:
    """Does the policy name a GitHub reusable workflow, as the ``job_workflow_ref`` claim or
    a custom subject's field of it?"""
    if path.key("job_workflow_ref") in path.mentioned_keys():
        return True
    return any(
        value.startswith("job_workflow_ref:") or ":job_workflow_ref:" in value
        for value in _values_of(path, "sub")
    )


def _ref_subjects(path: AccessPath, grammar: SubGrammar, trigger: Trigger) -> tuple[Language, ...]:
    """Subjects showing a ref the trigger's ``named_claim`` values admit (GitHub's ``ref``
    ``refs/heads/release/*``: ``…:ref:refs/heads/release/…``), for a witness whose sub and
    claim agree; none where the policy does not read the claim."""
    claim, marker = trigger.named_claim, grammar.ref_marker
    if claim is None or marker is None or path.key(claim) not in path.mentioned_keys():
        return ()
    values = [v for v in _values_of(path, claim) if "$" not in v]
    if not values:
        return ()
    return (
        Language.union_all(
            Language.wildcard(f"*{marker}{value}{tail}") for value in values for tail in ("", ":*")
        ),
    )


def _beyond_literal_text(values: tuple[str, ...]) -> tuple[Language, ...]:
    """A preference for a witness a pattern admits beyond its own literal text: under
    `repo:o/r:environment:prod*` the environment `prod-a`, not `prod` (which may be the
    protected environment the pattern was written for; a run of it is not what the
    finding is about). Patterns with `?` or policy variables are left out."""
    bare = {
        value.replace("*", "")
        for value in values
        if "*" in value and "?" not in value and "$" not in value
    }
    return (~Language.finite(bare),) if bare else ()


def _named_repos(
    path: AccessPath, grammar: SubGrammar
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(tenant, repository) pairs the policy names exactly: those of a GitHub
    ``repository`` claim (``OWNER/REPO``), which every token the path admits carries, and
    then those of its ``sub`` values."""
    claimed: set[tuple[str, str]] = set()
    provider = path.provider
    if provider is not None and "repository" in provider.repo_keys:
        for value in _values_of(path, "repository"):
            owner, _, repo = value.partition("/")
            if owner and repo and "/" not in repo and not any(c in value for c in "*?$"):
                claimed.add((owner, repo))
    return claimed, set(grammar.repos_in(_values_of(path, "sub"), fold=folds(path))) - claimed


def _runs(provider: str, trigger: Trigger) -> Language:
    """The well-formed ``sub`` values of ``trigger``'s runs (:meth:`SubGrammar.runs_language`)."""
    grammar = grammar_for(provider)
    assert grammar is not None
    return grammar.runs_language(trigger)


def named_subjects(path: AccessPath, *, ignore_case: bool = False) -> Language:
    """The ``sub`` values the path's policy names exactly (no wildcard): each admits one
    subject, as a pin to one named branch does. ``ignore_case``: the names in them are
    unique whatever their case (:attr:`Trigger.names_ignore_case`), so where the policy
    compares without case each value stands for its case variants too."""
    exact = [v for v in _values_of(path, "sub") if "*" not in v and "?" not in v]
    if ignore_case and folds(path):
        return Language.union_all(Language.literal(v, ignore_case=True) for v in exact)
    return Language.finite(exact)


def organization_pins(path: AccessPath) -> tuple[str, ...]:
    """The organizations the path's statements pin an AWS caller to: ``aws:PrincipalOrgID``
    values, and the organization at the head of ``aws:PrincipalOrgPaths`` values (exact
    values only; a wildcard pins nothing)."""
    found = set(path.policy_values("aws:principalorgid"))
    found.update(
        value.split("/", 1)[0] for value in path.policy_values("aws:principalorgpaths") if value
    )
    return tuple(sorted(value for value in found if "*" not in value and "?" not in value))


#: An IAM unique ID (``AROA…`` a role's, ``AIDA…`` a user's) or an account ID (the root's
#: ``aws:userid``): global, so no stranger's caller has one a policy names.
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
_UNIQUE_ID = re.compile(r"A[A-Z0-9]{3}[A-Z0-9]{12,124}|[0-9]{12}")


def named_user_ids(values: Iterable[str]) -> Term:
    """A caller whose ``aws:userid`` is none of the unique IDs ``values`` name exactly
    (``AROA…:*`` names a role: its sessions' IDs begin with it; a wildcard in the ID
    itself names none)."""
    ids = {value.split(":", 1)[0] for value in values}
    ids = {i for i in ids if _UNIQUE_ID.fullmatch(i)}
    if not ids:
        return TRUE
    named = Language.union_all(
        Language.literal(i) | Language.from_glob((f"{i}:", Glob.STAR)) for i in sorted(ids)
    )
    return all_of("aws:userid", ~named)


def outsider(
    role_account: str | None, named: frozenset[str], organizations: Term, user_ids: Term = TRUE
) -> Term:
    """An AWS caller outside the role's account and the accounts the policy names, in no
    organization of ``organizations`` (a term over ``aws:PrincipalOrgID`` /
    ``aws:PrincipalOrgPaths``) and with none of the unique IDs ``user_ids`` excludes
    (:func:`named_user_ids`): what a stranger controls is their own identity, which may
    include an organization of their own (``Null aws:PrincipalOrgID false`` admits them)."""
    terms = [absent(key) for key in SOURCE_ORG_KEYS]
    taken = Language.finite({*named, *([role_account] if role_account else [])})
    terms.append(all_of("aws:principalaccount", ~taken))
    return with_question(*terms, organizations, user_ids)


def outside_organizations(organizations: Iterable[str]) -> Term:
    """A caller in none of ``organizations``: its ``aws:PrincipalOrgID`` is another one (or
    absent) and none of its ``aws:PrincipalOrgPaths`` starts with theirs.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
    """
    ids = tuple(sorted(organizations))
    if not ids:
        return TRUE
    paths = Language.empty()
    for organization in ids:
        paths = paths | Language.from_glob((f"{organization}/", Glob.STAR))
    return with_question(
        all_of("aws:principalorgid", ~Language.finite(ids)),
        all_of("aws:principalorgpaths", ~paths),
    )
