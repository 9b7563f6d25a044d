"""Which CI platform a CI user's keys serve, and what a person must say when keyless
cannot tell.

An OIDC role trusts one issuer: GitHub Actions' (``token.actions.githubusercontent.com``),
GitLab's (``gitlab.com``), a CircleCI organization's or a Bitbucket workspace's
(:mod:`.tenants`). So a CI user's role can only be planned once its platform is known, and
a guess is worse than a question: a GitHub role for a GitLab pipeline trusts a stranger's
tokens and none of its own. The evidence, strongest first:

1. the user's name, path or tags name a platform (``gitlab-runner``, ``/circleci/``, a tag
   ``ci = jenkins``): the platform's own name is the best evidence keyless has;
2. the pipelines under ``--workflows`` that use AWS keys and that no user is linked to are
   all of one platform (one of them holds this user's key, or none does);
3. the account already trusts exactly one CI platform's tokens (an IAM OIDC provider of
   its issuer): weak, said with low confidence.

The first level with any evidence decides; when it names two platforms
(``github-to-gitlab-mirror``) keyless cannot tell, and a weaker level does not settle it.
When it cannot tell, the user is undecided, with the ``--link`` syntaxes that would decide it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from keyless.model import Account, User
from keyless.plan.tenants import BITBUCKET_SYNTAX, CIRCLECI_SYNTAX
from keyless.workflows.model import Platform

#: Words that name a platform in a user's name, path or tags (vendors' own names only:
#: ``actions`` or ``pipelines`` alone could be anyone's).
PLATFORM_WORDS = {
    "github": Platform.GITHUB,
    "gha": Platform.GITHUB,
    "gitlab": Platform.GITLAB,
    "circleci": Platform.CIRCLECI,
    "bitbucket": Platform.BITBUCKET,
    "buildkite": Platform.BUILDKITE,
    "jenkins": Platform.JENKINS,
    "travis": Platform.TRAVIS,
    "drone": Platform.DRONE,
    "codebuild": Platform.CODEBUILD,
}
#: The issuer host of each platform's tokens, to recognise an account's IAM OIDC
#: providers: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services,
#: https://docs.gitlab.com/ci/cloud_services/aws/, https://circleci.com/docs/openid-connect-tokens/,
#: https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/,
#: https://buildkite.com/docs/pipelines/security/oidc/aws
ISSUER_HOSTS = {
    "token.actions.githubusercontent.com": Platform.GITHUB,
    "gitlab.com": Platform.GITLAB,
    "oidc.circleci.com": Platform.CIRCLECI,
    "api.bitbucket.org": Platform.BITBUCKET,
    "agent.buildkite.com": Platform.BUILDKITE,
}
#: Platforms whose role ``keyless plan`` builds from repositories (and ``--workflows``).
REPOSITORY_PLATFORMS = (Platform.GITHUB, Platform.GITLAB)
#: Platforms whose role it builds from a link naming the project's IDs (:mod:`.tenants`).
TENANT_SYNTAX = {Platform.CIRCLECI: CIRCLECI_SYNTAX, Platform.BITBUCKET: BITBUCKET_SYNTAX}
#: The link syntax of each platform keyless plans a role for.
LINK_SYNTAX = {
    Platform.GITHUB: "github:ORG/REPO",
    Platform.GITLAB: "gitlab:GROUP/PROJECT",
    **TENANT_SYNTAX,
}
_WORD = re.compile(r"[a-z0-9]+")


class Basis(StrEnum):
    """Where a platform guess comes from (module doc), strongest first."""

    NAMED = "named"
    WORKFLOWS = "workflows"
    PROVIDER = "provider"


@dataclass(frozen=True, slots=True)
class PlatformGuess:
    """The platform a CI user's keys serve, and on what it rests (for the reason)."""

    platform: Platform
    basis: Basis
    because: str


def named_platforms(user: User) -> frozenset[Platform]:
    """The platforms the user's name, path or tags (keys and values) name."""
    texts = [user.name, user.path, *(f"{k} {v}" for k, v in user.tags.items())]
    words = {word for text in texts for word in _WORD.findall(text.lower())}
    return frozenset(PLATFORM_WORDS[word] for word in words if word in PLATFORM_WORDS)


def provider_platforms(account: Account) -> frozenset[Platform]:
    """The CI platforms whose tokens the account's IAM OIDC providers accept."""
    hosts = (p.url.lower().removeprefix("https://").split("/")[0] for p in account.oidc_providers)
    return frozenset(ISSUER_HOSTS[host] for host in hosts if host in ISSUER_HOSTS)


def guess_platform(
    named: Iterable[Platform],
    providers: Iterable[Platform],
    unlinked: Mapping[str, str],
) -> PlatformGuess | None:
    """The one platform the evidence names, level by level (module doc); ``unlinked`` is
    the platform of each key-using repository under ``--workflows`` no user is linked to.
    ``None`` when no level names exactly one."""
    levels = (
        (Basis.NAMED, set(named), "its name, path or tags say {}"),
        (
            Basis.WORKFLOWS,
            {Platform(p) for p in unlinked.values()},
            "the pipelines under --workflows that use AWS keys are all {}",
        ),
        (Basis.PROVIDER, set(providers), "the account already has an OIDC provider for {}"),
    )
    for basis, found, text in levels:
        if len(found) > 1:
            # Evidence that names two platforms names none; a weaker level cannot settle it.
            return None
        if found:
            (platform,) = found
            return PlatformGuess(platform, basis, text.format(platform.display_name))
    return None


def any_link_syntax() -> str:
    """Every pipeline link syntax, for a user whose platform is unknown."""
    shown = [LINK_SYNTAX[p] for p in (*REPOSITORY_PLATFORMS, *TENANT_SYNTAX)]
    return ", ".join(shown[:-1]) + " or " + shown[-1]
