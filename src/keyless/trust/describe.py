"""One sentence per access path: who can assume the role through it."""

from __future__ import annotations

import re

from keyless.errors import QUOTED_CHARACTERS
from keyless.idp.providers import GITHUB_FAMILY, is_known
from keyless.patterns.language import Language
from keyless.trust.actions import missing_actions_text
from keyless.trust.formula import all_of, any_of
from keyless.trust.keys import canonical_key
from keyless.trust.paths import AccessPath, PrincipalClass, UndecidedTrust
from keyless.trust.questions import organization_pins, outside_organizations
from keyless.trust.sources import pinned_source_accounts

_AWS = (PrincipalClass.ANYONE, PrincipalClass.AWS_ACCOUNT, PrincipalClass.AWS_PRINCIPAL)

#: How many subjects a description names (a policy may list a thousand).
_DESCRIBED_SUBJECTS = 10
_CLASSIC = re.compile(
    r"^repo:(?P<repo>[^:]+):(?:(?:ref:(?P<ref>.+))|(?:environment:(?P<env>.+))|(?P<pr>pull_request))$"
)


def _quoted(value: str) -> str:
    """``value`` in quotes, cut at :data:`QUOTED_CHARACTERS`; a quote or backslash in it
    escaped so the value cannot end early, every other character kept as it is. The
    renderers escape what a reader must not see raw, each once in its own syntax (text:
    ``\\n``, JSON: its ``\\u009b`` escape); a ``repr`` here was escaped twice in JSON."""
    cut = value if len(value) <= QUOTED_CHARACTERS else value[:QUOTED_CHARACTERS] + "…"
    return "'" + cut.replace("\\", "\\\\").replace("'", "\\'") + "'"


def describe_path(path: AccessPath, account: str = "") -> str:
    """A sentence such as "any GitHub Actions workflow in octo-org/deploy running on
    refs/heads/main"; conditions the sentence cannot summarise are named by key.
    ``account`` is the role's (empty: unknown)."""
    unreachable = path.unreachable(account)
    if unreachable is not None:
        return f"nobody through {path.principal}: {unreachable} (see trust-dead-condition)"
    if not path.allow:
        lacking = missing_actions_text(path)
        if lacking is not None:  # Roles Anywhere allowed sts:AssumeRole alone
            return f"nobody through {path.principal}: {lacking} (see trust-dead-condition)"
        return f"nobody through {path.principal} (no request satisfies the conditions)"
    try:
        admits = path.admits()
    except UndecidedTrust as error:
        return f"not decided for {path.principal}: {error} (see the checks not evaluated)"
    if not admits:
        if path.has_service_half or path.any_service:
            # "*" names IAM principals and services, each described on its own path.
            who = "no AWS service" if path.any_service else "no IAM principal of any account"
            return f"{who} through {path.principal}: none satisfies the conditions"
        return (
            f"nobody through {path.principal}: no request it can make satisfies the "
            "conditions (see trust-dead-condition)"
        )
    cls = path.principal_class
    accounts = _pinned_accounts(path) if cls is PrincipalClass.ANYONE else ()
    arns = _pinned_arns(path) if cls is PrincipalClass.ANYONE and not accounts else ()
    if arns:
        shown = ", ".join(_quoted(arn) for arn in arns[:_DESCRIBED_SUBJECTS])
        more = len(arns) - _DESCRIBED_SUBJECTS
        who = f"principals whose ARN matches {shown}" + (f" or {more:,} more" if more > 0 else "")
    elif accounts:
        listed, many = ", ".join(accounts), len(accounts) > 1
        who = (
            f"any principal of account{'s' if many else ''} {listed} that "
            f"{'their' if many else 'its'} own policies allow"
        )
    elif cls is PrincipalClass.ANYONE:
        who = "any AWS principal in any account"
    elif cls is PrincipalClass.AWS_ACCOUNT:
        who = f"any principal of account {path.principal} that its own policies allow"
    elif cls is PrincipalClass.AWS_PRINCIPAL:
        who = path.principal
    elif cls is PrincipalClass.DELETED_PRINCIPAL:
        return f"nobody: {path.principal} is the unique ID of a deleted principal"
    elif cls is PrincipalClass.OIDC:
        who = _oidc(path) + _any_branch(path)
        if path.provider is not None and not is_known(path.provider):
            # Only the conditions are read: whose tokens the issuer mints, and how its
            # subjects are formed, keyless cannot tell (no broad-subject or trigger check).
            who += " (an issuer keyless does not know: who can get its tokens is not judged)"
    elif cls is PrincipalClass.SAML:
        who = f"users the SAML provider {path.principal} sends with this role (IdP-delegated)"
    elif cls is PrincipalClass.ROLES_ANYWHERE:
        who = "workloads with a certificate from a Roles Anywhere trust anchor"
    elif cls is PrincipalClass.TEMPLATE:
        who = f"whoever the unrendered template principal {path.principal} will name (not judged)"
    elif path.any_service:
        who = "any AWS service principal"
    else:
        who = f"the AWS service {path.principal}"
    sources = pinned_source_accounts(path) if cls is PrincipalClass.SERVICE else ()
    if sources:
        # A service pinned to named accounts acts for their resources only; another
        # account's is a delegation the reader should see.
        other = [a for a in sources if a != account]
        whose = f"account{'s' if len(sources) > 1 else ''} {', '.join(sources)}"
        if account and other:
            whose += f" ({'another account' if len(other) == 1 else 'other accounts'})"
        elif account:
            whose += " (the role's own)"
        who += f", for resources of {whose}"
    pins = organization_pins(path) if cls in _AWS else ()
    if pins and path.solve(outside_organizations(pins)) is not None:
        # A pin that lets callers of no organization through (ForAllValues:, …IfExists)
        # admits more than that organization's principals: not said to.
        pins = ()
    if pins:
        # What the pin admits: that organization's principals, whoever they are.
        who += f", only principals of organization {', '.join(pins)}"
    said = {"aws:principalorgid", "aws:principalorgpaths"} if pins else set()
    said |= {"aws:principalaccount"} if accounts else set()
    said |= {"aws:principalarn"} if arns else set()
    said |= {"aws:sourceaccount", "aws:sourcearn", "aws:sourceowner"} if sources else set()
    others = sorted(
        canonical_key(key, path.policy)
        for key in path.mentioned_keys()
        if not (path.issuer and key in (path.key("sub"), path.key("aud"))) and key not in said
    )
    if others:
        verb = "matches" if len(others) == 1 else "match"
        who += " when " + ", ".join(others) + f" {verb} the policy's conditions"
    if path.approximate:
        who += " (approximate: a policy variable)"
    if path.placeholders and cls is not PrincipalClass.TEMPLATE:
        who += f" (template: {', '.join(path.placeholders)} unresolved, judged as written)"
    return who


