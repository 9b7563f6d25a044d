"""A live account alias IAM never accepts (``CreateAccountAlias``: 3 to 63 lower-case
letters, digits or single dashes). It was collected as given, into a snapshot that
`scan --snapshot` then refused (exit 2), and reached profile names: it is now an
unreadable answer (``UnreadableResponse``, exit 3), the alias unknown.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccountAlias.html"""

from __future__ import annotations

from typing import Any

import pytest

from keyless.engine import run_checks
from tests.builders import make_inventory
from tests.hostile.test_live_unreadable_answers import _collect, iam

__all__ = ["iam"]


@pytest.mark.parametrize("alias", ["acme\n[default]", "Acme-Prod", "acme--prod", "ab"])
def test_an_alias_outside_the_grammar_is_an_unreadable_answer(iam: Any, alias: str) -> None:
    account = _collect("ListAccountAliases", {"AccountAliases": [alias]})
    assert account.alias is None
    (failure,) = account.failed_calls
    assert (failure.operation, failure.code) == ("ListAccountAliases", "UnreadableResponse")
    assert "AccountAlias" in failure.message
    assert "/AccountAliases/0" in failure.message
    assert run_checks(make_inventory(account)).exit_code() == 3


def test_an_alias_in_the_grammar_is_kept(iam: Any) -> None:
    account = _collect("ListAccountAliases", {"AccountAliases": ["acme-prod-1"]})
    assert account.alias == "acme-prod-1"
    assert account.failed_calls == ()
