"""SAML requests: the ``saml:`` context keys STS derives from an assertion.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from keyless.errors import InputError, quoted
from keyless.idp.common import (
    ExtraContext,
    add_context,
    context_value,
    session_tag_values,
    session_tags,
    with_session_actions,
)
from keyless.policy.conditions import ContextValue
from keyless.policy.evaluate import ASSUME_ROLE_WITH_SAML, Caller, CallerType, Request

#: Keys STS derives from the assertion itself (Recipient, Issuer, NameID, ...).
ASSERTION_KEYS = ("aud", "iss", "sub", "sub_type", "namequalifier", "doc")

#: Attribute keys AWS exposes and lists as multivalued ("[]" in the AWS table).
MULTIVALUED_ATTRIBUTES = frozenset(
    {
        "cn",
        "eduorghomepageuri",
        "eduorgidentityauthnpolicyuri",
        "eduorglegalname",
        "eduorgsuperioruri",
        "eduorgwhitepagesuri",
        "edupersonaffiliation",
        "edupersonassurance",
        "edupersonentitlement",
        "edupersonnickname",
        "edupersonorgunitdn",
        "edupersonscopedaffiliation",
        "edupersontargetedid",
    }
)
#: Attribute keys AWS exposes as single values.
SINGLE_VALUED_ATTRIBUTES = frozenset(
    {
        "commonname",
        "edupersonorgdn",
        "edupersonprimaryaffiliation",
        "edupersonprimaryorgunitdn",
        "edupersonprincipalname",
        "edupersonuniqueid",
        "givenname",
        "mail",
        "name",
        "organizationstatus",
        "primarygroupsid",
        "surname",
        "uid",
        "x500uniqueidentifier",
    }
)
# The registered OIDs (eduPerson, X.500) of those attributes, as IdPs often send them.
_OIDS = {
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": "edupersonaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.2": "edupersonnickname",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.3": "edupersonorgdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.4": "edupersonorgunitdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.5": "edupersonprimaryaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.6": "edupersonprincipalname",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.7": "edupersonentitlement",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.8": "edupersonprimaryorgunitdn",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.9": "edupersonscopedaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.10": "edupersontargetedid",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.11": "edupersonassurance",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.13": "edupersonuniqueid",
    "urn:oid:2.5.4.3": "cn",
    "urn:oid:2.5.4.42": "givenname",
    "urn:oid:2.5.4.4": "surname",
    "urn:oid:2.5.4.45": "x500uniqueidentifier",
    "urn:oid:0.9.2342.19200300.100.1.1": "uid",
    "urn:oid:0.9.2342.19200300.100.1.3": "mail",
}
_SPELLING = {
    "commonname": "commonName",
    "givenname": "givenName",
    "organizationstatus": "organizationStatus",
    "primarygroupsid": "primaryGroupSID",
    "x500uniqueidentifier": "x500UniqueIdentifier",
}
_AWS_ATTRIBUTES = "https://aws.amazon.com/saml/attributes/"


def saml_context(attributes: Mapping[str, Any]) -> tuple[dict[str, ContextValue], list[str]]:
    """The ``saml:`` keys for ``attributes``, and the names AWS would not expose.

    ``attributes`` maps assertion facts (``aud``, ``iss``, ``sub``, ``sub_type``,
    ``namequalifier``, ``doc``; with or without ``saml:``) and attribute names or OIDs to
    a string or a list of strings. Attributes AWS lists as multivalued become lists.
    """
    context: dict[str, ContextValue] = {}
    ignored: list[str] = []
    named: dict[str, str] = {}
    for raw_name, raw in attributes.items():
        name = raw_name[5:] if raw_name.lower().startswith("saml:") else raw_name
        lowered = _OIDS.get(name.lower(), name.lower())
        if lowered.startswith(_AWS_ATTRIBUTES):
            continue  # Role, RoleSessionName, PrincipalTag:*, ...: handled by saml_request
        if lowered in ASSERTION_KEYS or lowered in SINGLE_VALUED_ATTRIBUTES:
            if isinstance(raw, list) and len(raw) == 1:
                raw = raw[0]
            if isinstance(raw, list):
                # AWS gives these keys one value: an empty list reached `saml:doc`'s first
                # value as an IndexError traceback, and several made a multivalued key.
                raise InputError(
                    f"SAML attribute {quoted(raw_name)} has one value: give a string, not"
                    " a list of none or several"
                )
            multivalued = False
        elif lowered in MULTIVALUED_ATTRIBUTES:
            raw = [raw] if isinstance(raw, str) else raw
            multivalued = True
        else:
            ignored.append(raw_name)
            continue
        key = "saml:" + _SPELLING.get(lowered, lowered)
        # One key written twice (``aud`` and ``saml:aud``, or an attribute's name and its
        # OID): the second replaced the first without a word.
        other = named.setdefault(key.lower(), raw_name)
        if other != raw_name:
            raise InputError(
                f"SAML attributes {quoted(other)} and {quoted(raw_name)} are one key"
                f" ({key}): give it once, with a list for several values"
            )
        value = context_value(key, raw, multivalued=multivalued)
        # A null or an object in a list was dropped without a word.
        items = raw if isinstance(raw, list) else [raw]
        if value is None or any(item is None or isinstance(item, list | Mapping) for item in items):
            raise InputError(
                f"SAML attribute {quoted(raw_name)} must be a string or a list of strings"
            )
        context[key.lower()] = value
    return context, ignored


def provider_arn_from_doc(doc: str, partition: str = "aws") -> str | None:
    """``saml:doc`` is ``<account>/<provider-name>``: the SAML provider's ARN, in the
    role's ``partition`` (a provider of another partition cannot federate into the role)."""
    account, _, name = doc.partition("/")
    if len(account) == 12 and account.isascii() and account.isdigit() and name:
        return f"arn:{partition}:iam::{account}:saml-provider/{name}"
    return None


