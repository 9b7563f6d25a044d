"""Accepted findings: a team adopting keyless on an old repository fails only on new ones.

A baseline is a JSON document (``keyless/iac-baseline/v1``) listing the fingerprints of
accepted findings (:func:`keyless.iac.located.fingerprint`: check, file, resource address and
a hash of the offending value, not line numbers, so a finding survives edits around it).
A finding in the baseline is reported as suppressed, with the baseline named as the
reason: what a configuration suppresses is always counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keyless import __version__
from keyless.config import Ignore
from keyless.engine import ScanResult, Suppressed
from keyless.errors import InputError
from keyless.files import display_path, read_json, write_atomic
from keyless.findings import FileLocation, Finding

SCHEMA = "keyless/iac-baseline/v1"


@dataclass(frozen=True, slots=True)
class Baseline:
    """The fingerprints a team accepted, and the file they came from."""

    fingerprints: frozenset[str]
    path: Path

    def apply(
        self, findings: Iterable[Finding]
    ) -> tuple[tuple[Finding, ...], tuple[Suppressed, ...]]:
        """Split ``findings`` into new ones and those the baseline accepts."""
        kept: list[Finding] = []
        accepted: list[Suppressed] = []
        reason = f"{_ACCEPTED} {self.path}"
        for finding in findings:
            if finding_fingerprint(finding) in self.fingerprints:
                # index 0: no [[ignore]] of a configuration (those count from 1).
                ignore = Ignore(check=finding.check, reason=reason, resource=finding.resource)
                accepted.append(Suppressed(finding, ignore))
            else:
                kept.append(finding)
        return tuple(kept), tuple(accepted)


#: The start of the reason a baseline gives for the findings it accepts.
_ACCEPTED = "accepted in the baseline"


def is_baseline_acceptance(ignore: Ignore) -> bool:
    """True when ``ignore`` is a baseline's (:meth:`Baseline.apply`), not a rule of the
    configuration: those are numbered from 1, and their reason is the user's own words,
    which may start as a baseline's does ("accepted in the Q3 review")."""
    return ignore.index == 0 and ignore.reason.startswith(f"{_ACCEPTED} ")


def finding_fingerprint(finding: Finding) -> str | None:
    """The fingerprint a finding of ``keyless iac`` carries in its evidence."""
    value = finding.evidence.get("fingerprint")
    return value if isinstance(value, str) else None


def load_baseline(path: Path) -> Baseline:
    """Read a baseline. Raises :class:`InputError` for a file that is not one."""
    document = read_json(path, "the baseline")
    if not isinstance(document, Mapping) or document.get("schema") != SCHEMA:
        raise InputError(
            f'not a keyless baseline (expected "schema": "{SCHEMA}")',
            where=str(path),
            hint="Write one with `keyless iac PATH --write-baseline FILE`.",
        )
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise InputError("the baseline's findings must be a list", where=str(path))
    fingerprints = set()
    for index, entry in enumerate(entries):
        value = entry.get("fingerprint") if isinstance(entry, Mapping) else None
        if not isinstance(value, str) or not value:
            raise InputError(f"findings[{index}] has no fingerprint", where=str(path))
        fingerprints.add(value)
    return Baseline(frozenset(fingerprints), path)


def baseline_document(result: ScanResult) -> dict[str, Any]:
    """The baseline that accepts every finding of ``result`` (new or already accepted by
    a baseline; not those the configuration ignores)."""
    # A configuration's ignore whose reason read "accepted in …" put its findings in the
    # baseline too: removing the ignore later would not have brought them back.
    accepted = [s.finding for s in result.suppressed if is_baseline_acceptance(s.ignore)]
    findings = sorted((*result.findings, *accepted), key=lambda f: f.sort_key)
    entries = []
    seen: set[str] = set()
    for finding in findings:
        value = finding_fingerprint(finding)
        if value is None or value in seen:
            continue
        seen.add(value)
        location = finding.location
        assert isinstance(location, FileLocation)
        entries.append(
            {
                "fingerprint": value,
                "check": finding.check,
                "file": display_path(location.path),
                "address": finding.evidence.get("address"),
                "message": finding.message,
            }
        )
    return {"schema": SCHEMA, "keyless_version": __version__, "findings": entries}


def write_baseline(path: Path, result: ScanResult) -> None:
    """Write the baseline of ``result`` to ``path`` whole (never through a symlink)."""
    import orjson

    data = orjson.dumps(
        baseline_document(result), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    )
    write_atomic(path, data, "the baseline")
