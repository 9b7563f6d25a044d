"""What a GitHub workflow's values hold: whether an ``env:`` entry or an action's input
carries long-lived AWS keys or only hands on temporary credentials (another step's
outputs, an earlier step's export, a session token beside them), what a ``run:`` script
does with the keys, and whether ``permissions:`` grant an OIDC token. :mod:`.github`
walks a workflow with these; :mod:`.github_action` an action's steps."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from keyless.workflows.evidence import profile_writes
from keyless.workflows.handoffs import AWS_KEY_SECRET_VALUE
from keyless.workflows.hardcoded import find_literals
from keyless.workflows.keyuse import is_store_reference
from keyless.workflows.yamldoc import is_map

# The environment variables the AWS SDKs and CLI read static credentials from:
# https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
KEY_ENV_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
# Another action's input named for an AWS key (`aws_access_key_id`, `aws-secret-key`…).
_OTHER_KEY_INPUT = re.compile(
    r"^aws[-_]?(access[-_]?key([-_]?id)?|key[-_]?id|secret[-_]?access[-_]?key|secret[-_]?key|"
    r"session[-_]?token)$",
    re.IGNORECASE,
)
# An input of another action given a secret or variable named for an AWS key, whatever
# the input is called (`access_key_id: ${{ secrets.AWS_ACCESS_KEY_ID }}`, a local composite
# action's `access-key`, docker/build-push-action's `build-args: AWS_ACCESS_KEY_ID=${{ … }}`).
_AWS_KEY_SECRET_VALUE = AWS_KEY_SECRET_VALUE
_EXPRESSION = re.compile(r"\$\{\{.*\}\}", re.DOTALL)
# A value that is only another step's or job's output: `${{ steps.creds.outputs.x }}`,
# `${{ needs.auth.outputs.x }}`.
_OUTPUT = re.compile(
    r"\s*\$\{\{\s*(?:steps|needs)\.[\w-]+\.outputs(?:\.[\w-]+|\[\s*'[\w-]+'\s*\])\s*\}\}\s*"
)
# `${{ env.NAME }}`: a variable of the environment (an `env:` or an earlier step's export).
_ENV_VALUE = re.compile(r"\s*\$\{\{\s*env\.(\w+)\s*\}\}\s*")
# `${{ secrets.X }}` / `${{ vars.X }}` whose name says it holds an AWS key.
_KEY_SECRET = re.compile(
    r"\$\{\{\s*(?:secrets|vars)\.(\w*(?:ACCESS_KEY|SECRET_KEY|SECRET_ACCESS|AWS_KEY|AWS_SECRET"
    r"|SESSION_TOKEN)\w*)\s*\}\}",
    re.IGNORECASE,
)


def is_expression(value: Any) -> bool:
    """Whether a value is (or contains) a ``${{ … }}`` expression."""
    return isinstance(value, str) and bool(_EXPRESSION.search(value))


def is_output(value: Any) -> bool:
    """Whether a value is only another step's or job's output (``${{ steps.x.outputs.y }}``)."""
    return isinstance(value, str) and _OUTPUT.fullmatch(value) is not None


def other_action_keys(inputs: Any) -> tuple[str, ...]:
    """The inputs of an action (other than configure-aws-credentials) that take AWS keys,
    as their names or their values' secret and variable names say."""
    return tuple(
        str(k)
        for k, v in inputs.items()
        if _OTHER_KEY_INPUT.match(str(k))
        or (isinstance(v, str) and _AWS_KEY_SECRET_VALUE.search(v))
    )


def key_env_entries(env: Any, written_env: frozenset[str] | None = None) -> tuple[str, ...]:
    """The AWS key entries of an ``env:`` mapping that may hold long-lived keys.
    ``written_env`` (a step's: the names the workflow's and job's ``env:`` set) lets
    ``${{ env.NAME }}`` with a session token count as an earlier step's export, as
    :func:`is_temporary` says."""
    # Only values that come from secrets, variables or inputs: a literal such as
    # `AWS_ACCESS_KEY_ID: test` (LocalStack, moto) is not a credential, and a literal that
    # looks like a real key is the hard-coded-key check's business.
    if not is_map(env):
        return ()
    keys = tuple(
        str(k)
        for k, v in env.items()
        if k in KEY_ENV_NAMES and (is_expression(v) or _is_literal_key(v) or is_store_reference(v))
    )
    return () if is_temporary(env, keys, written_env) else keys


