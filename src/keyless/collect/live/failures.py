"""What a failure to reach AWS means to the person who ran keyless, per botocore
exception class: bad input they can fix (exit code 2) or an estate that could not be
read (exit code 3). docs/scan.md#reaching-aws publishes this table.

=====================================================  ====  ==========================
botocore raised                                        exit  said as
=====================================================  ====  ==========================
``EndpointConnectionError`` (refused, no route, DNS)   3     could not connect to URL
``ConnectTimeoutError``                                3     could not connect to URL
``ProxyConnectionError``                               3     could not connect to the
                                                             proxy URL
``SSLError``                                           3     could not connect securely
``ReadTimeoutError``, ``ConnectionClosedError``        3     no answer from URL
``ClientError`` throttling, 5xx and other answers      3     AWS STS answered CODE
``ClientError`` ``RegionDisabledException``            2     not activated in region
``NoCredentialsError``                                 2     no AWS credentials found
``PartialCredentialsError``,                           2     the AWS credentials could
``CredentialRetrievalError``, ``SSOError``,                  not be loaded
``TokenRetrievalError``
``ClientError`` ``InvalidClientTokenId``,              2     AWS refused the
``SignatureDoesNotMatch``, ``ExpiredToken``,                 credentials (CODE)
``AccessDenied`` … (:data:`CREDENTIALS_REFUSED`)
other ``BotoCoreError`` (``NoRegionError``, a          2     cannot call AWS
malformed configuration)
=====================================================  ====  ==========================

This applies to the first call of a collection (``sts:GetCallerIdentity``, which no
policy can deny) and to the organization's own calls. A call that fails *after* AWS was
reached (``iam:GetCredentialReport`` denied) is recorded in the account as a failed call:
the scan goes on and exits 3.

botocore is imported only when a failure is classified: nothing loads at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keyless.errors import AwsUnavailable, CollectionError, KeylessError

#: Seconds to wait for a connection (botocore's default is 60): AWS endpoints answer a
#: TCP handshake in milliseconds, so waiting longer only delays "unreachable".
#: https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html
CONNECT_TIMEOUT = 5.0
#: The first call is tried this many times in all, not ten: an unreachable endpoint is
#: said once, within seconds, instead of being retried silently for most of a minute.
PROBE_ATTEMPTS = 2
PROBE_READ_TIMEOUT = 15.0

#: Error codes with which AWS refuses the credentials themselves (not a permission on
#: one resource). ``AccessDenied`` belongs here only for calls no policy can deny, such as
#: ``sts:GetCallerIdentity``.
#: https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
CREDENTIALS_REFUSED = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidAccessKeyId",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "AccessDenied",
        "AccessDeniedException",
        "AuthFailure",
        "MissingAuthenticationToken",
        "InvalidSignatureException",
    }
)

#: AWS's answers for a request it throttled (the organization fan-out retries
#: ``AssumeRole`` on these with backoff).
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestThrottledException",
    }
)

#: Answers that say AWS itself is in trouble (throttling that outlasted the retries, a
#: server error), not that the request was wrong: the estate could not be read (exit 3).
TROUBLE_CODES = THROTTLING_CODES | frozenset(
    {
        "ServiceException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalError",
        "InternalServerError",
    }
)

_REACH_HINT = (
    "Check the network, a proxy (HTTPS_PROXY), --region and AWS_ENDPOINT_URL. keyless tried"
    f" {PROBE_ATTEMPTS} times, waiting at most {CONNECT_TIMEOUT:g} s for a connection and"
    f" {PROBE_READ_TIMEOUT:g} s for an answer."
)


def no_credentials() -> CollectionError:
    """No credentials anywhere in the chain (exit 2)."""
    return CollectionError(
        "no AWS credentials found",
        hint="Configure credentials (aws configure, AWS_PROFILE, SSO login) or use --profile.",
    )


def error_code(error: BaseException) -> str | None:
    """The code of an error AWS answered with (``ClientError``), else ``None``."""
    response = getattr(error, "response", None)
    if isinstance(response, Mapping):
        return str(response.get("Error", {}).get("Code", "Unknown"))
    return None


def unreachable(error: BaseException, service: str) -> AwsUnavailable | None:
    """``error`` as "could not connect" (exit 3) when it is about the connection, once,
    naming the endpoint; ``None`` for any other error."""
    from botocore import exceptions as bx

    if not isinstance(error, bx.ConnectionError | bx.HTTPClientError):
        return None
    details: dict[str, Any] = getattr(error, "kwargs", {})
    url = details.get("endpoint_url")
    where = f"{url} (AWS {service})" if url else f"AWS {service}"
    if isinstance(error, bx.ProxyConnectionError):
        message = f"could not connect to the proxy {details.get('proxy_url', '')}".rstrip()
    elif isinstance(error, bx.SSLError):
        message = f"could not connect securely to {where}: {details.get('error', 'TLS failed')}"
    elif isinstance(error, bx.ConnectTimeoutError):
        message = f"could not connect to {where} within {CONNECT_TIMEOUT:g} s"
    elif isinstance(error, bx.ReadTimeoutError):
        message = f"no answer from {where} within {PROBE_READ_TIMEOUT:g} s"
    elif isinstance(error, bx.ConnectionClosedError):
        message = f"no answer from {where}: the connection was closed"
    elif isinstance(error, bx.ConnectionError):
        message = f"could not connect to {where}"
    else:  # another HTTP client failure: botocore's text names what happened
        message = f"could not connect to {where}: {error}"
    return AwsUnavailable(message, hint=_REACH_HINT)


def reaching_failure(error: BaseException, service: str) -> KeylessError | None:
    """What a failure to reach AWS at all means (see the module's table): a
    :class:`KeylessError` to raise, or ``None`` when ``error`` is not one of these."""
    from botocore import exceptions as bx

    if isinstance(error, bx.NoCredentialsError):
        return no_credentials()
    if isinstance(
        error,
        bx.PartialCredentialsError
        | bx.CredentialRetrievalError
        | bx.SSOError
        | bx.TokenRetrievalError,
    ):
        return CollectionError(
            f"the AWS credentials could not be loaded: {error}",
            hint="Check the profile's credentials (`aws sso login`, `aws configure`).",
        )
    code = error_code(error)
    if code in CREDENTIALS_REFUSED:
        return CollectionError(
            f"AWS refused the credentials ({code})",
            hint="The credentials are wrong, expired or revoked: renew them (aws sso login,"
            " aws configure) or choose others with --profile.",
        )
    if code == "RegionDisabledException":
        return CollectionError(
            f"AWS {service} is not activated in this region ({code})",
            hint="Choose an activated region with --region (or AWS_REGION).",
        )
    if code is not None:
        hint = "AWS is throttling or unavailable: try again later."
        return AwsUnavailable(
            f"AWS {service} answered {code}: nothing could be read",
            hint=hint if code in TROUBLE_CODES else None,
        )
    found = unreachable(error, service)
    if found is not None:
        return found
    if isinstance(error, bx.BotoCoreError):
        return CollectionError(
            f"cannot call AWS {service}: {error}",
            hint="Check --region, --profile and ~/.aws/config.",
        )
    return None
