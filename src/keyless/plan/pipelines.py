"""The OIDC subjects of the CI jobs that use AWS keys, from ``--workflows PATH``.

The same analysis as ``keyless workflows fix``: :func:`keyless.workflows.fix` runs in
memory (nothing is written) with a placeholder role, and only what it reports per
rewritten job is kept — the exact ``sub`` values of that job and the operator each needs.
A job is one that fix would move from keys to OIDC, so a role built from these subjects
trusts exactly the jobs that used the keys. The repository comes from the checkout's
``remote.origin.url``, or from ``--workflows ORG/REPO=PATH``.

Pipelines of the platforms ``fix`` does not rewrite (CircleCI, Bitbucket Pipelines, Jenkins
and the platforms read for literal keys) have no ``sub`` keyless can compute: CircleCI's
carries the organization and project IDs, Bitbucket's the repository and step UUIDs,
Jenkins' (its OpenID Connect Provider plugin, https://plugins.jenkins.io/oidc-provider/)
the job's URL on an issuer only the Jenkins instance knows, none of them in the files.
So each such file that uses keys becomes a note — never silence — saying how its role is
planned (CircleCI and Bitbucket: a ``circleci:`` / ``bitbucket:`` link naming the project,
:mod:`.tenants`) or that a person must set up the platform's OIDC, and where it is
documented.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from keyless.errors import InputError, quoted, quoted_list
from keyless.findings import FileLocation
from keyless.plan.links import is_repository, is_url, shown_target
from keyless.plan.model import Subject
from keyless.plan.tenants import BITBUCKET_SYNTAX, CIRCLECI_SYNTAX
from keyless.workflows import FixOptions, RoleSource, fix, scan
from keyless.workflows.azure import AZURE_SERVICE_CONNECTION_AWS_KEYS
from keyless.workflows.azure_implicit import AZURE_IMPLICIT_AWS_KEYS
from keyless.workflows.implicit import IMPLICIT_CHECKS
from keyless.workflows.model import Coverage, FileRewrite, Platform, platform_remedy
from keyless.workflows.subjects import UNKNOWN_REPOSITORY, repository_from_git

# Only the subjects are read: the rewritten text, and so the role and region it names,
# is discarded.
_PLACEHOLDER_ROLE = "arn:aws:iam::000000000000:role/keyless-plan"
_PLACEHOLDER_REGION = "us-east-1"
#: The low-confidence checks whose leads the plan notes.
_PROBABLE_CHECKS = IMPLICIT_CHECKS | {
    AZURE_SERVICE_CONNECTION_AWS_KEYS.id,
    AZURE_IMPLICIT_AWS_KEYS.id,
}
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+")


@dataclass(frozen=True, slots=True)
class WorkflowSource:
    """A ``--workflows`` argument: a path, and the repository when given as ``ORG/REPO=PATH``."""

    path: Path
    repository: str | None = None


@dataclass(frozen=True, slots=True)
class KeyJob:
    """One CI job that receives AWS keys, and the ``sub`` values its token carries."""

    file: str
    job: str
    subjects: tuple[Subject, ...]
    pull_request: bool


@dataclass(frozen=True, slots=True)
class RepositoryJobs:
    """The jobs of one repository that use AWS keys."""

    repository: str
    platform: str
    jobs: tuple[KeyJob, ...]

    @property
    def subjects(self) -> tuple[Subject, ...]:
        """Every job's subjects, each once, in order."""
        return tuple(dict.fromkeys(s for job in self.jobs for s in job.subjects))


