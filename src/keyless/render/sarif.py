"""SARIF 2.1.0 for every scan: one rule per check (from the checks' own metadata), one
result per finding (suppressed ones included, marked as such).

A finding about a file carries its physical location (path relative to the working
directory, line, column) and its route into the document as a logical location; a finding
about an AWS resource carries the ARN as a logical location (SARIF §3.33) and, because GitHub
code scanning refuses a whole upload in which one result has no artifact URI
("locationFromSarifResult: expected artifact location") and shows only results located in a
file, a repository-relative stand-in path ``aws/ACCOUNT/SERVICE/RESOURCE`` (percent-encoded,
no dot segments), with a fingerprint from the check, account and subject that
``keyless diff`` compares, so an alert stays one alert from run to run. The output
follows https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html and the parts
GitHub code scanning reads (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning),
including ``security-severity`` so alerts get a severity there.

Nothing is hidden: a finding a ``keyless.toml`` ignore suppressed is still a result, with
``suppressions`` saying so (kind ``external``, status ``accepted``, the reason as
justification, the configuration file as location; SARIF §3.27.23 and §3.35), and once a
run has suppressions every other result carries an empty list (not suppressed).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from keyless import __version__
from keyless.config import Ignore
from keyless.engine import ScanResult
from keyless.files import relative_path
from keyless.findings import FileLocation, Finding, Severity
from keyless.model import AccountStatus
from keyless.render import RenderOptions
from keyless.render.ignores import unused_ignore_line
from keyless.render.jsonout import Streamed, dump_chunks, dumps
from keyless.render.sarif_limits import warn_about, watched
from keyless.render.untrusted import visible
from keyless.store.record import finding_subject

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
#: The driver's ``informationUri`` for every keyless command: the project's home.
INFORMATION_URI = "https://github.com/keyless-dev/keyless"

# SARIF has three result levels; GitHub maps `security-severity` (0-10) to its own
# critical/high/medium/low, so both are given.
_LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


@dataclass(frozen=True, slots=True)
class SarifRule:
    """A rule (check) as SARIF describes it."""

    id: str
    title: str
    severity: Severity
    description: str
    help: str
    help_uri: str | None = None


@dataclass(frozen=True, slots=True)
class SarifSuppression:
    """Why a result is suppressed (SARIF §3.35): an ignore rule kept outside the scanned
    code (``external``), accepted by whoever wrote it, with their ``justification``; the
    configuration file (``uri``) and the rule's properties say where to find it."""

    justification: str
    uri: str | None = None
    properties: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SarifResult:
    """One result: a rule, a message and (optionally) a position in a file.

    ``uri`` is relative to the scanned root where possible; ``line``/``column`` are 1-based.
    ``suppressions`` is ``None`` when suppression is not known, ``()`` for a result that
    no rule suppressed, and the rules otherwise (SARIF §3.27.23). ``fingerprint`` is what
    stays the same for the same problem from run to run, where the location cannot say it.
    """

    rule_id: str
    severity: Severity
    message: str
    uri: str | None = None
    line: int | None = None
    column: int | None = None
    logical_location: str | None = None
    suppressions: tuple[SarifSuppression, ...] | None = None
    fingerprint: str | None = None


#: The key of :attr:`SarifResult.fingerprint` in ``partialFingerprints`` (SARIF §3.27.17).
FINGERPRINT_KEY = "keylessFinding/v1"


def level(severity: Severity) -> str:
    """The SARIF ``level`` of a keyless severity."""
    return _LEVELS[severity]


#: What a SARIF viewer reads as an embedded link in a plain text message, ``[text](target)``
#: (SARIF 2.1.0 §3.11.6): a name from the estate such as ``[docs](https://evil.example)``
#: would be shown as a link.
_EMBEDDED_LINK = re.compile(r"\[[^\]]*\]\(")


def message(text: str) -> dict[str, str]:
    """A plain text message object for ``text``, which may hold names from the estate. A
    text that a viewer could read as holding an embedded link has its square brackets and
    backslashes escaped with a backslash (§3.11.6: a producer should, where a literal
    could be parsed as a link), so it is shown as the text it is, never as a link. A
    control, format or bidirectional-override character is written as a visible escape
    (``\u202e``: a viewer would reorder or hide text around it); line breaks stay."""
    text = visible(text)
    if "](" in text and _EMBEDDED_LINK.search(text):
        text = re.sub(r"([\\\[\]])", r"\\\1", text)
    return {"text": text}


