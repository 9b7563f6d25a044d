"""``keyless workflows fix`` as a library call: plan edits per file, apply them to the
original text; :mod:`keyless.workflows.fix_output` shows the result as a diff or writes
the files back (only when asked).

One file's problem never stops the others: each file is planned on its own, and what
cannot be rewritten is reported with the reason (:class:`~keyless.workflows.model.Unfixed`).
Called workflows are planned before their callers, which need to know whether the keys
they pass are still wanted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from keyless.errors import InputError, quoted
from keyless.files import display_path
from keyless.workflows import (
    github,
    github_action,
    github_action_routes,
    github_fix,
    gitlab_fix,
    hardcoded,
)
from keyless.workflows.azure import AZURE_SERVICE_CONNECTION_AWS_KEYS
from keyless.workflows.azure_implicit import AZURE_IMPLICIT_AWS_KEYS
from keyless.workflows.discovery import is_inside
from keyless.workflows.edits import Plan
from keyless.workflows.fix_left import keys_left_unsaid, where
from keyless.workflows.github_callers import caller_inputs
from keyless.workflows.github_composite import composite_verdict
from keyless.workflows.github_fix import CalleeOutcome, GithubContext
from keyless.workflows.gitlab_pipeline import assemble
from keyless.workflows.gitlab_reach import is_complete
from keyless.workflows.model import (
    Coverage,
    FileRewrite,
    FixOptions,
    FixResult,
    Platform,
    Unfixed,
    platform_remedy,
)
from keyless.workflows.patch import apply_edits
from keyless.workflows.registry import STATIC_KEY_CHECKS
from keyless.workflows.scan import LoadedFile, load_all, scan_files
from keyless.workflows.subjects import (
    UNKNOWN_REPOSITORY,
    default_branch_from_git,
    repository_from_git,
)
from keyless.workflows.values import is_repository
from keyless.workflows.yamldoc import Document, load_text

_BUG = "nothing changed, because of a bug in keyless (please report it): "


def fix(paths: Iterable[Path], options: FixOptions) -> FixResult:
    """Rewrite every CI file under ``paths`` from static AWS keys to OIDC, in memory.

    Files without static keys come back unchanged; files and jobs that cannot be
    rewritten come back with the reasons in ``unfixed``; files that could not be read
    are in ``unread``. Raises :class:`keyless.errors.InputError` only for a missing path
    or when no file at all could be read.
    """
    inputs = load_all(paths)
    notes: list[str] = []
    roots = sorted({item.file.repository_root for item in inputs.files})
    repositories = {root: _repository(root, options, notes) for root in roots}
    names = {root: repository or UNKNOWN_REPOSITORY for root, repository in repositories.items()}
    branches = {root: default_branch_from_git(root) or "main" for root in roots}
    github_files = [i for i in inputs.files if i.file.platform is Platform.GITHUB]
    gitlab_files = [i for i in inputs.files if i.file.platform is Platform.GITLAB]
    rewrites = _fix_github(github_files, options, names, branches, inputs.roots)
    for root in sorted({i.file.repository_root for i in gitlab_files}):
        group = [i for i in gitlab_files if i.file.repository_root == root]
        rewrites += _fix_gitlab(group, options, names[root], branches[root], inputs.roots)
    rewrites += [
        _leave_alone(i) for i in inputs.files if i.file.platform.coverage is not Coverage.FULL
    ]
    notes += [
        f"{root}: no git remote 'origin' found; subjects use {UNKNOWN_REPOSITORY} "
        "(pass --repository ORG/REPO)"
        for root, repository in repositories.items()
        if repository is None and any(r.jobs for r in rewrites if r.file.repository_root == root)
    ]
    notes += _one_role_for_environments(rewrites, options)
    files = tuple(sorted(rewrites, key=lambda r: str(r.file.path)))
    return FixResult(files, tuple(notes), unread=inputs.unread)


def _one_role_for_environments(rewrites: list[FileRewrite], options: FixOptions) -> list[str]:
    """A note when jobs of several GitHub environments now assume the one role given: an
    environment's secrets can hold its own keys (``secrets.AWS_ACCESS_KEY_ID`` is then a
    different IAM user per environment), which one role would merge.
    https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments#environment-secrets
    """
    if options.role.arn is None:
        return []
    environments = sorted(
        {
            subject.value.rsplit(":environment:", 1)[1]
            for rewrite in rewrites
            for job in rewrite.jobs
            if job.role == options.role.arn and rewrite.file.platform is Platform.GITHUB
            for subject in job.subjects
            if ":environment:" in subject.value and not subject.value.endswith(":environment:*")
        }
    )
    if len(environments) < 2:
        return []
    return [
        f"jobs of the environments {', '.join(environments)} now all assume "
        f"{options.role.arn}: an environment's secrets may have held its own keys (another IAM "
        "user, perhaps of another account), which one role merges; to keep them apart, give "
        "each environment its own role and pass --role-arn-from vars.NAME, with NAME set in "
        "each environment"
    ]


def _fix_github(
    items: list[LoadedFile],
    options: FixOptions,
    names: dict[Path, str],
    branches: dict[Path, str],
    roots: tuple[Path, ...],
) -> list[FileRewrite]:
    callees: dict[Path, dict[str, CalleeOutcome]] = {}
    rewrites: list[FileRewrite] = []
    actions = github_action.analyse_actions((i.file, i.document) for i in items)
    callers = {
        root: caller_inputs(
            (_relative(i.file.path, root), i.document.root)
            for i in items
            if i.file.repository_root == root and not i.file.action
        )
        for root in {i.file.repository_root for i in items}
    }
    # Called workflows first: their callers need to know whether they were rewritten.
    for item in sorted(items, key=lambda i: (not _is_callee(i), str(i.file.path))):
        root = item.file.repository_root
        if item.file.action:
            rewrites.append(_leave_action(item, actions.get(item.file.path.resolve())))
            continue
        analysis = github_action_routes.with_local_actions(
            github.analyse(item.document), item.file, actions
        )
        composites = {
            o.action: composite_verdict(root, o.action, o.keys)
            for o in analysis.other_actions
            if o.action.startswith("./")
        }
        context = GithubContext(
            names[root], branches[root], callees.get(root, {}), composites, root,
            callers[root].get(_relative(item.file.path, root), ()),
        )  # fmt: skip
        try:
            plan, outcome = github_fix.plan(analysis, options, context)
        except InputError as error:
            plan, outcome = Plan(unfixed=[Unfixed(None, error.message)]), CalleeOutcome(False, {})
        after, problem = _apply(item, plan, roots)
        if problem is not None:
            plan = Plan(unfixed=[*plan.unfixed, Unfixed(None, problem)])
            outcome = replace(outcome, rewritten=False)
        callees.setdefault(root, {})[_relative(item.file.path, root)] = outcome
        rewrites.append(_rewrite(item, after, plan))
    return rewrites


def _leave_alone(item: LoadedFile) -> FileRewrite:
    """A file of a platform ``fix`` does not rewrite: unchanged, with a note saying so,
    and each job the scan finds using long-lived keys left for a person (exit code 1)
    with the platform's own OIDC recipe."""
    platform = item.file.platform
    if platform.coverage is Coverage.LITERAL_KEYS:
        note = (
            f"{platform.display_name}: read for literal keys only; keyless does not rewrite "
            "this platform's pipelines"
        )
    else:
        note = f"{platform.display_name}: keyless does not rewrite this platform's pipelines"
    found = list(scan_files([item]))
    unfixed = tuple(
        Unfixed(None, f"{where(finding)}{finding.message}; by hand: {platform_remedy(platform)}")
        for finding in found
        if finding.check in STATIC_KEY_CHECKS
    )
    # An Azure service connection (or variable group) may hold keys: the file cannot tell.
    maybe = tuple(
        f"{where(finding)}{finding.message}; if it holds a key: {platform_remedy(platform)}"
        for finding in found
        if finding.check in (AZURE_SERVICE_CONNECTION_AWS_KEYS.id, AZURE_IMPLICIT_AWS_KEYS.id)
    )
    text = item.document.text
    return FileRewrite(item.file, text, text, notes=(note, *maybe), unfixed=unfixed)


