"""Values the workflows package hands across its boundaries: CI files, rewrites and the OIDC
subjects a rewritten job will present. All frozen. Findings are :class:`keyless.findings.Finding`
with a file location, like every other command's."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from keyless.checks.registry import Check
from keyless.findings import FileLocation, Finding


class Platform(StrEnum):
    """Which CI system a file belongs to."""

    GITHUB = "github"
    GITLAB = "gitlab"


@dataclass(frozen=True, slots=True)
class WorkflowFile:
    """A CI file found on disk, and the repository it belongs to."""

    path: Path
    platform: Platform
    repository_root: Path


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
    """What ``fix`` returns: one rewrite per file it read (changed or not), and whether
    the changed files were written."""

    files: tuple[FileRewrite, ...]
    notes: tuple[str, ...] = field(default=())
    written: bool = False

    @property
    def changed(self) -> tuple[FileRewrite, ...]:
        """Only the files whose text changed."""
        return tuple(rewrite for rewrite in self.files if rewrite.changed)


def workflow_finding(
    check: Check, path: Path, line: int, column: int, message: str, route: str
) -> Finding:
    """A finding of ``check`` at 1-based ``line``/``column`` of ``path``; ``route`` is the
    dotted route into the document (``jobs.deploy.steps[2].with.aws-access-key-id``).
    ``message`` never contains a secret."""
    return Finding(
        check=check.id,
        severity=check.severity,
        location=FileLocation(path, line, column, route),
        message=message,
        remediation=check.remediation,
    )