def _rule(rule: SarifRule) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "help": {"text": rule.help, "markdown": rule.help},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "problem.severity": level(rule.severity),
            "tags": ["security"],
        },
    }
    if rule.help_uri:
        out["helpUri"] = rule.help_uri
    return out


def _result(result: SarifResult, rule_index: Mapping[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": result.rule_id,
        "level": level(result.severity),
        "message": message(result.message),
    }
    if result.rule_id in rule_index:
        out["ruleIndex"] = rule_index[result.rule_id]
    location: dict[str, Any] = {}
    if result.uri is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": result.uri}}
        if result.line is not None:
            region: dict[str, Any] = {"startLine": result.line}
            if result.column is not None:
                region["startColumn"] = result.column
            physical["region"] = region
        location["physicalLocation"] = physical
    if result.logical_location:
        location["logicalLocations"] = [{"fullyQualifiedName": result.logical_location}]
    if location:
        out["locations"] = [location]
    if result.fingerprint is not None:
        out["partialFingerprints"] = {FINGERPRINT_KEY: result.fingerprint}
    if result.suppressions is not None:
        out["suppressions"] = [_suppression(s) for s in result.suppressions]
    return out


def _suppression(suppression: SarifSuppression) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "external",
        "status": "accepted",
        "justification": suppression.justification,
    }
    if suppression.uri is not None:
        out["location"] = {"physicalLocation": {"artifactLocation": {"uri": suppression.uri}}}
    if suppression.properties:
        out["properties"] = dict(suppression.properties)
    return out


def build_log(
    *,
    tool_name: str,
    tool_version: str,
    information_uri: str,
    rules: Iterable[SarifRule],
    results: Iterable[SarifResult],
    stream: bool = False,
) -> dict[str, Any]:
    """A complete SARIF log with one run: the tool, its rules and the results (with
    ``stream``, results to be read as the log is written: see
    :func:`keyless.render.jsonout.dump_chunks`)."""
    rule_list = list(rules)
    rule_index = {rule.id: index for index, rule in enumerate(rule_list)}
    converted = (_result(result, rule_index) for result in results)
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": tool_name,
                        "version": tool_version,
                        "informationUri": information_uri,
                        "rules": [_rule(rule) for rule in rule_list],
                    }
                },
                "results": Streamed(converted) if stream else list(converted),
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def scan_sarif(result: ScanResult, *, stream: bool = False) -> dict[str, Any]:
    """The SARIF log of any scan result (with ``stream``, its results are read from the
    result's findings as the log is written: see :func:`sarif_chunks`)."""
    rules = [
        SarifRule(
            id=run.check.id,
            title=run.check.title,
            severity=run.check.severity,
            description=run.check.rationale,
            help=run.check.remediation,
            help_uri=run.check.docs_url,
        )
        for run in result.check_runs
    ]
    # Suppressed findings are results too, marked as such: a SARIF viewer (GitHub code
    # scanning among them) shows them as dismissed instead of never knowing they existed.
    # Once a run knows suppressions, every other result says it has none.
    known = () if result.suppressed else None
    results = chain(
        (_finding_result(finding, known) for finding in result.findings),
        (
            _finding_result(entry.finding, (_ignore_suppression(entry.ignore),))
            for entry in result.suppressed
        ),
    )
    log = build_log(
        tool_name="keyless",
        tool_version=__version__,
        information_uri=INFORMATION_URI,
        rules=rules,
        results=results,
        stream=stream,
    )
    notifications = _not_read(result)
    # An estate's notes (what the collectors left out on purpose) and the CI files read
    # for literal keys only are no failure; a file scan's other notes are its own
    # renderers' to show.
    notes = [
        {"level": "note", "message": message(note)}
        for note in (result.notes if result.inventory is not None else ())
    ] + _read_in_part(result)
    notes += [
        {"level": "note", "message": message(unused_ignore_line(ignore))}
        for ignore in result.unused_ignores
    ]
    if notifications or notes:
        log["runs"][0]["invocations"] = [
            {
                "executionSuccessful": not notifications,
                "toolExecutionNotifications": [*notifications, *notes],
            }
        ]
    return log


def _read_in_part(result: ScanResult) -> list[dict[str, Any]]:
    """CI files a workflows scan read for literal keys only, as notes: read, but not
    analysed, so their silence is no verdict."""
    if result.command != "workflows-scan":
        return []
    from keyless.render.workflows import literal_only

    return [{"level": "note", "message": message(line)} for line in literal_only(result)]