def is_temporary(
    mapping: Any, keys: tuple[str, ...], written_env: frozenset[str] | None = None
) -> bool:
    """Whether the key entries ``keys`` of ``mapping`` hand on temporary credentials: a
    session token beside them, and every one of them another step's or job's output
    (configure-aws-credentials' ``output-credentials``, a job that assumed a role) or,
    when ``written_env`` (the names the workflow's, job's and step's ``env:`` set) is
    given, ``${{ env.NAME }}`` of a name no ``env:`` sets: an earlier step exported it
    (configure-aws-credentials exports the three to ``$GITHUB_ENV``). A session token only
    comes with temporary credentials; they expire within hours.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html
    """
    if not any("session" in k.lower() for k in keys):
        return False

    def handed_on(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if _OUTPUT.fullmatch(value):
            return True
        exported = _ENV_VALUE.fullmatch(value)
        return (
            written_env is not None
            and exported is not None
            and exported.group(1).upper() not in written_env
        )

    return all(handed_on(mapping.get(k)) for k in keys)


# An access key ID AWS STS made: temporary credentials, not an IAM user's key
# (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html: "Access
# key IDs beginning with ASIA are temporary credentials that are created using AWS STS").
_TEMPORARY_KEY_ID = re.compile(r"(?<![A-Z0-9])ASIA[A-Z0-9]{16}(?![A-Z0-9])")
_KEY_ID_NAME = re.compile(r"access[-_]?key([-_]?id)?$|key[-_]?id$", re.IGNORECASE)
_SESSION_TOKEN_NAME = re.compile(r"session[-_]?token", re.IGNORECASE)


def pasted_session(
    mapping: Any,
    keys: tuple[str, ...],
    *,
    tokens: tuple[str, ...] = (),
    action: bool = False,
) -> tuple[str, bool] | None:
    """What keys given with a session token, or with an ``ASIA…`` key ID, are: temporary
    credentials copied into the workflow or its secrets (AWS Academy hands them out so),
    which expire within hours (GetSessionToken's at most 36) and must be copied again by
    hand. The words to add to the finding, and whether they are temporary for certain: a
    literal ``ASIA…`` key ID is; a session token from a secret may be an empty secret (the
    SDKs and configure-aws-credentials then sign with the keys alone, an IAM user's).
    ``tokens``: keys known to feed a session token whatever their names (a local
    action's inputs it routes into one). ``action``: the keys are written in a composite
    or container action, which its callers hand them (their secrets, or an earlier step's
    outputs). None for keys given neither."""
    if not isinstance(mapping, Mapping):
        return None
    place = "the action" if action else "the workflow"
    ids = [mapping.get(k) for k in keys if _KEY_ID_NAME.search(k)]
    if any(isinstance(v, str) and _TEMPORARY_KEY_ID.search(v[:2000]) for v in ids):
        return (
            f"; the key ID starts with ASIA: temporary credentials from AWS STS copied into "
            f"{place}, which expire within hours and must be copied again by hand",
            True,
        )
    token = next((k for k in keys if _SESSION_TOKEN_NAME.search(k) or k in tokens), None)
    if token is None:
        return None
    shown = token if _SESSION_TOKEN_NAME.search(token) else f"{token} (a session token)"
    if action:
        return (
            f"; with {shown}: temporary credentials its callers hand it (an earlier step's "
            "outputs, or an ASIA… key copied into their secrets, AWS Academy style, which "
            "expires within hours and is pasted again by hand), unless the token is left "
            "empty and the keys are an IAM user's long-lived ones",
            False,
        )
    return (
        f"; with {shown}: temporary credentials copied into secrets (an ASIA… key, AWS "
        "Academy style), which expire within hours and must be pasted again by hand, "
        "unless the token's secret is empty and the keys are an IAM user's long-lived ones",
        False,
    )


def env_names(*mappings: Any) -> frozenset[str]:
    """The names the ``env:`` mappings set (upper case: the runner's names are)."""
    return frozenset(str(k).upper() for m in mappings if is_map(m) for k in m)


def _is_literal_key(value: Any) -> bool:
    return isinstance(value, str) and any(find_literals(f"aws secret: {value}"))


def script_reason(script: str) -> str | None:
    """Why a ``run:`` script uses long-lived keys (it writes them into a profile, or takes
    them straight from secrets), or None."""
    written = profile_writes(script)
    if written:
        return written
    secret = _KEY_SECRET.search(script)
    if secret:
        return f"its script takes the keys straight from {secret.group(0)}"
    return None


def grants_id_token(permissions: Any) -> bool:
    """Whether a ``permissions:`` value grants ``id-token: write``."""
    if permissions == "write-all":
        return True
    return is_map(permissions) and permissions.get("id-token") == "write"


# A secret or variable looked up by a computed name: `secrets[…]`, `vars[…]`
# (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions: the
# index syntax takes any expression).
_INDEXED_CONTEXT = re.compile(r"(?<![\w.-])(?:secrets|vars)\s*\[", re.IGNORECASE)
_LITERAL_INDEX = re.compile(r"\s*'(?:[^']|'')*'\s*")
# The contexts an index may read as the job runs; `matrix` is judged on its own.
_RUN_TIME_NAME = re.compile(
    r"(?<![\w.-])(?:inputs|env|needs|github|steps|vars|job|jobs|runner|strategy)"
    r"(?:\.[A-Za-z_][A-Za-z0-9_-]{0,99}){1,6}",
    re.ASCII,
)
#: The longest ``${{ … }}`` body read (GitHub's own limit on an expression is 21,000
#: characters; key expressions are a line).
_LONGEST_EXPRESSION = 2000


def computed_secret_names(values: list[str]) -> list[str]:
    """What the names of the secrets (or variables) ``values`` read are computed from as
    the job runs (``${{ secrets[format('KEY_{0}', inputs.environment)] }}`` →
    ``inputs.environment``), each once; a literal index (``secrets['KEY']``) and one
    computed from the matrix alone add none."""
    found: list[str] = []
    for value in values:
        for expression in expression_bodies(value):
            for opening in _INDEXED_CONTEXT.finditer(expression):
                index = _bracketed(expression, opening.end())
                if _LITERAL_INDEX.fullmatch(index):
                    continue
                quoted_out = re.sub(r"'(?:[^']|'')*'", "''", index)
                found += [n for n in _RUN_TIME_NAME.findall(quoted_out) if n not in found]
    return found


def _bracketed(text: str, start: int) -> str:
    """The text from ``start`` to the ``]`` that closes the bracket opened before it
    (string literals skipped), or to the end."""
    depth, position, quoted = 1, start, False
    while position < len(text):
        char = text[position]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "[":
            depth += 1
        elif not quoted and char == "]":
            depth -= 1
            if depth == 0:
                return text[start:position]
        position += 1
    return text[start:]


def expression_bodies(text: str) -> list[str]:
    r"""The bodies of the ``${{ … }}`` expressions written in ``text`` (those of at most
    :data:`_LONGEST_EXPRESSION` characters), as the regular expression
    ``\$\{\{(.{0,2000}?)\}\}`` finds them, in time linear in ``text``: that expression
    rescans the rest of the text from every ``${{``, seconds on a hostile value of a
    megabyte."""
    bodies: list[str] = []
    start = text.find("${{")
    close = -1
    while start != -1:
        if close < start + 3:
            close = text.find("}}", start + 3)
            if close == -1:
                break
        if close - (start + 3) <= _LONGEST_EXPRESSION:
            bodies.append(text[start + 3 : close])
            start = text.find("${{", close + 2)
        else:
            start = text.find("${{", start + 1)
    return bodies
