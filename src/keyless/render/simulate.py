"""A Decision as text (what STS decided and why, statement by statement) and as the
``keyless/simulate/v1`` JSON document (explicit converters)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape as escape_markup

from keyless.policy.conditions import ConditionResult, Context
from keyless.policy.evaluate import Decision, StatementTrace
from keyless.render import RenderOptions, console_text
from keyless.render.untrusted import printable

SCHEMA = "keyless/simulate/v1"


def decision_document(decision: Decision) -> dict[str, Any]:
    """The JSON-ready document for ``decision`` (stable, versioned; not a dump of internals)."""
    request = decision.request
    caller = request.caller
    return {
        "schema": SCHEMA,
        "decision": "allow" if decision.allowed else "deny",
        "action": decision.deciding.action,
        "actions": [
            {
                "action": item.action,
                "decision": "allow" if item.allowed else "deny",
                "explicit_deny": item.explicitly_denied,
                "decided_by": item.decided_by.statement.index if item.decided_by else None,
            }
            for item in decision.actions
        ],
        "caller": {
            "type": str(caller.type),
            "arn": caller.arn,
            "provider": caller.provider,
            "account": caller.account,
        },
        "context": context_document(request.context),
        "statements": [_statement(trace) for trace in decision.statements],
        "explanation": decision.explanation,
        "notes": list(decision.notes),
    }


def context_document(context: Context) -> dict[str, str | list[str]]:
    """Context keys in their given spelling, sorted; multivalued keys as lists."""
    return {
        value.key: list(value.values) if value.multivalued else value.values[0]
        for value in sorted(context.values(), key=lambda v: v.key.lower())
        if value.values
    }


def _statement(trace: StatementTrace) -> dict[str, Any]:
    statement = trace.statement
    return {
        "index": statement.index,
        "sid": statement.sid,
        "effect": str(statement.effect),
        "pointer": statement.pointer,
        "action": trace.action,
        "applies": trace.applies,
        "principal_matched": trace.principal_matched,
        "action_matched": trace.action_matched,
        "resource_matched": trace.resource_matched,
        "reason": trace.reason,
        "conditions": [_condition(result) for result in trace.conditions],
    }


def _condition(result: ConditionResult) -> dict[str, Any]:
    condition = result.condition
    return {
        "operator": condition.operator.text,
        "key": condition.key,
        "values": list(condition.values),
        "pointer": condition.pointer,
        "passed": result.passed,
        "reason": result.reason,
        "request_values": None if result.request_values is None else list(result.request_values),
    }


def decision_json(decision: Decision) -> str:
    """The ``keyless/simulate/v1`` document as indented JSON."""
    return json.dumps(decision_document(decision), indent=2) + "\n"


def escape(text: str) -> str:
    """Untrusted text for the console: on one line (control characters written as escapes)
    and never read as rich markup."""
    return escape_markup(printable(text))


def decision_text(decision: Decision, console: Console) -> None:
    """The decision, then each relevant statement with its conditions, then the verdict's
    explanation. Every value from the policy or the request is printed as text, never as
    markup, and on its own line, so a crafted name cannot style or forge a line."""
    verdict = "[bold green]ALLOW[/]" if decision.allowed else "[bold red]DENY[/]"
    actions = ", ".join(item.action for item in decision.actions)
    console.print(f"{verdict}  {escape(actions)}")
    caller = decision.request.caller
    # A caller with neither ARN nor provider (SAML, provider unknown) is labelled by its type.
    named = "" if caller.label == str(caller.type) else f" {caller.label}"
    console.print(f"caller: {escape(str(caller.type) + named)}")
    # Several required actions usually share one trace: show the failing ones, or the first.
    shown = [item for item in decision.actions if not item.allowed] or [decision.actions[0]]
    for item in shown:
        if len(decision.actions) > 1:
            console.print(
                f"\n[bold]{escape(item.action)}[/]: {'allowed' if item.allowed else 'denied'}"
            )
        for trace in item.statements:
            statement = trace.statement
            state = "[green]applies[/]" if trace.applies else "does not apply"
            console.print(f"  {escape(statement.label)} {statement.effect}: {state}")
            if not (trace.principal_matched and trace.action_matched and trace.resource_matched):
                console.print(f"    {escape(trace.reason)}")
            for result in trace.conditions:
                mark = "[green]pass[/]" if result.passed else "[red]FAIL[/]"
                console.print(
                    f"    {mark} {escape(result.condition.operator.text)} "
                    f"{escape(result.condition.key)}: {escape(result.reason)}"
                )
    console.print()
    for line in decision.explanation_lines:
        console.print(escape(line))


def simulate_text(decision: Decision, options: RenderOptions) -> str:
    """The ``text`` format of ``keyless simulate``."""
    return console_text(lambda console: decision_text(decision, console), options, soft_wrap=True)


def simulate_json(decision: Decision, options: RenderOptions) -> str:
    """The ``json`` format of ``keyless simulate``."""
    return decision_json(decision)
