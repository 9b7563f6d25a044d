"""Unrendered template placeholders in a policy: ``${trusted_entity}``, ``<OWNER>``,
``{{ repo }}``, ``%{ org }``, ``__ACCOUNT_ID__``, ``%s`` (a printf verb), an ARN's account
written as a name or masked (``arn:aws:iam::AWS_ACCOUNT_ID:root``,
``arn:aws:iam::XXXXXXXX5055:root``).

Trust policies in repositories are often templates (Terraform ``templatefile``,
CloudFormation ``Fn::Sub``, Jinja, Helm, ERB, documentation skeletons). Judged literally, a
placeholder becomes an OIDC provider named ``${trusted_entity}``; keyless instead says the
document is a template, names each placeholder with its JSON pointer, and judges what can be
judged (a placeholder in a principal stands for whoever it will name; in a condition value it
is read as the text it is).

IAM's own ``${…}`` syntax is *not* a placeholder: policy variables name a condition key
(``${aws:username}``, ``${aws:PrincipalTag/team}``, ``${saml:sub, 'default'}``) and ``${*}``,
``${?}``, ``${$}`` are escapes.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # document.py reads placeholders in principals: no import cycle at runtime
    from keyless.policy.document import Policy

# One pattern per template language; the first that matches at a position wins.
_PLACEHOLDER = re.compile(
    r"\$\{\{.*?\}\}"  # GitHub Actions expressions: ${{ github.repository }}
    r"|\$\{[^{}]*\}"  # Terraform, CloudFormation Fn::Sub, shell: ${var}, ${AWS::AccountId}
    r"|\{\{.*?\}\}"  # Jinja, Helm, Mustache, CloudFormation dynamic references: {{ repo }}
    r"|<%.*?%>"  # ERB: <%= org %>
    r"|%\{[^{}]*\}"  # Terraform template directives, Puppet: %{ org }
    r"|#\{[^{}]*\}"  # Ruby, Octopus Deploy: #{Org}
    r"|\$\([A-Za-z_][A-Za-z0-9_.]*\)"  # Azure Pipelines, Makefiles: $(account)
    # printf verbs (Go fmt, Terraform format(), Python %): %s, %[2]s, %(org)s. A %d before
    # a hex digit is a URL escape (%d3), not a verb.
    r"|%(?:\[[0-9]{1,2}\]|\([A-Za-z_][A-Za-z0-9_]{0,63}\))?(?:[sqv]|d(?![0-9A-Fa-f]))"
    # sed scripts, Azure DevOps Replace Tokens: __ACCOUNT_ID__ (upper case, not in a word)
    r"|(?<![A-Za-z0-9_])__[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*__(?![A-Za-z0-9_])"
    r"|<[A-Za-z_][A-Za-z0-9_ .:-]{0,63}>"  # documentation skeletons: <OWNER>, <account-id>
    # An ARN's account field written as a name or masked (arn:aws:iam::AWS_ACCOUNT_ID:root,
    # ::ACCOUNTID:, ::XXXXXXXX5055:): between the empty region's "::" and the next ":".
    r"|(?<=::)(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]*ACCOUNT[A-Z]*|[Xx]{4,}[0-9]{0,8})(?=:)",
    re.DOTALL,
)
# Every placeholder above holds one of these (the ARN account forms sit after "::" and begin
# with a capital or an x): one search, and an ordinary ARN never reaches the long pattern.
_MARKS = re.compile(r"[${<%#]|__|::[A-Zx]")
# What IAM reads inside ${…}: an escape, or a condition key (PREFIX:NAME) with an optional
# quoted default. Anything else is a placeholder of some other language.
_IAM_VARIABLE = re.compile(
    r"\$\{\s*(?:[*?$]|[^\s,'{}:]+:[^\s,'{}:][^\s,'{}]*\s*(?:,\s*'(?:[^']|'')*'\s*)?)\}"
)


def placeholders_in(text: str) -> tuple[str, ...]:
    """The template placeholders in ``text``, in order (IAM policy variables excluded)."""
    if not _MARKS.search(text):
        return ()  # the usual value: none of the characters a placeholder needs
    return tuple(
        match.group(0)
        for match in _PLACEHOLDER.finditer(text)
        if not _IAM_VARIABLE.fullmatch(match.group(0))
    )


def has_placeholder(text: str) -> bool:
    """True when ``text`` holds a template placeholder."""
    return bool(placeholders_in(text))


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One unrendered placeholder and where it is (an RFC 6901 pointer into the policy)."""

    text: str
    pointer: str


def policy_placeholders(policy: Policy) -> tuple[Placeholder, ...]:
    """Every placeholder in the policy's principals, actions, condition keys and condition
    values. An action placeholder (``"Action": "${action}"``) matches no request as
    written, so a template whose every statement has one was judged "nobody", with no
    word of it being a template."""
    found: list[Placeholder] = []
    for statement in policy.statements:
        element = "NotAction" if statement.actions_negated else "Action"
        for action in statement.actions:
            pointer = f"{statement.pointer}/{element}"
            found.extend(Placeholder(text, pointer) for text in placeholders_in(action))
        for principal in statement.principals or ():
            pointer = f"{statement.pointer}/Principal/{principal.type}"
            found.extend(Placeholder(text, pointer) for text in placeholders_in(principal.value))
        for condition in statement.conditions:
            texts = [*placeholders_in(condition.key)]
            for value in condition.values:
                texts.extend(placeholders_in(value))
            found.extend(Placeholder(text, condition.pointer) for text in texts)
    unique: dict[tuple[str, str], Placeholder] = {}
    for placeholder in found:
        unique.setdefault((placeholder.text, placeholder.pointer), placeholder)
    return tuple(unique.values())


def as_wildcard(text: str) -> str:
    """``text`` with each placeholder replaced by ``*``: whatever it will be rendered as."""
    return _PLACEHOLDER.sub(
        lambda match: match.group(0) if _IAM_VARIABLE.fullmatch(match.group(0)) else "*", text
    )


__all__ = [
    "Placeholder",
    "as_wildcard",
    "has_placeholder",
    "placeholders_in",
    "policy_placeholders",
]
