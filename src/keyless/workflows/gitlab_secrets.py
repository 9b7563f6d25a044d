"""AWS keys a GitLab job reads from an external secret store with ``secrets:``
(https://docs.gitlab.com/ci/yaml/#secrets): ``AWS_ACCESS_KEY_ID: {vault: ci/aws/key@kv}``.

The store keeps an IAM user's access key as it would any string: the job still signs with
a permanent key, only fetched at run time. A job that fetches a session token beside the
keys reads temporary credentials, and Vault's ``generic`` engine can serve dynamic ones
(the AWS secrets engine's ``aws/creds/ROLE``), so neither is reported; the key-value
engines (``kv-v2``, the default, and ``kv-v1``) and the cloud stores hold what was put
there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from keyless.workflows.yamldoc import is_map, is_seq, own_items

_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
# The providers of https://docs.gitlab.com/ci/yaml/#secrets, as its keywords name them.
_PROVIDERS = {
    "vault": "HashiCorp Vault",
    "gcp_secret_manager": "Google Cloud Secret Manager",
    "azure_key_vault": "Azure Key Vault",
    "aws_secrets_manager": "AWS Secrets Manager",
    "akeyless": "Akeyless",
    "gitlab_secrets_manager": "GitLab's secrets manager",
}


def fetched_keys(job: Any) -> Iterator[tuple[Any, str, str]]:
    """(the ``secrets:`` mapping, its first AWS key variable, the reason) when the job's
    own ``secrets:`` fetch AWS keys from a store that holds them as written: one entry
    for the pair, at the first key."""
    secrets: Any = job.get("secrets") if is_map(job) else None
    if not is_map(secrets) or "AWS_SESSION_TOKEN" in secrets:
        return
    found: dict[str, str] = {}
    for name, entry in own_items(secrets):
        if str(name) not in _KEYS or not is_map(entry):
            continue
        provider = next((p for p in _PROVIDERS if p in entry), None)
        if provider is not None and not _dynamic(entry.get(provider)):
            found[str(name)] = provider
    if found:
        stores = ", ".join(f"{_PROVIDERS[p]} (secrets:{p})" for p in dict.fromkeys(found.values()))
        yield (
            secrets,
            next(iter(found)),
            f"reads {', '.join(found)} from {stores}: an IAM user's long-lived keys, kept "
            "in a secret store",
        )


def _dynamic(spec: Any) -> bool:
    """Whether a ``vault:`` entry reads through the ``generic`` engine, which can serve
    the AWS secrets engine's temporary credentials."""
    engine: Any = spec.get("engine") if is_map(spec) else None
    return is_map(engine) and str(engine.get("name", "")).lower() == "generic"


def has_token_for_aws(id_tokens: Any, secrets: Any) -> bool:
    """Whether a job's ``id_tokens`` may serve AWS: some token is not Vault's. A token
    whose audience names Vault (``aud: https://vault.example.com``), or that a ``secrets:``
    entry logs in to its store with (``token: $VAULT_ID_TOKEN``), lets the job read the
    store, not assume an AWS role; any other audience may be an IAM provider's client ID
    (GitLab's AWS guide uses the instance's URL), so such a token counts."""
    if not is_map(id_tokens):
        return id_tokens is not None
    used_by_stores = {
        str(entry.get("token", "")).strip().lstrip("$").strip("{}")
        for _, entry in own_items(secrets)
        if is_map(entry)
    }
    for name, token in id_tokens.items():
        audience: Any = token.get("aud") if is_map(token) else None
        audiences = (
            [audience] if isinstance(audience, str) else list(audience) if is_seq(audience) else []
        )
        names_vault = bool(audiences) and all("vault" in str(a).lower() for a in audiences)
        if not names_vault and str(name) not in used_by_stores:
            return True
    return False
