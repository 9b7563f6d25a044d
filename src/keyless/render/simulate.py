"""Explicit converters from a Decision to the ``keyless/simulate/v1`` JSON document."""

from __future__ import annotations

from typing import Any

from keyless.policy.conditions import ConditionResult, Context
from keyless.policy.evaluate import Decision, StatementTrace

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
