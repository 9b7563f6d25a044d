"""IAM Roles Anywhere requests: certificate attributes as session tags, the trust anchor.

https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html
https://docs.aws.amazon.com/rolesanywhere/latest/userguide/attribute-mapping.html

Roles Anywhere calls STS as the service principal ``rolesanywhere.amazonaws.com`` and needs
``sts:AssumeRole``, ``sts:TagSession`` and ``sts:SetSourceIdentity`` all allowed. By
default it maps every Subject and Issuer RDN and the first SAN of each type (DNS, URI,
Directory Name) to ``aws:PrincipalTag/x509...`` tags; the source identity is the
subject's CN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from keyless.errors import InputError, quoted
from keyless.idp.common import ExtraContext, add_context
from keyless.model.arn import parse_arn
from keyless.policy.conditions import ContextValue
from keyless.policy.evaluate import (
    ASSUME_ROLE,
    SET_SOURCE_IDENTITY,
    TAG_SESSION,
    Caller,
    CallerType,
    Request,
)

if TYPE_CHECKING:
    from cryptography import x509

SERVICE_PRINCIPAL = "rolesanywhere.amazonaws.com"


@dataclass(frozen=True, slots=True)
class CertificateAttributes:
    """What Roles Anywhere reads from a certificate: RDNs by short name, first SANs."""

    subject: Mapping[str, str]
    issuer: Mapping[str, str]
    san: Mapping[str, str]  # "DNS", "URI", "Name/CN", ...

    def tags(self) -> dict[str, str]:
        """The session tags, keyed ``x509Subject/CN``, ``x509Issuer/O``, ``x509SAN/DNS``..."""
        result = {f"x509Subject/{k}": v for k, v in self.subject.items()}
        result.update({f"x509Issuer/{k}": v for k, v in self.issuer.items()})
        result.update({f"x509SAN/{k}": v for k, v in self.san.items()})
        return result


def _rdns(name: x509.Name) -> dict[str, str]:
    result: dict[str, str] = {}
    for attribute in name:
        value = attribute.value
        text = value if isinstance(value, str) else value.decode("utf-8", "replace")
        # Several values for one RDN type (two OUs): the mapping of repeats is not stated in
        # the reference we follow; we keep the first, as for SANs.
        result.setdefault(attribute.rfc4514_attribute_name, text)
    return result


_BEGIN = b"-----BEGIN "


def check_single_pem(data: bytes, what: str = "the certificate") -> None:
    """Refuse PEM text that is not exactly one certificate in plain ASCII: a byte-order
    mark, a NUL or any byte outside ASCII, a second certificate (a bundle: only the first
    would be read, silently) or another PEM block (a private key)."""
    hint = "Pass one PEM certificate: ASCII text, one -----BEGIN CERTIFICATE----- block."
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputError(f"{what} starts with a byte-order mark", hint=hint)
    if b"\x00" in data:
        raise InputError(f"{what} holds a NUL byte", hint=hint)
    if not data.isascii():
        raise InputError(f"{what} is not ASCII text (PEM is)", hint=hint)
    blocks = data.count(_BEGIN)
    certificates = data.count(_BEGIN + b"CERTIFICATE-----")
    if blocks > 1 or certificates != blocks:
        found = f"{blocks} PEM blocks, {certificates} of them certificates"
        raise InputError(f"{what} holds {found}; exactly one certificate is read", hint=hint)


def read_certificate(pem: str | bytes) -> CertificateAttributes:
    """Read the attributes of a PEM certificate: exactly one, in ASCII
    (:func:`check_single_pem`)."""
    # Imported when a certificate is read: a scan never reads one, and the import costs
    # about a tenth of a second of every scan's start.
    from cryptography import x509

    data = pem.encode("utf-8", "surrogatepass") if isinstance(pem, str) else pem
    check_single_pem(data)
    try:
        certificate = x509.load_pem_x509_certificate(data)
    except ValueError as error:
        raise InputError(
            f"not a PEM X.509 certificate ({error})",
            hint="Pass the end-entity certificate, beginning with -----BEGIN CERTIFICATE-----.",
        ) from None
    san: dict[str, str] = {}
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        names = None
    if names is not None:
        dns = names.get_values_for_type(x509.DNSName)
        uris = names.get_values_for_type(x509.UniformResourceIdentifier)
        directories = names.get_values_for_type(x509.DirectoryName)
        if dns:
            san["DNS"] = dns[0]
        if uris:
            san["URI"] = uris[0]
        if directories:
            san.update({f"Name/{k}": v for k, v in _rdns(directories[0]).items()})
    return CertificateAttributes(
        MappingProxyType(_rdns(certificate.subject)),
        MappingProxyType(_rdns(certificate.issuer)),
        MappingProxyType(san),
    )


def attributes_from_mapping(data: Mapping[str, Any]) -> CertificateAttributes:
    """Attributes from ``{"subject": {...}, "issuer": {...}, "san": {...}}`` (a witness).

    ``san`` may hold ``{"Name": {"CN": ...}}`` or the flat ``{"Name/CN": ...}``.
    """

    def strings(section: str) -> dict[str, str]:
        raw = data.get(section) or {}
        if not isinstance(raw, Mapping):
            raise InputError(f"certificate {section!r} must be an object of strings")
        result: dict[str, str] = {}
        for key, value in raw.items():
            if isinstance(value, Mapping):
                result.update({f"{key}/{k}": str(v) for k, v in value.items()})
            elif isinstance(value, str):
                result[str(key)] = value
            else:
                raise InputError(f"certificate {section}.{key} must be a string")
        return result

    return CertificateAttributes(
        MappingProxyType(strings("subject")),
        MappingProxyType(strings("issuer")),
        MappingProxyType(strings("san")),
    )


def roles_anywhere_request(
    certificate: str | bytes | Mapping[str, Any] | CertificateAttributes,
    trust_anchor: str,
    *,
    context: ExtraContext | None = None,
) -> Request:
    """The request Roles Anywhere makes for ``certificate`` through ``trust_anchor``.

    ``certificate`` is PEM text, a mapping of subject/issuer/SAN fields, or attributes.
    """
    anchor = parse_arn(trust_anchor)
    if (
        anchor is None
        or anchor.service != "rolesanywhere"
        or not anchor.resource.startswith("trust-anchor/")
    ):
        raise InputError(
            f"not a Roles Anywhere trust anchor ARN: {quoted(trust_anchor)}",
            hint="Expected arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID.",
        )
    if isinstance(certificate, CertificateAttributes):
        attributes = certificate
    elif isinstance(certificate, Mapping):
        attributes = attributes_from_mapping(certificate)
    else:
        attributes = read_certificate(certificate)
    keys: dict[str, ContextValue] = {}
    for name, value in attributes.tags().items():
        key = f"aws:PrincipalTag/{name}"
        keys[key.lower()] = ContextValue(key, (value,))
    keys["aws:sourcearn"] = ContextValue("aws:SourceArn", (trust_anchor,))
    common_name = attributes.subject.get("CN")
    if common_name:
        keys["sts:sourceidentity"] = ContextValue("sts:SourceIdentity", (common_name,))
    add_context(keys, context)
    return Request(
        caller=Caller(CallerType.SERVICE, provider=SERVICE_PRINCIPAL),
        actions=(ASSUME_ROLE, TAG_SESSION, SET_SOURCE_IDENTITY),
        context=MappingProxyType(keys),
        notes=(
            "Roles Anywhere also requires a profile that lists this role; "
            "the trust policy is only one of the gates.",
        ),
    )
