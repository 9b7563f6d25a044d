"""Where ``fix`` inserts a GitHub job's credentials step, and the region it gives it.

The step goes before the first step given keys in its own ``env:`` (or a local composite
action given them), or before the first step that may call AWS when the job's or
workflow's ``env:`` holds them; none is inserted when configure-aws-credentials already
runs earlier or itself assumes a role. Steps GitHub never runs count for neither. Its
``aws-region`` is the one the job already names, else ``--region`` (:func:`region_for`).

Keys in the workflow's ``env:`` reach every job, whether it needs them or not, so a job
that has no keys of its own gets the step only when it may need AWS
(:func:`without_credentials`): when a step shows a use of AWS (:func:`shows_aws_use`), or,
when none does, some step keyless cannot read may (a script, another action) and pull
requests do not run the job. A pull request from a fork gets no OIDC token, and the role
should not trust pull requests anyway: the step would fail a job that ran before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from keyless.errors import quoted
from keyless.workflows.github import GithubAnalysis, describe_step, is_configure_action, steps_of
from keyless.workflows.github_conditions import not_on_github
from keyless.workflows.github_ecr_login import ecr_region, logs_in_to_ecr
from keyless.workflows.github_job_events import runs_for_pull_requests
from keyless.workflows.github_profile_steps import replaceable_steps, written_region
from keyless.workflows.keyuse import strings
from keyless.workflows.model import FixOptions
from keyless.workflows.values import is_context_expression, is_region
from keyless.workflows.yamldoc import is_map

_REGION_NAMES = ("AWS_REGION", "AWS_DEFAULT_REGION")
# Actions that never call AWS, so the credentials step can go after them: GitHub's own.
_AWS_AGNOSTIC = ("actions/", "github/")
# What shows that a step calls AWS: the AWS CLI and tools that call AWS with the
# environment's credentials, an AWS SDK, an AWS_ variable (the keys, the region, a
# profile), an S3 URL, an AWS endpoint or ARN, a deployment.
_AWS_USE = re.compile(
    r"(?<![\w-])(?:aws|sam|cdk|cdktf|eksctl|copilot|ecs-cli|amplify|serverless|sls|chalice"
    r"|zappa|terraform|terragrunt|pulumi|kubectl|helm|boto3|botocore|aws-sdk|aws-cdk"
    r"|deploy)(?![\w-])"
    r"|AWS_[A-Z0-9_]|@aws-sdk/|s3://|amazonaws\.com|arn:aws",
    re.IGNORECASE,
)
# Commands of those tools that never call AWS, documented as working on local files alone:
# `terraform fmt` / `validate` / `version` ("does not validate remote services, such as
# remote state or provider APIs": developer.hashicorp.com/terraform/cli/commands/validate),
# `helm lint` ("examine a chart for possible issues"), `helm template` ("render chart
# templates locally") but with `--validate` (which asks the cluster), `kubectl version
# --client`. Removed from a step's text before :data:`_AWS_USE` reads it, so a pull
# request job that only lints gets no credentials step that a fork's run would fail on;
# the rest of the line (an `s3://` argument, `&& terraform plan`) is still read.
_OFFLINE_COMMAND = re.compile(
    r"(?<![\w-])(?:terraform\s+(?:fmt|validate|version)|helm\s+(?:lint|version)"
    r"|helm\s+template(?![^\n;&|]{0,2000}--validate)|kubectl\s+version\s+--client)(?![\w-])",
    re.IGNORECASE,
)
# Words of an action's name that say AWS (aws-actions/amazon-ecr-login, docker://amazon/aws-cli).
_AWS_ACTION_WORDS = frozenset(
    {
        *("aws", "amazon", "s3", "ecr", "ecs", "eks", "lambda", "cloudformation", "cloudfront"),
        *("sam", "cdk", "serverless", "amplify", "beanstalk", "codedeploy", "codebuild"),
        *("dynamodb", "sqs", "sns", "ssm", "secretsmanager", "terraform", "pulumi"),
    }
)
_NAME_WORDS = re.compile(r"[A-Za-z0-9]+")


def region_for(options: FixOptions, root: Any, job: Any, target: int | None) -> str | None:
    """The region for an inserted credentials step before step ``target``: the step's own
    ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` (or the region it writes into the profile,
    ``aws configure set region``), else the job's or workflow's (as
    ``${{ env.NAME }}``), else the ``aws-region`` the job's configure-aws-credentials
    steps give, else one that every step setting it agrees on, else the region of the ECR
    registry docker/login-action logs in to at that step, else ``--region``; None when
    there is none. Values read from the workflow are used only
    when they are a region name or a plain ``${{ context.NAME }}`` lookup."""
    steps = dict(steps_of(job))
    if target is not None and target in steps:
        value = _region_value(steps[target].get("env"))
        if value is None:
            value = written_region(steps[target], job, root)  # `aws configure set region`
        if value is not None:
            return value
    scopes: list[Any] = [job.get("env"), root.get("env") if is_map(root) else None]
    for scope in scopes:
        for name in _REGION_NAMES if is_map(scope) else ():
            if name in scope:
                return f"${{{{ env.{name} }}}}"
    # The region the job's configure-aws-credentials steps already name (one they agree on).
    inputs = {
        _usable_region(step["with"].get("aws-region"))
        for step in steps.values()
        if is_configure_action(step) and is_map(step.get("with"))
    } - {None}
    if len(inputs) == 1:
        return inputs.pop()
    values = {_region_value(step.get("env")) for step in steps.values()} - {None}
    if len(values) == 1:
        return values.pop()
    # docker/login-action logging in to ECR (:mod:`.github_ecr_login`): its registry's
    # region, the one the step logged in to with the keys.
    registry = _login_registry_region(steps.get(target) if target is not None else None)
    return registry if registry is not None else options.region


def _login_registry_region(step: Any) -> str | None:
    if not is_map(step) or not str(step.get("uses", "")).startswith("docker/login-action"):
        return None
    inputs = step.get("with")
    return ecr_region(inputs.get("registry")) if is_map(inputs) else None


def _usable_region(value: Any) -> str | None:
    if isinstance(value, str) and (is_region(value) or is_context_expression(value)):
        return value
    return None


def _region_value(env: Any) -> str | None:
    if not is_map(env):
        return None
    for name in _REGION_NAMES:
        value = env.get(name)
        if isinstance(value, str) and (is_region(value) or is_context_expression(value)):
            return value
    return None


def insertion_target(
    analysis: GithubAnalysis, name: str, job: Any, composites: Mapping[str, str | None]
) -> int | None:
    """The step before which a credentials step goes, or None when none is needed: the
    first step given keys in its own env (or a local composite action given them as
    inputs), or the first step that seems to call AWS when the job's or workflow's env
    holds them; unless a configure-aws-credentials step already runs earlier."""
    targets = [
        e.step_index
        for e in analysis.key_env
        if e.job == name and e.level == "step" and e.step_index is not None
    ]
    targets += [
        o.step_index
        for o in analysis.other_actions
        if o.job == name
        and ((o.action in composites and composites[o.action] is None) or logs_in_to_ecr(o))
    ]
    # A step that only writes the key pair into the profile: the credentials step takes
    # its place (:mod:`.github_profile_steps`).
    targets += [p.index for p in replaceable_steps(analysis, name, job)]
    own = any(e.job == name and e.level == "job" for e in analysis.key_env)
    workflow = any(e.level == "workflow" for e in analysis.key_env)
    if own or (workflow and without_credentials(analysis, name, job) is None):
        first = next((i for i, s in _running_steps(job) if may_call_aws(s)), None)
        if first is not None:
            targets.append(first)
    if not targets or ("steps" not in job):
        return None
    target = min(targets)
    if any(
        i < target and is_configure_action(s) and is_map(s.get("with"))
        for i, s in _running_steps(job)
    ):
        return None
    # The step given the keys in its own env is configure-aws-credentials assuming a role
    # (role chaining from the keys): without them it assumes that role with the job's OIDC
    # token itself, so no step goes before it.
    step = dict(steps_of(job)).get(target)
    if step is not None and _assumes_a_role(step):
        return None
    return target


def _running_steps(job: Any) -> list[tuple[int, Any]]:
    """The job's steps but those GitHub never runs (``if: false``, ``env.ACT``:
    :mod:`.github_conditions`): a credentials step for local runs configures nothing on
    GitHub, so the inserted step still goes before the first step that runs and needs AWS."""
    return [(i, step) for i, step in steps_of(job) if not_on_github(step.get("if")) is None]


def _assumes_a_role(step: Any) -> bool:
    """configure-aws-credentials given a role and not told to chain from the credentials
    already in the environment (``role-chaining: true`` needs the step inserted before)."""
    inputs = step.get("with")
    return (
        is_configure_action(step)
        and is_map(inputs)
        and isinstance(inputs.get("role-to-assume"), str)
        and str(inputs.get("role-chaining", "")).lower() != "true"
    )


def may_call_aws(step: Any) -> bool:
    """Whether a step may call AWS: anything but GitHub's own actions,
    configure-aws-credentials and a script of commands that read local files alone
    (:func:`runs_only_offline`)."""
    uses = step.get("uses")
    if isinstance(uses, str):
        return not uses.startswith(_AWS_AGNOSTIC) and not is_configure_action(step)
    return "run" in step and not runs_only_offline(step.get("run"))


# What separates the commands of a script: lines, `;`, `&&`, `||`, pipes.
_COMMAND_BREAK = re.compile(r"\n|;|&&|\|\|?")
# Shell words that run nothing: a comment, `cd`, `echo`, `set -e`, `true`, `:`.
_INERT_COMMAND = re.compile(r"(?:#.*|(?:cd|echo|printf|set|true|:|pwd|ls)(?:\s.*)?)?")


def runs_only_offline(script: Any) -> bool:
    """Whether a ``run:`` script is read whole and calls nothing that may reach AWS: each
    of its commands is one that reads local files alone (:data:`_OFFLINE_COMMAND`:
    ``helm lint``, ``terraform fmt``…) or a shell word that runs nothing (``cd``,
    ``echo``). A script with an expansion that runs a command (``$(…)``, backticks), a
    heredoc or a line continuation is not read so."""
    if not isinstance(script, str) or not script.strip() or len(script) > 20_000:
        return False
    if any(sign in script for sign in ("$(", "`", "<<", "\\\n")):
        return False
    commands = [c.strip() for c in _COMMAND_BREAK.split(script)]
    return any(_OFFLINE_COMMAND.match(c) for c in commands) and all(
        _INERT_COMMAND.fullmatch(c) or _offline_command(c) for c in commands
    )


