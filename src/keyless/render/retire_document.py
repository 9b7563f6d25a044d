"""The ``keyless/retire/v1`` document (``keyless retire`` and ``keyless retire rollback``
with ``--format json``) and its JSON Schema, generated from the types its converter
returns:

    python -m keyless.render.retire_document > docs/schemas/retire-v1.schema.json

mypy holds :func:`report_document` to :class:`RetireDocument`, and a test fails when the
file in docs/schemas and this output differ, so the schema cannot describe another
document than the one written.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from keyless.render.retire_status import StepDocument, step_document
from keyless.render.typed_schema import Doc, typed_schema
from keyless.retire.model import Report

RETIRE_SCHEMA = "keyless/retire/v1"
SCHEMA_ID = "https://keyless.invalid/schemas/retire-v1.schema.json"


class LostDocument(TypedDict):
    """Something of a user a rollback cannot bring back (AWS never reveals it again)."""

    account: str
    user: str
    what: str


class PreconditionDocument(TypedDict):
    """A precondition of the plan that IAM cannot show, as confirmed."""

    kind: str
    text: str


class ConfirmedDocument(TypedDict):
    """A user whose preconditions IAM cannot show, confirmed with --confirmed."""

    account: str
    user: str
    preconditions: Annotated[list[PreconditionDocument], Doc("The precondition texts confirmed.")]


class PlanDocument(TypedDict):
    """The keyless/plan/v1 document a run followed (--plan)."""

    path: str
    fingerprint: str
    as_of: str
    confirmed: list[ConfirmedDocument]


class RetireDocument(TypedDict):
    """What `keyless retire` or `keyless retire rollback` did (or, dry, would do)."""

    schema: Literal["keyless/retire/v1"]
    command: Literal["retire", "rollback"]
    apply: bool
    journal: str
    run: Annotated[int | None, Doc("The run's ID in the journal (null for a dry run).", minimum=1)]
    resumed: Annotated[
        bool, Doc("True when the run continues an interrupted one with the same request.")
    ]
    settled: Annotated[
        list[StepDocument],
        Doc("Actions an interrupted run recorded as intended, settled by looking at AWS."),
    ]
    steps: list[StepDocument]
    unreachable: Annotated[
        dict[str, str], Doc("Accounts that could not be reached, with the reason.")
    ]
    cannot_come_back: list[LostDocument]
    exit_code: Literal[0, 1, 3]
    plan: NotRequired[
        Annotated[
            PlanDocument | None,
            Doc(
                "The plan the run followed (--plan), or null. Added within v1: absent from "
                "documents of earlier versions."
            ),
        ]
    ]


def report_document(report: Report) -> RetireDocument:
    """The ``keyless/retire/v1`` document of a run."""
    return {
        "schema": "keyless/retire/v1",
        "command": report.command,
        "apply": report.apply,
        "journal": report.journal,
        "run": report.run_id,
        "resumed": report.resumed,
        "settled": [step_document(step) for step in report.settled],
        "steps": [step_document(step) for step in report.steps],
        "unreachable": dict(sorted(report.unreachable.items())),
        "cannot_come_back": [
            {"account": account, "user": user, "what": what} for account, user, what in report.lost
        ],
        "exit_code": report.exit_code,
        "plan": None if report.plan is None else _plan_document(report.plan),
    }


def _plan_document(plan: Mapping[str, Any]) -> PlanDocument:
    """The plan as :meth:`keyless.retire.plan.RetirePlan.record` keeps it."""
    return {
        "path": str(plan["path"]),
        "fingerprint": str(plan["fingerprint"]),
        "as_of": str(plan["as_of"]),
        "confirmed": [
            {
                "account": str(confirmed["account"]),
                "user": str(confirmed["user"]),
                "preconditions": [
                    {"kind": str(p["kind"]), "text": str(p["text"])}
                    for p in confirmed["preconditions"]
                ],
            }
            for confirmed in plan["confirmed"]
        ],
    }


def report_schema() -> dict[str, object]:
    """The JSON Schema of :class:`RetireDocument`."""
    return typed_schema(
        RetireDocument,
        title=RETIRE_SCHEMA,
        schema_id=SCHEMA_ID,
        description=(
            "What `keyless retire` or `keyless retire rollback` did (or, dry, would do). "
            "See docs/retire.md. Generated from the code by keyless.render.retire_document; "
            "do not edit."
        ),
    )


if __name__ == "__main__":
    sys.stdout.write(json.dumps(report_schema(), indent=2) + "\n")
