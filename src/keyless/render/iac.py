"""``keyless iac`` results as text, the ``keyless/iac/v1`` JSON document, SARIF with
stable fingerprints, and GitHub workflow-command annotations; and ``keyless trust FILE``
on infrastructure code (one assessment per role, named by its address).

JSON and SARIF go through their serialisers; annotations escape every value as GitHub's
workflow-command parser requires, so a crafted message cannot end the command early or
forge another one.
"""

from __future__ import annotations

from typing import Any

import orjson

from keyless import __version__
from keyless.dates import iso
from keyless.engine import ScanResult, Suppressed
from keyless.files import display_path
from keyless.findings import FileLocation, Finding, Severity
from keyless.iac.trust import FileTrust
from keyless.render import RenderOptions
from keyless.render.ignores import unused_ignore_document, unused_ignore_line
from keyless.render.jsonout import check_run_document, dumps
from keyless.render.sarif import sarif_json, scan_sarif
from keyless.render.trust import trust_document, trust_text
from keyless.render.untrusted import printable, shortened

SCHEMA = "keyless/iac/v1"
TRUST_FILE_SCHEMA = "keyless/trust-file/v1"
#: The key of ``partialFingerprints`` (SARIF §3.27.17): versioned, so a change of the
#: fingerprint's recipe starts a new series instead of confusing the old one.
FINGERPRINT_KEY = "keyless/v1"


def _location(finding: Finding) -> FileLocation:
    location = finding.location
    assert isinstance(location, FileLocation), "an infrastructure finding is about a file"
    return location


def finding_json(finding: Finding) -> dict[str, Any]:
    """One finding of ``findings[]``."""
    location = _location(finding)
    evidence = {k: v for k, v in finding.evidence.items() if k not in ("fingerprint", "address")}
    return {
        "check": finding.check,
        "severity": finding.severity.value,
        "file": display_path(location.path),
        "line": location.line,
        "column": location.column,
        "address": finding.evidence.get("address"),
        "location": location.route,
        "message": finding.message,
        "remediation": finding.remediation,
        "evidence": evidence,
        "witness": dict(finding.witness) if finding.witness is not None else None,
        "fingerprint": finding.evidence.get("fingerprint"),
    }


def _suppressed_json(item: Suppressed) -> dict[str, Any]:
    return {**finding_json(item.finding), "reason": item.ignore.reason}


def iac_document(result: ScanResult) -> dict[str, Any]:
    """The ``keyless/iac/v1`` document."""
    return {
        "schema": SCHEMA,
        "keyless_version": __version__,
        "generated_at": iso(result.now),
        "complete": result.is_complete,
        "files": [{"path": display_path(f.path), "kind": f.kind} for f in result.files],
        "findings": [finding_json(f) for f in result.findings],
        "suppressed": [_suppressed_json(s) for s in result.suppressed],
        "unused_ignores": [unused_ignore_document(i) for i in result.unused_ignores],
        "unread": [{"where": u.where, "reason": u.reason} for u in result.unread],
        "notes": list(result.notes),
        "check_runs": [check_run_document(r) for r in result.check_runs],
    }


def iac_json(result: ScanResult, options: RenderOptions) -> str:
    """The ``json`` format of ``keyless iac``."""
    return dumps(iac_document(result)).decode()


def iac_sarif(result: ScanResult, options: RenderOptions) -> str:
    """SARIF as for every scan (accepted findings included, marked suppressed), each
    result with the finding's fingerprint so GitHub code scanning follows an alert across
    pushes."""
    log = scan_sarif(result)
    # scan_sarif lists the findings, then the suppressed ones (marked as such).
    reported = [*result.findings, *(s.finding for s in result.suppressed)]
    for entry, finding in zip(log["runs"][0]["results"], reported, strict=True):
        fingerprint = finding.evidence.get("fingerprint")
        if isinstance(fingerprint, str):
            entry["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
    return sarif_json(log)


def iac_text(result: ScanResult, options: RenderOptions) -> str:
    """One line per finding (``file:line:column: severity check: message``), its witness,
    then what was accepted, not read or deliberately skipped, and the verdict."""
    lines: list[str] = []
    for finding in result.findings:
        location = _location(finding)
        lines.append(
            f"{_one_line(display_path(location.path), whole=True)}:"
            f"{location.line}:{location.column}: "
            f"{finding.severity.value} {finding.check}: {_one_line(finding.message)}"
        )
        if finding.witness is not None:
            witness = orjson.dumps(finding.witness, default=dict).decode()
            lines.append(f"    witness: {witness}")
        stand_ins = finding.evidence.get("stand_ins")
        if stand_ins:
            lines.append(f"    note: {_one_line('; '.join(str(s) for s in stand_ins))}")
    if result.suppressed:
        lines.append(f"{len(result.suppressed)} finding(s) suppressed (accepted or ignored):")
        lines.extend(f"  {_suppressed_line(s)}" for s in result.suppressed)
    if result.unread:
        lines.append("Not read or not judged (exit code 3):")
        lines.extend(
            f"  {_one_line(u.where, whole=True)}: {_one_line(u.reason)}" for u in result.unread
        )
    lines.extend(f"note: {_one_line(n)}" for n in result.notes)
    lines.extend(unused_ignore_line(ignore) for ignore in result.unused_ignores)
    noted = f", {len(result.notes)} note(s) above" if result.notes else ""
    lines.append(
        f"{len(result.findings)} finding(s) in {len(result.files)} file(s){noted}; "
        f"{_verdict(result, options.fail_on, baseline=options.writing_baseline)}"
    )
    return "\n".join(lines) + "\n"


def _verdict(result: ScanResult, fail_on: Severity, *, baseline: bool = False) -> str:
    code = result.exit_code(fail_on)
    if baseline and code == 1:
        return "written to the baseline, accepted: exit code 0"
    return {
        0: f"nothing at or above {fail_on.value}",
        1: f"findings at or above {fail_on.value}: exit code 1",
        3: "part of the input could not be read or judged: exit code 3",
    }[code]


def _one_line(text: str, *, whole: bool = False) -> str:
    """Terminal text on one line: a value cannot forge a line of its own, nor restyle or
    reorder it (an ANSI escape or a bidirectional override is written as an escape), and
    a word of thousands of characters (a name) is :func:`shortened`, unless ``whole`` (a
    file's path, which editors and CI logs follow: the system bounds its length)."""
    line = " ".join(text.split())
    return printable(line if whole else shortened(line))


# ----- GitHub workflow commands -----------------------------------------------------------------
# https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
# (the escaping follows the runner's own: actions/toolkit packages/core/src/command.ts)

_ANNOTATION = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also ``:`` and ``,`` escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, properties: dict[str, str | int], message: str) -> str:
    """One workflow command. The Actions log renders ANSI escapes and bidirectional
    overrides: every property (a file name is the repository's) and every line of the
    message is :func:`printable` first; its line breaks are the command's own, escaped by
    :func:`escape_data`."""
    message = "\n".join(printable(line) for line in message.split("\n"))
    # The file stays whole, for the annotation to find it (the system bounds its length).
    rendered = ",".join(
        f"{k}={escape_property(printable(str(v) if k == 'file' else shortened(str(v))))}"
        for k, v in properties.items()
    )
    return (
        f"::{kind} {rendered}::{escape_data(message)}"
        if rendered
        else f"::{kind}::{escape_data(message)}"
    )