def parse_workflow_option(text: str) -> WorkflowSource:
    """``PATH`` or ``ORG/REPO=PATH``. A URL (``https://user:token@github.com/…``) is
    refused before anything echoes it: its token is shown as ``…``."""
    repository, sep, path = text.partition("=")
    if not (sep and _REPOSITORY.fullmatch(repository)):
        repository, path = "", text
    elif not (is_repository("github", repository) or is_repository("gitlab", repository)):
        # As --link refuses it (`../..`, `acme/app.git`); fix refused it later as a
        # "--repository" this command has not.
        raise InputError(
            f"--workflows: {shown_target(repository)} is not ORG/REPO (GitLab: GROUP/PROJECT)",
            hint="Name the repository as its tokens do: acme/app, without .git.",
        )
    if not path:
        # Path("") is the working directory: an unset variable in a script
        # (`--workflows acme/app=$CHECKOUT`) read whatever lies there as acme/app's.
        raise InputError(
            f"--workflows takes [ORG/REPO=]PATH, and the path of {shown_target(text)} is empty",
            hint="Name the checkout's folder (`.` for the working directory).",
        )
    if is_url(path) and not os.path.lexists(path):
        raise InputError(
            f"--workflows takes [ORG/REPO=]PATH, a checkout on disk, not the URL "
            f"{shown_target(path)}",
            hint="Clone the repository and give its folder (ORG/REPO=PATH names it).",
        )
    return WorkflowSource(Path(path), repository or None)


def read_workflows(
    sources: Iterable[WorkflowSource],
) -> tuple[Mapping[str, RepositoryJobs], tuple[str, ...]]:
    """The key-using jobs of every repository under ``sources``, by repository name, and
    notes (a checkout whose repository is unknown)."""
    found: dict[str, RepositoryJobs] = {}
    notes: list[str] = []
    for source in sources:
        try:
            source.path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise InputError("no such file or directory", where=str(source.path)) from None
        except OSError as error:  # a name too long, a directory the user cannot enter
            raise InputError(f"cannot be read ({error.strerror})", where=str(source.path)) from None
        options = FixOptions(
            RoleSource(arn=_PLACEHOLDER_ROLE),
            region=_PLACEHOLDER_REGION,
            repository=source.repository,
        )
        result = fix([source.path], options)
        noted = {r.file.path for r in result.files if r.unfixed}
        for rewrite in result.files:
            if rewrite.file.platform.coverage is not Coverage.FULL:
                notes += _by_hand(rewrite, source.repository)
            else:
                notes += _left_by_fix(rewrite, source.repository)
            if not rewrite.jobs:
                continue
            root = rewrite.file.repository_root
            repository = source.repository or _remote_repository(root)
            if repository is None:
                remote = repository_from_git(root)
                notes.append(
                    f"{root}: no git remote 'origin'; its jobs are left out "
                    "(give --workflows ORG/REPO=PATH)"
                    if remote is None
                    else f"{root}: the git remote's path {shown_target(remote)} is not ORG/REPO;"
                    " its jobs are left out (give --workflows ORG/REPO=PATH)"
                )
                continue
            jobs = tuple(
                KeyJob(
                    str(rewrite.file.path),
                    job.job,
                    # What fix recommends, as keyless trust accepts it: one tool, one
                    # verdict (a branch family or a pull request is withheld, with why).
                    tuple(Subject(s.value, s.operator.value, s.reason) for s in job.recommended),
                    job.pull_request,
                )
                for job in rewrite.jobs
                if not any(UNKNOWN_REPOSITORY in s.value for s in job.subjects)
            )
            notes += [
                f"{rewrite.file.path}: job {job.job}: {w.subject.value} not trusted: {w.reason}"
                for job in rewrite.jobs
                for w in job.withheld
            ]
            known = found.get(repository)
            found[repository] = RepositoryJobs(
                repository,
                rewrite.file.platform.value,
                (known.jobs if known else ()) + jobs,
            )
        if any(r.file.platform.coverage is Coverage.KEY_USE for r in result.files):
            notes += _probable(source, noted)
    return MappingProxyType(dict(sorted(found.items()))), tuple(dict.fromkeys(notes))


def _remote_repository(root: Path) -> str | None:
    """The repository ``.git/config``'s ``origin`` names, when it is one as ``--workflows
    ORG/REPO=`` takes it. The file is the checkout's, as hostile as its workflows: a path
    such as ``acme/de"ploy ${{ x }}`` reached the plan's notes and reasons as a name."""
    found = repository_from_git(root)
    if found is None or not (is_repository("github", found) or is_repository("gitlab", found)):
        return None
    return found


