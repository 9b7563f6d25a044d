"""A secret key kept in a configuration variable (``vars.AWS_SECRET_ACCESS_KEY``) is not
only long-lived: GitHub stores variables in plain text and shows them unmasked in logs
(https://docs.github.com/en/actions/concepts/workflows-and-actions/variables). The finding
says so, and to rotate the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.workflows import scan

from .builders import GITHUB_CONFIGURE_KEYS, GITHUB_KEYS, repo

NOTE = (
    "; the secret key is the configuration variable vars.AWS_SECRET_ACCESS_KEY, which GitHub "
    "keeps in plain text and shows unmasked in logs: treat the key as exposed and rotate it"
)


@pytest.mark.parametrize("text", [GITHUB_CONFIGURE_KEYS, GITHUB_KEYS])
def test_a_secret_key_in_a_variable_is_said_to_be_exposed(tmp_path: Path, text: str) -> None:
    text = text.replace("secrets.AWS_SECRET_ACCESS_KEY", "vars.AWS_SECRET_ACCESS_KEY")
    (finding,) = scan([repo(tmp_path, {".github/workflows/d.yml": text})]).findings
    assert finding.message.endswith(NOTE)


@pytest.mark.parametrize("text", [GITHUB_CONFIGURE_KEYS, GITHUB_KEYS])
def test_a_secret_key_in_a_secret_gets_no_such_note(tmp_path: Path, text: str) -> None:
    # The key ID in a variable is no secret; only the secret key's source matters.
    text = text.replace("secrets.AWS_ACCESS_KEY_ID", "vars.AWS_ACCESS_KEY_ID")
    (finding,) = scan([repo(tmp_path, {".github/workflows/d.yml": text})]).findings
    assert "configuration variable" not in finding.message
