"""Identity providers, MFA devices and Identity Center instances from their listings,
shared by the live collector and the offline export loader (which accepts the same CLI
outputs)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from keyless.collect.formats import values
from keyless.collect.formats.names import checked_name, name_problem
from keyless.errors import quoted
from keyless.model import Account, IdentityCenter, MfaDevice, OidcProvider, SamlProvider


class ListingError(ValueError):
    """An entry of a listing that cannot be read; ``index`` is its position."""

    def __init__(self, message: str, index: int):
        super().__init__(message)
        self.index = index


def mfa_by_user(
    devices: list[Mapping[str, Any]], latest: datetime | None = None
) -> Mapping[str, tuple[MfaDevice, ...]]:
    """Assigned virtual MFA devices keyed by user ARN. Only the serial and enable date
    are kept: the listing can carry the device's seed, which is a secret.
    Raises :class:`ListingError` for an entry that cannot be read."""
    found: dict[str, list[MfaDevice]] = {}
    for index, device in enumerate(devices):
        try:
            user = values.obj(device.get("User") or {}, "User")
            if "Arn" in user:
                found.setdefault(values.text(user, "Arn"), []).append(
                    MfaDevice(
                        serial=values.text(device, "SerialNumber"),
                        virtual=True,
                        enabled=values.moment(device.get("EnableDate"), "EnableDate", latest),
                    )
                )
        except ValueError as error:
            raise ListingError(str(error), index) from None
    return {arn: tuple(items) for arn, items in found.items()}


def oidc_provider(entry: Mapping[str, Any], latest: datetime | None = None) -> OidcProvider:
    """An OIDC provider from a ``GetOpenIDConnectProvider`` response plus its ``Arn``.

    IAM returns the URL without its scheme; keyless stores the issuer URL with
    ``https://`` (the only scheme IAM accepts). Without ``Url`` it comes from the ARN.
    Raises ``ValueError`` naming the field that cannot be read.
    """
    arn = checked_name("OidcProviderArn", values.text(entry, "Arn"))
    issuer = arn.split(":oidc-provider/", 1)[-1]
    url = values.text(entry, "Url", "") or issuer
    if "://" not in url:
        url = "https://" + url
    checked_name("OidcProviderUrl", url)
    if url.removeprefix("https://") != issuer:
        # IAM names the provider by its URL: another URL is an edited entry, and which of
        # the two the role trusts is unknown.
        raise ValueError(f"Url {quoted(url)} is not the issuer the Arn names ({quoted(issuer)})")
    return OidcProvider(
        arn=arn,
        url=url,
        client_ids=values.texts(entry.get("ClientIDList"), "ClientIDList"),
        thumbprints=values.texts(entry.get("ThumbprintList"), "ThumbprintList"),
        created=values.moment(entry.get("CreateDate"), "CreateDate", latest),
    )


def saml_provider(entry: Mapping[str, Any], latest: datetime | None = None) -> SamlProvider:
    """A SAML provider from one ``ListSAMLProviders`` entry. ``ValidUntil`` (the
    metadata's expiry) is about the future, so only ``CreateDate`` is held to ``latest``."""
    arn = checked_name("SamlProviderArn", values.text(entry, "Arn"))
    return SamlProvider(
        arn=arn,
        name=arn.rsplit("/", 1)[-1],
        valid_until=values.moment(entry.get("ValidUntil"), "ValidUntil", None),
        created=values.moment(entry.get("CreateDate"), "CreateDate", latest),
    )


def find_provider_outside_grammar(account: Account) -> tuple[str, str] | None:
    """The pointer and description of the first identity provider of a snapshot's
    ``account`` whose ARN is an ARN outside IAM's grammar (:func:`oidc_provider` and
    :func:`saml_provider` refuse them in an export and live), or whose URL or name is not
    the one that ARN names. A value that is not an ARN at all (``arn:o``) is outside that
    grammar too."""
    for position, oidc in enumerate(account.oidc_providers):
        where = f"/oidc_providers/{position}"
        problem = name_problem("OidcProviderArn", oidc.arn)
        if problem is not None:
            return f"{where}/arn", problem
        issuer = oidc.arn.split(":oidc-provider/", 1)[-1]
        if oidc.url != "https://" + issuer:
            return f"{where}/url", f"{quoted(oidc.url)} is not the issuer the ARN names"
    for position, saml in enumerate(account.saml_providers):
        where = f"/saml_providers/{position}"
        problem = name_problem("SamlProviderArn", saml.arn)
        if problem is not None:
            return f"{where}/arn", problem
        if saml.name != saml.arn.rsplit("/", 1)[-1]:
            return f"{where}/name", f"{quoted(saml.name)} is not the name the ARN ends in"
    return None


#: ``ListInstances``' ``InstanceArn`` (sso-admin API reference: the instance ID is
#: ``ssoins-`` or ``ins-`` and 16 characters).
_INSTANCE_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:sso:::instance/(?:sso)?ins-[a-zA-Z0-9.-]{16}", re.ASCII
)
#: ``IdentityStoreId``: ``d-`` and ten hex digits, or a UUID (identitystore API reference).
_STORE_ID = re.compile(
    r"d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII
)


def identity_center_instance(
    entry: Mapping[str, Any], latest: datetime | None = None
) -> IdentityCenter:
    """An Identity Center instance from one ``aws sso-admin list-instances`` entry (its
    ARN and identity store; permission sets and assignments are read only live).
    Raises ``ValueError`` naming the field that cannot be read."""
    arn = values.text(entry, "InstanceArn")
    if not _INSTANCE_ARN.fullmatch(arn):
        raise ValueError(f"InstanceArn is not an IAM Identity Center instance ARN: {quoted(arn)}")
    store = values.text(entry, "IdentityStoreId", "")
    if store and not _STORE_ID.fullmatch(store):
        raise ValueError(f"IdentityStoreId is not an identity store ID: {quoted(store)}")
    values.moment(entry.get("CreatedDate"), "CreatedDate", latest)
    return IdentityCenter(instance_arn=arn, identity_store_id=store)
