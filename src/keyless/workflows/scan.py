"""``keyless workflows scan`` as a library call: discover, parse, analyse, collect."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from keyless.checks.registry import Check
from keyless.config import Config
from keyless.engine import CheckRun, ScannedFile, ScanResult, Unread, apply_ignores
from keyless.errors import InputError, quoted
from keyless.files import read_bytes
from keyless.findings import FileLocation, Finding
from keyless.workflows import (
    azure,
    azure_implicit,
    azure_templates,
    bitbucket,
    buildkite,
    circleci,
    github,
    github_action,
    github_action_routes,
    github_checks,
    gitlab,
    gitlab_includes,
    gitlab_jwt,
    gitlab_reach,
    groovytext,
    hardcoded,
    implicit,
    jenkins,
    jenkins_libraries,
    pwn_request,
)
from keyless.workflows.action_files import referenced_actions
from keyless.workflows.discovery import discover, unusable
from keyless.workflows.gitlab_keys import ScriptsBeside
from keyless.workflows.model import Coverage, Platform, WorkflowFile
from keyless.workflows.registry import APPLIES_TO, CHECKS, WORKFLOW_ONLY
from keyless.workflows.yamldoc import MAX_FILE_BYTES, Document, load, load_text


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """A CI file with its parsed document."""

    file: WorkflowFile
    document: Document


@dataclass(frozen=True, slots=True)
class Inputs:
    """The CI files read under the given paths, what could not be read (and why), and
    the roots inside which keyless may write."""

    files: tuple[LoadedFile, ...]
    unread: tuple[Unread, ...]
    roots: tuple[Path, ...]


def load_all(paths: Iterable[Path]) -> Inputs:
    """Discover and parse every CI file under ``paths``, with GitLab's local includes.

    A file that cannot be read (malformed YAML, too large, not a regular file, a link out
    of the given paths, a missing include) is recorded as unread and the others are read.
    When nothing at all can be read, the first problem is raised as an
    :class:`~keyless.errors.InputError` (exit 2): there is nothing to report on.
    """
    found = discover(paths)
    loaded: dict[Path, LoadedFile] = {}
    unread = list(found.unread)
    errors: list[InputError] = []
    queue = list(found.files)
    failed: set[Path] = set()  # each file's problem reported once (an action run twice)
    templates: dict[Path, set[Path]] = {}  # Azure templates followed, per repository
    while queue:
        file = queue.pop(0)
        key = file.path.resolve()
        if key in loaded or key in failed:
            continue
        try:
            document = load_file(file)
        except InputError as error:
            failed.add(key)
            errors.append(error)
            unread.append(Unread(error.where or str(file.path), error.message))
            continue
        loaded[key] = LoadedFile(file, document)
        if file.platform is Platform.BITBUCKET:
            unread.extend(
                Unread(
                    f"{file.path}: {route if route.isprintable() else quoted(route)} "
                    f"imports {quoted(value)}",
                    "a pipeline of another repository (import: REPOSITORY:BRANCH:PIPELINE): "
                    "its steps and variables are not in this file",
                )
                for route, value in bitbucket.imported_pipelines(document)
            )
        if file.platform is Platform.GITLAB:
            includes, missing = gitlab_includes.local_includes(document, file.repository_root)
            unread.extend(missing)
            queue.extend(
                WorkflowFile(path, Platform.GITLAB, file.repository_root) for path in includes
            )
        elif file.platform is Platform.GITHUB:
            # The local actions its steps run (`uses: ./path`), inside the repository.
            actions, absent = referenced_actions(document, file.repository_root)
            lost = list(absent)
            for action in actions:
                problem = unusable(action.path, (*found.roots, file.repository_root.resolve()))
                if problem is not None:
                    lost.append(Unread(str(action.path), problem))
                else:
                    queue.append(action)
            unread.extend(u for u in dict.fromkeys(lost) if u not in unread)
        elif file.platform is Platform.CIRCLECI:
            for path in circleci.continuations(document, file.repository_root):
                # Like GitLab's includes: inside the repository, even when only the
                # setup configuration itself was named.
                problem = unusable(path, (*found.roots, file.repository_root.resolve()))
                if problem is not None:
                    unread.append(Unread(str(path), problem))
                else:
                    queue.append(WorkflowFile(path, Platform.CIRCLECI, file.repository_root))
        elif file.platform is Platform.JENKINS:
            unread.extend(_jenkins_code(file, document, queue))
        elif file.platform is Platform.AZURE:
            lost = _azure_templates(file, document, found.roots, templates, queue)
            unread.extend(u for u in dict.fromkeys(lost) if u not in unread)
    if not loaded and unread:
        if len(unread) == 1 and errors:
            raise errors[0]
        raise InputError(
            "no CI file could be read: " + "; ".join(f"{u.where}: {u.reason}" for u in unread)
        )
    files = tuple(sorted(loaded.values(), key=lambda f: str(f.file.path)))
    return Inputs(files, tuple(unread), found.roots)


def _jenkins_code(
    file: WorkflowFile, document: Document, queue: list[WorkflowFile]
) -> list[Unread]:
    """Queue the repository's scripts a Jenkinsfile ``load``s by name, read as Jenkinsfiles
    when they lie inside its repository (the workspace ``load`` reads them from), through
    no link out of it; shared libraries, computed names and what cannot be read: unread."""
    repository = file.repository_root.resolve()
    unread, loaded = jenkins_libraries.used_code(
        groovytext.read(document.text), file.path, file.repository_root
    )
    for script in loaded:
        problem = unusable(script.path, (repository,))
        if problem is not None:
            unread.append(script.unread(problem))
        else:
            queue.append(WorkflowFile(script.path, Platform.JENKINS, file.repository_root))
    return unread


def _azure_templates(
    file: WorkflowFile,
    document: Document,
    roots: tuple[Path, ...],
    followed: dict[Path, set[Path]],
    queue: list[WorkflowFile],
) -> list[Unread]:
    """Queue the templates an Azure file includes (:mod:`.azure_templates`), at most
    :data:`~.azure_templates.MAX_TEMPLATES` per repository; what cannot be read, unread."""
    paths, lost = azure_templates.template_references(document, file.repository_root)
    unread = list(lost)
    for path in paths:
        problem = unusable(path, (*roots, file.repository_root.resolve()))
        if problem is not None:
            unread.append(Unread(str(path), problem))
            continue
        seen = followed.setdefault(file.repository_root, set())
        if path.resolve() in seen:
            continue  # queued already: a template many pipelines share counts once
        if len(seen) >= azure_templates.MAX_TEMPLATES:
            unread.append(
                Unread(
                    str(path),
                    f"more than {azure_templates.MAX_TEMPLATES:,} Azure templates in the "
                    "repository (Azure allows 100 per pipeline); keyless follows no more",
                )
            )
            continue
        seen.add(path.resolve())
        queue.append(WorkflowFile(path, Platform.AZURE, file.repository_root))
    return unread


def load_file(file: WorkflowFile) -> Document:
    """Read and parse one CI file. A platform read for literal keys only needs the text
    alone: when its YAML does not parse (several documents, a template language) it is
    read as plain text (no route, only lines), and so is a Buildkite file (a pipeline
    generated by a script may be a template), whose repository hooks are shell. A
    Jenkinsfile is no YAML at all: it is
    read as text, and refused (unread) when :func:`keyless.workflows.jenkins.readable`
    says keyless cannot follow it. The size limit, regular-file and UTF-8 rules hold for
    every file."""
    if (
        file.platform.is_yaml
        and file.platform.coverage is not Coverage.LITERAL_KEYS
        and file.platform is not Platform.BUILDKITE
    ):
        return load(file.path, gitlab_header=file.platform is Platform.GITLAB)
    data = read_bytes(file.path, "the file", limit=MAX_FILE_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"the file is not UTF-8 text (byte {error.start})", where=str(file.path)
        ) from None
    if file.platform is Platform.JENKINS:
        jenkins.readable(text, file.path)
    elif file.platform is Platform.BUILDKITE and buildkite.is_hook(file.path):
        pass  # a repository hook: shell, read as text
    elif file.platform.is_yaml:
        try:
            return load_text(text, file.path)
        except InputError:
            pass  # read as text below: literal keys need no tree
    return Document(path=file.path, text=text, root=None)


def scan_files(files: Iterable[LoadedFile]) -> Iterator[Finding]:
    """The findings of already loaded files: every platform's own checks where keyless
    has them, and the literal-key check on every file. A GitHub action's metadata file
    (``action.yml``) is judged by its steps (:mod:`.github_action`); a workflow's steps
    that run those actions, by what the actions do with their inputs."""
    files = list(files)
    actions = github_action.analyse_actions((i.file, i.document) for i in files)
    azure_groups = azure_implicit.linked_groups((i.file, i.document) for i in files)
    pipelines = _gitlab_pipelines(files)
    for item in files:
        platform = item.file.platform
        if platform is Platform.GITHUB and item.file.action:
            analysed = actions.get(item.file.path.resolve())
            if analysed is not None:
                yield from github_action.findings(analysed, item.file)
        elif platform is Platform.GITHUB:
            analysis = github_action_routes.with_local_actions(
                github.analyse(item.document), item.file, actions
            )
            yield from github_checks.findings(analysis, item.file)
            yield from pwn_request.findings(item.document, item.file)
        elif platform is Platform.GITLAB:
            beside, reach = pipelines[item.file.repository_root]
            explicit = gitlab.findings(gitlab.analyse(item.document, beside), item.file, reach)
            yield from explicit
            yield from implicit.gitlab_findings(item.document, item.file, _routes(explicit))
            yield from gitlab_jwt.findings(item.document, item.file)
        elif platform is Platform.CIRCLECI:
            explicit = circleci.findings(item.document, item.file)
            yield from explicit
            yield from implicit.circleci_findings(item.document, item.file, _routes(explicit))
        elif platform is Platform.BITBUCKET:
            explicit = bitbucket.findings(item.document, item.file)
            yield from explicit
            yield from implicit.bitbucket_findings(item.document, item.file, _routes(explicit))
        elif platform is Platform.BUILDKITE:
            yield from buildkite.findings(item.document, item.file)
        elif platform is Platform.JENKINS:
            yield from jenkins.findings(item.document, item.file)
        elif platform is Platform.AZURE:
            yield from azure.findings(item.document, item.file, azure_groups)
        yield from hardcoded.findings(item.document, item.file)


def _gitlab_pipelines(
    files: list[LoadedFile],
) -> dict[Path, tuple[ScriptsBeside, gitlab_reach.Reach]]:
    """Each repository's GitLab files as one pipeline (the root file and its includes):
    a job in one file extends templates and gets variables of another, and the scan
    judges each place keys are written by the jobs that get them, as ``fix`` does
    (:mod:`.gitlab_reach`)."""
    groups: dict[Path, list[LoadedFile]] = {}
    for item in files:
        if item.file.platform is Platform.GITLAB:
            groups.setdefault(item.file.repository_root, []).append(item)
    return {
        root: (
            ScriptsBeside(i.document.root for i in group),
            gitlab_reach.pipeline_reach((i.file, i.document) for i in group),
        )
        for root, group in groups.items()
    }


def _routes(findings: Iterable[Finding]) -> list[str]:
    return [f.location.route for f in findings if isinstance(f.location, FileLocation)]


def scan(
    paths: Iterable[Path],
    config: Config | None = None,
    *,
    checks: Collection[str] | None = None,
    now: datetime | None = None,
) -> ScanResult:
    """Scan repositories, directories of repositories or CI files for long-lived AWS keys.

    ``checks`` limits the report to those check IDs; the configuration's ignores apply as
    in every scan. A file that cannot be read is reported in ``unread`` (exit code 3) and
    the others are scanned; :class:`keyless.errors.InputError` is raised for a missing
    path, or when no file at all could be read.
    """
    inputs = load_all(paths)
    files = inputs.files
    selected = [c for c in CHECKS if checks is None or c.id in checks]
    found = [f for f in scan_files(files) if any(f.check == c.id for c in selected)]
    kept, suppressed = apply_ignores(found, (config or Config()).ignores)
    runs = tuple(_check_run(c, files, kept) for c in selected)
    return ScanResult(
        findings=tuple(sorted(kept, key=lambda f: f.sort_key)),
        now=now or datetime.now(UTC),
        command="workflows-scan",
        check_runs=runs,
        suppressed=suppressed,
        files=tuple(ScannedFile(f.file.path, f.file.platform.value, _coverage(f)) for f in files),
        unread=inputs.unread,
        ignores=(config or Config()).ignores,
    )


def _coverage(loaded: LoadedFile) -> str | None:
    """An action file is judged by its steps' key checks only and never rewritten; a
    Buildkite pipeline that is no YAML keyless can read, for literal keys only."""
    if loaded.file.action:
        return Coverage.KEY_USE.value
    if (
        loaded.file.platform is Platform.BUILDKITE
        and loaded.document.root is None
        and not buildkite.is_hook(loaded.file.path)
    ):
        return Coverage.LITERAL_KEYS.value
    return None


def _check_run(check: Check, files: Iterable[LoadedFile], kept: Iterable[Finding]) -> CheckRun:
    """What ``check`` did: the files of the platforms it reads (:data:`APPLIES_TO`), not
    every file scanned (nor, for a check of workflows' jobs and triggers, an action's
    metadata); not applicable when the scan holds none of them."""
    platforms = APPLIES_TO[check.id]
    evaluated = sum(
        item.file.platform in platforms and not (item.file.action and check.id in WORKFLOW_ONLY)
        for item in files
    )
    return CheckRun(
        check,
        evaluated=evaluated,
        findings=sum(f.check == check.id for f in kept),
        applicable=evaluated > 0,
    )
