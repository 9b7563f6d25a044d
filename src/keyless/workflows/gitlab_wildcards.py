"""The files of a repository a GitLab ``include: local`` wildcard path names, as GitLab
matches it, in time linear in the repository and the pattern.

GitLab matches the pattern against the paths of the repository's files
(``Repository#search_files_by_wildcard_path``): it escapes the whole pattern, then reads
``**/`` as any run of directories or none, ``**`` as any characters, ``/`` included,
and ``*`` as any characters but ``/``; every other character (``?``, ``[``) is itself
(https://docs.gitlab.com/ci/yaml/includes/#use-includelocal-with-wildcard-file-paths,
https://gitlab.com/gitlab-org/gitlab/-/merge_requests/60489). The paths are those of the
Git tree, which holds a symbolic link as one entry and nothing under it: the walk never
enters a linked directory, so links back up the tree (``a -> ..``) cannot multiply the
paths, as following them with :func:`glob.glob` did (minutes, then a hang).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: At most this many files of a repository are matched against a wildcard include.
MAX_FILES = 100_000

# A pattern's steps: a literal character; `*` (any but "/"); `**` (any); the optional
# group `**/` (none, or any characters ending with "/"), written as a skip to the step
# after it, then `**`, then "/".
_LITERAL, _STAR, _ANY, _SKIP = range(4)


@dataclass(frozen=True, slots=True)
class _Step:
    kind: int
    char: str = ""
    target: int = 0  # for a skip: the step after the group


def is_wildcard(path: str) -> bool:
    """Whether an include path is a wildcard path: GitLab reads only ``*`` so."""
    return "*" in path


def _steps(pattern: str) -> list[_Step]:
    steps: list[_Step] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            steps.append(_Step(_SKIP, target=len(steps) + 3))
            steps += [_Step(_ANY), _Step(_LITERAL, "/")]
            index += 3
        elif pattern.startswith("**", index):
            steps.append(_Step(_ANY))
            index += 2
        elif pattern[index] == "*":
            steps.append(_Step(_STAR))
            index += 1
        else:
            steps.append(_Step(_LITERAL, pattern[index]))
            index += 1
    return steps


def _closure(states: set[int], steps: list[_Step]) -> set[int]:
    """``states`` and every step reached from them without reading a character: past a
    star (which may match nothing) and past or into an optional group."""
    stack = list(states)
    while stack:
        state = stack.pop()
        if state >= len(steps):
            continue
        step = steps[state]
        following = [state + 1]
        if step.kind == _SKIP:
            following.append(step.target)
        elif step.kind == _LITERAL:
            following = []
        for nxt in following:
            if nxt not in states:
                states.add(nxt)
                stack.append(nxt)
    return states


#: A wildcard path longer than this is not matched (GitLab's paths are far shorter).
MAX_PATTERN = 1_000


#: At most this many sets of steps are remembered while matching one pattern.
MAX_STATES = 50_000


class TooComplex(Exception):
    """A pattern whose matching needs more than :data:`MAX_STATES` sets of steps."""


def matching(pattern: str, paths: tuple[str, ...]) -> list[str]:
    """The ``paths`` (relative, ``/``-separated) that ``pattern`` names, each the whole of
    it, as GitLab anchors its regular expression. The sets of steps reached are
    remembered per character read (a deterministic automaton built as it is needed), so
    every path costs one look-up per character; :class:`TooComplex` past
    :data:`MAX_STATES`."""
    steps = _steps(pattern)
    start = frozenset(_closure({0}, steps))
    moves: dict[tuple[frozenset[int], str], frozenset[int]] = {}
    found = []
    for path in paths:
        states = start
        for char in path:
            key = (states, char)
            after = moves.get(key)
            if after is None:
                if len(moves) >= MAX_STATES:
                    raise TooComplex(pattern)
                after = moves[key] = _move(steps, states, char)
            states = after
            if not states:
                break
        if len(steps) in states:
            found.append(path)
    return found


def _move(steps: list[_Step], states: frozenset[int], char: str) -> frozenset[int]:
    after: set[int] = set()
    for state in states:
        if state >= len(steps):
            continue
        step = steps[state]
        if step.kind == _LITERAL and step.char == char:
            after.add(state + 1)
        elif step.kind == _ANY or (step.kind == _STAR and char != "/"):
            after.add(state)
    return frozenset(_closure(after, steps))


@dataclass(frozen=True, slots=True)
class Listing:
    """A repository's files (relative paths), and whether there were more than listed."""

    paths: tuple[str, ...]
    cut: bool


def repository_files(root: Path) -> Listing:
    """The files of the repository at ``root``, as its Git tree holds them: ``.git``
    left out, a linked directory one entry that is not entered, at most
    :data:`MAX_FILES`."""
    found: list[str] = []
    for path in _walk(root):
        if len(found) == MAX_FILES:
            return Listing(tuple(found), cut=True)
        found.append(path)
    return Listing(tuple(found), cut=False)


def _walk(root: Path) -> Iterator[str]:
    for current, dirnames, filenames in os.walk(root):  # never follows links
        here = Path(current)
        dirnames[:] = sorted(d for d in dirnames if d != ".git" or here != root)
        relative = here.relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        for name in sorted(filenames):
            yield prefix + name
