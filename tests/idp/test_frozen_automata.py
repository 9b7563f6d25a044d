"""The grammar-wide automata shipped in keyless/idp/automata.json (built ahead of time by
`make docs`) are exactly what the grammars build, and are what a process uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyless.idp import frozen, subject_grammar
from keyless.idp.automata import build_table
from keyless.idp.grammars import GITHUB
from keyless.idp.subject_grammar import SubGrammar
from keyless.patterns.language import Language


def test_the_shipped_table_is_what_the_grammars_build() -> None:
    """Rebuilt from the templates, every entry equals the stored one, and no entry is
    missing or left over: run `make docs` after editing a grammar."""
    built = build_table()
    assert built, "the grammars build no automaton"
    stored = frozen._table()
    assert sorted(stored) == sorted(built), "automata.json is stale: run `make docs`"
    for key, dfa in built.items():
        assert frozen._stored(key) == dfa, f"automata.json is stale for {key}: run `make docs`"
    assert frozen.TABLE.read_text(encoding="utf-8") == frozen.dumps(built)


def test_a_stored_language_is_not_built_again(monkeypatch: pytest.MonkeyPatch) -> None:
    subject_grammar.clear_caches()

    def refuse(*_: object) -> None:
        raise AssertionError("built, though the table holds it")

    monkeypatch.setattr(subject_grammar, "_build_well_formed", refuse)
    try:
        language = GITHUB.well_formed_language()
        assert language.contains("repo:octo-org/app:ref:refs/heads/main")
        assert not language.contains("repo:octo-org/app:ref:refs/heads/a..b")
    finally:
        subject_grammar.clear_caches()


def test_a_grammar_the_table_does_not_hold_is_built() -> None:
    made_up = SubGrammar(provider="made up", well_formed=("thing:+",))
    language = made_up.well_formed_language()
    assert language.contains("thing:x")
    assert not language.contains("thing:")


@pytest.mark.parametrize(
    "text",
    [
        b"not json",
        b'{"automata": {"k": [["a"], [[0]], [0]]}}',  # a row too short for its alphabet
        b'{"automata": {"k": [["a"], [[0, 7]], [0]]}}',  # a target that is no state
        b'{"automata": {"k": [["ab"], [[0, 0]], [0]]}}',  # a symbol that is no character
        b'{"automata": {"k": 1}}',
        b'{"automata": []}',
        b'{"other": 1}',
    ],
)
def test_an_unreadable_entry_is_built_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: bytes
) -> None:
    broken = tmp_path / "automata.json"
    broken.write_bytes(text)
    monkeypatch.setattr(frozen, "TABLE", broken)
    frozen._table.cache_clear()
    frozen._stored.cache_clear()
    try:
        assert frozen._stored("k") is None
        language = frozen.frozen("k", lambda: Language.literal("built"))
        assert language.contains("built")
    finally:
        frozen._table.cache_clear()
        frozen._stored.cache_clear()