def _not_read(result: ScanResult) -> list[dict[str, Any]]:
    """What could not be read or evaluated, as the run's notifications: a partial scan is
    never shown as clean (SARIF 2.1.0 §3.20.21 toolExecutionNotifications)."""
    notes = [f"{u.where}: not read: {u.reason}" for u in result.unread]
    if result.inventory is not None:
        for account in result.estate.accounts:
            if account.status is not AccountStatus.SCANNED:
                why = f": {account.error}" if account.error else ""
                notes.append(f"account {account.label} {account.status.value}{why}")
            notes += [f"{account.label}: {call.describe()}" for call in account.failed_calls]
    for run in result.short_runs:
        for gap in run.not_evaluated:
            notes.append(f"{run.check.id} not evaluated in account {gap.account}: {gap.reason}")
    return [{"level": "error", "message": message(note)} for note in notes]


def _ignore_suppression(ignore: Ignore) -> SarifSuppression:
    return SarifSuppression(
        justification=ignore.reason,
        uri=artifact_uri(Path(ignore.source)) if ignore.source else None,
        properties={
            "rule": ignore.index,
            "check": ignore.check,
            "resource": ignore.resource,
            "account": ignore.account,
        },
    )


def _finding_result(
    finding: Finding, suppressions: tuple[SarifSuppression, ...] | None
) -> SarifResult:
    location = finding.location
    if isinstance(location, FileLocation):
        return SarifResult(
            rule_id=finding.check,
            severity=finding.severity,
            message=finding.message,
            uri=artifact_uri(location.path),
            line=location.line,
            column=location.column,
            logical_location=location.route or None,
            suppressions=suppressions,
        )
    subject = finding_subject(location.arn, finding.evidence)
    identity = "\0".join((finding.check, location.account, subject))
    return SarifResult(
        rule_id=finding.check,
        severity=finding.severity,
        message=f"{finding.message} [{location.account}]",
        uri=resource_uri(location.arn, location.account),
        logical_location=location.arn,
        suppressions=suppressions,
        fingerprint=hashlib.sha256(identity.encode()).hexdigest(),
    )


# RFC 3986 path characters IAM names use (`+=,.@_-`); anything else is percent-encoded.
_URI_SAFE = "/-._~+=,@"
_DOTS = re.compile(r"(?<![^/])\.+(?![^/])")  # a segment of dots only


def artifact_uri(path: Path) -> str:
    """A file as a SARIF artifact URI (RFC 3986): relative to the working directory when
    inside it (percent-encoded, so a name with a space, ``#``, ``?`` or ``:`` stays one
    path), else an absolute ``file:`` URI (never a relative path with ``..`` segments, which
    GitHub code scanning cannot place)."""
    shown = relative_path(path).as_posix()
    if PurePosixPath(shown).is_absolute() or ".." in PurePosixPath(shown).parts:
        return path.resolve().as_uri()
    # The name's bytes, so a name that is not UTF-8 is encoded as it is on disk (%FF).
    return quote(os.fsencode(shown), safe=_URI_SAFE)


def resource_uri(arn: str, account: str) -> str:
    """The repository-relative stand-in path of an AWS resource for a SARIF location:
    ``aws/ACCOUNT/SERVICE/RESOURCE`` from its ARN (``aws/ACCOUNT`` when it is no ARN),
    every character outside IAM's names percent-encoded and every segment of dots
    (``..``, a valid role name) written as ``%2E``s, so no reader resolves it elsewhere."""
    parts = arn.split(":", 5)
    path = f"aws/{account or 'organization'}"
    if len(parts) == 6 and parts[0] == "arn":
        service, resource = parts[2], parts[5].replace(":", "/")
        path += f"/{service}/{resource}".rstrip("/")
    encoded = quote(path, safe=_URI_SAFE)
    return _DOTS.sub(lambda match: "%2E" * len(match.group(0)), encoded)


def sarif_text(result: ScanResult, options: RenderOptions) -> str:
    """The SARIF log as JSON text (warnings on stderr past GitHub's limits)."""
    return sarif_json(scan_sarif(result))


def sarif_json(log: dict[str, Any]) -> str:
    """A SARIF log as JSON text; what is past GitHub code scanning's limits is warned
    about (:mod:`keyless.render.sarif_limits`), the log itself left whole."""
    data = dumps(log)
    warn_about(log, data)
    return data.decode()


def sarif_chunks(result: ScanResult, options: RenderOptions) -> Iterator[bytes]:
    """The SARIF log as JSON, in pieces: the same bytes as :func:`sarif_text`, with the
    results serialised one at a time as the findings are read (and the same warnings,
    once they are written)."""
    log = scan_sarif(result, stream=True)
    results = len(result.findings) + len(result.suppressed)
    return watched(dump_chunks(log), log, results)