def _pinned_accounts(path: AccessPath) -> tuple[str, ...]:
    """The accounts ``"Principal": "*"`` is narrowed to by exact ``aws:PrincipalAccount``
    values, when the path admits no caller of another account; else ``()``."""
    values = path.policy_values("aws:principalaccount")
    exact = sorted({v for v in values if v.isascii() and v.isdigit() and len(v) == 12})
    outside = all_of("aws:principalaccount", ~Language.finite(exact))
    if not exact or path.solve(outside) is not None:
        return ()
    return tuple(exact)


def _pinned_arns(path: AccessPath) -> tuple[str, ...]:
    """The ``aws:PrincipalArn`` values ``"Principal": "*"`` is narrowed to, when the path
    admits no caller whose ARN matches none of them; else ``()``."""
    values = tuple(dict.fromkeys(path.policy_values("aws:principalarn")))
    if not values:
        return ()
    named = Language.union_all(Language.wildcard(value) for value in values)
    if path.solve(all_of("aws:principalarn", ~named)) is not None:
        return ()
    return values


# A branch no policy names: a run of it is "any branch".
_UNNAMED_BRANCH = Language.wildcard("*/vcs-ref/refs/heads/keyless-unnamed-branch")


def _any_branch(path: AccessPath) -> str:
    """ ", runs of any branch" where the path's subjects name no branch, so a run of any
    branch gets in. Bitbucket Pipelines' ``{REPO_UUID}[:{ENV_UUID}]:{STEP_UUID}`` never
    names one (https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/);
    CircleCI's ``$CIRCLE_OIDC_TOKEN`` ``org/ORG/project/PROJ/user/USER`` neither, and
    ``$CIRCLE_OIDC_TOKEN_V2`` adds ``/vcs-origin/…/vcs-ref/REF``, so a policy admitting
    the first form, or any ref of the second, admits every branch
    (https://circleci.com/docs/openid-connect-tokens/). AWS maps no branch claim of either
    (only CircleCI's ``project-id``), so nothing else can pin one."""
    provider = path.provider
    grammar = path.grammar
    if provider is None or grammar is None:
        return ""
    sub = path.key("sub")
    if provider.name == "Bitbucket Pipelines":
        return ", runs of any branch (its sub names none)"
    if provider.name == "CircleCI":
        unnamed = grammar.well_formed_language() - Language.wildcard("*/vcs-origin/*")
        if path.admits(any_of(sub, unnamed)):
            return ", runs of any branch ($CIRCLE_OIDC_TOKEN's sub names no branch)"
        if path.admits(any_of(sub, _UNNAMED_BRANCH)):
            return ", runs of any branch (any vcs-ref)"
    return ""


def _oidc(path: AccessPath) -> str:
    provider = path.provider
    name = provider.name if provider else path.issuer
    subs = path.policy_values(path.key("sub"))
    if not subs:
        # Google's aud key is the token's azp: the service account or OAuth client;
        # Cognito's is the identity pool.
        google = provider is not None and "aud" in provider.tenant_keys
        pool = provider is not None and provider.tenant_claim == "aud"
        auds = path.policy_values(path.key("aud")) if google or pool else ()
        if auds:
            what = "whose azp is" if google else "of identity pool"
            return f"any {name} token holder {what} " + " or ".join(map(_quoted, auds))
        return f"any {name} token holder (no sub condition)"
    parts = []
    for value in subs[:_DESCRIBED_SUBJECTS]:
        # A subject longer than a message quotes is quoted in part, not read out whole.
        match = _CLASSIC.match(value) if len(value) <= QUOTED_CHARACTERS else None
        if match is None:
            parts.append(f"sub {_quoted(value)}")
            continue
        repo = match["repo"]
        where = "any repository of " + repo[:-2] if repo.endswith("/*") else repo
        if match["ref"]:
            parts.append(f"in {where} running on {match['ref']}")
        elif match["env"]:
            parts.append(f"in {where} deploying to environment {match['env']}")
        else:
            parts.append(f"in {where} on a pull request")
    if len(subs) > _DESCRIBED_SUBJECTS:
        parts.append(f"{len(subs) - _DESCRIBED_SUBJECTS:,} more subjects")
    noun = "workflow" if name in GITHUB_FAMILY else "token holder"
    return f"any {name} {noun} " + " or ".join(parts)
