"""The small listings of an account's live collection: virtual MFA devices, OIDC and SAML
providers. Each answer is converted inside its call
(:func:`keyless.collect.live.answers.converted`), so one AWS answers in a shape keyless
cannot read is a failed call that fails its source (exit code 3), never a traceback.
``calls`` is the collector's :class:`keyless.collect.live.account.CallRecorder`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from keyless.collect.formats import values
from keyless.collect.formats.auth_details import DetailsError
from keyless.collect.formats.names import name_problem
from keyless.collect.formats.providers import mfa_by_user, oidc_provider, saml_provider
from keyless.collect.live.answers import converted, iam_pages
from keyless.model import (
    AVAILABLE,
    Dataset,
    DatasetState,
    DatasetStatus,
    MfaDevice,
    OidcProvider,
    SamlProvider,
)


def mfa_devices(
    iam: Any, calls: Any, sources: dict[Dataset, DatasetStatus]
) -> Mapping[str, tuple[MfaDevice, ...]] | None:
    """The assigned virtual MFA devices by user ARN (``None`` when not read)."""

    def read() -> Mapping[str, tuple[MfaDevice, ...]]:
        pages = iam_pages(iam, "list_virtual_mfa_devices", AssignmentStatus="Assigned")
        devices = [device for page in pages for device in page.get("VirtualMFADevices", ())]
        return converted(lambda: mfa_by_user(devices), "/VirtualMFADevices")

    devices: Mapping[str, tuple[MfaDevice, ...]] | None = calls.call(
        "iam", "ListVirtualMFADevices", read
    )
    if devices is None:
        sources[Dataset.MFA_DEVICES] = DatasetStatus(DatasetState.FAILED, calls.last_reason())
        return None
    sources[Dataset.MFA_DEVICES] = AVAILABLE
    return devices


def oidc_providers(
    iam: Any, calls: Any, sources: dict[Dataset, DatasetStatus]
) -> tuple[OidcProvider, ...]:
    """The OIDC providers, each read with ``GetOpenIDConnectProvider``."""
    arns = calls.call("iam", "ListOpenIDConnectProviders", partial(_oidc_arns, iam))
    if arns is None:
        sources[Dataset.OIDC_PROVIDERS] = DatasetStatus(DatasetState.FAILED, calls.last_reason())
        return ()
    providers = []
    complete = True
    for index, arn in enumerate(arns):
        # A listed ARN outside IAM's grammar is a listing keyless cannot trust: it is an
        # unreadable answer of ListOpenIDConnectProviders (which gave it), never sent in a
        # GetOpenIDConnectProvider request (which was not made); the others are read.
        problem = name_problem("OidcProviderArn", arn)
        if problem is not None:
            pointer = f"/OpenIDConnectProviderList/{index}/Arn"
            calls.unreadable("iam", "ListOpenIDConnectProviders", DetailsError(problem, pointer))
            complete = False
            continue
        got = calls.call("iam", "GetOpenIDConnectProvider", partial(_get_oidc, iam, arn))
        if got is None:
            complete = False
            continue
        providers.append(got)
    sources[Dataset.OIDC_PROVIDERS] = (
        AVAILABLE if complete else DatasetStatus(DatasetState.FAILED, calls.last_reason())
    )
    return tuple(providers)


def _oidc_arns(iam: Any) -> list[str]:
    entries = iam.list_open_id_connect_providers().get("OpenIDConnectProviderList")
    return converted(
        lambda: [
            values.text(values.obj(entry, "a provider"), "Arn")
            for entry in values.listing(entries, "OpenIDConnectProviderList")
        ],
        "/OpenIDConnectProviderList",
    )


def _get_oidc(iam: Any, arn: str) -> OidcProvider:
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    return converted(lambda: oidc_provider({**got, "Arn": arn}), "/")


def saml_providers(
    iam: Any, calls: Any, sources: dict[Dataset, DatasetStatus]
) -> tuple[SamlProvider, ...]:
    """The SAML providers, from their listing."""

    def read() -> tuple[SamlProvider, ...]:
        entries = iam.list_saml_providers().get("SAMLProviderList")
        return converted(
            lambda: tuple(
                saml_provider(values.obj(entry, "a provider"))
                for entry in values.listing(entries, "SAMLProviderList")
            ),
            "/SAMLProviderList",
        )

    providers: tuple[SamlProvider, ...] | None = calls.call("iam", "ListSAMLProviders", read)
    if providers is None:
        sources[Dataset.SAML_PROVIDERS] = DatasetStatus(DatasetState.FAILED, calls.last_reason())
        return ()
    sources[Dataset.SAML_PROVIDERS] = AVAILABLE
    return providers
