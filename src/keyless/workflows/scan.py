"""``keyless workflows scan`` as a library call: discover, parse, analyse, collect."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from keyless.workflows import github, gitlab, hardcoded
from keyless.workflows.discovery import discover
from keyless.workflows.model import Platform, ScanResult, WorkflowFile, WorkflowFinding
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


def scan_files(files: Iterable[LoadedFile]) -> Iterator[WorkflowFinding]:
    """The findings of already loaded files."""
    for item in files:
        if item.file.platform is Platform.GITHUB:
            yield from github.findings(github.analyse(item.document), item.file)
        else:
            yield from gitlab.findings(gitlab.analyse(item.document), item.file)
        yield from hardcoded.findings(item.document, item.file)


def scan(paths: Iterable[Path]) -> ScanResult:
    """Scan repositories, directories of repositories or CI files for long-lived AWS keys.

    Raises :class:`keyless.errors.InputError` for a missing path or malformed YAML.
    """
    files = load_all(paths)
    found = sorted(scan_files(files), key=lambda f: f.sort_key)
    return ScanResult(files=tuple(f.file for f in files), findings=tuple(found))