def _by_hand(rewrite: FileRewrite, repository: str | None) -> list[str]:
    """One note for a file of a platform ``fix`` leaves alone whose jobs use long-lived
    keys: where, how many items ``keyless workflows fix`` lists for it (one per use of
    keys it finds: the count a user can check), and that a person must set up that
    platform's OIDC."""
    if not rewrite.unfixed:
        return []
    platform = rewrite.file.platform
    name = repository or _remote_repository(rewrite.file.repository_root)
    first = rewrite.unfixed[0].reason.split(": ")[0]
    return [
        f"{rewrite.file.path}{f' ({name})' if name else ''}: CI on {platform.display_name} "
        f"uses long-lived AWS keys ({_items(len(rewrite.unfixed))} keyless workflows fix "
        f"lists, first at {first}); {_how(platform)} — {platform_remedy(platform)}"
    ]


def _left_by_fix(rewrite: FileRewrite, repository: str | None) -> list[str]:
    """One note for a GitHub or GitLab file in which ``fix`` left something (a job whose
    hook uses AWS, keys a ``parallel:matrix`` chooses, an action's own steps, a template
    no job uses, ``workflow:rules`` variables…): counted as ``keyless workflows fix``
    counts them (items: its "N item(s) left for you"), with the jobs they leave without
    subjects named, since a role built from the plan does not replace those jobs' keys."""
    if not rewrite.unfixed:
        return []
    name = repository or _remote_repository(rewrite.file.repository_root)
    jobs = list(dict.fromkeys(u.job for u in rewrite.unfixed if u.job is not None))
    elsewhere = sum(1 for u in rewrite.unfixed if u.job is None)
    left = []
    if jobs:
        in_jobs = len(rewrite.unfixed) - elsewhere
        left.append(
            f"{in_jobs} in {len(jobs)} job{'s' if len(jobs) > 1 else ''} ({quoted_list(jobs)})"
        )
    if elsewhere:
        left.append(f"{elsewhere} outside any job")
    first = quoted(rewrite.unfixed[0].reason, 200)
    without = "the plan gives those jobs no subjects, so a" if jobs else "a"
    return [
        f"{rewrite.file.path}{f' ({name})' if name else ''}: keyless workflows fix leaves "
        f"{_items(len(rewrite.unfixed))} for a person ({' and '.join(left)}; first: {first});"
        f" {without} role built from the plan may not replace every key of the repository:"
        " rewrite them by hand (keyless workflows fix lists each reason) and plan again"
    ]


def _items(count: int) -> str:
    return f"{count} item{'s' if count > 1 else ''}"


def _how(platform: Platform) -> str:
    """How the role of a pipeline of ``platform`` gets into a plan."""
    syntax = {Platform.CIRCLECI: CIRCLECI_SYNTAX, Platform.BITBUCKET: BITBUCKET_SYNTAX}
    if platform in syntax:
        return (
            "keyless plan builds its role once the user whose keys it holds is linked to "
            f"the project: --link USER={syntax[platform]} (the IDs are in "
            f"{platform.display_name}'s settings, not in the file)"
        )
    return "keyless plan cannot build its role: a person must set up OIDC"


def _probable(source: WorkflowSource, noted: set[Path]) -> list[str]:
    """One note per CircleCI / Bitbucket / Azure file with no explicit key use but a job
    that probably takes keys from the platform's settings (the low-confidence checks; an
    Azure service connection that may hold a key), so the plan does not stay silent about
    it either."""
    result = scan([source.path], checks=_PROBABLE_CHECKS)
    kinds = {file.path: file.kind for file in result.files}
    out: list[str] = []
    for finding in result.findings:
        location = finding.location
        if not isinstance(location, FileLocation) or location.path in noted:
            continue
        noted.add(location.path)
        platform = Platform(kinds[location.path])
        out.append(
            f"{location.path} (line {location.line}): CI on {platform.display_name}: "
            f"{finding.message}; if so, {_how(platform)} — {platform_remedy(platform)}"
        )
    return out
