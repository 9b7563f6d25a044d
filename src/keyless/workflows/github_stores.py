"""AWS keys a GitHub step fetches from HashiCorp Vault for the steps after it.

``hashicorp/vault-action`` reads the secrets its ``secrets:`` input lists (``PATH KEY |
ENV_NAME``, one a line or ``;``-separated) and, unless ``exportEnv: false``, exports each
as an environment variable of the job (https://github.com/hashicorp/vault-action#usage):
``secret/data/ci/aws accessKey | AWS_ACCESS_KEY_ID`` hands the later steps an IAM user's
long-lived key kept in Vault's key-value store. Vault's AWS secrets engine
(``aws/creds/ROLE``, ``aws/sts/ROLE``) mints temporary credentials instead, and a session
token fetched beside the keys makes them temporary: neither is reported.
"""

from __future__ import annotations

import re
from typing import Any

from keyless.workflows.yamldoc import is_map

VAULT_ACTION = "hashicorp/vault-action"
_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
# A path of Vault's AWS secrets engine: a `creds` or `sts` segment, not under a KV v2 `data/`.
_DYNAMIC = re.compile(r"^(?:(?!data/)[^/]+/)*?(?:creds|sts)/", re.IGNORECASE)


def vault_keys(step: Any) -> str | None:
    """Why a ``hashicorp/vault-action`` step exports long-lived AWS keys to the job, or
    None when it does not."""
    uses: Any = step.get("uses") if is_map(step) else None
    inputs: Any = step.get("with") if is_map(step) else None
    if not isinstance(uses, str) or uses.split("@")[0].strip().lower() != VAULT_ACTION:
        return None
    if not is_map(inputs) or not isinstance(inputs.get("secrets"), str):
        return None
    if str(inputs.get("exportEnv", "true")).strip().lower() == "false":
        return None
    names: dict[str, str] = {}
    # GitHub fills in expressions before the action reads the input: one word each.
    text = _compact_expressions(inputs["secrets"][:100_000])
    for entry in re.split(r"[;\n]", text):
        source, _, alias = entry.partition("|")
        words = source.split()
        if len(words) < 2:
            continue
        name = alias.strip() or re.sub(r"[^A-Za-z0-9_]", "_", words[1]).upper()
        names.setdefault(name, words[0])
    if "AWS_SESSION_TOKEN" in names:
        return None
    found = [n for n in _KEYS if n in names and not _DYNAMIC.match(names[n])]
    if not found:
        return None
    return (
        f"{VAULT_ACTION} exports {', '.join(found)} read from Vault ({names[found[0]]}): "
        "an IAM user's long-lived keys, kept in a secret store"
    )


def _compact_expressions(text: str) -> str:
    """``text`` with the spaces inside each ``${{ … }}`` removed, in one pass (a regular
    expression searching for each closing ``}}`` is quadratic on a hostile input of
    unclosed ``${{``)."""
    out: list[str] = []
    position = 0
    while (start := text.find("${{", position)) >= 0:
        end = text.find("}}", start + 3)
        if end < 0:
            break
        out += [text[position:start], "${{", "".join(text[start + 3 : end].split()), "}}"]
        position = end + 2
    out.append(text[position:])
    return "".join(out)
