"""CircleCI: jobs that reach AWS with long-lived keys.

CircleCI mints an OIDC token for every job that runs under a context
(``$CIRCLE_OIDC_TOKEN``), which an IAM role trusting ``oidc.circleci.com/org/ORG_ID`` can
accept; the ``circleci/aws-cli`` orb's ``setup`` command exchanges it when given
``role_arn`` (``role-arn`` before version 4), and the ``aws-ecr`` / ``aws-s3`` orbs take
the same through their ``auth`` steps
(https://circleci.com/docs/openid-connect-tokens/,
https://circleci.com/developer/orbs/orb/circleci/aws-cli). Without a role the orbs
configure the CLI from ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``: keys kept in a
context or the project's environment variables, which never appear in the file.

A job is reported where the file shows such keys: an orb step or orb job without a role,
the key variables in an ``environment:`` (job, executor, Docker image, ``run`` step), and
``run`` commands that read them (``$AWS_ACCESS_KEY_ID``) or write them into a profile
(``aws configure set aws_access_key_id``). A job that exchanges an OIDC token or assumes a
role itself (``assume-role-with-web-identity``, ``$CIRCLE_OIDC_TOKEN``, a session token
written beside the keys) is not reported for its scripts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.errors import quoted
from keyless.findings import Finding, Severity
from keyless.workflows.circleci_commands import (
    commands_that,
    gives_oidc_role,
    is_chaining,
    runs_any,
)
from keyless.workflows.keyuse import (
    KEY_USE,
    KEY_VARIABLES,
    is_credential,
    locate,
    mappings,
    shows_temporary,
    strings,
)
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.yamldoc import (
    Document,
    is_map,
    is_seq,
    item_position,
    key_position,
    own_items,
    value_position,
)

CIRCLECI_STATIC_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="circleci-static-aws-keys",
    title="A CircleCI job uses long-lived AWS access keys",
    severity=Severity.HIGH,
    rationale=(
        "The job authenticates with an IAM user's permanent access key, kept in a context "
        "or the project's environment variables: it never expires and leaks with any step "
        "(or orb) that can read the environment. CircleCI can instead give the job an OIDC "
        "token that a role exchanges for temporary credentials."
        + "\n\n"
        + "https://circleci.com/docs/openid-connect-tokens/"
    ),
    remediation=(
        "Create an IAM OIDC provider for `https://oidc.circleci.com/org/ORG_ID` (audience: "
        "the organization ID) and a role that trusts it for this project, run the job under "
        "a context, and give `aws-cli/setup` (or the aws-ecr / aws-s3 orb's `auth` step) "
        "`role_arn`; then delete AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the "
        "contexts and project settings. `keyless workflows fix` does not rewrite CircleCI "
        "configuration."
    ),
)

# The orbs that configure AWS credentials from the key variables unless given a role.
AWS_ORBS = frozenset({"circleci/aws-cli", "circleci/aws-ecr", "circleci/aws-s3"})


# The parameters that name the configuration a setup workflow continues with: the
# continuation orb's `continue` command and the path-filtering orb's jobs.
_CONTINUATION_KEYS = ("configuration_path", "config-path")
_YAML = (".yml", ".yaml")


def continuations(document: Document, repository_root: Path) -> tuple[Path, ...]:
    """The continuation configurations of a setup configuration (``setup: true``,
    https://circleci.com/docs/dynamic-config/): every other YAML file of its
    ``.circleci`` directory (the path-filtering orb continues with
    ``.circleci/continue_config.yml`` by default) and the files its ``configuration_path``
    / ``config-path`` parameters name in the repository. A path computed as the job runs
    (``$VAR``, ``<< parameters.x >>``) or not in the repository (generated) is not
    followed. Links are judged by the caller, as for every file."""
    root = document.root
    if not is_map(root) or root.get("setup") is not True:
        return ()
    found: list[Path] = []
    directory = document.path.parent
    if directory.name == ".circleci":
        found += sorted(
            p for p in directory.iterdir() if p.name.endswith(_YAML) and p != document.path
        )
    for _, node in mappings(root):
        for key in _CONTINUATION_KEYS:
            value = node.get(key)
            if not isinstance(value, str) or any(c in value for c in "$<>{}") or not value:
                continue
            path = repository_root / value.strip().lstrip("/")
            if path.name.endswith(_YAML) and path.is_file():
                found.append(path)
    return tuple(dict.fromkeys(found))


def orb_aliases(root: Any) -> dict[str, str]:
    """``alias → orb`` for the AWS orbs the file imports (``aws-cli: circleci/aws-cli@4``).
    An orb declared inline (a mapping) is not one of them."""
    orbs: Any = root.get("orbs") if is_map(root) else None
    aliases: dict[str, str] = {}
    if is_map(orbs):
        for alias, reference in orbs.items():
            if isinstance(reference, str):
                name = reference.split("@")[0].strip().lower()
                if name in AWS_ORBS:
                    aliases[str(alias)] = name
    return aliases


def findings(document: Document, file: WorkflowFile) -> list[Finding]:
    """The findings of one CircleCI configuration, each where the keys show."""
    root = document.root
    if not is_map(root):
        return []
    aliases = orb_aliases(root)
    assuming = commands_that(root, _assumes)
    out: list[Finding] = []

    def add(position: tuple[int, int], message: str, route: str) -> None:
        line, column = position
        out.append(
            workflow_finding(CIRCLECI_STATIC_AWS_KEYS, file.path, line, column, message, route)
        )

    for section in ("jobs", "commands", "executors"):
        definitions = root.get(section)
        if not is_map(definitions):
            continue
        for name, body in own_items(definitions):
            if not is_map(body):
                continue
            where = f"{section}.{name}"
            label = f"{section[:-1]} {quoted(str(name))}"
            for node, key, route in _environment_keys(body, where):
                line, column = key_position(node, key)
                add((line + 1, column + 1), f"{key} is set in the environment of {label}", route)
            for node, route in _image_auth_keys(body, where):
                line, column = key_position(node, "aws_access_key_id")
                add(
                    (line + 1, column + 1),
                    f"{label} pulls its image from Amazon ECR with aws_auth keys "
                    "(aws_access_key_id, aws_secret_access_key): an IAM user's long-lived "
                    "key; aws_auth takes oidc_role_arn instead",
                    route,
                )
            if section == "executors":
                continue
            uses_oidc = _uses_oidc(body, assuming)
            steps = body.get("steps")
            for index, item in enumerate(steps if is_seq(steps) else ()):
                route = f"{where}.steps[{index}]"
                orb = _orb_step(item, aliases, assuming)
                if orb is not None and not uses_oidc:
                    line, column = item_position(steps, index)
                    add(
                        (line + 1, column + 1),
                        f"{label} runs {orb} without role_arn: the orb configures the AWS CLI "
                        "from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (a context or the "
                        "project's environment variables)",
                        route,
                    )
                command = _run_command(item)
                if command is not None and not uses_oidc and KEY_USE.search(command[2]):
                    run, key, text = command
                    add(
                        locate(document, value_position(run, key), text),
                        f"a run step of {label} uses long-lived AWS keys from the environment "
                        "(a context or the project's environment variables)",
                        f"{route}.run",
                    )
    out.extend(_workflow_orb_jobs(root, aliases, assuming, file))
    return out


def _assumes(body: Any) -> bool:
    """Whether a job or command's own steps assume a role: an orb step given
    ``role_arn``, or a script that exchanges the OIDC token or writes a session token."""
    steps = body.get("steps") if is_map(body) else None
    return gives_oidc_role(steps) or any(shows_temporary(text) for text in strings(steps))


def _uses_oidc(body: Any, assuming: frozenset[str]) -> bool:
    """Whether a job (or command) assumes a role itself, or through a reusable command
    of ``assuming`` it runs (:mod:`.circleci_commands`)."""
    return _assumes(body) or runs_any(body.get("steps"), assuming)


def _orb_step(item: Any, aliases: dict[str, str], assuming: frozenset[str]) -> str | None:
    """``aws-cli/setup`` when the step runs an AWS orb command without a role."""
    if isinstance(item, str):
        name, params = item, None
    elif is_map(item) and len(item) == 1:
        name, params = next(iter(item.items()))
    else:
        return None
    alias, _, command = str(name).partition("/")
    if alias not in aliases or not command:
        return None
    # `role_arn` given, or an `auth:` of commands of the file that assume a role.
    if is_chaining(name):
        return None  # it assumes its role with the keys `setup` wrote, reported there
    if gives_oidc_role(params) or runs_any(params, assuming):
        return None
    return f"{aliases[alias].split('/')[1]}/{command}"


def _run_command(item: Any) -> tuple[Any, Any, str] | None:
    """(mapping, key, text) of a ``run`` step's command: ``run: text`` or
    ``run: {command: text}``."""
    if not is_map(item) or "run" not in item:
        return None
    run = item["run"]
    if isinstance(run, str):
        return item, "run", run
    if is_map(run) and isinstance(run.get("command"), str):
        return run, "command", str(run["command"])
    return None


def _environment_keys(body: Any, where: str) -> Iterator[tuple[Any, str, str]]:
    """(mapping, key, route) of the key variables set with a credential in an
    ``environment:`` of a job, executor or command: its own, its Docker images', its
    ``run`` steps'."""
    places: list[tuple[Any, str]] = [(body.get("environment"), f"{where}.environment")]
    docker = body.get("docker")
    if is_seq(docker):
        places += [
            (image.get("environment"), f"{where}.docker[{i}].environment")
            for i, image in enumerate(docker)
            if is_map(image)
        ]
    steps = body.get("steps")
    if is_seq(steps):
        for index, step in enumerate(steps):
            run: Any = step.get("run") if is_map(step) else None
            if is_map(run):
                places.append((run.get("environment"), f"{where}.steps[{index}].run.environment"))
    for environment, route in places:
        if not is_map(environment):
            continue
        for key, value in own_items(environment):
            if str(key) in KEY_VARIABLES and is_credential(value):
                yield environment, str(key), f"{route}.{key}"


def _image_auth_keys(body: Any, where: str) -> Iterator[tuple[Any, str]]:
    """(the ``aws_auth`` mapping, route) of each Docker image of a job or executor pulled
    from Amazon ECR with an access key (https://circleci.com/docs/private-images/): the
    key of an IAM user, where ``oidc_role_arn`` would assume a role with the job's token."""
    docker = body.get("docker")
    for index, image in enumerate(docker if is_seq(docker) else ()):
        auth: Any = image.get("aws_auth") if is_map(image) else None
        if (
            is_map(auth)
            and is_credential(auth.get("aws_access_key_id"))
            and not auth.get("oidc_role_arn")
        ):
            yield auth, f"{where}.docker[{index}].aws_auth.aws_access_key_id"


def _workflow_orb_jobs(
    root: Any, aliases: dict[str, str], assuming: frozenset[str], file: WorkflowFile
) -> list[Finding]:
    """Orb jobs invoked from ``workflows:`` without a role (``- aws-ecr/build_and_push_image``)."""
    out: list[Finding] = []
    workflows = root.get("workflows")
    if not is_map(workflows):
        return out
    for name, workflow in own_items(workflows):
        jobs: Any = workflow.get("jobs") if is_map(workflow) else None
        if not is_seq(jobs):
            continue
        for index, item in enumerate(jobs):
            orb = _orb_step(item, aliases, assuming)
            if orb is None:
                continue
            line, column = item_position(jobs, index)
            out.append(
                workflow_finding(
                    CIRCLECI_STATIC_AWS_KEYS,
                    file.path,
                    line + 1,
                    column + 1,
                    f"workflow {quoted(str(name))} runs the orb job {orb} without role_arn: "
                    "it uses AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from a context or the "
                    "project's environment variables",
                    f"workflows.{name}.jobs[{index}]",
                )
            )
    return out
