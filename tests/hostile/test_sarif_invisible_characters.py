"""A SARIF result's message is text a viewer shows (GitHub code scanning's alert page). A
name from the estate holding a bidirectional override (``admin\\u202egnp.exe`` reads as
``adminexe.png``), a zero-width space or a control character reached it as it was, where
the text, Markdown and HTML reports show it escaped or removed. The message now writes each
as a visible escape (``\\u202e``); line breaks stay."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from keyless.engine import run_checks
from keyless.render import Format, render
from keyless.render.sarif import message
from tests.builders import NOW, make_account, make_inventory, make_key, make_user

SCHEMA = Path(__file__).resolve().parents[1] / "workflows" / "schemas" / "sarif-2.1.0-rtm.5.json"
NAME = "admin\u202egnp.exe\u200b\x1b[2J"


def test_a_name_with_invisible_characters_is_shown_escaped_in_sarif() -> None:
    user = make_user(NAME, keys=[make_key(age_days=400)])
    log = json.loads(
        render(run_checks(make_inventory(make_account(users=[user])), now=NOW), Format.SARIF)
    )
    (run,) = log["runs"]
    texts = [r["message"]["text"] for r in run["results"]]
    named = [text for text in texts if "admin" in text]

    assert named
    assert all("\u202e" not in t and "\u200b" not in t and "\x1b" not in t for t in texts)
    assert all("admin\\u202egnp.exe\\u200b\\x1b[2J" in text for text in named)
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))


def test_line_breaks_stay_in_a_message() -> None:
    assert message("two\nlines\ttabbed") == {"text": "two\nlines\ttabbed"}
