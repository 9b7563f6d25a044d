"""``keyless generate``'s one library call: a validated plan in, the files out.

The steps: build the format-neutral resources of each concern, prove every trust policy
(:mod:`.prove`; a role that fails is left out and listed), then emit the chosen format.
Nothing touches the file system here: :mod:`.output` writes the result whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from keyless.errors import InputError, quoted
from keyless.generate.guardrails import check_break_glass, guardrail_policies
from keyless.generate.identity_center import check_session_duration, identity_center
from keyless.generate.model import (
    AccountLabel,
    Generated,
    IdentitySource,
    Output,
    OutputFormat,
    Skipped,
)
from keyless.generate.oidc import oidc_resources
from keyless.generate.own_access import member_roles
from keyless.generate.prove import estate, prove_role
from keyless.generate.roles_anywhere import PCA_ARN, roles_anywhere_resources
from keyless.generate.workload import workload_roles
from keyless.plan import consistency, grammars
from keyless.plan.partition import partition_of

#: IAM Identity Center start URLs: https://d-xxxxxxxxxx.awsapps.com/start or a custom alias.
START_URL = r"https://[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+/start/?(?:#/?)?"
#: Names of ``[sso-session NAME]``: what the AWS CLI's config parser takes unquoted.
SESSION_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"


@dataclass(frozen=True, slots=True)
class GenerateOptions:
    """Everything ``keyless generate`` takes besides the plan. Values are validated by
    :func:`checked` before any work."""

    format: OutputFormat
    identity_source: IdentitySource = IdentitySource.IDENTITY_CENTER
    region: str = "us-east-1"
    ca_pem: str | None = None
    pca_arn: str | None = None
    sso_start_url: str | None = None
    sso_region: str | None = None
    sso_session: str = "keyless"
    break_glass_role: str | None = None
    boundary: bool = False
    scanner_role: str | None = None
    session_duration: str = "PT1H"


def checked(options: GenerateOptions) -> GenerateOptions:
    """``options`` when every value fits its grammar; otherwise an InputError naming
    the option."""
    import re

    if not grammars.matches(grammars.REGION, options.region):
        raise InputError(f"{quoted(options.region)} is not an AWS region", where="--region")
    if options.sso_region is not None and not grammars.matches(grammars.REGION, options.sso_region):
        raise InputError(f"{quoted(options.sso_region)} is not an AWS region", where="--sso-region")
    if options.sso_start_url is not None and not re.fullmatch(START_URL, options.sso_start_url):
        raise InputError(
            f"{quoted(options.sso_start_url)} is not an Identity Center start URL "
            "(https://d-0123456789.awsapps.com/start)",
            where="--sso-start-url",
        )
    if not re.fullmatch(SESSION_NAME, options.sso_session):
        raise InputError(
            f"{quoted(options.sso_session)} is not a session name", where="--sso-session"
        )
    if options.pca_arn is not None and not PCA_ARN.fullmatch(options.pca_arn):
        raise InputError(
            f"{quoted(options.pca_arn)} is not an AWS Private CA ARN", where="--pca-arn"
        )
    if options.ca_pem is not None and options.pca_arn is not None:
        raise InputError("give --ca-cert or --pca-arn, not both")
    if options.break_glass_role is not None:
        check_break_glass(options.break_glass_role)
    if options.scanner_role is not None and not grammars.matches(
        grammars.ROLE_ARN, options.scanner_role
    ):
        raise InputError(
            grammars.not_an_arn(options.scanner_role, "a role"), where="--scanner-role"
        )
    if options.format is OutputFormat.AWS_CONFIG and (
        options.sso_start_url is None or options.sso_region is None
    ):
        raise InputError(
            "--format aws-config needs --sso-start-url and --sso-region",
            hint="Both are on the IAM Identity Center console's Settings page.",
        )
    check_session_duration(options.session_duration)
    return options


def account_labels(accounts: Sequence[Mapping[str, Any]]) -> tuple[AccountLabel, ...]:
    """Each account's label (:func:`keyless.plan.consistency.account_labels`); a plan
    edited so that labels still collide is refused, as ``plan --check`` refuses it."""
    labels = consistency.account_labels(accounts)
    shared = consistency.shared_label(labels)
    if shared is not None:
        raise InputError(
            shared,
            where="PLAN#/source/accounts",
            hint="Give the accounts distinct aliases in the plan (or plan again).",
        )
    return tuple(AccountLabel(id_, label) for id_, label in labels)


def resources(
    document: Mapping[str, Any], options: GenerateOptions, now: datetime | None = None
) -> tuple[Generated, tuple[str, ...]]:
    """The proved resources of ``document`` and the proof's problems, one line each."""
    options = checked(options)
    moment = now or datetime.now(UTC)
    source = document["source"]
    accounts = account_labels(source["accounts"])
    account_ids = tuple(a.id for a in accounts)
    management = account_ids[0] if account_ids else "000000000000"
    partition = plan_partition(document)
    scanner = options.scanner_role or f"arn:{partition}:iam::{management}:role/keyless-scanner"
    management = scanner.split(":")[4]
    providers, oidc_roles, skipped = oidc_resources(document, partition)
    anchors, ra_roles = roles_anywhere_resources(
        document,
        region=options.region,
        ca_pem=options.ca_pem,
        pca_arn=options.pca_arn,
        partition=partition,
    )
    roles = (*oidc_roles, *ra_roles, *workload_roles(document), *member_roles(account_ids, scanner))
    inventory = estate(account_ids, source["organization"], management, roles, partition)
    proved = []
    lines: list[str] = []
    left_out = [*undecided_users(document), *skipped]
    for role in roles:
        proof = prove_role(role, inventory, moment, partition)
        if proof.proved:
            proved.append(role)
            continue
        lines.extend(f"{role.name} ({role.account}): {problem}" for problem in proof.problems)
        left_out.append(
            Skipped(role.pointer, f"role {role.name} ({role.account})", "; ".join(proof.problems))
        )
    kept = {(r.account, r.name) for r in proved}
    anchors = tuple(
        replace(a, role_names=tuple(n for n in a.role_names if (a.account, n) in kept))
        for a in anchors
    )
    generated = Generated(
        accounts=accounts,
        management_account=management,
        organization=source["organization"],
        region=options.region,
        identity_center=identity_center(
            document, options.identity_source, options.session_duration
        ),
        oidc_providers=tuple(
            p for p in providers if any(r.account == p.account for r in proved if r.kind == "oidc")
        ),
        roles=tuple(proved),
        trust_anchors=tuple(a for a in anchors if a.role_names),
        guardrails=guardrail_policies(options.break_glass_role, boundary=options.boundary),
        skipped=tuple(left_out),
        sso_session=options.sso_session,
        sso_start_url=options.sso_start_url,
        sso_region=options.sso_region,
        keyless_scanner_role=scanner,
        partition=partition,
    )
    return generated, tuple(lines)


