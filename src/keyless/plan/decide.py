"""One destination per IAM user, with a confidence, a one-line reason and every signal.

The rules, in order (docs/plan.md has the table):

1. ``keep`` when ``keyless.toml`` says so (``[[plan.keep]]``, with its reason); keyless
   never chooses it itself.
2. A link (``--link``, ``[[plan.link]]``) decides the destination of its kind; a link to a
   role for a user without access keys is contradictory, so the user is ``undecided``.
3. Without the credential report, use is unknown: ``undecided``.
4. ``retire`` when nothing is in use: no console password used within the threshold and
   no active key used (or new) within the thresholds.
5. A console password in use means a person (``identity-center``), unless CI signals
   say otherwise (conflict: ``undecided``). A person's key in use goes with them (the
   key becomes an ``aws configure sso`` profile).
6. A key in use without a person: CI signals (name, path, tags) give ``oidc-role`` when
   the CI platform is known and keyless plans its roles (GitHub, GitLab:
   :mod:`.platforms`), and ``undecided`` otherwise, saying which ``--link`` would decide
   it; a repository tag links it (GitHub unless the evidence names GitLab);
   AWS-service words give ``workload-role``; person signals give ``identity-center``; CI
   and person signals together are a conflict (``undecided``); nothing at all gives
   ``roles-anywhere`` with low confidence (a workload outside AWS that is not CI).
7. Only new credentials (created within the grace period, unused): ``undecided`` until
   they are used.

``would_decide`` says what would settle an undecided user, or complete a target (the
repositories of an OIDC role, the CN of a certificate).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from keyless.plan.model import Confidence, Decision, Destination, LinkTarget, Signal
from keyless.plan.platforms import (
    LINK_SYNTAX,
    REPOSITORY_PLATFORMS,
    TENANT_SYNTAX,
    Basis,
    any_link_syntax,
    guess_platform,
)
from keyless.plan.signals import Evidence, Use, is_ci_like, is_person_like
from keyless.plan.tenants import FILL_IN as TENANT_FILL_IN
from keyless.workflows.model import Platform, platform_remedy

HIGH, MEDIUM, LOW = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW
CODEBUILD_ROLE_DOCS = (
    "https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html"
)


def decide(
    name: str,
    evidence: Evidence,
    links: tuple[LinkTarget, ...] = (),
    keep_reason: str | None = None,
    unlinked_repositories: Mapping[str, str] = MappingProxyType({}),
) -> Decision:
    """The destination of the user called ``name`` (see the module doc).
    ``unlinked_repositories`` maps each repository under ``--workflows`` whose jobs use
    AWS keys and that no user is linked to, to its platform."""
    signals = evidence.signals
    if keep_reason is not None:
        kept = Signal("keep", f"kept by keyless.toml: {keep_reason}", Destination.KEEP)
        return Decision(Destination.KEEP, HIGH, f"kept: {keep_reason}", (kept, *signals))
    if links:
        return _linked(name, evidence, links)
    if evidence.console is Use.UNKNOWN:
        return Decision(
            Destination.UNDECIDED,
            LOW,
            f"key and password use unknown: {evidence.console_detail}",
            signals,
            (
                "collect the credential report (credential-report.csv in an export)",
                f"or say what the user is for: --link {name}=TARGET, or [[plan.keep]]",
            ),
        )
    console_on = evidence.console is Use.RECENT
    keys_on = evidence.keys is Use.RECENT
    if not console_on and not keys_on:
        if Use.NEW in (evidence.console, evidence.keys):
            new = evidence.keys_detail if evidence.keys is Use.NEW else evidence.console_detail
            return Decision(
                Destination.UNDECIDED,
                LOW,
                f"not used yet: {new}",
                signals,
                (f"plan again once it has been used, or --link {name}=TARGET",),
            )
        return Decision(
            Destination.RETIRE,
            HIGH,
            f"nothing in use: {evidence.console_detail}; {evidence.keys_detail}",
            signals,
        )
    ci = is_ci_like(evidence)
    person = is_person_like(evidence)
    if console_on:
        if ci:
            return _conflict(name, evidence, "signs in to the console but looks like CI")
        confidence = HIGH if person else MEDIUM
        reason = evidence.console_detail
        if keys_on:
            reason += f"; its key ({evidence.keys_detail}) becomes an `aws configure sso` profile"
        return Decision(Destination.IDENTITY_CENTER, confidence, reason, signals)
    if ci and person:
        return _conflict(name, evidence, "a key in use, and both CI and person signals")
    if ci:
        return _pipeline(name, evidence, unlinked_repositories)
    if evidence.has("aws-service-name"):
        return Decision(
            Destination.WORKLOAD_ROLE,
            MEDIUM,
            f"{evidence.keys_detail}; name or tags point at an AWS service",
            signals,
        )
    if person:
        return Decision(
            Destination.IDENTITY_CENTER,
            MEDIUM,
            f"a person's access key: {evidence.keys_detail}; becomes an `aws configure sso` "
            "profile",
            signals,
        )
    confidence = MEDIUM if evidence.has("host-name") else LOW
    return Decision(
        Destination.ROLES_ANYWHERE,
        confidence,
        f"{evidence.keys_detail}; no sign of CI, a person or an AWS service: a workload "
        "outside AWS",
        signals,
        (
            f"confirm the host with --link {name}=host:CN (its certificate's common name)",
            f"or, if it is a pipeline, --link {name}={any_link_syntax()}",
        ),
    )


def within_partition(name: str, decision: Decision, partition: str | None) -> Decision:
    """``decision``, or undecided when it is a role ``keyless generate`` cannot write in
    ``partition``: a service or Roles Anywhere role in China (``aws-cn``), where service
    principals are not all ``SERVICE.amazonaws.com`` and keyless does not know which. The
    plan said ``workload-role``, ``plan --check`` and ``generate`` then refused it."""
    cannot = (Destination.WORKLOAD_ROLE, Destination.ROLES_ANYWHERE)
    if partition != "aws-cn" or decision.destination not in cannot:
        return decision
    return Decision(
        Destination.UNDECIDED,
        LOW,
        f"{decision.reason}; but keyless writes no {decision.destination} in the aws-cn"
        " partition (it does not know China's service principals)",
        decision.signals,
        (
            "create the role by hand, and keep the user ([[plan.keep]]) until the workload uses it",
            f"or give it another destination: --link {name}=TARGET",
        ),
    )


def _linked(name: str, evidence: Evidence, links: tuple[LinkTarget, ...]) -> Decision:
    destination = links[0].kind.destination
    labels = ", ".join(link.label for link in links)
    sources = sorted({link.source for link in links})
    signals = (
        Signal("link", f"linked to {labels} ({', '.join(sources)})", destination),
        *evidence.signals,
    )
    if evidence.keys is Use.NONE or evidence.keys is Use.INACTIVE:
        return Decision(
            Destination.UNDECIDED,
            LOW,
            f"linked to {labels}, but {evidence.keys_detail}: no key for a role to replace",
            signals,
            (f"remove the link ({', '.join(sources)}), or check the user's name",),
        )
    confidence = HIGH if evidence.keys in (Use.RECENT, Use.UNKNOWN) else MEDIUM
    reason = f"linked to {labels} ({', '.join(sources)}); {evidence.keys_detail}"
    if evidence.keys is Use.IDLE:
        reason += ": check the workload still runs"
    return Decision(destination, confidence, reason, signals)


def _conflict(name: str, evidence: Evidence, what: str) -> Decision:
    return Decision(
        Destination.UNDECIDED,
        LOW,
        f"{what}: {evidence.console_detail}; {evidence.keys_detail}",
        evidence.signals,
        (
            f"if it is a pipeline: --link {name}={any_link_syntax()}",
            "if it is a person: give them an Identity Center user and edit the plan",
        ),
    )


def _pipeline(name: str, evidence: Evidence, unlinked: Mapping[str, str]) -> Decision:
    """A key in use by CI: an OIDC role when its platform is known and keyless plans that
    platform's roles; otherwise undecided, saying what would decide it (:mod:`.platforms`)."""
    signals, keys = evidence.signals, evidence.keys_detail
    guess = guess_platform(evidence.named_platforms, evidence.provider_platforms, unlinked)
    tagged = evidence.repository_tag
    # A repository tag names ORG/REPO as GitHub writes it (.signals): GitHub, unless the
    # evidence names another platform (GitLab: its role; any other: undecided below).
    known = guess.platform in REPOSITORY_PLATFORMS if guess else not evidence.named_platforms
    if tagged is not None and known:
        shown = f" on {guess.platform.display_name} ({guess.because})" if guess else ""
        reason = f"{keys}; tagged with repository {tagged}{shown}"
        return Decision(Destination.OIDC_ROLE, MEDIUM, reason, signals)
    if guess is None:
        return Decision(
            Destination.UNDECIDED,
            LOW,
            f"{keys}; looks like CI, but nothing says on which platform (an OIDC role "
            "trusts one platform's tokens)",
            signals,
            (
                f"name the pipelines its key serves: --link {name}={any_link_syntax()}",
                *_unlinked_hint(unlinked, None),
            ),
        )
    platform = guess.platform
    looks = f"{keys}; looks like CI on {platform.display_name} ({guess.because})"
    if platform in REPOSITORY_PLATFORMS:
        confidence = LOW if guess.basis is Basis.PROVIDER else MEDIUM
        wanted = _repositories_wanted(name, platform, unlinked)
        return Decision(Destination.OIDC_ROLE, confidence, looks, signals, wanted)
    if platform in TENANT_SYNTAX:
        return Decision(
            Destination.UNDECIDED,
            LOW,
            f"{looks}, whose role names the project's IDs",
            signals,
            (
                f"name the project its key serves: --link {name}={TENANT_SYNTAX[platform]} "
                f"({TENANT_FILL_IN[platform]})",
            ),
        )
    if platform is Platform.CODEBUILD:
        return Decision(
            Destination.UNDECIDED,
            LOW,
            f"{looks}: a CodeBuild project runs with its service role",
            signals,
            (f"--link {name}=aws:codebuild for a service role ({CODEBUILD_ROLE_DOCS})",),
        )
    return Decision(
        Destination.UNDECIDED,
        LOW,
        f"{looks}, whose OIDC role keyless does not plan",
        signals,
        (
            platform_remedy(platform),
            f"once its jobs run with a role of their own: --link {name}=aws:SERVICE (agents "
            f"on EC2, ECS or EKS) or --link {name}=host:CN (a host outside AWS); until then "
            "[[plan.keep]] with the reason",
        ),
    )


def _repositories_wanted(
    name: str, platform: Platform, unlinked: Mapping[str, str]
) -> tuple[str, ...]:
    syntax = "ORG/REPO" if platform is Platform.GITHUB else LINK_SYNTAX[platform]
    hint = _unlinked_hint(unlinked, platform)
    if hint:
        return (f"name the repositories its key serves: --link {name}={syntax}", *hint)
    return (
        f"name the repositories its key serves: --link {name}={syntax}, and pass "
        "--workflows PATH for the exact subjects",
    )


def _unlinked_hint(unlinked: Mapping[str, str], platform: Platform | None) -> tuple[str, ...]:
    names = [n for n, p in unlinked.items() if platform is None or p == platform]
    if not names:
        return ()
    shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    return (f"workflows with AWS keys, not linked: {shown}",)
