"""Shared assertions for trust tests: every witness is replayed through the concrete evaluator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keyless.policy.document import Policy, parse_trust_policy
from keyless.trust.replay import evaluate_witness


def assert_admitted(policy: Policy | Mapping[str, Any], witness: Mapping[str, Any] | None) -> None:
    """The witness exists and ``evaluate_witness`` allows it under ``policy``."""
    assert witness is not None, "expected a witness"
    parsed = policy if isinstance(policy, Policy) else parse_trust_policy(policy)
    decision = evaluate_witness(parsed, witness)
    assert decision.allowed, f"witness {witness} denied: {decision.explanation}"


GITHUB_PROVIDER = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
GH = "token.actions.githubusercontent.com"


def github(condition: Mapping[str, Any], *extra: Mapping[str, Any]) -> dict[str, Any]:
    """A trust policy for GitHub Actions with ``condition`` (plus extra statements)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": GITHUB_PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": dict(condition),
            },
            *extra,
        ],
    }


def allow(
    principal: Any, condition: Mapping[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    """A one-statement trust policy."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = dict(condition)
    statement.update(fields)
    return {"Version": "2012-10-17", "Statement": [statement]}


def assess(document: Mapping[str, Any], role_arn: str = "arn:aws:iam::111122223333:role/r") -> Any:
    """Every trust check on one role whose trust policy is ``document`` (``keyless trust``)."""
    from keyless.engine import assess_trust
    from keyless.model import Role

    account = role_arn.split(":")[4]
    role = Role(
        account_id=account, name=role_arn.rsplit("/", 1)[-1], arn=role_arn, trust_policy=document
    )
    return assess_trust(role)


def assert_real_witness(
    policy: Policy | Mapping[str, Any], witness: Mapping[str, Any] | None
) -> None:
    """The witness is allowed, and every key it adds as context is one its mechanism really
    supplies: nothing is injected that a real caller could not send."""
    from keyless.idp.context_keys import Mechanism, unsupplied

    assert_admitted(policy, witness)
    assert witness is not None
    if "claims" in witness:
        mechanism = Mechanism.WEB_IDENTITY
        issuer: str | None = str(witness["claims"]["iss"]).removeprefix("https://")
    elif "saml" in witness:
        mechanism, issuer = Mechanism.SAML, None
    elif "principal" in witness:
        mechanism, issuer = Mechanism.AWS, None
    else:
        mechanism, issuer = Mechanism.SERVICE, None
    for key in witness.get("context", {}):
        assert unsupplied(key, mechanism, issuer) is None, f"{key} is injected: {witness}"
    if issuer is not None:
        from keyless.idp.grammars import grammar_for
        from keyless.idp.providers import provider_for

        grammar = grammar_for(provider_for(issuer).name)
        if grammar is not None and "sub" in witness["claims"]:
            sub = witness["claims"]["sub"]
            assert sub in grammar.well_formed_language(), f"{grammar.provider} mints no {sub!r}"


def web_identity(issuer: str, condition: Mapping[str, Any] | None) -> dict[str, Any]:
    """A one-statement trust policy for the IAM OIDC provider of ``issuer`` (the tests'
    role account's)."""
    return allow(
        {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{issuer}"},
        condition,
        Action="sts:AssumeRoleWithWebIdentity",
    )


def run_check(check_id: str, trust: Mapping[str, Any]) -> tuple[Any, ...]:
    """The findings of one check on a role of the tests' account whose trust policy is
    ``trust``; every witness replayed (:func:`assert_real_witness`)."""
    from tests.builders import make_account, make_role
    from tests.checks.support import findings

    result = findings(check_id, make_account(roles=[make_role("r", trust=dict(trust))]))
    for finding in result:
        assert_real_witness(trust, finding.witness)
    return tuple(result)
