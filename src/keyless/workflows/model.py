"""Values the workflows package hands across its boundaries: CI files, rewrites and the OIDC
subjects a rewritten job will present. All frozen. Findings are :class:`keyless.findings.Finding`
with a file location, like every other command's."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from keyless.checks.registry import Check
from keyless.engine import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE, Unread
from keyless.errors import InputError
from keyless.findings import FileLocation, Finding
from keyless.workflows.values import (
    check_region,
    check_repository,
    check_role_arn,
    check_role_reference,
)


class Coverage(StrEnum):
    """How far keyless reads a platform's CI files.

    ``full``: every check, and ``workflows fix`` rewrites them to OIDC. ``key-use``: the
    literal-key check and the platform's own check for jobs that use long-lived keys;
    ``fix`` leaves them for a person. ``literal-keys``: read for literal keys only.
    """

    FULL = "full"
    KEY_USE = "key-use"
    LITERAL_KEYS = "literal-keys"


class Platform(StrEnum):
    """Which CI system a file belongs to."""

    GITHUB = "github"
    GITLAB = "gitlab"
    CIRCLECI = "circleci"
    BITBUCKET = "bitbucket"
    BUILDKITE = "buildkite"
    AZURE = "azure-pipelines"
    TRAVIS = "travis"
    CODEBUILD = "codebuild"
    JENKINS = "jenkins"
    DRONE = "drone"

    @property
    def display_name(self) -> str:
        """The platform's name as its vendor writes it."""
        return _TITLES[self]

    @property
    def coverage(self) -> Coverage:
        """How far keyless reads this platform's files."""
        if self in (Platform.GITHUB, Platform.GITLAB):
            return Coverage.FULL
        if self in (
            Platform.CIRCLECI,
            Platform.BITBUCKET,
            Platform.BUILDKITE,
            Platform.JENKINS,
            Platform.AZURE,
        ):
            return Coverage.KEY_USE
        return Coverage.LITERAL_KEYS

    @property
    def is_yaml(self) -> bool:
        """Whether the platform's CI files are YAML (a Jenkinsfile is Groovy)."""
        return self is not Platform.JENKINS


#: Each platform's documented way to reach AWS without long-lived keys: (recipe, URL).
#: None where the vendor documents no OIDC federation with AWS.
OIDC_RECIPES: dict[Platform, tuple[str, str] | None] = {
    Platform.GITHUB: (
        "configure-aws-credentials with `role-to-assume` and `id-token: write`",
        "https://github.com/aws-actions/configure-aws-credentials#oidc",
    ),
    Platform.GITLAB: (
        "`id_tokens:` with `aud: sts.amazonaws.com` and AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE",
        "https://docs.gitlab.com/ci/cloud_services/aws/",
    ),
    Platform.CIRCLECI: (
        "an IAM role trusting `oidc.circleci.com/org/ORG_ID`, assumed with "
        "`aws-cli/setup` given `role_arn` (the job's `$CIRCLE_OIDC_TOKEN`, under a context)",
        "https://circleci.com/docs/openid-connect-tokens/",
    ),
    Platform.BITBUCKET: (
        "`oidc: true` on the step and the role as `AWS_OIDC_ROLE_ARN` (atlassian/aws-* "
        "pipes) or AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE from `$BITBUCKET_STEP_OIDC_TOKEN`",
        "https://support.atlassian.com/bitbucket-cloud/docs/"
        "integrate-pipelines-with-resource-servers-using-oidc/",
    ),
    Platform.BUILDKITE: (
        "the aws-assume-role-with-web-identity plugin with `role-arn` (a role trusting "
        "`agent.buildkite.com`)",
        "https://buildkite.com/docs/pipelines/security/oidc/aws",
    ),
    Platform.CODEBUILD: (
        "no keys at all: a CodeBuild project runs with its service role's temporary credentials",
        "https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html",
    ),
    Platform.AZURE: (
        "an AWS service connection of the AWS Toolkit for Azure DevOps that assumes a role "
        "with the pipeline's OIDC token (workload identity federation) instead of holding keys",
        "https://github.com/aws/aws-toolkit-azure-devops",
    ),
    Platform.JENKINS: (
        "the OpenID Connect Provider plugin's id token: an IAM role trusting the Jenkins "
        "issuer, an 'OpenID Connect id token as file' credential bound to "
        "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN set (or an agent with its own "
        "EC2/ECS/EKS role)",
        "https://plugins.jenkins.io/oidc-provider/",
    ),
    Platform.TRAVIS: None,
    Platform.DRONE: None,
}


def platform_remedy(platform: Platform) -> str:
    """One sentence: how ``platform`` reaches AWS without long-lived keys, with the URL."""
    recipe = OIDC_RECIPES[platform]
    if recipe is None:
        return (
            f"keyless knows no documented OIDC federation between {platform.display_name} "
            "and AWS: keep the key in the platform's secret store, never in the file, "
            "scope it narrowly and rotate it, or run the job where a role's temporary "
            "credentials are available"
        )
    text, url = recipe
    return f"move the pipeline to OIDC ({platform.display_name}): {text} ({url})"


_TITLES = {
    Platform.GITHUB: "GitHub Actions",
    Platform.GITLAB: "GitLab CI",
    Platform.CIRCLECI: "CircleCI",
    Platform.BITBUCKET: "Bitbucket Pipelines",
    Platform.BUILDKITE: "Buildkite",
    Platform.AZURE: "Azure Pipelines",
    Platform.TRAVIS: "Travis CI",
    Platform.CODEBUILD: "AWS CodeBuild",
    Platform.JENKINS: "Jenkins",
    Platform.DRONE: "Drone",
}


