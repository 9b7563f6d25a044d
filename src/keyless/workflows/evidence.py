"""Signs, read from a job's text, that its keys cannot simply become a role.

* the keys are for an S3-compatible store or a custom endpoint, not for AWS;
* a script writes the key pair into a profile or credentials file (which drops the
  session token that temporary credentials need) or hands the keys on under other names;
* an action is known to write a profile from the key pair without the session token.

Each function returns human-readable reasons (empty when there is none); the fix reports
them and leaves the job as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from keyless.errors import hiding_credentials

# Object stores that speak the S3 API with their own keys (an AWS role cannot stand in):
# Cloudflare R2, DigitalOcean Spaces, Wasabi, Backblaze B2, Linode/Akamai, Scaleway, Google
# Cloud Storage (HMAC interoperability), OVHcloud, IONOS, Hetzner, Oracle (S3 compatibility).
_STORE_HOSTS = re.compile(
    r"r2\.cloudflarestorage\.com|digitaloceanspaces\.com|wasabisys\.com|backblazeb2\.com|"
    r"linodeobjects\.com|\.scw\.cloud|storage\.googleapis\.com|\.cloud\.ovh\.net|"
    r"ionoscloud\.com|your-objectstorage\.com|compat\.objectstorage\.[a-z0-9-]+\.oraclecloud\.com",
    re.IGNORECASE,
)
# Self-hosted S3-compatible servers and emulators, named in an endpoint.
_LOCAL_STORES = re.compile(
    r"minio|ceph|radosgw|localstack|seaweedfs|localhost|127\.0\.0\.1", re.IGNORECASE
)
# Local emulators of AWS (LocalStack, moto's server): they take any keys, AWS's too.
_EMULATORS = re.compile(r"localstack|localhost|127\.0\.0\.1|\[::1\]", re.IGNORECASE)
# Secret and variable names that say the keys belong to such a store.
_STORE_KEY_NAME = re.compile(
    r"(?<![A-Za-z])(R2|MINIO|SPACES|DO_SPACES|DIGITALOCEAN|WASABI|B2|BACKBLAZE|CEPH|SCALEWAY|"
    r"SCW|LINODE|STORJ|GCS|HMAC|OVH|CLOUDFLARE)(?![A-Za-z])",
    re.IGNORECASE,
)
_AWS_HOST = re.compile(r"amazonaws\.com(\.cn)?\b|\bamazonaws\b|api\.aws\b", re.IGNORECASE)
# AWS_ENDPOINT_URL and its per-service forms
# (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), S3 endpoint
# variables, and action inputs named `endpoint`.
_ENDPOINT_VARIABLE = re.compile(
    r"^AWS_ENDPOINT_URL(_\w+)?$|S3\w*ENDPOINT|ENDPOINT\w*S3|^(aws[-_])?endpoint([-_]url)?$",
    re.IGNORECASE,
)
_ENDPOINT_OPTION = re.compile(r"--endpoint(?:-url)?[= ]+(\S*\$\{\{[^}]*\}\}\S*|\S+)")

# Actions that write a profile from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and nothing
# else, so temporary credentials (which need AWS_SESSION_TOKEN too) fail there: their
# entrypoint runs `aws configure` with the key pair only.
DROPS_SESSION_TOKEN = {
    "jakejarvis/s3-sync-action": "its entrypoint writes a profile from the key pair only",
}

# `aws configure set aws_access_key_id …` and credentials-file text (heredoc, echo, printf).
_PROFILE_KEY = re.compile(
    r"aws\s+configure\s+set\s+(?:[\w.-]+\.)?aws_(?:access_key_id|secret_access_key)\b|"
    r"\baws_(?:access_key_id|secret_access_key)\s*=",
    re.IGNORECASE,
)
_PROFILE_TOKEN = re.compile(
    r"aws\s+configure\s+set\s+(?:[\w.-]+\.)?aws_session_token\b|\baws_session_token\s*=",
    re.IGNORECASE,
)
_LITERAL_KEY = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
# `docker run -e NAME=…`, `--env NAME=…`, `--env=NAME=…` (podman and nerdctl alike).
_CONTAINER_OPTION = re.compile(r"(?:^|\s)(?:-e|--env)(?:\s+|=)$")
# `$AWS_ACCESS_KEY_ID`, and a CI/CD variable named for an AWS key (`$PROD_AWS_ACCESS_KEY_ID`,
# `${AWS_SECRET_KEY}`): a variable set from one hands the keys on.
_KEY_VARIABLE = re.compile(
    r"\$\{?((?:[A-Za-z0-9]\w*_)?AWS_?(?:ACCESS_KEY(?:_ID)?|SECRET(?:_ACCESS)?_KEY|KEY_ID|"
    r"SESSION_TOKEN)(?:_\w*)?)\b\}?",
    re.IGNORECASE,
)
_ASSIGNMENT = re.compile(r"(?:^|[\s;&|])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\S*)")
KEY_NAMES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"})


def is_aws_endpoint(value: str) -> bool:
    """Whether an endpoint value is visibly an AWS one (``*.amazonaws.com``, ``api.aws``)."""
    return bool(_AWS_HOST.search(value))


# What an endpoint value shows of itself once its expressions (`${{ secrets.X }}`), shell
# variables (`"$S3_ENDPOINT"`), quotes and scheme are taken away.
_HIDDEN_PART = re.compile(r"\$\{\{.*?\}\}|\$\{?\w+\}?|[\"']|^\s*[A-Za-z][\w+.-]*://", re.DOTALL)


def is_unseen_endpoint(value: str) -> bool:
    """Whether an endpoint value names no host of its own: it is all a secret, a variable
    or an input (``${{ secrets.S3_API_ENDPOINT }}``, ``"$ENDPOINT"``, ``https://${{ x }}``),
    so it may be AWS's as well as another store's."""
    rest = _HIDDEN_PART.sub("", value[:2000]).strip()
    return not rest or rest[0] in ":/"


# `$NAME` and `${NAME}`; `$$` is GitLab's escape for a literal `$`.
_REFERENCE = re.compile(r"\$\$|\$\{(\w+)\}|\$(\w+)")
_MAX_EXPANSIONS = 5


def expanded(value: str, defined: Mapping[str, str] | None) -> str:
    """``value`` with each ``$NAME`` / ``${NAME}`` that ``defined`` holds replaced by its
    value, as GitLab expands a variable used in another variable (recursively) and the
    shell a variable used in a script
    (https://docs.gitlab.com/ci/variables/#use-cicd-variables-in-other-variables). A name
    not defined is left as it is: a CI/CD setting keyless cannot read. Bounded: a few
    rounds, 2,000 characters."""
    if not defined:
        return value

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return defined.get(name, match.group(0)) if name else match.group(0)

    for _ in range(_MAX_EXPANSIONS):
        after = _REFERENCE.sub(value_of, value[:2000])[:2000]
        if after == value:
            break
        value = after
    return value


def endpoint_evidence(
    variables: Iterable[tuple[str, str]],
    texts: Iterable[str],
    key_sources: Iterable[str],
    *,
    unseen: bool = True,
    defined: Mapping[str, str] | None = None,
    emulators: bool = True,
) -> tuple[str, ...]:
    """Why the keys of a job look meant for something other than AWS.

    ``variables``: (name, value) of the job's environment and action inputs; ``texts``:
    its scripts and other values; ``key_sources``: the expressions or variables the key
    values come from (``${{ secrets.R2_KEY }}``, ``$MINIO_ACCESS_KEY``). With ``unseen``
    false, an endpoint whose value names no host (:func:`is_unseen_endpoint`) is no
    evidence: it may be AWS's (:func:`unseen_endpoints` names them). ``defined``: the
    variables an endpoint's ``$NAME`` is taken from (:func:`expanded`; GitLab's). With
    ``emulators`` false, an endpoint on a local emulator (LocalStack, ``localhost``) is no
    evidence either: an emulator takes any keys, AWS's too (one step that tests against
    LocalStack says nothing of the keys the job's other steps use).
    """
    reasons: list[str] = []
    variables = [(name, expanded(value, defined)) for name, value in variables]

    def counts(endpoint: str) -> bool:
        return (
            not is_aws_endpoint(endpoint)
            and (unseen or not is_unseen_endpoint(endpoint))
            and (emulators or not _EMULATORS.search(endpoint))
        )

    for name, value in variables:
        if _ENDPOINT_VARIABLE.search(name) and value and counts(value):
            reasons.append(f"{name} points the AWS tools at another endpoint ({_short(value)})")
    for text in texts:
        for match in _ENDPOINT_OPTION.finditer(text):
            endpoint = expanded(match.group(1), defined)
            if counts(endpoint):
                reasons.append(f"a command passes {_short(_shown(match, endpoint))}")
        host = _STORE_HOSTS.search(text)
        if host:
            reasons.append(f"it talks to {host.group(0)}, an S3-compatible store")
    for name, value in variables:
        if (
            _ENDPOINT_VARIABLE.search(name)
            and _LOCAL_STORES.search(value)
            and (emulators or not _EMULATORS.search(value))
        ):
            reasons.append(f"{name} names a self-hosted store or emulator ({_short(value)})")
        host = _STORE_HOSTS.search(value)
        if host:
            reasons.append(f"{name} names {host.group(0)}, an S3-compatible store")
    reasons += [f"the keys come from {_short(s)}" for s in key_sources if _STORE_KEY_NAME.search(s)]
    return tuple(dict.fromkeys(reasons))


# An `aws` CLI command that reaches a service (`aws s3 sync …`, `aws --region x s3 ls`):
# not `aws configure` (local files), `aws help` nor a bare `aws --version`.
_AWS_COMMAND = re.compile(
    r"(?<![\w./-])aws(?:\s+--?[A-Za-z][\w-]*(?:[= ](?!-)[\w.:/${}@-]+)?)*"
    r"\s+(?!configure\b|help\b)[a-z][a-z0-9-]*(?:\s|$)",
    re.IGNORECASE,
)


def calls_aws(text: str) -> bool:
    """Whether a script (a GitHub step's ``run:``, a GitLab script line) visibly calls AWS
    with the keys it runs with: an ``aws`` command and no endpoint option of its own."""
    return "--endpoint" not in text and bool(_AWS_COMMAND.search(text))


def _shown(match: re.Match[str], endpoint: str) -> str:
    """An endpoint option as a reason shows it: ``--endpoint-url "$E"`` (= its value)."""
    written = match.group(0)
    return written if endpoint == match.group(1) else f"{written} (= {endpoint})"


def unseen_endpoints(
    variables: Iterable[tuple[str, str]],
    texts: Iterable[str],
    defined: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """The endpoints set for the AWS tools whose values name no host
    (:func:`is_unseen_endpoint`), each said once: ``S3_API_ENDPOINT is ${{ secrets.X }}``.
    ``defined``: as for :func:`endpoint_evidence`."""
    found = [
        f"{name} is {_short(value)}"
        for name, value in variables
        if _ENDPOINT_VARIABLE.search(name)
        and value
        and is_unseen_endpoint(expanded(value, defined))
    ]
    for text in texts:
        found += [
            f"a command passes {_short(match.group(0))}"
            for match in _ENDPOINT_OPTION.finditer(text)
            if is_unseen_endpoint(expanded(match.group(1), defined))
        ]
    return tuple(dict.fromkeys(found))


def unseen_endpoint_note(found: Iterable[str]) -> str:
    """What a scan finding adds for keys beside endpoints that name no host
    (:func:`unseen_endpoints`): keyless cannot tell AWS's from another store's. Empty
    when there is none. ``fix`` says the same (:func:`unseen_endpoint_reason`)."""
    shown = "; ".join(found)
    if not shown:
        return ""
    return (
        f"; they go to an endpoint keyless cannot read ({shown}): another store's keys "
        "(Cloudflare R2, MinIO…) if it is not AWS's, long-lived AWS keys if it is"
    )


def unseen_endpoint_reason(found: Iterable[str]) -> str:
    """Why ``fix`` leaves a job whose keys go to endpoints that name no host
    (:func:`unseen_endpoints`) for a person, in the scan's words. Empty when none."""
    shown = "; ".join(found)
    if not shown:
        return ""
    return (
        f"its keys go to an endpoint keyless cannot read ({shown}): if it is another "
        "store's (Cloudflare R2, MinIO…), no AWS role can replace them; if it is AWS's, "
        "drop it and rewrite the job by hand"
    )


def writes_session_token(script: str) -> bool:
    """Whether a script writes a session token into a profile or credentials file (the
    key pair written beside it is then temporary)."""
    return bool(_PROFILE_TOKEN.search(script))


def profile_writes(script: str) -> str | None:
    """Why a script breaks with temporary credentials: it writes the key pair into a
    profile or credentials file without a session token. None when it does not, or when
    what it writes is a plain word (``aws configure set aws_access_key_id test`` for an
    emulator), not a credential from a variable, secret or literal key."""
    if _PROFILE_TOKEN.search(script):
        return None
    for line in script.splitlines():
        match = _PROFILE_KEY.search(line)
        if match and ("$" in line or _LITERAL_KEY.search(line)):
            written = _short(match.group(0))
            if not match.group(0).isupper():  # aws configure set, a credentials file
                return f"it writes the key pair into a profile ({written}…) without a session token"
            # The variable itself, as the runner's environment names it: set for the
            # commands of the script, or for a container (docker/podman run -e NAME=…).
            if _CONTAINER_OPTION.search(line[: match.start()]):
                return f"it passes the key pair to a container ({written}…) without a session token"
            return f"its script sets the key pair ({written}…) without a session token"
    return None


def reexports(name: str, value: str) -> str | None:
    """Why an assignment hands the AWS keys on under another name (``TF_VAR_key:
    $AWS_ACCESS_KEY_ID``), or None."""
    if name in KEY_NAMES:
        return None
    match = _KEY_VARIABLE.search(value)
    if match is None:
        return None
    return f"{name} re-exports ${match.group(1)} under another name"


def script_reexports(script: str) -> tuple[str, ...]:
    """The re-exports (``export X=$AWS_SECRET_ACCESS_KEY``) in a script."""
    found = []
    for line in script.splitlines():
        for assigned, value in _ASSIGNMENT.findall(line):
            reason = reexports(assigned, value)
            if reason:
                found.append(reason)
    return tuple(dict.fromkeys(found))


def _short(value: str) -> str:
    # An endpoint's user information is a credential (`https://key:secret@host`): never shown.
    value = " ".join(hiding_credentials(value).split())
    return value if len(value) <= 80 else value[:77] + "…"
