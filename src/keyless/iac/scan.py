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
from keyless.findings import FileLocation, Finding
from keyless.iac.baseline import Baseline
from keyless.iac.checks import FOR_KIND
from keyless.iac.model import DEPLOYING_ACCOUNT, IacModel, IacResource, ResourceKind, location
from keyless.iac.read import Tally, read_paths
from keyless.iac.registry import CHECKS, trust_checks
from keyless.iac.values import Node, Position, notes, plain, pointer_positions, unknowns
from keyless.model import AVAILABLE, Account, Dataset, Inventory, Role
from keyless.model.arn import is_account_id
from keyless.policy.document import parse_trust_policy
from keyless.policy.limits import PolicyTooLarge


@dataclass(frozen=True, slots=True)
class JudgedRole:
    """A role of the code, as the trust checks see it."""

    resource: IacResource
    role: Role


def scan(
    paths: Iterable[Path],
    config: Config | None = None,
    *,
    var_files: Sequence[Path] = (),
    baseline: Baseline | None = None,
    checks: Collection[str] | None = None,
    now: datetime | None = None,
    progress: Tally | None = None,
) -> ScanResult:
    """Read ``paths`` and judge every IAM user, access key, login profile and trust policy
    found. Ignores of ``config`` and the ``baseline``'s accepted findings are counted as
    suppressed, never dropped. ``progress(done, total)`` counts the files read."""
    model = read_paths(paths, var_files=var_files, progress=progress)
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
    judged, unread = roles_to_judge(model.resources)
    trust = [c for c in selected if c.theme == "trust"]
    if judged and trust:
        for c in trust:
            counts[c.id] = len(judged)
        found.extend(_trust_findings(judged, trust, now))
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
    )


def roles_to_judge(
    resources: Iterable[IacResource],
) -> tuple[list[JudgedRole], list[Unread]]:
    """The roles whose trust policy is known, as model roles (each with a unique ARN in
    the stand-in account, named by its address), and those that cannot be judged."""
    judged: list[JudgedRole] = []
    unread: list[Unread] = []
    for resource in resources:
        if resource.kind is not ResourceKind.ROLE or resource.trust is None:
            continue
        missing = list(unknowns(resource.trust))
        if missing:
            first = missing[0]
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            unread.append(
                Unread(
                    location(resource.path, resource.position),
                    f"{resource.address}: trust policy not judged: {first.expression} at "
                    f"line {first.position.line}, column {first.position.column}: "
                    f"{first.reason}{more}",
                )
            )
            continue
        document = plain(resource.trust)
        too_large = _too_large(document)
        if too_large is not None:
            unread.append(
                Unread(
                    location(resource.path, resource.position),
                    f"{resource.address}: trust policy not judged: {too_large.message}",
                )
            )
            continue
        label = resource.address
        role = Role(
            account_id=DEPLOYING_ACCOUNT,
            name=label,
            arn=f"arn:aws:iam::{DEPLOYING_ACCOUNT}:role/{label}",
            trust_policy=document,
        )
        judged.append(JudgedRole(resource, role))
    return judged, unread


def _too_large(document: Any) -> PolicyTooLarge | None:
    """The error of a trust policy beyond keyless's limits (keyless.policy.limits): not
    judged, so never clean. Any other error in the policy is the trust checks' to report."""
    try:
        parse_trust_policy(document)
    except PolicyTooLarge as error:
        return error
    except PolicyError:
        pass
    return None


def _trust_findings(judged: list[JudgedRole], checks: list[Check], now: datetime) -> list[Finding]:
    """Every trust check over every judged role, in one engine pass."""
    by_arn = {j.role.arn: j for j in judged}
    account = Account(
        id=DEPLOYING_ACCOUNT,
        roles=tuple(j.role for j in judged),
        datasets=dict.fromkeys(Dataset, AVAILABLE),
    )
    result = run_checks(Inventory(accounts=(account,), origin="iac"), now=now, checks=checks)
    return [
        _located(finding, by_arn[finding.resource].resource)
        for finding in result.findings
        if finding.resource in by_arn
    ]


def _existence_finding(check: Check, resource: IacResource) -> Finding:
    name = repr(resource.name) if resource.name else None
    if resource.kind is ResourceKind.USER:
        what = f"creates an IAM user named {name}" if name else "creates an IAM user"
    elif resource.kind is ResourceKind.ACCESS_KEY:
        what = f"creates an access key for IAM user {name}" if name else "creates an access key"
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


def _located(finding: Finding, resource: IacResource) -> Finding:
    """A trust finding placed in the file: at the value its evidence names."""
    assert resource.trust is not None
    positions = pointer_positions(resource.trust)
    pointer = _pointer(finding.check, finding.evidence, resource.trust, positions)
    position = positions.get(pointer) if pointer is not None else None
    position = position or resource.trust_position or resource.position
    route = f"{resource.address}{'#' + pointer if pointer else ''}"
    value = {"policy": plain(resource.trust), "principal": finding.evidence.get("principal")}
    extra = {"stand_ins": list(notes(resource.trust))} if notes(resource.trust) else {}
    return Finding(
        check=finding.check,
        severity=finding.severity,
        location=FileLocation(resource.path, position.line, position.column, route),
        message=finding.message,
        remediation=finding.remediation,
        evidence=_evidence(finding.check, resource, value, {**finding.evidence, **extra}),
        witness=finding.witness,
    )


# The claim whose condition a finding is about: the finding points at that condition.
_CLAIM_OF_CHECK = {
    "trust-oidc-broad-subject": ":sub",
    "trust-oidc-untrusted-trigger": ":sub",
    "trust-oidc-missing-audience": ":aud",
}


def _pointer(
    check: str, evidence: Mapping[str, Any], trust: Node, positions: Mapping[str, Position]
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
    document = plain(trust)
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
