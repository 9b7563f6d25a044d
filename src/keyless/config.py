"""User configuration: thresholds and ignores, from ``keyless.toml`` or ``--config``.

```toml
[thresholds]
key_max_age_days = 90

[[ignore]]
check = "key-unused"
resource = "arn:aws:iam::123456789012:user/break-glass*"   # fnmatch pattern, optional
account = "123456789012"                                      # optional
reason = "break-glass user, keys sealed in the vault"        # mandatory

[[plan.link]]                     # `keyless plan`: what a user's keys are for
user = "ci-deploy"                # a user name, or its ARN
account = "123456789012"          # optional
target = "acme/app"               # ORG/REPO, gitlab:GROUP/PROJECT, host:CN or aws:SERVICE

[[plan.keep]]                     # `keyless plan`: users that stay IAM users
user = "break-glass"
reason = "sealed in the vault, used only when Identity Center is down"  # mandatory
```
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import sys
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from keyless.errors import ConfigError, quoted, quoted_list
from keyless.files import read_text

DEFAULT_CONFIG_NAME = "keyless.toml"
#: A configuration is a few dozen lines; anything this large is not one.
MAX_CONFIG_BYTES = 1_000_000
#: Thresholds are ages in days; a bound keeps date arithmetic far from overflow.
MAX_THRESHOLD_DAYS = 100_000
#: ``[[ignore]] resource``: longer than any resource a finding names (an ARN IAM accepts
#: is at most 2,048 characters, a file path 4,096 bytes). fnmatch compiles a pattern in
#: time that grows faster than its length: a megabyte of ``*a`` took seconds per rule.
MAX_RESOURCE_PATTERN = 4_096


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Ages (in days) at which the age-based checks fire."""

    key_max_age_days: int = 90
    key_unused_days: int = 45
    key_never_used_grace_days: int = 7
    password_unused_days: int = 45
    root_recent_use_days: int = 30


@dataclass(frozen=True, slots=True)
class Ignore:
    """A finding the user accepted, with the reason they gave. ``source`` and ``index``
    say where the rule is written (the file, and its 1-based position among the file's
    ``[[ignore]]`` tables), so every report can say what hid a finding."""

    check: str
    reason: str
    resource: str = "*"
    account: str = "*"
    source: str = ""
    index: int = 0

    @property
    def where(self) -> str:
        """``keyless.toml [[ignore]] #2``: the rule as a person finds it in the file."""
        return f"{self.source or 'configuration'} [[ignore]] #{self.index}"

    def matches(self, check: str, account: str, resource: str) -> bool:
        """True when this ignore covers a finding of ``check`` on ``resource``."""
        return (
            (self.check == check or self.check == "*")
            and fnmatch.fnmatchcase(account, self.account)
            and fnmatch.fnmatchcase(resource, self.resource)
        )


@dataclass(frozen=True, slots=True)
class PlanLink:
    """``[[plan.link]]``: the user says what an IAM user's keys are for. ``target`` is
    checked against its grammar by :mod:`keyless.plan.links`; ``where`` names the entry."""

    user: str
    target: str
    where: str
    account: str | None = None


@dataclass(frozen=True, slots=True)
class PlanKeep:
    """``[[plan.keep]]``: an IAM user that stays one (break-glass), with the reason."""

    user: str
    reason: str
    where: str
    account: str | None = None


@dataclass(frozen=True, slots=True)
class PlanConfig:
    """The ``[plan]`` table: links and users to keep, for ``keyless plan``."""

    links: tuple[PlanLink, ...] = ()
    keep: tuple[PlanKeep, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a user can configure."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    ignores: tuple[Ignore, ...] = ()
    path: str | None = None
    plan: PlanConfig = field(default_factory=PlanConfig)


def require_known_checks(config: Config, known: Collection[str]) -> Config:
    """``config``, when each of its ignores names a check in ``known`` (or ``*``).

    An ignore whose check does not exist hides nothing today and whatever that ID comes to
    mean tomorrow; a typo in it silently ignores nothing. Both are configuration errors.
    """
    for ignore in config.ignores:
        if ignore.check == "*" or ignore.check in known:
            continue
        close = difflib.get_close_matches(ignore.check, sorted(known), n=1)
        hint = f"Did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            f"unknown check {quoted(ignore.check)} in 'check'",
            where=ignore.where,
            hint=hint + "`keyless checks` lists every check ID; '*' ignores every check.",
        )
    return config