def _source_identity(attributes: Mapping[str, Any]) -> str | None:
    """The assertion's ``…/SourceIdentity`` (a string, or a list of one), or None. Written
    twice (two cases), or as anything else, it is an InputError: the first spelling was
    taken, and a value that was not a string was dropped without a word."""
    name = _AWS_ATTRIBUTES + "sourceidentity"
    found = [(k, v) for k, v in attributes.items() if k.lower() == name]
    if not found:
        return None
    if len(found) > 1:
        raise InputError(
            f"SAML attributes {quoted(found[0][0])} and {quoted(found[1][0])} are one key"
            " (SourceIdentity): give it once"
        )
    key, raw = found[0]
    value = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
    if not isinstance(value, str):
        raise InputError(f"SAML attribute {quoted(key)} must be one string")
    return value


def saml_request(
    attributes: Mapping[str, Any],
    *,
    provider_arn: str | None = None,
    context: ExtraContext | None = None,
    partition: str = "aws",
) -> Request:
    """An ``sts:AssumeRoleWithSAML`` request from assertion ``attributes``.

    The SAML provider is ``provider_arn``, or derived from ``saml:doc`` (in the role's
    ``partition``); when neither is known, any SAML provider named in the policy is
    assumed to be the one.
    """
    keys, ignored = saml_context(attributes)
    notes = []
    if ignored:
        notes.append(
            "Not exposed to trust policies by AWS, so ignored: " + ", ".join(sorted(ignored)) + "."
        )
    prefix = _AWS_ATTRIBUTES + "principaltag:"
    tags = session_tag_values(
        (
            (name[len(prefix) :], value)
            for name, value in attributes.items()
            if name.lower().startswith(prefix)
        ),
        f"attribute {quoted(_AWS_ATTRIBUTES + 'PrincipalTag:NAME')}",
    )
    session_tags(keys, tags)
    source_identity = _source_identity(attributes)
    if source_identity is not None:
        keys["sts:sourceidentity"] = ContextValue("sts:SourceIdentity", (source_identity,))
    add_context(keys, context)
    if provider_arn is None and "saml:doc" in keys:
        provider_arn = provider_arn_from_doc(keys["saml:doc"].values[0], partition)
    if provider_arn is None:
        notes.append("The SAML provider is unknown; any SAML provider in the policy is assumed.")
    notes.append(
        "Who can present this assertion is decided by the IdP's Role attribute (IdP-delegated)."
    )
    return Request(
        caller=Caller(CallerType.SAML, arn=provider_arn),
        actions=with_session_actions(ASSUME_ROLE_WITH_SAML, keys),
        context=MappingProxyType(keys),
        notes=tuple(notes),
    )
