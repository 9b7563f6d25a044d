"""A session token written in a CI file (``AWS_SESSION_TOKEN: FwoGZXIvYXdz…``) is a
credential too, temporary or not: `workflows fix` shows its diff context through
:func:`redact_text`, which printed such a token whole."""

from __future__ import annotations

import base64

import pytest

from keyless.workflows.hardcoded import redact_text

# The shape of an STS session token: hundreds of base64 characters.
TOKEN = "FwoGZXIvYXdzE" + base64.b64encode(bytes(range(256)) * 2).decode()


@pytest.mark.parametrize(
    "line",
    [
        f"      AWS_SESSION_TOKEN: {TOKEN}\n",
        f"      - export AWS_SESSION_TOKEN={TOKEN}\n",
        f"      - aws configure set aws_session_token {TOKEN}\n",
        f'        session-token: "{TOKEN}"\n',
    ],
)
def test_a_session_token_is_redacted(line: str) -> None:
    shown = redact_text(line)
    assert TOKEN not in shown
    assert "[REDACTED]" in shown


def test_long_text_on_other_lines_is_left_alone() -> None:
    line = f"      CACHE_KEY: {TOKEN}\n"
    assert redact_text(line) == line
