"""Terraform's regular-expression functions (``regex``, ``regexall``, ``replace`` with
``/pattern/``), run by Python's engine only where it reads the pattern as Terraform's RE2
does, and only where a backtracking engine cannot be made to take exponential time.
https://github.com/google/re2/wiki/Syntax
"""

from __future__ import annotations

import re

from keyless.iac.builtins.common import Fails, Function, Unsafe, as_list, check_size
from keyless.iac.values import Node, Position, mapping, plain

# A group repeated by a quantifier (`(a+)+`), or more than two quantifiers, can make a
# backtracking engine take exponential or high polynomial time on a crafted subject.
_ESCAPES_AND_CLASSES = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]")


_QUANTIFIED_GROUP = re.compile(r"\)(?:[*+?]|\{[0-9])")


_QUANTIFIER = re.compile(r"(?<!\()[*+?]|\{[0-9]")


_MAX_REGEX_SUBJECT = 4_096


def _check_regex(pattern: str, subject: str, name: str = "replace") -> None:
    bare = _ESCAPES_AND_CLASSES.sub("x", pattern)
    if (
        _QUANTIFIED_GROUP.search(bare)
        or len(_QUANTIFIER.findall(bare)) > 2
        or len(subject) > _MAX_REGEX_SUBJECT
    ):
        raise Unsafe(
            f"{name}() with this regular expression is not evaluated (a repeated group, "
            f"more than two quantifiers or a subject over {_MAX_REGEX_SUBJECT:,} characters)"
        )


# What Python's re reads otherwise than RE2 (Terraform's engine,
# https://github.com/google/re2/wiki/Syntax): a backreference or octal escape (`\1`),
# `\Z`/`\z`, Python's `\u`/`\U`/`\N` escapes, a group other than `(?:`, `(?P<name>` and
# the flags i, m and s (`(?=`, `(?<name>`, `(?U)`, which is ungreedy in RE2), `{,n}` (a
# literal in RE2) and a POSIX class `[[:alpha:]]`.
_RE2_ESCAPES = re.compile(r"\\[0-9ZzuUNg]")


_RE2_GROUPS = re.compile(r"\(\?(?!:|P<|[ims-]*[:)])|\{,")


def _re2(pattern: str, subject: str, name: str) -> re.Pattern[str]:
    """``pattern`` compiled to match as RE2 does on ``subject``, or refused (unknown)."""
    escapes = re.sub(r"\\\\", "", pattern)  # an escaped backslash escapes nothing after it
    bare = _ESCAPES_AND_CLASSES.sub("x", pattern)
    if (
        _RE2_ESCAPES.search(escapes)
        or _RE2_GROUPS.search(bare)
        or "[:" in pattern
        or ("$" in bare and "\n" in subject)  # Python's $ also matches before a final \n
        or ("\\s" in escapes and "\v" in subject)  # RE2's \s leaves out \v
        or (re.search(r"\(\?[ms-]*i", pattern) and not (pattern + subject).isascii())
    ):
        raise Unsafe(
            f"{name}() with this regular expression is not evaluated (Python's engine "
            "reads it otherwise than Terraform's RE2)"
        )
    _check_regex(pattern, subject, name)
    try:
        return re.compile(pattern, re.ASCII)  # RE2's \d, \w, \s and \b are ASCII
    except re.error as error:
        raise Unsafe(f"{name}(): the regular expression is not evaluated ({error})") from error


def _replace(arguments: list[Node], position: Position) -> Node:
    subject, search, replacement = (plain(a) for a in arguments)
    if not all(isinstance(v, str) for v in (subject, search, replacement)):
        raise TypeError("replace takes strings")
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        if "$" in replacement or "\\" in replacement:
            raise ValueError("capture references are not evaluated")
        compiled = _re2(search[1:-1], subject, "replace")
        check_size(len(subject) + (len(subject) + 1) * len(replacement))
        pieces, done = [], 0
        for match in _go_matches(compiled, subject):
            pieces += [subject[done : match.start()], replacement]
            done = match.end()
        return Node("".join([*pieces, subject[done:]]), position)
    matches = subject.count(search)
    check_size(len(subject) + matches * (len(replacement) - len(search)))
    return Node(subject.replace(search, replacement), position)


def _regex_result(match: re.Match[str], position: Position) -> Node:
    """One match as Terraform's ``regex`` returns it: the matched text without capture
    groups, an object of named groups, or a list of unnamed ones (an unmatched group is
    null)."""
    groups = match.re.groups
    check_size(groups)
    names = match.re.groupindex
    if not groups:
        return Node(match.group(0), position)
    if names:
        return Node(mapping({n: Node(match.group(n), position) for n in names}), position)
    return as_list(match.groups(), position)


def _regex_arguments(arguments: list[Node], name: str) -> tuple[re.Pattern[str], str]:
    pattern, subject = (plain(a) for a in arguments)
    if not isinstance(pattern, str) or not isinstance(subject, str):
        raise TypeError(f"{name} takes a pattern and a string")
    compiled = _re2(pattern, subject, name)
    if compiled.groupindex and len(compiled.groupindex) != compiled.groups:
        raise Fails("invalid pattern: cannot mix both named and unnamed capture groups")
    return compiled, subject


def _regex(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/regex
    compiled, subject = _regex_arguments(arguments, "regex")
    match = compiled.search(subject)
    if match is None:
        raise Fails("pattern did not match any part of the given string")
    return _regex_result(match, position)


def _go_matches(compiled: re.Pattern[str], subject: str) -> list[re.Match[str]]:
    """Every match, as Go's regexp finds them for ``regexall`` and ``replace``: an empty
    match right after a match is not one, and after an empty match the search moves on one
    character (Python's finditer also tries a longer match there)."""
    found: list[re.Match[str]] = []
    position_in, previous_end = 0, -1
    while position_in <= len(subject):
        match = compiled.search(subject, position_in)
        if match is None:
            break
        start, end = match.span()
        accept = not (start == end and start == previous_end)
        position_in = end + 1 if start == end else end
        previous_end = end
        if accept:
            found.append(match)
            check_size(len(found) * (compiled.groups + 1))
    return found


def _regexall(arguments: list[Node], position: Position) -> Node:
    # https://developer.hashicorp.com/terraform/language/functions/regexall
    compiled, subject = _regex_arguments(arguments, "regexall")
    matches = _go_matches(compiled, subject)
    return Node(tuple(_regex_result(m, position) for m in matches), position)


FUNCTIONS: dict[str, Function] = {
    "replace": _replace,
    "regex": _regex,
    "regexall": _regexall,
}
