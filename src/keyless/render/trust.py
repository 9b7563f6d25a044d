"""``keyless/trust/v1``: who can assume a role, and its trust findings, as JSON and text."""

from __future__ import annotations

import json
from typing import Any

from keyless.engine import TrustAssessment
from keyless.policy.templates import policy_placeholders
from keyless.render import RenderOptions
from keyless.render.untrusted import printable
from keyless.trust.describe import describe_path

SCHEMA = "keyless/trust/v1"


def trust_document(assessment: TrustAssessment) -> dict[str, Any]:
    """The ``keyless/trust/v1`` document for one role."""
    findings = [
        {
            "check": finding.check,
            "severity": finding.severity.value,
            "message": finding.message,
            "witness": dict(finding.witness) if finding.witness is not None else None,
        }
        for finding in sorted(assessment.findings, key=lambda f: (-f.severity.rank, f.check))
    ]
    worst = findings[0]["severity"] if findings else "none"
    paths = [
        {
            "principal_class": path.principal_class.value,
            "principal": path.principal,
            "actions": list(path.actions),
            "statements": list(path.statements),
            "description": describe_path(path, assessment.role.account_id),
            "approximate": path.approximate,
        }
        for path in assessment.analysis.paths
    ]
    placeholders = policy_placeholders(assessment.analysis.policy)
    template = (
        {"placeholders": [{"text": p.text, "pointer": p.pointer} for p in placeholders]}
        if placeholders
        else None
    )
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "role": assessment.role.arn,
        "template": template,
        "paths": paths,
        "findings": findings,
        "max_severity": worst,
    }
    if assessment.not_evaluated:
        document["not_evaluated"] = [
            {"check": check, "reason": reason} for check, reason in assessment.not_evaluated
        ]
    return document


def trust_json(assessment: TrustAssessment) -> str:
    """The document as indented JSON."""
    return json.dumps(trust_document(assessment), indent=2, sort_keys=True) + "\n"


def trust_text(assessment: TrustAssessment) -> str:
    """Who can assume the role, then findings with their witnesses."""
    document = trust_document(assessment)
    lines = []
    if document["template"] is not None:
        unresolved = ", ".join(
            f"{item['text']} ({item['pointer']})" for item in document["template"]["placeholders"]
        )
        lines.append(f"This trust policy is a template; unresolved placeholders: {unresolved}.")
        lines.append(
            "Judged as written: a placeholder principal stands for whoever it will name, a "
            "placeholder in a condition for its own text."
        )
    lines.append(f"Who can assume {document['role']}:")
    lines.extend(f"  - {path['description']}" for path in document["paths"])
    if not document["paths"]:
        lines.append("  - nobody (no Allow statement names a principal)")
    if document["findings"]:
        lines.append("Findings:")
    for finding in document["findings"]:
        lines.append(f"  [{finding['severity']}] {finding['check']}: {finding['message']}")
        if finding["witness"] is not None:
            lines.append(f"      witness: {json.dumps(finding['witness'], sort_keys=True)}")
    not_evaluated = document.get("not_evaluated", [])
    if not_evaluated:
        lines.append("Not evaluated (the role is not judged clean by these):")
        lines.extend(f"  {item['check']}: {item['reason']}" for item in not_evaluated)
    if not document["findings"]:
        lines.append("No trust findings." if not not_evaluated else "No trust findings so far.")
    # Each line quotes policy text (principals, keys, values): one line each, whatever it holds.
    return "\n".join(printable(line) for line in lines) + "\n"


def trust_text_renderer(assessment: TrustAssessment, options: RenderOptions) -> str:
    """The ``text`` format of ``keyless trust``."""
    return trust_text(assessment)


def trust_json_renderer(assessment: TrustAssessment, options: RenderOptions) -> str:
    """The ``json`` format of ``keyless trust``."""
    return trust_json(assessment)