def _suppressed_line(entry: Suppressed) -> str:
    """``check address: reason``, and the ``[[ignore]]`` rule when a configuration's
    (a baseline's reason names the baseline)."""
    address = _one_line(str(entry.finding.evidence.get("address", "")))
    rule = f" ({_one_line(entry.ignore.where)})" if entry.ignore.index else ""
    return f"{entry.finding.check} {address}: {_one_line(entry.ignore.reason)}{rule}"


def iac_github(result: ScanResult, options: RenderOptions) -> str:
    """One annotation per finding, and one per input that could not be read."""
    lines = []
    for finding in result.findings:
        location = _location(finding)
        # The Actions log renders ANSI escapes: every line of the message is escaped (its
        # line breaks are the command's own, escaped by escape_data).
        message = "\n".join(printable(shortened(line)) for line in finding.message.split("\n"))
        if finding.witness is not None:
            message += "\nwitness: " + orjson.dumps(finding.witness, default=dict).decode()
        message += f"\nfix: {finding.remediation}"
        lines.append(
            _command(
                _ANNOTATION[finding.severity],
                {
                    "file": display_path(location.path),
                    "line": location.line,
                    "col": location.column,
                    "title": f"keyless {finding.check} ({finding.severity.value})",
                },
                message,
            )
        )
    lines.extend(
        _command("error", {"title": "keyless: not read"}, f"{u.where}: {shortened(u.reason)}")
        for u in result.unread
    )
    if result.suppressed:
        # Counted here too, as in every format: one notice for the run, not annotations
        # on the lines a person accepted.
        accepted = "\n".join(_suppressed_line(s) for s in result.suppressed)
        lines.append(
            _command(
                "notice",
                {"title": f"keyless: {len(result.suppressed)} finding(s) suppressed"},
                f"accepted or ignored:\n{accepted}",
            )
        )
    return "".join(line + "\n" for line in lines)


# ----- keyless trust FILE -------------------------------------------------------------------------


def trust_file_document(value: FileTrust) -> dict[str, Any]:
    """``keyless/trust-file/v1``: a ``keyless/trust/v1`` document per role, with where it
    is declared."""
    roles = []
    for item in value.roles:
        resource = item.resource
        roles.append(
            {
                **trust_document(item.assessment),
                "address": resource.address,
                "file": display_path(resource.path),
                "line": resource.position.line,
                "column": resource.position.column,
                "notes": list(item.notes),
            }
        )
    return {
        "schema": TRUST_FILE_SCHEMA,
        "file": display_path(value.path),
        "roles": roles,
        "unread": [{"where": u.where, "reason": u.reason} for u in value.unread],
    }


def trust_file_text(value: FileTrust, options: RenderOptions) -> str:
    """Each role under its address, then what could not be judged."""
    parts = []
    for item in value.roles:
        resource = item.resource
        where = f"{display_path(resource.path)}:{resource.position.line}:{resource.position.column}"
        header = f"{_one_line(f'== {resource.address}')} ({_one_line(where, whole=True)})"
        said = "".join(_one_line(f"note: {note}") + "\n" for note in item.notes)
        # The role's address is in its ARN, messages and witnesses: long words are shortened.
        assessment = "\n".join(shortened(line) for line in trust_text(item.assessment).split("\n"))
        parts.append(f"{header}\n{assessment}{said}")
    if not value.roles:
        parts.append("No role with a trust policy keyless could judge.\n")
    if value.unread:
        parts.append(
            "Not judged (exit code 3):\n"
            + "".join(
                f"  {_one_line(u.where, whole=True)}: {_one_line(u.reason)}\n" for u in value.unread
            )
        )
    return "\n".join(parts)


def trust_file_json(value: FileTrust, options: RenderOptions) -> str:
    """The ``json`` format of ``keyless trust`` on infrastructure code."""
    return dumps(trust_file_document(value)).decode()
