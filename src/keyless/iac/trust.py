"""``keyless trust FILE`` for infrastructure code: every role of a Terraform file, plan or
CloudFormation template, each judged by :func:`keyless.engine.assess_trust` and named by
its resource address."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from keyless.engine import TrustAssessment, Unread, assess_trust
from keyless.errors import InputError, PolicyError
from keyless.iac.located import (
    guest_severity,
    left_out_note,
    stand_in_note,
    values_left_out_note,
)
from keyless.iac.model import IacResource, location
from keyless.iac.read import read_paths
from keyless.iac.roles import holds_for_any_name, roles_to_judge
from keyless.iac.sources import (
    JSON_CONFIGURATION_SUFFIXES,
    ReadError,
    looks_like_cloudformation,
    looks_like_plan,
    read_source,
)
from keyless.iac.values import notes

_INFRASTRUCTURE_SUFFIXES = (
    ".tf",
    ".tofu",
    *JSON_CONFIGURATION_SUFFIXES,
    ".yaml",
    ".yml",
    ".template",
)


@dataclass(frozen=True, slots=True)
class RoleTrust:
    """One role of the file and its assessment. ``notes`` say what keyless stood in for
    (the deploying account shown as 000000000000, names the code leaves unset), as
    ``keyless iac`` says it beside each finding."""

    resource: IacResource
    assessment: TrustAssessment
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileTrust:
    """Every role of one file, and the roles (or parts) that could not be judged."""

    path: Path
    roles: tuple[RoleTrust, ...]
    unread: tuple[Unread, ...]


def is_infrastructure_file(path: Path) -> bool:
    """A Terraform or YAML file, or JSON that is a template or a plan (not a bare policy)."""
    if path.name.endswith(_INFRASTRUCTURE_SUFFIXES):
        return True
    if not path.name.endswith(".json"):
        return False
    try:
        text = read_source(path)
    except ReadError:
        return False
    return looks_like_plan(text) or looks_like_cloudformation(text)


def assess_file(
    path: Path,
    *,
    var_files: Sequence[Path] = (),
    parameters: Mapping[str, str] | None = None,
) -> FileTrust:
    """Judge every role ``path`` declares, with Terraform ``var_files`` and CloudFormation
    ``parameters`` as ``keyless iac`` takes them. Raises :class:`InputError` for a file
    that cannot be read or holds no infrastructure code."""
    model = read_paths([path], var_files=var_files, parameters=parameters)
    own = [u for u in model.unread if u.where == str(path)]
    if own:
        raise InputError(own[0].reason, where=str(path))
    if not model.files:
        raise InputError(
            "not a Terraform file, Terraform plan or CloudFormation template", where=str(path)
        )
    judged, unread = roles_to_judge(model.resources)
    roles: list[RoleTrust] = []
    for item in judged:
        try:
            assessment = assess_trust(item.role)
        except PolicyError as error:
            where = location(item.resource.path, item.resource.position)
            unread.append(Unread(where, f"{item.resource.address}: {error.describe()}"))
            continue
        for check, reason in assessment.not_evaluated:
            where = location(item.resource.path, item.resource.position)
            unread.append(
                Unread(where, f"{item.resource.address}: {check} not evaluated: {reason}")
            )
        if item.is_partial:
            # As `keyless iac` does: only what holds whatever the unset names are.
            kept = tuple(f for f in assessment.findings if holds_for_any_name(f, item))
            if item.leaves_out and item.not_judged is not None:
                unread.append(item.not_judged)  # statements of it were not judged
            if not kept:
                if item.not_judged is not None and not item.leaves_out:
                    unread.append(item.not_judged)
                continue
            assessment = replace(assessment, findings=kept)
        said = list(notes(item.resource.trust)) if item.resource.trust is not None else []
        if item.stand_ins:
            said.append(stand_in_note(item.stand_ins))
        if item.left_out:
            said.append(left_out_note(item.left_out))
        if item.values_left_out:
            said.append(values_left_out_note(item.values_left_out))
        assessment = _as_iac_judges(assessment, said)
        roles.append(RoleTrust(item.resource, assessment, tuple(said)))
    return FileTrust(path, tuple(roles), (*model.unread, *unread))


def _as_iac_judges(assessment: TrustAssessment, said: Sequence[str]) -> TrustAssessment:
    """The assessment with the severities ``keyless iac`` gives the same role: a Cognito
    role's guest finding is low while the identity pool the code creates admits no
    guests (:func:`keyless.iac.located.guest_severity`), so both commands agree on a file."""
    findings = []
    for finding in assessment.findings:
        severity, message = guest_severity(finding, said)
        findings.append(replace(finding, severity=severity, message=message))
    # worst first, as assess_trust orders them (a stable sort keeps the order of equals)
    findings.sort(key=lambda finding: -finding.severity.rank)
    return replace(assessment, findings=tuple(findings))
