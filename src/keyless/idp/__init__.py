"""Identity providers and request contexts, one module per mechanism.

* :mod:`keyless.idp.providers` - the issuer table (shared/private, tenant claim, keys AWS exposes)
* :mod:`keyless.idp.oidc` - ``web_identity_request(claims)``
* :mod:`keyless.idp.saml` - ``saml_request(attributes)``
* :mod:`keyless.idp.roles_anywhere` - ``roles_anywhere_request(certificate, trust_anchor)``
* :mod:`keyless.idp.aws` - ``aws_principal_request(arn, ...)``, ``service_request(service, ...)``
"""
