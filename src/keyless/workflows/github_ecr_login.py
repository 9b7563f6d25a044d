"""docker/login-action given an IAM user's keys to log in to Amazon ECR.

docker/login-action documents two ways to log in to ECR: the keys as ``username`` and
``password``, or no credentials at all after configure-aws-credentials, whose exported
credentials it then uses (https://github.com/docker/login-action#aws-elastic-container-registry-ecr:
"You can also use the Configure AWS Credentials action in combination with this action",
the step giving ``registry`` alone). So such a step is rewritten as a local composite
action that only hands its keys to configure-aws-credentials is: the job stops passing the
keys and gets a credentials step before it. A registry that is not ECR's, or keys given
otherwise, stays a person's job.
"""

from __future__ import annotations

import re

from keyless.workflows.github import OtherActionKeys

_LOGIN_ACTION = "docker/login-action"
# Private registries: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]
# (https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html); the public
# registry, public.ecr.aws, which the action logs in to in us-east-1 unless AWS_REGION says
# otherwise.
_PRIVATE = re.compile(
    r"(?:https?://)?\d{12}\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?/?",
    re.ASCII,
)
_PUBLIC = re.compile(r"(?:https?://)?public\.ecr\.aws/?", re.ASCII)
_PUBLIC_REGION = "us-east-1"


def logs_in_to_ecr(other: OtherActionKeys) -> bool:
    """Whether ``other`` is docker/login-action given the keys as ``username`` and
    ``password`` (nothing else) to log in to an ECR registry written in the step."""
    if other.action.split("@")[0].strip() != _LOGIN_ACTION:
        return False
    if set(other.keys) != {"username", "password"}:
        return False
    return ecr_region(other.inputs.get("registry")) is not None and str(
        other.inputs.get("ecr", "auto")
    ).strip().lower() in ("auto", "true")


def ecr_region(registry: object) -> str | None:
    """The region of an ECR registry's host name (``public.ecr.aws``: us-east-1), or None
    for a value that names no ECR registry."""
    if not isinstance(registry, str):
        return None
    text = registry.strip()
    private = _PRIVATE.fullmatch(text)
    if private is not None:
        return private.group(1)
    return _PUBLIC_REGION if _PUBLIC.fullmatch(text) else None
