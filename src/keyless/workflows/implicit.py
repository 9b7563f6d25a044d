"""CircleCI jobs and Bitbucket steps that *probably* use long-lived AWS keys the file never
names.

Both platforms put a project's or workspace's variables into every job's environment:
CircleCI's contexts and project environment variables
(https://circleci.com/docs/env-vars/), Bitbucket's repository and workspace variables
(https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/). The AWS CLI
reads ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` from the environment without a
word in the file. On the platforms' own (hosted) machines there is no instance role
either, so a job that runs ``aws …`` with no sign of OIDC and no key variable anywhere in
its text can only be authenticating with keys kept in those settings — or be doing
something keyless cannot see (a tool that writes a profile, an endpoint that is not AWS).
Hence a separate, low-severity check whose message says "probably" and whose evidence
says why: it is a lead for a person to confirm in the platform's settings, not a proof.

Not reported: jobs and steps the explicit checks already report, jobs with any OIDC or
role sign (:data:`keyless.workflows.keyuse.TEMPORARY`, ``role_arn``, ``oidc: true``),
commands aimed at another endpoint (``--endpoint-url``, ``AWS_ENDPOINT_URL``,
``awslocal``, LocalStack), and self-hosted runners, whose machine may have its own
credentials: a CircleCI job whose ``resource_class`` (or its executor's) is a runner class
``namespace/name`` (https://circleci.com/docs/runner-overview/), a Bitbucket step whose
``runs-on`` says ``self.hosted``
(https://support.atlassian.com/bitbucket-cloud/docs/configure-your-runner-in-bitbucket-pipelines-yml/).

No such check for Jenkins: the evidence is too weak. Jenkins puts a stored credential in a
build's environment only through an explicit binding in the file (``credentials()`` in
``environment``, ``withCredentials``, ``withAWS(credentials: …)``:
https://www.jenkins.io/doc/book/pipeline/jenkinsfile/#handling-credentials,
https://plugins.jenkins.io/aws-credentials/, https://plugins.jenkins.io/pipeline-aws/),
which ``jenkins-static-aws-keys`` reports; it has no hosted machines of its own, and an
``aws …`` with no binding takes the agent's own credentials from the SDK's default chain:
an EC2 agent's instance profile (https://plugins.jenkins.io/ec2/), a pod role on EKS, or a
credentials file on a static agent. The first two are common and are not keys, so "probably
long-lived keys" would be wrong too often to be a lead.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from keyless.checks.registry import Check, Scope
from keyless.errors import quoted
from keyless.findings import Finding, Severity
from keyless.workflows.circleci_commands import commands_that, gives_oidc_role, runs_any
from keyless.workflows.gitlab_keys import HOOK_SECTION, SCRIPT_SECTIONS
from keyless.workflows.gitlab_pipeline import assemble
from keyless.workflows.gitlab_secrets import has_token_for_aws
from keyless.workflows.keyuse import KEY_VARIABLES, mappings, shows_temporary, strings
from keyless.workflows.model import WorkflowFile, workflow_finding
from keyless.workflows.yamldoc import Document, is_map, is_seq, item_position, value_position

CIRCLECI_IMPLICIT_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="circleci-implicit-aws-keys",
    title="A CircleCI job probably uses long-lived AWS keys from its settings",
    severity=Severity.LOW,
    rationale=(
        "The job runs the AWS CLI on a CircleCI-hosted executor with no OIDC role and no "
        "key variable in the file: the CLI then reads AWS_ACCESS_KEY_ID / "
        "AWS_SECRET_ACCESS_KEY from the environment, which CircleCI fills from a context or "
        "the project's environment variables. Low confidence: the file alone cannot prove "
        "it; the settings can." + "\n\n" + "https://circleci.com/docs/openid-connect-tokens/"
    ),
    remediation=(
        "Look in the contexts the job runs under and the project's environment variables "
        "for AWS_ACCESS_KEY_ID. If it is there, move the job to CircleCI's OIDC: an IAM "
        "role trusting `oidc.circleci.com/org/ORG_ID`, assumed with `aws-cli/setup` given "
        "`role_arn`; then delete the keys. If the job reaches no AWS account, ignore the "
        "finding in keyless.toml."
    ),
)

BITBUCKET_IMPLICIT_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="bitbucket-implicit-aws-keys",
    title="A Bitbucket Pipelines step probably uses long-lived AWS keys from its variables",
    severity=Severity.LOW,
    rationale=(
        "The step runs the AWS CLI on Atlassian's runners with no `oidc: true` and no key "
        "variable in its text: the CLI then reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY "
        "from the environment, which Bitbucket fills from repository, deployment or "
        "workspace variables. Low confidence: the file alone cannot prove it; the settings "
        "can."
        + "\n\n"
        + "https://support.atlassian.com/bitbucket-cloud/docs/"
        + "integrate-pipelines-with-resource-servers-using-oidc/"
    ),
    remediation=(
        "Look in the repository, deployment and workspace variables for AWS_ACCESS_KEY_ID. "
        "If it is there, set `oidc: true` on the step and assume a role trusting the "
        "workspace's identity provider (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE from "
        "`$BITBUCKET_STEP_OIDC_TOKEN`); then delete the key variables. If the step reaches "
        "no AWS account, ignore the finding in keyless.toml."
    ),
)

GITLAB_IMPLICIT_AWS_KEYS = Check(
    scope=Scope.WORKFLOW,
    theme="workflows",
    id="gitlab-implicit-aws-keys",
    title="A GitLab CI job probably uses long-lived AWS keys from its CI/CD variables",
    severity=Severity.LOW,
    rationale=(
        "The job runs the AWS CLI with no `id_tokens`, no assumed role, no runner tag "
        "other than GitLab.com's hosted runners' and no key variable in the file: the CLI "
        "then reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment, which "
        "GitLab fills from the project's, group's or instance's CI/CD variables, as GitLab's "
        "own guide for deploying to AWS sets them up. Low confidence: the file alone cannot "
        "prove it (on a self-managed instance the runner may have a role of its own); the "
        "settings can." + "\n\n" + "https://docs.gitlab.com/ci/cloud_deployment/"
    ),
    remediation=(
        "Look in the project's, group's and instance's CI/CD variables for "
        "AWS_ACCESS_KEY_ID. If it is there, give the job an ID token (`id_tokens:` with "
        "`aud`) and assume a role trusting the GitLab OIDC provider "
        "(https://docs.gitlab.com/ci/cloud_services/aws/; `keyless workflows fix` writes "
        "it); then delete the key variables. If the job reaches no AWS account, ignore the "
        "finding in keyless.toml."
    ),
)

#: The low-confidence checks' IDs of the platforms ``workflows fix`` does not rewrite.
IMPLICIT_CHECKS = frozenset({CIRCLECI_IMPLICIT_AWS_KEYS.id, BITBUCKET_IMPLICIT_AWS_KEYS.id})

# The AWS CLI run as a command (`aws s3 sync …`), not a word in an echo or a path.
AWS_COMMAND = re.compile(r"(?:^|[\s;&|(`])(aws\s+(?!--version\b|help\b)[a-z][a-z0-9-]*)")
_ELSEWHERE = re.compile(r"--endpoint-url|AWS_ENDPOINT_URL|\bawslocal\b|localstack", re.I)
_KEY_NAMES = re.compile("|".join(KEY_VARIABLES), re.IGNORECASE)
# Credentials from a profile or a config file: a file variable keyless cannot read.
PROFILE = re.compile(r"AWS_(?:PROFILE|CONFIG_FILE|SHARED_CREDENTIALS_FILE)\b|--profile\b")
_CONFIDENCE = "low"


def circleci_findings(
    document: Document, file: WorkflowFile, reported: Collection[str]
) -> list[Finding]:
    """Jobs of a CircleCI configuration that run ``aws`` with no visible credential.
    ``reported`` are the routes the explicit check already reports (its jobs are left to
    it); a file that names a key variable anywhere (an executor, a command) is left to
    that check too."""
    root = document.root
    jobs: Any = root.get("jobs") if is_map(root) else None
    if not is_map(jobs) or _KEY_NAMES.search(document.text):
        return []
    contexts = _contexts(root)
    signed = commands_that(root, _signed)
    out: list[Finding] = []
    for name, body in jobs.items():
        if not is_map(body) or within(f"jobs.{name}", reported) or _is_self_hosted(root, body):
            continue
        # The job's own text, and the reusable commands it runs (worked out once).
        if _signed(body) or runs_any(body.get("steps"), signed):
            continue
        steps = body.get("steps")
        for index, step in enumerate(steps if is_seq(steps) else ()):
            run: Any = step.get("run") if is_map(step) else None
            command = run.get("command") if is_map(run) else run
            found = AWS_COMMAND.search(command) if isinstance(command, str) else None
            if found is None:
                continue
            context = contexts.get(str(name))
            where = f"under the context {context}" if context else "with no context named"
            why = (
                f"it runs `{found.group(1)}` on a CircleCI-hosted executor (no runner resource "
                f"class; {where}) with no "
                "OIDC role, no assumed role and no key variable in the file: the AWS CLI "
                "reads the keys from the environment a context or the project's settings "
                "fill"
            )
            out.append(
                lead_finding(
                    CIRCLECI_IMPLICIT_AWS_KEYS,
                    document,
                    file,
                    (step, "run", found.group(1)),
                    f"job {quoted(name)} probably uses long-lived AWS keys: {why}",
                    f"jobs.{name}.steps[{index}].run",
                    why,
                )
            )
            break  # one lead per job
    return out


def _signed(body: Any) -> bool:
    """A CircleCI job or command whose text shows a role: ``role_arn``, an OIDC exchange,
    an assumed role or another endpoint."""
    return gives_oidc_role(body) or other_signs(list(strings(body)))


def bitbucket_findings(
    document: Document, file: WorkflowFile, reported: Collection[str]
) -> list[Finding]:
    """Steps of a ``bitbucket-pipelines.yml`` that run ``aws`` with no visible credential.
    ``reported`` are the routes of the steps the explicit check already reports."""
    out: list[Finding] = []
    seen: set[int] = set()
    for route, node in mappings(document.root):
        step = node.get("step")
        if not is_map(step) or id(step) in seen:
            continue
        seen.add(id(step))
        where = f"{route}.step" if route else "step"
        texts = list(strings(step))
        if (
            within(where, reported)
            or step.get("oidc") is True
            or any(_KEY_NAMES.search(text) for text in texts)
            or other_signs(texts)
            or any("self.hosted" in text for text in strings(step.get("runs-on")))
        ):
            continue
        for item, index, section, found in _aws_lines(step):
            label = f"step '{step['name']}'" if isinstance(step.get("name"), str) else "a step"
            why = (
                f"it runs `{found}` on Atlassian's runners (no `runs-on: self.hosted`) with no "
                "`oidc: true`, no assumed "
                "role and no key variable in the step: the AWS CLI reads the keys from the "
                "environment repository, deployment or workspace variables fill"
            )
            out.append(
                lead_finding(
                    BITBUCKET_IMPLICIT_AWS_KEYS,
                    document,
                    file,
                    (item, index, found),
                    f"{label} probably uses long-lived AWS keys: {why}",
                    f"{where}.{section}[{index}]",
                    why,
                )
            )
            break  # one lead per step
    return out


def gitlab_findings(
    document: Document, file: WorkflowFile, reported: Collection[str]
) -> list[Finding]:
    """Jobs of one GitLab CI file that run ``aws`` with no visible credential.
    ``reported`` are the routes the explicit check already reports. A file that names a
    key variable, a profile or a credentials file anywhere is left to the explicit check
    (or to a person); a job extending a template of another file is not judged."""
    if not is_map(document.root) or _KEY_NAMES.search(document.text):
        return []
    if PROFILE.search(document.text):
        return []
    out: list[Finding] = []
    for job in assemble([(file, document)]).jobs():
        name = job.name
        if job.missing or job.is_trigger or within(name, reported):
            continue
        if has_token_for_aws(job.keys.get("id_tokens"), job.keys.get("secrets")):
            continue
        if _gitlab_runner_of_its_own(job.keys.get("tags")):
            continue
        # (route, script, document) of each section, the hook (run before the clone)
        # first; one file is assembled, so a hook is written in it.
        # A section is a sequence of commands or, as GitLab also takes it, one string.
        sections = (
            [(HOOK_SECTION, job.hook[1], document, job.hook[0], "pre_get_sources_script")]
            if job.hook
            else []
        )
        sections += [
            (s, job.sections[s].script, job.sections[s].document, job.sections[s].host, s)
            for s in SCRIPT_SECTIONS
            if s in job.sections
        ]
        texts = [text for _, script, _, _, _ in sections for text in strings(script)]
        texts += list(strings(job.keys.get("variables")))
        if other_signs(texts):
            continue
        for section, script, written, host, key in sections:
            lines = script if is_seq(script) else (script,) if isinstance(script, str) else ()
            hit = next(
                (
                    (index, found.group(1))
                    for index, line in enumerate(lines)
                    if isinstance(line, str) and (found := AWS_COMMAND.search(line))
                ),
                None,
            )
            if hit is None:
                continue
            index, command = hit
            # Where it is written: the sequence's item, or the string's key in its mapping.
            node, at = (script, index) if is_seq(script) else (host, key)
            why = (
                f"it runs `{command}` with no `id_tokens`"
                + (" but Vault's" if "id_tokens" in job.keys else "")
                + ", no assumed role, no runner of its "
                "own (tags) and no key variable in the file: the AWS CLI reads the keys "
                "from the environment the project's, group's or instance's CI/CD "
                "variables fill"
            )
            out.append(
                lead_finding(
                    GITLAB_IMPLICIT_AWS_KEYS,
                    written,
                    file,
                    (node, at, command),
                    f"job {quoted(name)} probably uses long-lived AWS keys: {why}",
                    f"{name}.{section}[{index}]" if is_seq(script) else f"{name}.{section}",
                    why,
                )
            )
            break  # one lead per job
    return out


def _gitlab_runner_of_its_own(tags: Any) -> bool:
    """Tags other than GitLab.com's hosted runners' (``saas-…``) pick a runner a
    project or instance registered, which may run with a role of its own
    (https://docs.gitlab.com/ci/runners/hosted_runners/linux/)."""
    return any(not name.startswith("saas-") for name in strings(tags))


def within(route: str, reported: Collection[str]) -> bool:
    """Whether a reported route lies in (or is) ``route``."""
    return any(r == route or r.startswith((f"{route}.", f"{route}[")) for r in reported)


def _aws_lines(step: Any) -> Iterator[tuple[Any, int, str, str]]:
    """(script, index, section, command) of each script line running the AWS CLI."""
    for section in ("script", "after-script"):
        script = step.get(section)
        for index, line in enumerate(script if is_seq(script) else ()):
            found = AWS_COMMAND.search(line) if isinstance(line, str) else None
            if found is not None:
                yield script, index, section, found.group(1)


def other_signs(texts: list[str]) -> bool:
    """An OIDC exchange, an assumed role, or another endpoint than AWS."""
    return any(shows_temporary(text) or _ELSEWHERE.search(text) for text in texts)


def _is_self_hosted(root: Any, body: Any) -> bool:
    """A runner resource class (``namespace/name``) on the job or its named executor."""
    classes = [body.get("resource_class")]
    executor = body.get("executor")
    name = executor.get("name") if is_map(executor) else executor
    executors: Any = root.get("executors")
    if isinstance(name, str) and is_map(executors) and is_map(executors.get(name)):
        classes.append(executors[name].get("resource_class"))
    return any(isinstance(c, str) and "/" in c for c in classes)


def _contexts(root: Any) -> dict[str, str]:
    """``job → context`` as the workflows run the jobs (the first context named)."""
    found: dict[str, str] = {}
    workflows: Any = root.get("workflows")
    for workflow in workflows.values() if is_map(workflows) else ():
        jobs: Any = workflow.get("jobs") if is_map(workflow) else None
        for item in jobs if is_seq(jobs) else ():
            if not (is_map(item) and len(item) == 1):
                continue
            name, params = next(iter(item.items()))
            context: Any = params.get("context") if is_map(params) else None
            first = context[0] if is_seq(context) and context else context
            if isinstance(first, str):
                found.setdefault(str(params.get("name") or name), first)
                found.setdefault(str(name), first)
    return found


def lead_finding(
    check: Check,
    document: Document,
    file: WorkflowFile,
    at: tuple[Any, Any, str],
    message: str,
    route: str,
    why: str,
) -> Finding:
    node, key, command = at
    start = item_position(node, key) if isinstance(key, int) else value_position(node, key)
    line, column = _locate(document, start, command)
    finding = workflow_finding(check, file.path, line, column, message, route)
    return Finding(
        check=finding.check,
        severity=finding.severity,
        location=finding.location,
        message=finding.message,
        remediation=finding.remediation,
        evidence={"confidence": _CONFIDENCE, "why": why, "command": command},
    )


def _locate(document: Document, start: tuple[int, int], command: str) -> tuple[int, int]:
    """1-based (line, column) of ``command`` at or after 0-based ``start`` (a block
    scalar's first lines); ``start`` itself when it is not found there."""
    lines = document.lines
    for number in range(start[0], min(len(lines), start[0] + 50)):
        column = lines[number].find(command)
        if column >= 0:
            return number + 1, column + 1
    return start[0] + 1, start[1] + 1
