"""``keyless workflows scan`` as a library call: discover, parse, analyse, collect."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from keyless.config import Config
from keyless.engine import CheckRun, ScannedFile, ScanResult, apply_ignores
from keyless.findings import Finding
from keyless.workflows import github, gitlab, hardcoded
from keyless.workflows.discovery import discover
from keyless.workflows.model import Platform, WorkflowFile
from keyless.workflows.registry import CHECKS
from keyless.workflows.yamldoc import Document, load


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """A CI file with its parsed document."""

    file: WorkflowFile
    document: Document


def load_all(paths: Iterable[Path]) -> tuple[LoadedFile, ...]:
    """Discover and parse every CI file under ``paths``, with GitLab's local includes."""
    loaded: dict[Path, LoadedFile] = {}
    queue = list(discover(paths))
    while queue:
        file = queue.pop(0)
        key = file.path.resolve()
        if key in loaded:
            continue
        document = load(file.path)
        loaded[key] = LoadedFile(file, document)
        if file.platform is Platform.GITLAB:
            queue.extend(
                WorkflowFile(path, Platform.GITLAB, file.repository_root)
                for path in gitlab.local_includes(document, file.repository_root)
            )
    return tuple(sorted(loaded.values(), key=lambda f: str(f.file.path)))


def scan_files(files: Iterable[LoadedFile]) -> Iterator[Finding]:
    """The findings of already loaded files."""
    for item in files:
        if item.file.platform is Platform.GITHUB:
            yield from github.findings(github.analyse(item.document), item.file)
        else:
            yield from gitlab.findings(gitlab.analyse(item.document), item.file)
        yield from hardcoded.findings(item.document, item.file)


def scan(
    paths: Iterable[Path],
    config: Config | None = None,
    *,
    checks: Collection[str] | None = None,
    now: datetime | None = None,
) -> ScanResult:
    """Scan repositories, directories of repositories or CI files for long-lived AWS keys.

    ``checks`` limits the report to those check IDs; the configuration's ignores apply as
    in every scan. Raises :class:`keyless.errors.InputError` for a missing path or
    malformed YAML.
    """
    files = load_all(paths)
    selected = [c for c in CHECKS if checks is None or c.id in checks]
    found = [f for f in scan_files(files) if any(f.check == c.id for c in selected)]
    kept, suppressed = apply_ignores(found, (config or Config()).ignores)
    runs = tuple(
        CheckRun(c, evaluated=len(files), findings=sum(f.check == c.id for f in kept))
        for c in selected
    )
    return ScanResult(
        findings=tuple(sorted(kept, key=lambda f: f.sort_key)),
        now=now or datetime.now(UTC),
        command="workflows-scan",
        check_runs=runs,
        suppressed=suppressed,
        files=tuple(ScannedFile(f.file.path, f.file.platform.value) for f in files),
    )
