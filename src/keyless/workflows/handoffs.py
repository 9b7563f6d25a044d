"""AWS keys a GitHub ``env:`` hands on under other names.

``TF_VAR_aws_access_key: ${{ secrets.AWS_ACCESS_KEY_ID }}`` gives Terraform's AWS provider
(``access_key = var.aws_access_key``) the IAM user's key as a variable: the AWS SDKs never
read that name, so it is not ``AWS_ACCESS_KEY_ID`` in ``env:``, but it is the same
long-lived key. A rewrite cannot simply remove it (the tool would miss a variable it
requires) nor keep it (the key stays): a person rewrites the tool's configuration so it
takes the credentials configure-aws-credentials exports. GitLab's variables that
re-export the keys (``TF_VAR_key: $AWS_ACCESS_KEY_ID``) are found by
:func:`keyless.workflows.evidence.reexports`.
https://registry.terraform.io/providers/hashicorp/aws/latest/docs#environment-variables
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from keyless.errors import quoted
from keyless.workflows.yamldoc import is_map

# The names the AWS SDKs and CLI read static credentials from (github.KEY_ENV_NAMES):
# entries under them are keys in env, not keys handed on.
_SDK_NAMES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"})
# A secret or variable named for an AWS key (`secrets.AWS_ACCESS_KEY_ID`,
# `secrets.PROD_AWS_SECRET_KEY`, `vars.AWS_KEY_ID`), whatever the entry it is given to.
AWS_KEY_SECRET_VALUE = re.compile(
    r"\$\{\{\s*(?:secrets|vars)\.(?:\w*_)?AWS_?(?:(?:ACCESS_KEY(?:_ID)?|SECRET(?:_ACCESS)?_KEY"
    r"|KEY_ID|SESSION_TOKEN)(?:_\w*)?|KEY|SECRET)\s*\}\}",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class EnvHandOff:
    """An ``env:`` (of the workflow, a job or a step) that sets other names from AWS key
    secrets; ``route`` is its dotted route in the document."""

    level: str  # "workflow", "job" or "step"
    job: str | None
    step_index: int | None
    env: Any
    names: tuple[str, ...]
    route: str

    @property
    def scope(self) -> str:
        """Where it is, as messages say it."""
        if self.level == "step" and self.step_index is not None:
            return f"step {self.step_index + 1} of job {quoted(self.job)}"
        return "workflow" if self.level == "workflow" else f"job {quoted(self.job)}"

    @property
    def sources(self) -> str:
        """What the names are set from: ``secrets``, ``variables`` or both."""
        values = " ".join(str(self.env.get(name)) for name in self.names)
        found = (("secrets", "secrets."), ("variables", "vars."))
        kinds = [kind for kind, word in found if word in values]
        return " and ".join(kinds) or "secrets"

    @property
    def reason(self) -> str:
        """Why ``fix`` leaves the jobs it reaches."""
        terraform = all(name.upper().startswith("TF_VAR_") for name in self.names)
        return (
            f"{', '.join(self.names)} in the env of the {self.scope} hand the keys on under "
            "other names: whatever reads them is given the key pair itself; rewrite it by "
            "hand"
            + (
                " (a Terraform AWS provider given no keys uses the credentials "
                "configure-aws-credentials exports)"
                if terraform
                else " (configure-aws-credentials exports temporary credentials as "
                "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN)"
            )
        )


def handed_on(env: Any) -> tuple[str, ...]:
    """The entries of an ``env:`` mapping, other than the SDKs' own names, set from a
    secret or variable named for an AWS key."""
    if not is_map(env):
        return ()
    return tuple(
        str(name)
        for name, value in env.items()
        if str(name).upper() not in _SDK_NAMES
        and isinstance(value, str)
        and AWS_KEY_SECRET_VALUE.search(value)
    )
