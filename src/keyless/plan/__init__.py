"""``keyless plan``: decide, for every IAM user, what replaces it, with the evidence.

Public API::

    from keyless.plan.build import PlanInputs, make_plan
    plan = make_plan(inventory, PlanInputs(thresholds=config.thresholds, config=config.plan))
    for user in plan.users: user.decision.destination, user.decision.reason, user.proof

and :mod:`.document` (the ``keyless/plan/v1`` document: build, write, read, schema),
:mod:`.check` (validating a hand-edited plan against its inventory), :mod:`.prove`
(never broaden). This package re-exports nothing: import the submodule you need.
"""
