"""``keyless.toml`` values are quoted in part in configuration errors
(``keyless.errors.quoted``): a 100,000-character key or account is not echoed whole."""

from __future__ import annotations

from typing import Any

import pytest

from keyless.config import parse_config, require_known_checks
from keyless.errors import ConfigError

HUGE = "x" * 100_000


@pytest.mark.parametrize(
    "raw",
    [
        {"thresholds": {HUGE: 1}},
        {"ignore": [{"check": "access-key-unused", "reason": "r", "account": HUGE}]},
        {"plan": {"keep": [{"user": "ops", "reason": "break-glass", "account": HUGE}]}},
        {HUGE: {}},
        {"ignore": [{"check": "access-key-unused", "reason": "r", HUGE: 1}]},
        {"plan": {HUGE: 1}},
        {"plan": {"link": [{"user": "u", "target": "t", HUGE: 1}]}},
    ],
)
def test_a_huge_value_is_quoted_in_part(raw: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(raw)
    assert len(refused.value.message) < 500, refused.value.message[:600]
    assert "xxxxxxxx…" in refused.value.message


def test_a_huge_unknown_check_is_quoted_in_part() -> None:
    config = parse_config({"ignore": [{"check": HUGE, "reason": "r"}]})
    with pytest.raises(ConfigError) as refused:
        require_known_checks(config, {"access-key-unused"})
    assert len(refused.value.message) < 500
    assert "xxxxxxxx…" in refused.value.message


def test_many_unknown_keys_are_listed_in_part() -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config({f"section-{n}": {} for n in range(10_000)})
    assert len(refused.value.message) < 500
    assert refused.value.message.endswith("and 9,995 more")
