"""Identity providers and MFA devices from their IAM listings, shared by the live
collector and the offline export loader (which accepts the same CLI outputs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keyless.collect.formats.dates import to_utc
from keyless.model import MfaDevice, OidcProvider, SamlProvider


def mfa_by_user(devices: list[Mapping[str, Any]]) -> Mapping[str, tuple[MfaDevice, ...]]:
    """Assigned virtual MFA devices keyed by user ARN. Only the serial and enable date
    are kept: the listing can carry the device's seed, which is a secret."""
    found: dict[str, list[MfaDevice]] = {}
    for device in devices:
        user = device.get("User") or {}
        if "Arn" in user:
            found.setdefault(user["Arn"], []).append(
                MfaDevice(device["SerialNumber"], True, to_utc(device.get("EnableDate")))
            )
    return {arn: tuple(items) for arn, items in found.items()}


def oidc_provider(entry: Mapping[str, Any]) -> OidcProvider:
    """An OIDC provider from a ``GetOpenIDConnectProvider`` response plus its ``Arn``.

    IAM returns the URL without its scheme; keyless stores the issuer URL with
    ``https://`` (the only scheme IAM accepts). Without ``Url`` it comes from the ARN.
    """
    arn = entry["Arn"]
    url = entry.get("Url") or arn.split(":oidc-provider/", 1)[-1]
    if "://" not in url:
        url = "https://" + url
    return OidcProvider(
        arn=arn,
        url=url,
        client_ids=tuple(entry.get("ClientIDList") or ()),
        thumbprints=tuple(entry.get("ThumbprintList") or ()),
        created=to_utc(entry.get("CreateDate")),
    )


def saml_provider(entry: Mapping[str, Any]) -> SamlProvider:
    """A SAML provider from one ``ListSAMLProviders`` entry."""
    arn = entry["Arn"]
    return SamlProvider(
        arn=arn,
        name=arn.rsplit("/", 1)[-1],
        valid_until=to_utc(entry.get("ValidUntil")),
        created=to_utc(entry.get("CreateDate")),
    )