def _leave_action(
    item: LoadedFile, analysed: github_action_routes.ActionAnalysis | None
) -> FileRewrite:
    """A GitHub action's metadata file: never edited, since every workflow that runs it
    shares it. Each place its steps use long-lived keys is left for a person."""
    found = [
        *(github_action.findings(analysed, item.file) if analysed is not None else ()),
        *(f for f in hardcoded.findings(item.document, item.file) if f.check in STATIC_KEY_CHECKS),
    ]
    # Each finding's own remedy: the action's (keyless does not edit actions: by hand…),
    # a literal key's (deactivate it now).
    unfixed = tuple(
        Unfixed(None, f"{where(finding)}{finding.message}; {finding.remediation}")
        for finding in found
    )
    text = item.document.text
    return FileRewrite(item.file, text, text, unfixed=unfixed)


def _relative(path: Path, root: Path) -> str:
    """``.github/workflows/x.yml``: how callers name a local workflow (``uses: ./…``)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _fix_gitlab(
    items: list[LoadedFile],
    options: FixOptions,
    project: str,
    branch: str,
    roots: tuple[Path, ...],
) -> list[FileRewrite]:
    """One repository's GitLab files are one pipeline, rewritten together or not at all
    (a job's edits and those of the template it uses may be in different files)."""
    pipeline = assemble((i.file, i.document) for i in items)
    complete = is_complete((i.file, i.document) for i in items)
    try:
        plans = gitlab_fix.plan(pipeline, options, project, branch, complete=complete)
    except InputError as error:
        plans = {i.file.path: Plan(unfixed=[Unfixed(None, error.message)]) for i in items[:1]}
    read: dict[Path, Document] = {i.file.path: i.document for i in items}
    results = {i.file.path: _apply(i, plans.get(i.file.path, Plan()), roots, read) for i in items}
    failed = {path: problem for path, (_, problem) in results.items() if problem is not None}
    rewrites = []
    for item in items:
        plan = plans.get(item.file.path, Plan())
        after = results[item.file.path][0]
        if failed:
            problem = failed.get(item.file.path)
            if problem is None and plan.edits:
                other = ", ".join(display_path(p) for p in failed)
                problem = f"left as it is because {other} cannot be rewritten (one pipeline)"
            after = item.document.text
            plan = Plan(
                notes=plan.notes,
                unfixed=plan.unfixed + ([Unfixed(None, problem)] if problem else []),
            )
        rewrites.append(_rewrite(item, after, plan))
    return keys_left_unsaid(rewrites, read)


def _apply(
    item: LoadedFile, plan: Plan, roots: tuple[Path, ...], read: dict[Path, Document] | None = None
) -> tuple[str, str | None]:
    """The file's new text, or its old text and why the new one cannot be used. ``read``
    gets the new text's document, read to prove it parses (the caller reads it again)."""
    before = item.document.text
    if not plan.edits:
        return before, None
    try:
        after = apply_edits(before, plan.edits)
    except ValueError:  # overlapping edits: a bug in keyless, never a reason to stop
        return before, _BUG + "its edits of this file overlap"
    if after == before:
        return before, None
    problem = _where_not_writable(item, roots) or _unreadable_result(item, after, read)
    return (before, problem) if problem is not None else (after, None)


def _rewrite(item: LoadedFile, after: str, plan: Plan) -> FileRewrite:
    jobs = tuple(plan.jobs) if after != item.document.text else ()
    return FileRewrite(
        item.file, item.document.text, after, jobs, tuple(plan.notes), tuple(plan.unfixed)
    )


def _repository(root: Path, options: FixOptions, notes: list[str]) -> str | None:
    if options.repository is not None:
        return options.repository
    found = repository_from_git(root)
    if found is not None and not is_repository(found):
        notes.append(f"{root}: the git remote's path {quoted(found)} is not ORG/REPO; ignored")
        return None
    return found


def _is_callee(item: LoadedFile) -> bool:
    return item.file.platform is Platform.GITHUB and github.is_called_workflow(item.document.root)


def _where_not_writable(item: LoadedFile, roots: Iterable[Path]) -> str | None:
    """Why keyless must not write this file, or None: it never writes through a symbolic
    link nor outside the paths it was given."""
    path = item.file.path
    linked = [
        p for p in (path, *path.parents) if p.is_symlink() and _below(p, item.file.repository_root)
    ]
    if linked:
        return (
            f"it is reached through a symbolic link (to {path.resolve()}); keyless never "
            "writes through links: run fix on the file itself"
        )
    if not is_inside(path, roots):
        return "it lies outside the paths given (an include); name its repository to rewrite it"
    return None


def _below(path: Path, root: Path) -> bool:
    return path != root and path.is_relative_to(root)


def _unreadable_result(
    item: LoadedFile, after: str, read: dict[Path, Document] | None = None
) -> str | None:
    """A rewrite that does not parse is never handed out (a bug in keyless, caught).
    ``read``: where the document read is kept, by path."""
    if after == item.document.text:
        return None
    try:
        document = load_text(
            after, item.file.path, gitlab_header=item.file.platform is Platform.GITLAB
        )
    except InputError as error:
        return _BUG + f"the rewrite would not be valid YAML ({error.message})"
    if read is not None:
        read[item.file.path] = document
    return None
