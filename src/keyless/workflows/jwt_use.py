"""What a GitLab job does with a JSON web token it reads, as messages say it: assume an
AWS role, log in to HashiCorp Vault, or something keyless cannot name.

GitLab's removed tokens (:mod:`.gitlab_jwt`) served Vault as much as AWS: GitLab's Vault
guide logged in with ``vault write auth/jwt/login role=… jwt=$CI_JOB_JWT``
(https://docs.gitlab.com/ci/secrets/hashicorp_vault/), so "it cannot assume its role" is
said only of a read that is evidently an AWS role assumption.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

# An AWS web-identity role assumption: the CLI command or API action, its token option
# or variable, or the role the SDKs assume with a token file.
_AWS_ROLE = re.compile(
    r"assume-?role-?with-?web-?identity|web[-_]?identity[-_]?token|\bAWS_ROLE_ARN\b"
    r"|\bsts\s+assume-role\b",
    re.IGNORECASE,
)
# Vault: its CLI or variables (`vault write auth/jwt/login`, `$VAULT_ADDR`), or its HTTP
# login path (`/v1/auth/jwt/login`).
_VAULT = re.compile(r"\bvault\b|\bvault_|/v1/auth/[\w.-]+/login\b", re.IGNORECASE)


@enum.unique
class TokenUse(enum.Enum):
    """What a job gives its token to."""

    AWS_ROLE = "aws-role"
    VAULT = "vault"
    UNKNOWN = "unknown"

    @property
    def without_token(self) -> str:
        """What the job cannot do without its token: ``"it cannot assume its role"``."""
        return {
            TokenUse.AWS_ROLE: "it cannot assume its role",
            TokenUse.VAULT: "it cannot log in to Vault",
            TokenUse.UNKNOWN: "whatever it presents the token to (an AWS role, Vault, another "
            "service) turns it away",
        }[self]

    @property
    def audience_holder(self) -> str:
        """Who pins the token's audience: ``"its role's trust policy"``."""
        return {
            TokenUse.AWS_ROLE: "its role's trust policy",
            TokenUse.VAULT: "its Vault role (bound_audiences)",
            TokenUse.UNKNOWN: "the service that checks it",
        }[self]


def token_use(read: Iterable[str], around: Iterable[str]) -> TokenUse:
    """What the job does with the token: as the texts that ``read`` it say, else as the
    rest of its scripts and variables (``around``) say. Texts that name both AWS and Vault
    (or neither) say nothing."""
    for texts in (read, around):
        found = _kind(texts)
        if found is not None:
            return found
    return TokenUse.UNKNOWN


def _kind(texts: Iterable[str]) -> TokenUse | None:
    aws = vault = False
    for text in texts:
        aws = aws or _AWS_ROLE.search(text) is not None
        vault = vault or _VAULT.search(text) is not None
    if aws == vault:
        return None
    return TokenUse.AWS_ROLE if aws else TokenUse.VAULT