@dataclass(frozen=True, slots=True)
class WorkflowFile:
    """A CI file found on disk, and the repository it belongs to. ``action``: a GitHub
    action's metadata file (``action.yml``), judged by its steps, never rewritten."""

    path: Path
    platform: Platform
    repository_root: Path
    action: bool = False


class SubjectOperator(StrEnum):
    """The IAM condition operator a subject needs in the role's trust policy."""

    STRING_EQUALS = "StringEquals"
    STRING_LIKE = "StringLike"


@dataclass(frozen=True, slots=True)
class Subject:
    """One value of the OIDC ``sub`` claim a job's token will carry."""

    value: str
    operator: SubjectOperator
    reason: str


@dataclass(frozen=True, slots=True)
class Withheld:
    """A ``sub`` the job's token can carry that ``fix`` does not recommend trusting."""

    subject: Subject
    reason: str


@dataclass(frozen=True, slots=True)
class JobRewrite:
    """One job that ``fix`` changed, and what its role's trust policy must accept.

    ``subjects`` are every ``sub`` its tokens can carry; ``recommended`` those to trust
    (they pass ``keyless trust`` with nothing above medium) and ``withheld`` the others.
    ``role`` is what the job now assumes (an ARN or a ``${{ … }}`` / ``$NAME`` reference);
    ``chained`` when that role was already named in the workflow (``role-to-assume``
    beside the keys) and its trust policy must now admit the job's tokens. ``account``
    is the role's account when the ARN is known; ``trust_notes`` explain the verdict.
    """

    job: str
    subjects: tuple[Subject, ...]
    pull_request: bool
    notes: tuple[str, ...] = ()
    recommended: tuple[Subject, ...] = ()
    withheld: tuple[Withheld, ...] = ()
    role: str = ""
    account: str | None = None
    chained: bool = False
    trust_notes: tuple[str, ...] = ()
    #: The deployment environment a GitLab job names (``environment:``): a CI/CD
    #: variable scoped to it wins for the job (a GitHub job's is in its subjects).
    environment: str | None = None


@dataclass(frozen=True, slots=True)
class Unfixed:
    """Something ``fix`` left as it was and a person must handle: in which job (None for
    the whole file) and why."""

    job: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class FileRewrite:
    """The new text of one file. ``before == after`` when nothing needed to change."""

    file: WorkflowFile
    before: str
    after: str
    jobs: tuple[JobRewrite, ...] = ()
    notes: tuple[str, ...] = ()
    unfixed: tuple[Unfixed, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the fix changed the file."""
        return self.before != self.after


@dataclass(frozen=True, slots=True)
class RoleSource:
    """Where the rewritten workflow takes the role ARN from.

    Exactly one of ``arn`` (a literal role ARN) or ``reference`` (``vars.NAME``,
    ``secrets.NAME`` or a bare CI variable name) is set; each is checked against its
    grammar (:mod:`keyless.workflows.values`) because it is written into pipelines.
    """

    arn: str | None = None
    reference: str | None = None

    def __post_init__(self) -> None:
        if (self.arn is None) == (self.reference is None):
            raise InputError("give exactly one of --role-arn and --role-arn-from")
        if self.arn is not None:
            check_role_arn(self.arn)
        if self.reference is not None:
            check_role_reference(self.reference)


@dataclass(frozen=True, slots=True)
class FixOptions:
    """What ``fix`` needs besides the files: the role, a region, the repository name.
    Each value is checked against its grammar."""

    role: RoleSource
    region: str | None = None
    repository: str | None = None

    def __post_init__(self) -> None:
        if self.region is not None:
            check_region(self.region)
        if self.repository is not None:
            check_repository(self.repository)


@dataclass(frozen=True, slots=True)
class FixResult:
    """What ``fix`` returns: one rewrite per file it read (changed or not), what it could
    not read, and whether the changed files were written."""

    files: tuple[FileRewrite, ...]
    notes: tuple[str, ...] = field(default=())
    written: bool = False
    unread: tuple[Unread, ...] = ()

    @property
    def changed(self) -> tuple[FileRewrite, ...]:
        """Only the files whose text changed."""
        return tuple(rewrite for rewrite in self.files if rewrite.changed)

    @property
    def unfixed(self) -> tuple[tuple[FileRewrite, Unfixed], ...]:
        """Everything left for a person, with its file."""
        return tuple((r, u) for r in self.files for u in r.unfixed)

    def exit_code(self) -> int:
        """3 when part of the input could not be read; else 1 when something was left for
        a person (a job still using keys); else 0."""
        if self.unread:
            return EXIT_INCOMPLETE
        return EXIT_FINDINGS if self.unfixed else EXIT_CLEAN


def workflow_finding(
    check: Check,
    path: Path,
    line: int,
    column: int,
    message: str,
    route: str,
    *,
    remediation: str | None = None,
) -> Finding:
    """A finding of ``check`` at 1-based ``line``/``column`` of ``path``; ``route`` is the
    dotted route into the document (``jobs.deploy.steps[2].with.aws-access-key-id``).
    ``message`` never contains a secret. ``remediation`` replaces the check's own where
    the platform needs another one."""
    return Finding(
        check=check.id,
        severity=check.severity,
        location=FileLocation(path, line, column, route),
        message=message,
        remediation=check.remediation if remediation is None else remediation,
    )