def undecided_users(document: Mapping[str, Any]) -> list[Skipped]:
    """The users the plan has not decided: nothing is generated for them, and saying so
    keeps a run that wrote every decided role from reading as the whole plan done."""
    left_out = []
    for index, user in enumerate(document["users"]):
        if user["destination"] != "undecided":
            continue
        what = "; ".join(user.get("would_decide") or ()) or "decide it in the plan"
        left_out.append(
            Skipped(
                f"/users/{index}",
                f"user {user['name']} ({user['account']})",
                f"the plan has not decided what replaces it: {what}",
            )
        )
    return left_out


def plan_partition(document: Mapping[str, Any]) -> str:
    """The partition of the plan's estate, from its users' and providers' ARNs
    (:mod:`keyless.plan.partition`). In China, service principals are not all
    ``SERVICE.amazonaws.com`` (some end in ``.amazonaws.com.cn``), and keyless does not
    know which: a plan with service or Roles Anywhere roles there is refused, not written
    with a principal that may be wrong."""
    arns = [user["arn"] for user in document["users"]]
    arns += [r["provider"]["arn"] for r in document["oidc_roles"] if r["provider"]["arn"]]
    partition = partition_of(arns, where="the plan")
    if partition == "aws-cn" and (document["workload_roles"] or document["roles_anywhere"]):
        raise InputError(
            "the plan has service or Roles Anywhere roles in the aws-cn partition, whose "
            "service principals keyless does not know",
            where="the plan",
            hint="Move those users to another destination, or create their roles by hand.",
        )
    return partition


def generate(
    document: Mapping[str, Any], options: GenerateOptions, now: datetime | None = None
) -> Output:
    """The files of ``options.format`` for ``document`` (a validated plan)."""
    from keyless.generate.emit import emit

    generated, findings = resources(document, options, now)
    if options.format in (OutputFormat.AWS_CONFIG, OutputFormat.SCP):
        # Neither format holds roles: a role left out leaves nothing out of these files.
        generated = replace(generated, skipped=())
    return Output(options.format, emit(generated, options.format), generated, findings)
