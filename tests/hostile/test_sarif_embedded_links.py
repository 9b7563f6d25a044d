"""SARIF plain text messages have embedded links, ``[text](target)`` (SARIF 2.1.0 §3.11.6),
which a viewer that follows the specification shows as links. A name from
the estate written as one (``x[a](javascript:alert(3))``, a user name an export or
snapshot can hold) reached a result's message as it was, so the viewer showed a link to
wherever the name pointed. Such a message now has its square brackets and backslashes
escaped (§3.11.6: a producer should, where a literal could be read as a link); a message
with none is unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema

from keyless.render import Format, render
from tests.render.hostile import hostile_scan

SCHEMA = Path(__file__).resolve().parents[1] / "workflows" / "schemas" / "sarif-2.1.0-rtm.5.json"
#: An embedded link a viewer would follow: ``[`` not escaped, its text, ``](``.
LINK = re.compile(r"(?<!\\)\[(?:[^\]\\]|\\.)*\]\(")


def messages(log: Any) -> list[str]:
    (run,) = log["runs"]
    found: list[str] = [result["message"]["text"] for result in run["results"]]
    for invocation in run.get("invocations", ()):
        found += [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    return found


def test_a_name_written_as_a_link_is_no_link_in_sarif() -> None:
    log = json.loads(render(hostile_scan(), Format.SARIF))
    texts = messages(log)
    named = [text for text in texts if "javascript:alert(3)" in text]
    assert named
    assert all(LINK.search(text) is None for text in named), named
    assert all("x|y`z\\[a\\](javascript:alert(3))" in text for text in named)
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))


def test_a_message_without_a_link_is_unchanged() -> None:
    log = json.loads(render(hostile_scan(), Format.SARIF))
    plain = [text for text in messages(log) if "<img src=x onerror=alert(1)>" in text]
    assert plain
    assert all("\\" not in text for text in plain)
