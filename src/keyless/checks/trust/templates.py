"""Trust policies that are unrendered templates."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType

from keyless.checks.registry import CheckContext, Scope, check
from keyless.checks.trust._common import _REQUIRES, TRUST_ANALYSIS, RoleTrust
from keyless.errors import PolicyError
from keyless.findings import Problem, Severity
from keyless.model import Role
from keyless.policy.templates import policy_placeholders


@check(
    "trust-unrendered-template",
    title="Trust policy holds unrendered template placeholders",
    severity=Severity.INFO,
    scope=Scope.ROLE,
    requires=_REQUIRES,
    prepared=TRUST_ANALYSIS,
    remediation=(
        "Render the template (terraform, CloudFormation Fn::Sub, Helm, …) and judge the "
        "result; a deployed policy that still holds a placeholder trusts nobody it means to."
    ),
)
def trust_unrendered_template(
    role: Role, ctx: CheckContext, analysis: RoleTrust
) -> Iterator[Problem]:
    """The trust policy holds template placeholders (``${trusted_entity}``, ``<OWNER>``,
    ``{{ repo }}``, ``%{ org }``) that were never rendered.

    keyless judges what it can: a placeholder principal stands for whoever it will name
    (an OIDC issuer is taken from the condition keys when they name exactly one), and a
    placeholder in a condition value is read as the text it is, so a pattern such as
    ``repo:${org}/${repo}:*`` is judged by its shape. IAM's own policy variables
    (``${aws:username}``) are not placeholders. In a deployed policy, a placeholder means
    the role trusts nobody it was meant to.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    if isinstance(analysis, PolicyError):
        return
    found = policy_placeholders(analysis.policy)
    if not found:
        return
    texts = list(dict.fromkeys(placeholder.text for placeholder in found))
    yield Problem(
        resource=role.arn,
        message=(
            f"{role.name}: the trust policy is a template; unresolved: {', '.join(texts)} "
            "(judged as written)"
        ),
        evidence=MappingProxyType(
            {
                "placeholders": [
                    {"text": placeholder.text, "pointer": placeholder.pointer}
                    for placeholder in found
                ]
            }
        ),
    )