def load_config(path: Path | None, *, search_dir: Path | None = None) -> Config:
    """Read ``path``, or ``keyless.toml`` in ``search_dir`` when it exists, or defaults."""
    if path is None:
        # Relative to the working directory, so reports name it as the user knows it.
        candidate = search_dir / DEFAULT_CONFIG_NAME if search_dir else Path(DEFAULT_CONFIG_NAME)
        if not candidate.exists() and not candidate.is_symlink():
            return Config()
        path = candidate
    # Only a regular file, and a small one: a FIFO, a device or a directory is refused
    # at once (never waited on), a huge file before it is loaded.
    text = read_text(path, "the configuration", limit=MAX_CONFIG_BYTES)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML: {error}", where=str(path)) from None
    except ValueError:
        # tomllib converts integers with int(), which refuses more than 4,300 digits
        # (CVE-2020-10735): a ValueError, which was a traceback.
        raise ConfigError(
            f"not valid TOML: {_long_number(text)}, more digits than keyless reads"
            f" ({sys.get_int_max_str_digits():,})",
            where=str(path),
        ) from None
    except RecursionError:
        raise ConfigError("not valid TOML: nested too deeply", where=str(path)) from None
    return parse_config(raw, source=str(path))


def _long_number(text: str) -> str:
    """Where the first number too long for ``int()`` is in ``text``, for a message."""
    found = re.search(rf"[0-9_]{{{sys.get_int_max_str_digits() + 1},}}", text)
    if found is None:
        return "a number"
    return f"a number (line {text.count(chr(10), 0, found.start()) + 1})"


def parse_config(raw: dict[str, Any], *, source: str = "configuration") -> Config:
    """Validate a parsed configuration document."""
    unknown = set(raw) - {"thresholds", "ignore", "plan"}
    if unknown:
        raise ConfigError(
            f"unknown section(s) {quoted_list(unknown)}",
            where=source,
            hint="keyless.toml knows [thresholds], [[ignore]] and [plan].",
        )
    ignores = raw.get("ignore", [])
    if not isinstance(ignores, list):
        raise ConfigError("'ignore' must be an array of tables ([[ignore]])", where=source)
    return Config(
        thresholds=_thresholds(raw.get("thresholds", {}), source),
        ignores=tuple(_ignore(entry, n, source) for n, entry in enumerate(ignores)),
        path=source,
        plan=_plan(raw.get("plan", {}), source),
    )


def _thresholds(raw: Any, source: str) -> Thresholds:
    if not isinstance(raw, dict):
        raise ConfigError("[thresholds] must be a table", where=source)
    known = {f.name for f in fields(Thresholds)}
    values: dict[str, int] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(
                f"unknown threshold {quoted(key)}",
                where=source,
                hint=f"known thresholds: {', '.join(sorted(known))}",
            )
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not 0 <= value <= MAX_THRESHOLD_DAYS
        ):
            raise ConfigError(
                f"threshold {key} must be a whole number of days from 0 to {MAX_THRESHOLD_DAYS:,}",
                where=source,
            )
        values[key] = value
    return Thresholds(**values)


#: ``[[ignore]] account``: ASCII digits, ``*`` and ``?`` (an fnmatch pattern); never the
#: digits of another script, which no account ID holds.
_ACCOUNT_PATTERN = re.compile(r"[0-9*?]{1,64}")


def _ignore(raw: Any, index: int, source: str) -> Ignore:
    where = f"{source} [[ignore]] #{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError("each [[ignore]] must be a table", where=where)
    unknown = set(raw) - {"check", "reason", "resource", "account"}
    if unknown:
        raise ConfigError(f"unknown key(s) {quoted_list(unknown)}", where=where)
    for key in ("check", "reason"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"'{key}' is mandatory"
                if value is None
                else f"'{key}' must be a non-empty string, not {_toml_kind(value)}",
                where=where,
                hint="Every ignore names the check and gives the reason it is accepted.",
            )
    for key in ("resource", "account"):
        if key in raw and not isinstance(raw[key], str):
            raise ConfigError(f"'{key}' must be a string", where=where)
    for key, value in raw.items():
        # Reports print these values; a line break or an escape sequence in them could
        # forge a line of the report (or recolour the terminal).
        if any(not character.isprintable() for character in value):
            raise ConfigError(
                f"'{key}' contains a control character (a line break, tab or escape)",
                where=where,
                hint="Write each value on one line, in printable characters.",
            )
    _require_resource_pattern(raw.get("resource", "*"), where)
    account = raw.get("account", "*")
    if not _ACCOUNT_PATTERN.fullmatch(account) or (
        not any(c in account for c in "*?") and len(account) != 12
    ):
        raise ConfigError(
            f"'account' must be a 12-digit account ID (or a pattern of digits, * and ?),"
            f" not {quoted(account)}",
            where=where,
        )
    return Ignore(
        check=raw["check"].strip(),
        reason=raw["reason"].strip(),
        resource=raw.get("resource", "*"),
        account=account,
        source=source,
        index=index + 1,
    )


