"""Values the workflows package hands across its boundaries: check metadata, findings,
rewrites and the OIDC subjects a rewritten job will present. All frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from keyless.findings import Severity


class Platform(StrEnum):
    """Which CI system a file belongs to."""

    GITHUB = "github"
    GITLAB = "gitlab"


@dataclass(frozen=True, slots=True)
class CheckMeta:
    """Stable, public metadata of one workflow check (the ID is a public contract)."""

    id: str
    title: str
    severity: Severity
    rationale: str
    remediation: str
    help_uri: str


@dataclass(frozen=True, slots=True)
class WorkflowFinding:
    """A problem in one CI file, with its position and a symbolic route into the document.

    ``line`` and ``column`` are 1-based. ``location`` is a dotted route such as
    ``jobs.deploy.steps[2].with.aws-access-key-id``. ``message`` never contains a secret.
    """

    check: str
    severity: Severity
    file: Path
    line: int
    column: int
    message: str
    remediation: str
    location: str

    def __post_init__(self) -> None:
        if self.line < 1 or self.column < 1:
            raise ValueError("line and column are 1-based")

    @property
    def sort_key(self) -> tuple[str, int, int, int, str]:
        """File order, then position, then worst first."""
        return (str(self.file), self.line, self.column, -self.severity.rank, self.check)


@dataclass(frozen=True, slots=True)
class WorkflowFile:
    """A CI file found on disk, and the repository it belongs to."""

    path: Path
    platform: Platform
    repository_root: Path


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What ``scan`` returns: the files it read and the findings, sorted."""

    files: tuple[WorkflowFile, ...]
    findings: tuple[WorkflowFinding, ...]


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
class JobRewrite:
    """One job that ``fix`` changed, and what its role's trust policy must accept."""

    job: str
    subjects: tuple[Subject, ...]
    pull_request: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileRewrite:
    """The new text of one file. ``before == after`` when nothing needed to change."""

    file: WorkflowFile
    before: str
    after: str
    jobs: tuple[JobRewrite, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the fix changed the file."""
        return self.before != self.after


@dataclass(frozen=True, slots=True)
class RoleSource:
    """Where the rewritten workflow takes the role ARN from.

    Exactly one of ``arn`` (a literal ARN) or ``reference`` (``vars.NAME``,
    ``secrets.NAME`` or a bare CI variable name) is set.
    """

    arn: str | None = None
    reference: str | None = None

    def __post_init__(self) -> None:
        if (self.arn is None) == (self.reference is None):
            raise ValueError("give exactly one of arn or reference")


@dataclass(frozen=True, slots=True)
class FixOptions:
    """What ``fix`` needs besides the files: the role, a region, the repository name."""

    role: RoleSource
    region: str | None = None
    repository: str | None = None


@dataclass(frozen=True, slots=True)
class FixResult:
    """What ``fix`` returns: one rewrite per file it read (changed or not)."""

    files: tuple[FileRewrite, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> tuple[FileRewrite, ...]:
        """Only the files whose text changed."""
        return tuple(rewrite for rewrite in self.files if rewrite.changed)
