"""Every relative link of README.md, CONTRIBUTING.md and docs/ leads somewhere: the file
exists and, for a Markdown page, the ``#anchor`` is one of its headings as GitHub spells
them (lower case, punctuation dropped, spaces as hyphens, ``-1``, ``-2`` for repeats)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = (
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "docs").glob("*/*.md")),
)
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of ``text``."""
    found: set[str] = set()
    for heading in re.findall(
        r"^#+\s+(.*?)\s*#*$", re.sub(r"```.*?```", "", text, flags=re.DOTALL), re.M
    ):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        repeat, candidate = 0, slug
        while candidate in found:
            repeat += 1
            candidate = f"{slug}-{repeat}"
        found.add(candidate)
    return found


def broken_links(page: Path) -> list[str]:
    """The relative links of ``page`` whose file or anchor does not exist."""
    broken = []
    for link in LINK.findall(CODE.sub("", page.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", link):
            continue  # https:, mailto:: not checked here (no network)
        path, _, fragment = link.partition("#")
        target = (page.parent / path) if path else page
        exists = target.exists()
        markdown = exists and target.suffix == ".md"
        if not exists or (
            fragment and markdown and fragment not in anchors(target.read_text(encoding="utf-8"))
        ):
            broken.append(link)
    return broken


def test_anchors_are_spelled_as_github_spells_them() -> None:
    text = "# `keyless scan`: sources\n## Exit codes\n## Exit codes\n```\n# not a heading\n```\n"
    assert anchors(text) == {"keyless-scan-sources", "exit-codes", "exit-codes-1"}


def test_the_detector_finds_a_missing_page_and_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("## Exit codes\n")
    page = tmp_path / "b.md"
    page.write_text(
        "[ok](a.md#exit-codes) [gone](c.md) [anchor](a.md#exit) [self](#nowhere)\n"
        "`[in code](ignored.md)` [web](https://example.com/x)\n"
    )
    assert broken_links(page) == ["c.md", "a.md#exit", "#nowhere"]


def test_every_relative_link_of_the_docs_resolves() -> None:
    assert len(PAGES) >= 15
    found = {str(p.relative_to(ROOT)): links for p in PAGES if (links := broken_links(p))}
    assert found == {}