def _require_resource_pattern(pattern: str, where: str) -> None:
    """Refuse a ``resource`` pattern fnmatch would take long to compile: one past
    :data:`MAX_RESOURCE_PATTERN`, or with a ``[`` that opens no character class (fnmatch
    reads it as a literal ``[`` after searching the rest of the pattern for its ``]``:
    10,000 of them took a minute). ``[[]`` is the literal ``[``."""
    if len(pattern) > MAX_RESOURCE_PATTERN:
        raise ConfigError(
            f"'resource' is {len(pattern):,} characters long, more than"
            f" {MAX_RESOURCE_PATTERN:,} (longer than any ARN or path a finding names)",
            where=where,
        )
    position = pattern.find("[")
    while position != -1:
        # fnmatch's reading: a '!' and then a ']' right after '[' belong to the class.
        start = position + 1
        start += pattern.startswith("!", start)
        start += pattern.startswith("]", start)
        end = pattern.find("]", start)
        if end == -1:
            raise ConfigError(
                f"'resource' has a '[' that opens no character class (no ']' after it), at"
                f" character {position + 1}",
                where=where,
                hint="Write [[] for a literal '['; [abc] matches one of a, b or c.",
            )
        position = pattern.find("[", end + 1)


def _toml_kind(value: object) -> str:
    if isinstance(value, str):
        return "blank text"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    return "a table" if isinstance(value, dict) else "a date or time"


def _plan(raw: Any, source: str) -> PlanConfig:
    if not isinstance(raw, dict):
        raise ConfigError("[plan] must be a table", where=source)
    unknown = set(raw) - {"link", "keep"}
    if unknown:
        raise ConfigError(
            f"unknown key(s) {quoted_list(unknown)} in [plan]",
            where=source,
            hint="[plan] knows [[plan.link]] and [[plan.keep]].",
        )
    links = []
    for index, entry in enumerate(_tables(raw.get("link", []), "plan.link", source)):
        where = f"{source} [[plan.link]] #{index + 1}"
        values = _strings(entry, where, required=("user", "target"), optional=("account",))
        links.append(PlanLink(values["user"], values["target"], where, values.get("account")))
    keep = []
    for index, entry in enumerate(_tables(raw.get("keep", []), "plan.keep", source)):
        where = f"{source} [[plan.keep]] #{index + 1}"
        values = _strings(entry, where, required=("user", "reason"), optional=("account",))
        keep.append(PlanKeep(values["user"], values["reason"], where, values.get("account")))
    return PlanConfig(links=tuple(links), keep=tuple(keep))


def _tables(raw: Any, name: str, source: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise ConfigError(f"each [[{name}]] must be a table", where=source)
    return raw


def _strings(
    entry: dict[str, Any], where: str, *, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, str]:
    unknown = set(entry) - set(required) - set(optional)
    if unknown:
        raise ConfigError(f"unknown key(s) {quoted_list(unknown)}", where=where)
    values: dict[str, str] = {}
    for key in (*required, *optional):
        value = entry.get(key)
        if value is None and key in optional:
            continue
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"'{key}' is mandatory and must be a non-empty string"
                if key in required
                else f"'{key}' must be a non-empty string",
                where=where,
            )
        if any(not character.isprintable() for character in value):
            raise ConfigError(
                f"'{key}' contains a control character (a line break, tab or escape)",
                where=where,
                hint="Write each value on one line, in printable characters.",
            )
        values[key] = value.strip()
    account = values.get("account")
    if account is not None and not (len(account) == 12 and account.isascii() and account.isdigit()):
        raise ConfigError(
            f"'account' must be a 12-digit account ID, not {quoted(account)}", where=where
        )
    return values
