"""IAM Roles Anywhere for workloads outside AWS: a trust anchor per account (from a CA
certificate or an AWS Private CA), a profile for the roles it serves, and per workload a
role that admits ``rolesanywhere.amazonaws.com`` only through that anchor
(``aws:SourceArn``) and only for the workload's certificate (``x509Subject/CN``).
https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html
https://docs.aws.amazon.com/rolesanywhere/latest/userguide/credential-helper.html
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography import x509

from keyless.errors import InputError
from keyless.generate.model import (
    Placeholder,
    PlaceholderKind,
    Probe,
    RoleKind,
    RoleSpec,
    TrustAnchorSpec,
)
from keyless.idp.roles_anywhere import (
    SERVICE_PRINCIPAL,
    check_single_pem,
    roles_anywhere_request,
)
from keyless.plan.document import permissions_from

ACTIONS = ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]
PCA_ARN = re.compile(
    r"arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority/[0-9a-f-]{36}", re.ASCII
)
_STAND_IN = uuid.UUID("6b657930-6c65-7373-2d61-6e63686f7221")
NEAR_MISS_CN = "keyless-near-miss.invalid"


def read_ca_certificate(pem: bytes, now: datetime) -> str:
    """The PEM text of a CA certificate fit to be a trust anchor; anything else (not PEM,
    not a CA, expired or not yet valid, more than one certificate) is an
    :class:`InputError`."""
    try:
        check_single_pem(pem, "the CA certificate")
    except InputError as error:
        raise InputError(error.message, where="--ca-cert", hint=error.hint) from None
    try:
        certificate = x509.load_pem_x509_certificate(pem)
    except ValueError as error:
        raise InputError(f"not a PEM X.509 certificate ({error})", where="--ca-cert") from None
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise InputError(
            "the certificate is not a CA (basicConstraints CA:TRUE is missing)",
            where="--ca-cert",
            hint="A trust anchor is the CA that issues the workloads' certificates.",
        )
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise InputError(
            f"the CA certificate is valid only from {certificate.not_valid_before_utc:%Y-%m-%d} "
            f"to {certificate.not_valid_after_utc:%Y-%m-%d}",
            where="--ca-cert",
        )
    return certificate.public_bytes(encoding=_pem()).decode("ascii")


def _pem() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.PEM


def stand_in_anchor(account: str, region: str, partition: str = "aws") -> str:
    """A trust anchor ARN of the real shape for the proof, before the anchor exists."""
    identifier = uuid.uuid5(_STAND_IN, account)
    return f"arn:{partition}:rolesanywhere:{region}:{account}:trust-anchor/{identifier}"


def roles_anywhere_resources(
    document: Mapping[str, Any],
    *,
    region: str,
    ca_pem: str | None,
    pca_arn: str | None,
    partition: str = "aws",
) -> tuple[tuple[TrustAnchorSpec, ...], tuple[RoleSpec, ...]]:
    """One anchor (and profile) per account that has Roles Anywhere roles, and the roles.
    An anchor the plan found in the account is used when no CA is given."""
    by_account: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for index, entry in enumerate(document["roles_anywhere"]):
        by_account.setdefault(entry["account"], []).append((index, entry))
    anchors: list[TrustAnchorSpec] = []
    roles: list[RoleSpec] = []
    for account in sorted(by_account):
        entries = by_account[account]
        existing = sorted({a for _, e in entries for a in e["trust_anchors"]})
        reuse = None
        if existing and ca_pem is None and pca_arn is None:
            reuse = _anchor_in(account, existing, region)
        if reuse is None and ca_pem is None and pca_arn is None:
            raise InputError(
                f"the plan has Roles Anywhere roles in {account} and no trust anchor",
                where="--ca-cert",
                hint="Give the CA that issues the workloads' certificates (--ca-cert PEM) "
                "or an AWS Private CA (--pca-arn ARN).",
            )
        name = f"keyless-{account}"
        anchors.append(
            TrustAnchorSpec(
                account,
                name,
                tuple(sorted(e["name"] for _, e in entries)),
                ca_pem=ca_pem if reuse is None else None,
                pca_arn=pca_arn if reuse is None and ca_pem is None else None,
                existing_arn=reuse,
            )
        )
        concrete = reuse or stand_in_anchor(account, region, partition)
        anchor = Placeholder(PlaceholderKind.TRUST_ANCHOR, account, name, concrete)
        roles.extend(_role(entry, f"/roles_anywhere/{i}", anchor) for i, entry in entries)
    return tuple(anchors), tuple(roles)


def _anchor_in(account: str, anchors: list[str], region: str) -> str:
    """The first of the account's existing ``anchors`` in ``region``, where the profile is
    generated. Trust anchors and profiles are regional resources (their ARNs name their
    Region), and the credential helper refuses an anchor and a profile of two Regions
    ("trust anchor and profile regions don't match", aws_signing_helper's
    GenerateCredentials, https://github.com/aws/rolesanywhere-credential-helper): an
    anchor of another Region would give a ``credential_process`` line that never works.
    https://docs.aws.amazon.com/rolesanywhere/latest/userguide/authentication-create-session.html"""
    for arn in anchors:
        if arn.split(":")[3] == region:
            return arn
    regions = ", ".join(sorted({arn.split(":")[3] for arn in anchors}))
    raise InputError(
        f"the trust anchors the plan found in {account} are in {regions}, not in --region"
        f" {region}: Roles Anywhere profiles and trust anchors are regional, and a profile"
        " works only with an anchor of its own Region",
        where="--region",
        hint=f"Generate with --region {regions.split(', ')[0]}, or give --ca-cert PEM or"
        " --pca-arn ARN for a new trust anchor in --region.",
    )


def _role(entry: Mapping[str, Any], pointer: str, anchor: Placeholder) -> RoleSpec:
    common_name = entry["common_name"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TrustAnchorAndCertificate",
                "Effect": "Allow",
                "Principal": {"Service": SERVICE_PRINCIPAL},
                "Action": ACTIONS,
                "Condition": {
                    "ArnEquals": {"aws:SourceArn": anchor},
                    "StringEquals": {"aws:PrincipalTag/x509Subject/CN": common_name},
                },
            }
        ],
    }
    other = anchor.concrete.rsplit("/", 1)[0] + "/" + str(uuid.uuid5(_STAND_IN, "other"))
    probes = (
        Probe(
            f"certificate CN={common_name}",
            roles_anywhere_request({"subject": {"CN": common_name}}, anchor.concrete),
            True,
        ),
        Probe(
            f"another certificate: CN={NEAR_MISS_CN}",
            roles_anywhere_request({"subject": {"CN": NEAR_MISS_CN}}, anchor.concrete),
            False,
        ),
        Probe(
            "the same CN through another trust anchor",
            roles_anywhere_request({"subject": {"CN": common_name}}, other),
            False,
        ),
    )
    return RoleSpec(
        kind=RoleKind.ROLES_ANYWHERE,
        account=entry["account"],
        name=entry["name"],
        description=f"keyless: Roles Anywhere for certificate CN {common_name}"[:1000],
        trust=trust,
        permissions=permissions_from(entry["permissions"]),
        probes=probes,
        pointer=pointer,
    )
