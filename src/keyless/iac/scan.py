"""``keyless iac`` as a library call: read the paths, judge what they create, and return a
:class:`~keyless.engine.ScanResult` (``command="iac"``).

New users, access keys and login profiles are findings by their existence. Every trust
policy whose value is known goes through the estate's trust checks in one pass (roles with
the same policy are analysed once), so the IDs and witnesses are those of
``keyless trust``; each finding is placed at the offending statement or principal where
the reader knows it. A trust policy with an unknown part is not judged: it is reported as
unread (exit code 3), naming the expression and why.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson

from keyless.checks.registry import Check
from keyless.config import Config
from keyless.engine import CheckRun, ScanResult, Unread, apply_ignores, run_checks
from keyless.errors import PolicyError
from keyless.files import display_path
from keyless.findings import FileLocation, Finding, Severity
from keyless.iac.baseline import Baseline
from keyless.iac.checks import FOR_KIND, HARDCODED_AWS_KEY
from keyless.iac.model import (
    DEPLOYING_ACCOUNT,
    IacModel,
    IacResource,
    LiteralKey,
    ResourceKind,
    location,
)
from keyless.iac.oidc_providers import declared_providers
from keyless.iac.own_resources import pools_without_guests
from keyless.iac.partitions import provider_arn, providers_partition
from keyless.iac.read import Tally, read_paths
from keyless.iac.registry import CHECKS, trust_checks
from keyless.iac.values import (
    JsonText,
    Node,
    Position,
    Unknown,
    notes,
    plain,
    pointer_positions,
    unknowns,
)
from keyless.model import AVAILABLE, Account, Dataset, Inventory, OidcProvider, Role
from keyless.model.arn import is_account_id
from keyless.policy.document import escape_pointer, parse_trust_policy
from keyless.policy.limits import PolicyTooLarge
from keyless.trust.owner import owner_account, owner_partition


@dataclass(frozen=True, slots=True)
class JudgedRole:
    """A role of the code, as the trust checks see it. A role judged with stand-ins
    (``stand_ins`` names what the code leaves unset, judged as its own name) reports only
    the findings that hold whatever those names are (:data:`STAND_IN_CHECKS`); when it has
    none, it is reported as ``not_judged``."""

    resource: IacResource
    role: Role
    stand_ins: tuple[str, ...] = ()
    not_judged: Unread | None = None


# Checks whose findings on a subject pattern do not depend on the names a stand-in fills
# in: the wildcards the code writes around them admit a pull request, any branch, another
# repository, any tenant or any service account, whatever the names turn out to be.
STAND_IN_CHECKS = frozenset(
    {
        "trust-oidc-untrusted-trigger",
        "trust-oidc-broad-subject",
        "trust-oidc-any-tenant",
        "trust-eks-unpinned",
    }
)
# Where a stand-in may be: a condition's value (a string in its list).
_CONDITION_VALUE = re.compile(r"/Statement(?:/\d+)?/Condition/[^/]+/[^/]+(?:/\d+)?")


def scan(
    paths: Iterable[Path],
    config: Config | None = None,
    *,
    var_files: Sequence[Path] = (),
    parameters: Mapping[str, str] | None = None,
    baseline: Baseline | None = None,
    checks: Collection[str] | None = None,
    now: datetime | None = None,
    progress: Tally | None = None,
) -> ScanResult:
    """Read ``paths`` and judge every IAM user, access key, login profile and trust policy
    found. Ignores of ``config`` and the ``baseline``'s accepted findings are counted as
    suppressed, never dropped. ``progress(done, total)`` counts the files read."""
    model = read_paths(paths, var_files=var_files, parameters=parameters, progress=progress)
    return judge(model, config, baseline=baseline, checks=checks, now=now)


def judge(
    model: IacModel,
    config: Config | None = None,
    *,
    baseline: Baseline | None = None,
    checks: Collection[str] | None = None,
    now: datetime | None = None,
) -> ScanResult:
    """Judge an already read model."""
    now = now or datetime.now(UTC)
    selected = [c for c in (*CHECKS, *trust_checks()) if checks is None or c.id in checks]
    wanted = {c.id for c in selected}
    found: list[Finding] = []
    counts = dict.fromkeys(wanted, 0)
    for resource in model.resources:
        check = FOR_KIND.get(resource.kind)
        if check is not None and check.id in wanted:
            counts[check.id] += 1
            found.append(_existence_finding(check, resource))
    if HARDCODED_AWS_KEY.id in wanted:
        counts[HARDCODED_AWS_KEY.id] = len(model.files)
        found.extend(_literal_key_finding(key) for key in model.literal_keys)
    judged, unread = roles_to_judge(model.resources)
    trust = [c for c in selected if c.theme == "trust"]
    if judged and trust:
        for c in trust:
            counts[c.id] = len(judged)
        trust_found = _trust_findings(judged, trust, now, declared_providers(model.resources))
        found.extend(trust_found)
        flagged = {str(f.evidence["address"]) for f in trust_found}
        unread += [
            j.not_judged
            for j in judged
            if j.not_judged is not None and j.resource.address not in flagged
        ]
    else:
        unread += [j.not_judged for j in judged if j.not_judged is not None]
    kept, suppressed = apply_ignores(found, (config or Config()).ignores)
    if baseline is not None:
        kept, accepted = baseline.apply(kept)
        suppressed = (*suppressed, *accepted)
    runs = tuple(
        CheckRun(c, evaluated=counts[c.id], findings=sum(f.check == c.id for f in kept))
        for c in selected
    )
    return ScanResult(
        findings=tuple(sorted(kept, key=lambda f: f.sort_key)),
        now=now,
        command="iac",
        check_runs=runs,
        suppressed=tuple(suppressed),
        files=model.files,
        unread=(*model.unread, *unread),
        notes=model.notes,
        ignores=(config or Config()).ignores,
    )


def roles_to_judge(
    resources: Iterable[IacResource],
) -> tuple[list[JudgedRole], list[Unread]]:
    """The roles whose trust policy is known, as model roles (named by their address,
    each with a unique, valid ARN in the stand-in account: :func:`_arn_name`), and those
    that cannot be judged."""
    judged: list[JudgedRole] = []
    unread: list[Unread] = []
    taken: set[str] = set()
    for resource in resources:
        if resource.kind is not ResourceKind.ROLE or resource.trust is None:
            continue
        missing = list(unknowns(resource.trust))
        stand_ins: tuple[str, ...] = ()
        not_judged: Unread | None = None
        if missing:
            first = missing[0]
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            not_judged = Unread(
                location(resource.path, resource.position),
                f"{resource.address}: trust policy not judged: {first.expression} at "
                f"line {first.position.line}, column {first.position.column}: "
                f"{first.reason}{more}",
            )
            rendered = stand_in_document(resource.trust, resource.partition)
            if rendered is None:
                unread.append(not_judged)
                continue
            document, stand_ins = rendered
        else:
            try:
                document = plain(resource.trust)
            except ValueError as error:  # JSON text keyless cannot write exactly
                unread.append(
                    Unread(
                        location(resource.path, resource.position),
                        f"{resource.address}: trust policy not judged: {error}",
                    )
                )
                continue
        malformed = _malformed(document)
        if malformed is not None:
            unread.append(
                Unread(
                    location(resource.path, resource.position),
                    f"{resource.address}: trust policy not judged: {malformed}",
                )
            )
            continue
        account = _role_account(document)
        # Trust does not cross partitions: the partition the code deploys the role to (its
        # provider's region), else that of its principals (GovCloud's make a GovCloud role).
        partition = (
            resource.partition
            or providers_partition(document)
            or owner_partition(document)
            or "aws"
        )
        role = Role(
            account_id=account,
            name=resource.address,
            arn=f"arn:{partition}:iam::{account}:role/{_arn_name(resource, taken)}",
            trust_policy=document,
        )
        judged.append(JudgedRole(resource, role, stand_ins, not_judged))
    return judged, unread


# An IAM role name: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_NOT_IN_ROLE_NAME = re.compile(r"[^\w+=,.@-]+", re.ASCII)


def _arn_name(resource: IacResource, taken: set[str]) -> str:
    """The name in a role's ARN: its IAM name when the code fixes a valid one (``name``,
    ``RoleName``), else a stand-in made of its address (``DeployRole-in-StackSet-Org``,
    as CloudFormation or Terraform would generate one); a name another role of the run
    already has (IAM names are unique regardless of case) gets ``-2``, ``-3``…"""
    name = resource.name
    if name is None or not _ROLE_NAME.fullmatch(name):
        name = _NOT_IN_ROLE_NAME.sub("-", resource.address).strip("-")[:64] or "role"
    candidate, count = name, 1
    while candidate.casefold() in taken:
        count += 1
        suffix = f"-{count}"
        candidate = name[: 64 - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def _role_account(document: Any) -> str:
    """The deploying account's stand-in, unless the policy names its own account itself (a
    literal provider ARN, ``aws:SourceAccount``) and nowhere stands for the deploying one."""
    owner = owner_account(document)
    if owner is None or DEPLOYING_ACCOUNT in orjson.dumps(document).decode():
        return DEPLOYING_ACCOUNT
    return owner


def stand_in_document(
    trust: Node, partition: str | None = None
) -> tuple[Any, tuple[str, ...]] | None:
    """The trust policy with each unknown replaced by its stand-in, and the expressions
    stood in for; None when an unknown cannot be stood in for. Stand-ins go in a
    condition's value (a name the code leaves unset, :func:`stand_in_text`), or in a
    ``Federated`` principal whose statement's condition keys name one OIDC issuer: only
    that issuer's provider gives those keys, so a role that works at all trusts it: in the
    issuer's partition, else ``partition`` (the code's), else ``aws``."""
    used: list[str] = []

    def render(node: Node, pointer: str, issuer: str | None) -> Any:
        value = node.value
        if isinstance(value, Unknown):
            if _FEDERATED.fullmatch(pointer) and issuer is not None:
                used.append(value.expression)
                return provider_arn(DEPLOYING_ACCOUNT, issuer, partition)
            if value.stand_in is None or not _CONDITION_VALUE.fullmatch(pointer):
                raise LookupError(pointer)
            used.append(value.expression)
            return value.stand_in
        if isinstance(value, JsonText):
            return render(value.document, pointer, issuer)
        if _STATEMENT.fullmatch(pointer):
            issuer = _issuer_of(node)
        if isinstance(value, tuple):
            return [render(item, f"{pointer}/{i}", issuer) for i, item in enumerate(value)]
        if isinstance(value, Mapping):
            return {
                k: render(item, f"{pointer}/{escape_pointer(k)}", issuer)
                for k, item in value.items()
            }
        return value

    try:
        return render(trust, "", None), tuple(dict.fromkeys(used))
    except LookupError:
        return None


_STATEMENT = re.compile(r"/Statement(?:/\d+)?")
_FEDERATED = re.compile(r"/Statement(?:/\d+)?/Principal/Federated(?:/\d+)?")
# Condition keys of AWS itself, not of an identity provider.
_AWS_KEY_PREFIXES = ("aws:", "sts:", "saml:", "cognito-identity.amazonaws.com:")


def _issuer_of(statement: Node) -> str | None:
    """The one OIDC issuer whose claims a statement's condition keys name
    (``token.actions.githubusercontent.com`` for ``…:sub``), or None."""
    conditions = statement.value.get("Condition") if isinstance(statement.value, Mapping) else None
    if conditions is None or not isinstance(conditions.value, Mapping):
        return None
    issuers = {
        key.rsplit(":", 1)[0]
        for block in conditions.value.values()
        if isinstance(block.value, Mapping)
        for key in block.value
        if ":" in key and not key.lower().startswith(_AWS_KEY_PREFIXES)
    }
    if len(issuers) != 1:
        return None
    (issuer,) = issuers
    return issuer if "." in issuer and not any(c in issuer for c in "*?${}") else None


def _malformed(document: Any) -> str | None:
    """Why a trust policy cannot be judged: beyond keyless's limits
    (keyless.policy.limits), or not a policy IAM accepts (a ``Condition`` written as a
    list: CloudFormation and Terraform fail to create the role). Not judged, so never clean
    and never passed as a finding below ``--fail-on`` (exit 3), as ``keyless trust`` says
    of the same file."""
    try:
        parse_trust_policy(document)
    except PolicyTooLarge as error:
        return error.message
    except PolicyError as error:
        return error.describe()
    return None


def _trust_findings(
    judged: list[JudgedRole],
    checks: list[Check],
    now: datetime,
    oidc_providers: tuple[OidcProvider, ...] = (),
) -> list[Finding]:
    """Every trust check over every judged role, in one engine pass; the OIDC providers
    the code declares are the deploying account's (their audiences decide what a role
    without an ``aud`` condition accepts)."""
    by_arn = {j.role.arn: j for j in judged}
    account = Account(
        id=DEPLOYING_ACCOUNT,
        roles=tuple(j.role for j in judged),
        oidc_providers=oidc_providers,
        datasets=dict.fromkeys(Dataset, AVAILABLE),
    )
    result = run_checks(Inventory(accounts=(account,), origin="iac"), now=now, checks=checks)
    return [
        _located(finding, by_arn[finding.resource])
        for finding in result.findings
        if finding.resource in by_arn
        and (not by_arn[finding.resource].stand_ins or holds_for_any_name(finding))
    ]


def holds_for_any_name(finding: Finding) -> bool:
    """A finding on a policy judged with stand-ins that does not depend on the names:
    one of :data:`STAND_IN_CHECKS`, at medium or above (a low one is about the named
    branch itself, which a stand-in only pretends to know)."""
    return finding.check in STAND_IN_CHECKS and finding.severity >= Severity.MEDIUM


def stand_in_note(stand_ins: Sequence[str]) -> str:
    """What a finding judged with stand-ins says about them."""
    return (
        f"judged with stand-ins for what the code leaves unset ({', '.join(stand_ins)}): a "
        "name as itself, an OIDC principal as the provider its condition keys name; the "
        "finding holds whatever the values are"
    )


def _literal_key_finding(key: LiteralKey) -> Finding:
    """An access key ID written in a file: located at it, named only redacted."""
    address = f"access key {key.key_id}"
    check = HARDCODED_AWS_KEY
    return Finding(
        check=check.id,
        severity=check.severity,
        location=FileLocation(key.path, key.position.line, key.position.column, address),
        message=f"{address} is written in plain text",
        remediation=check.remediation,
        evidence=MappingProxyType(
            {
                "address": address,
                "resource_type": "access key ID",
                "source": key.source.value,
                "fingerprint": fingerprint(check.id, key.path, address, key.key_id),
            }
        ),
    )


def _existence_finding(check: Check, resource: IacResource) -> Finding:
    name = repr(resource.name) if resource.name else None
    if resource.kind is ResourceKind.USER:
        what = f"creates an IAM user named {name}" if name else "creates an IAM user"
    elif resource.kind is ResourceKind.ACCESS_KEY:
        what = f"creates an access key for IAM user {name}" if name else "creates an access key"
    elif resource.kind is ResourceKind.SECRET_OUTPUT:
        what = (
            f"shows the secret access key of {name} in plain text"
            if name
            else ("shows a secret access key in plain text")
        )
    else:
        user = f"IAM user {name}" if name else "an IAM user"
        what = f"gives {user} a console password"
    message = f"{resource.address} {what}"
    value = {"type": resource.type, "name": resource.name}
    return Finding(
        check=check.id,
        severity=check.severity,
        location=FileLocation(
            resource.path, resource.position.line, resource.position.column, resource.address
        ),
        message=message,
        remediation=check.remediation,
        evidence=_evidence(check.id, resource, value, {}),
    )


def _located(finding: Finding, judged: JudgedRole) -> Finding:
    """A trust finding placed in the file: at the value its evidence names."""
    resource = judged.resource
    assert resource.trust is not None
    document = judged.role.trust_policy
    positions = pointer_positions(resource.trust)
    pointer = _pointer(finding.check, finding.evidence, document, positions)
    position = positions.get(pointer) if pointer is not None else None
    position = position or resource.trust_position or resource.position
    route = f"{resource.address}{'#' + pointer if pointer else ''}"
    value = {"policy": document, "principal": finding.evidence.get("principal")}
    said = list(notes(resource.trust))
    if judged.stand_ins:
        said.append(stand_in_note(judged.stand_ins))
    extra = {"stand_ins": said} if said else {}
    severity, message = guest_severity(finding, said)
    return Finding(
        check=finding.check,
        severity=severity,
        location=FileLocation(resource.path, position.line, position.column, route),
        message=message,
        remediation=finding.remediation,
        evidence=_evidence(finding.check, resource, value, {**finding.evidence, **extra}),
        witness=finding.witness,
    )


def guest_severity(finding: Finding, said: Sequence[str]) -> tuple[Severity, str]:
    """The severity and message of a trust finding on a role whose trust policy carries
    the notes ``said`` (:func:`keyless.iac.values.notes`): a guest identity of an identity
    pool the code creates without guest access cannot exist while the pool stays so, so
    the role's missing ``amr`` pin is then low, not critical. Any other finding as it is.
    https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html"""
    witness = finding.witness or {}
    claims = witness.get("claims") if isinstance(witness, Mapping) else None
    aud = claims.get("aud") if isinstance(claims, Mapping) else None
    if (
        finding.check == "trust-cognito-unauthenticated"
        and "guest" in finding.message
        and isinstance(aud, str)
        and aud in pools_without_guests(said)
    ):
        return Severity.LOW, (
            f"{finding.message} once guest access is turned on (the identity pool the code "
            "creates has it off)"
        )
    return finding.severity, finding.message


# The claim whose condition a finding is about: the finding points at that condition.
_CLAIM_OF_CHECK = {
    "trust-oidc-broad-subject": ":sub",
    "trust-oidc-untrusted-trigger": ":sub",
    "trust-oidc-missing-audience": ":aud",
}


def _pointer(
    check: str, evidence: Mapping[str, Any], document: Any, positions: Mapping[str, Position]
) -> str | None:
    """The JSON pointer of the offending value: the error's pointer, or the condition on
    the claim the check is about, or the principal in the first statement the finding
    names, or that statement."""
    error_pointer = evidence.get("pointer")
    if isinstance(error_pointer, str):
        while error_pointer and error_pointer not in positions:
            error_pointer = error_pointer.rsplit("/", 1)[0]
        return error_pointer
    statements = evidence.get("statements")
    if not statements:
        return None
    listed = isinstance(document.get("Statement"), list) if isinstance(document, dict) else False
    statement = f"/Statement/{statements[0]}" if listed else "/Statement"
    claim = _CLAIM_OF_CHECK.get(check)
    if claim is not None:
        conditions = [
            p
            for p in sorted(positions)
            if p.startswith(f"{statement}/Condition/")
            and p.count("/") == 5 - (not listed)
            and p.lower().endswith(claim)
        ]
        if conditions:
            return conditions[0]
    principal = evidence.get("principal")
    for pointer in sorted(positions):
        if pointer.startswith(f"{statement}/Principal") and principal is not None:
            value = _value_at(document, pointer)
            if value == principal or (isinstance(value, list) and principal in value):
                return pointer
            # An account's principal is named by its ID; the policy may write its root ARN.
            if isinstance(value, str) and is_account_id(principal) and f"::{principal}:" in value:
                return pointer
    return statement if statement in positions else None


def _value_at(document: Any, pointer: str) -> Any:
    current = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict):
            current = current.get(token)
        elif (
            isinstance(current, list)
            and token.isascii()
            and token.isdigit()
            and int(token) < len(current)
        ):
            current = current[int(token)]
        else:
            return None
    return current


def _evidence(
    check: str, resource: IacResource, value: Any, extra: Mapping[str, Any]
) -> Mapping[str, Any]:
    return MappingProxyType(
        {
            **extra,
            "address": resource.address,
            "resource_type": resource.type,
            "source": resource.source.value,
            "fingerprint": fingerprint(check, resource.path, resource.address, value),
        }
    )


def fingerprint(check: str, path: Path, address: str, value: Any) -> str:
    """A finding's identity across edits: the check, the file (relative to the working
    directory), the resource's address and a hash of the offending value — not its line,
    so a finding survives lines moving above it."""
    material = orjson.dumps(
        [check, display_path(path), address, value], option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(material).hexdigest()[:32]