def _offline_command(command: str) -> bool:
    """Whether ``command`` is one of :data:`_OFFLINE_COMMAND` with plain arguments."""
    match = _OFFLINE_COMMAND.match(command)
    return match is not None and not _AWS_USE.search(command[match.end() :])


def shows_aws_use(step: Any) -> bool:
    """Whether a step shows that it calls AWS: configure-aws-credentials or an action
    named for AWS, or a script, input or variable that names the AWS CLI or a tool that
    calls AWS, an SDK, an ``AWS_`` variable, an S3 URL or an AWS endpoint."""
    uses = step.get("uses")
    if isinstance(uses, str):
        if is_configure_action(step):
            return True
        if uses.startswith(_AWS_AGNOSTIC):
            return False
        if _AWS_ACTION_WORDS.intersection(w.lower() for w in _NAME_WORDS.findall(uses)):
            return True
    # What the step runs and is given, not its name (`name: Terraform checks`), `id:` or
    # `if:`: those describe it.
    return any(
        _AWS_USE.search(_OFFLINE_COMMAND.sub(" ", text))
        for key in ("run", "with", "env")
        for text in strings(step.get(key))
    )


def without_credentials(analysis: GithubAnalysis, name: str, job: Any) -> str | None:
    """Why job ``name``, which only the workflow's ``env:`` gave keys, gets no credentials
    step (a note for the output), or None when it gets one or has keys of its own."""
    workflow = any(e.level == "workflow" for e in analysis.key_env)
    if not workflow or analysis.uses_keys(name) or "steps" not in job:
        return None
    running = _running_steps(job)
    if any(shows_aws_use(step) for _, step in running):
        return None
    unread = [describe_step(i, step) for i, step in running if may_call_aws(step)]
    if not unread:
        return (
            f"job {quoted(name)}: no step can call AWS, so it no longer gets the workflow's "
            "keys and needs no credentials step nor id-token: write"
        )
    if not runs_for_pull_requests(analysis.document.root, job):
        return None
    return (
        f"job {quoted(name)}: no step shows a use of AWS (the AWS CLI or a tool that calls "
        f"it, an AWS_ variable, an AWS action), and pull requests run it: a fork's run gets "
        "no OIDC token and the role should not trust pull requests, so it gets no "
        "credentials step nor id-token: write. keyless cannot read what "
        f"{', '.join(unread)} {'runs' if len(unread) == 1 else 'run'}: if it calls AWS, "
        "move that to a job that pull requests do not run, with a configure-aws-credentials "
        "step"
    )


def unseen_use(analysis: GithubAnalysis, name: str, job: Any) -> str | None:
    """For a job that gets the credentials step only because the workflow's ``env:`` gave
    it keys and some step keyless cannot read may call AWS, a note that says so."""
    workflow = any(e.level == "workflow" for e in analysis.key_env)
    if not workflow or analysis.uses_keys(name) or "steps" not in job:
        return None
    if without_credentials(analysis, name, job) is not None:
        return None
    running = _running_steps(job)
    if any(shows_aws_use(step) for _, step in running):
        return None
    unread = [describe_step(i, step) for i, step in running if may_call_aws(step)]
    if len(unread) == 1:
        what = (
            f"{unread[0]} may (keyless cannot read what it runs): the credentials step goes "
            "before it"
        )
    else:
        what = (
            f"{', '.join(unread)} may (keyless cannot read what they run): the credentials "
            "step goes before the first"
        )
    return (
        f"job {quoted(name)}: no step shows a use of AWS, but {what}. If the job never calls "
        "AWS, remove the step and its id-token: write"
    )
