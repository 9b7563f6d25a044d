"""Registry modules known to create IAM roles whose trust policy keyless has not followed
release by release (their releases rewrote it): each role such a call creates is reported
as not judged (exit 3), never left as a note, which a scan's exit code does not count.

Each entry names the role (``aws_iam_role.LABEL[0]``), the input that turns it on or off
and whether it exists when that input is not given, read in the module's own code:

* GitHub Actions roles: https://github.com/philips-labs/terraform-aws-github-oidc (role
  ``main``, made when ``repo`` is given),
  https://github.com/terraform-module/terraform-aws-github-oidc-provider (role ``this``,
  unless ``create_oidc_role = false``);
* roles other accounts assume: terraform-aws-modules/iam/aws's ``iam-assumable-role``
  and ``iam-assumable-role-with-saml`` (role ``this``, only with ``create_role = true``)
  and ``iam-assumable-roles`` (roles ``admin``, ``poweruser`` and ``readonly``, each only
  with its ``create_…_role = true``), whose trust policy (``trusted_role_arns``, MFA
  unless ``role_requires_mfa = false``, external IDs, session names) changed across 3.x
  to 5.x (https://github.com/terraform-aws-modules/terraform-aws-iam/blob/v5.39.0/modules/iam-assumable-role/main.tf);
  ``cloudposse/iam-role/aws`` (role ``default``, unless ``enabled = false``), which
  trusts ``principals`` under ``assume_role_conditions``
  (https://github.com/cloudposse/terraform-aws-iam-role/blob/main/main.tf).

terraform-aws-modules/iam/aws 6.0 removed those three submodules (``docs/UPGRADE-6.0.md``:
``iam-assumable-role`` renamed ``iam-role``, the others merged into it or removed): a call
whose ``version`` admits no release before 6.0 installs nothing (``terraform init``
fails), so it is a note like any remote module keyless does not read, not a role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from keyless.iac.model import IacResource, module_role
from keyless.iac.tfversions import admits_a_major
from keyless.iac.values import Node, Position, Unknown

_REGISTRY = r"^(registry\.terraform\.io/)?"
_IAM = _REGISTRY + r"terraform-aws-modules/iam/aws//modules/"
#: The majors of terraform-aws-modules/iam/aws that have the assumable-role submodules.
_BEFORE_6 = tuple(range(6))


@dataclass(frozen=True, slots=True)
class _Role:
    """A role a module creates: ``aws_iam_role.label[0]``, on or off by the input
    ``switch`` (``on_by_default`` when the call does not give it), named by ``name``."""

    label: str
    switch: str
    on_by_default: bool
    name: str


#: Each module: its source, the roles it creates and the majors that have it (None: any).
_MODULES: tuple[tuple[re.Pattern[str], tuple[_Role, ...], tuple[int, ...] | None], ...] = (
    (
        re.compile(_REGISTRY + r"philips-labs/github-oidc/aws$"),
        (_Role("main", "repo", True, "role_name"),),
        None,
    ),
    (
        re.compile(_REGISTRY + r"terraform-module/github-oidc-provider/aws$"),
        (_Role("this", "create_oidc_role", True, "role_name"),),
        None,
    ),
    (
        re.compile(_IAM + r"iam-assumable-role(-with-saml)?$"),
        (_Role("this", "create_role", False, "role_name"),),
        _BEFORE_6,
    ),
    (
        re.compile(_IAM + r"iam-assumable-roles$"),
        tuple(
            _Role(label, f"create_{label}_role", False, f"{label}_role_name")
            for label in ("admin", "poweruser", "readonly")
        ),
        _BEFORE_6,
    ),
    (
        re.compile(_REGISTRY + r"cloudposse/iam-role/aws$"),
        (_Role("default", "enabled", True, "name"),),
        None,
    ),
)


def unfollowed_roles(
    source: str,
    version: str | None,
    inputs: Mapping[str, Node],
    address: str,
    path: Path,
    position: Position,
) -> list[IacResource] | None:
    """The roles a call of one of these modules creates, each not judged; None for other
    modules, and for a call whose ``version`` admits no release that has the module."""
    for pattern, roles, majors in _MODULES:
        if not pattern.match(source):
            continue
        if majors is not None and version and admits_a_major(version, majors) is False:
            return None
        reason = (
            f"{source}: keyless does not follow this module's trust policy release by "
            "release; pass `terraform show -json` output to judge it"
        )
        made = []
        for role in roles:
            given = inputs.get(role.switch)
            if not _exists(given, role.on_by_default):
                continue
            trust = Node(Unknown("module", reason, position), position)
            where = given.position if given is not None else position
            name = inputs.get(role.name)
            role_address = f"{address}.aws_iam_role.{role.label}[0]"
            made.append(module_role(role_address, path, position, name, trust, where))
        return made
    return None


def _exists(given: Node | None, on_by_default: bool) -> bool:
    """Whether the role is made: an explicit false (or null) turns one that is on by
    default off; one off by default is made by anything but false or null (an unknown
    switch may make it, so it is reported)."""
    if given is None:
        return on_by_default
    return given.value not in (None, False, "false")
