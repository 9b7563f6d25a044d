"""The IAM OIDC providers infrastructure code declares, as the deploying account's.

STS accepts a web-identity token only when its ``aud`` is one of the client IDs of the
provider the role trusts ("If you remove an audience, identities federating with the
audience cannot assume roles associated with the audience":
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html), so
the ``client_id_list`` (``ClientIdList``) the code gives a provider decides what a role
without an ``aud`` condition accepts (``trust-oidc-missing-audience``).
"""

from __future__ import annotations

from collections.abc import Iterable

from keyless.iac.model import IacResource, ResourceKind
from keyless.model import OidcProvider


def declared_providers(resources: Iterable[IacResource]) -> tuple[OidcProvider, ...]:
    """The OIDC providers the code declares, by ARN (an account holds one provider per
    URL), with their client IDs where the code fixes them: none where it does not, or
    where two declarations of one ARN disagree."""
    found: dict[str, tuple[str, ...] | None] = {}
    for resource in resources:
        arn = resource.provider_arn
        if resource.kind is not ResourceKind.OIDC_PROVIDER or arn is None:
            continue
        if arn in found and found[arn] != resource.audiences:
            found[arn] = None
        else:
            found[arn] = resource.audiences
    return tuple(
        OidcProvider(
            arn=arn,
            url="https://" + arn.split(":oidc-provider/", 1)[-1],
            client_ids=audiences or (),
        )
        for arn, audiences in found.items()
    )
