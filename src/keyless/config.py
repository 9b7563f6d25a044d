"""User configuration: thresholds and ignores, from ``keyless.toml`` or ``--config``.

```toml
[thresholds]
key_max_age_days = 90

[[ignore]]
check = "key-unused"
resource = "arn:aws:iam::123456789012:user/break-glass*"   # fnmatch pattern, optional
account = "123456789012"                                      # optional
reason = "break-glass user, keys sealed in the vault"        # mandatory
```
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from keyless.errors import ConfigError
from keyless.files import read_text

DEFAULT_CONFIG_NAME = "keyless.toml"


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
    """A finding the user accepted, with the reason they gave."""

    check: str
    reason: str
    resource: str = "*"
    account: str = "*"

    def matches(self, check: str, account: str, resource: str) -> bool:
        """True when this ignore covers a finding of ``check`` on ``resource``."""
        return (
            (self.check == check or self.check == "*")
            and fnmatch.fnmatchcase(account, self.account)
            and fnmatch.fnmatchcase(resource, self.resource)
        )


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a user can configure."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    ignores: tuple[Ignore, ...] = ()
    path: str | None = None


def load_config(path: Path | None, *, search_dir: Path | None = None) -> Config:
    """Read ``path``, or ``keyless.toml`` in ``search_dir`` when it exists, or defaults."""
    if path is None:
        candidate = (search_dir or Path.cwd()) / DEFAULT_CONFIG_NAME
        if not candidate.is_file():
            return Config()
        path = candidate
    text = read_text(path, "the configuration")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML: {error}", where=str(path)) from None
    return parse_config(raw, source=str(path))


def parse_config(raw: dict[str, Any], *, source: str = "configuration") -> Config:
    """Validate a parsed configuration document."""
    unknown = set(raw) - {"thresholds", "ignore"}
    if unknown:
        raise ConfigError(
            f"unknown section(s) {', '.join(sorted(unknown))}",
            where=source,
            hint="keyless.toml knows [thresholds] and [[ignore]].",
        )
    return Config(
        thresholds=_thresholds(raw.get("thresholds", {}), source),
        ignores=tuple(_ignore(entry, n, source) for n, entry in enumerate(raw.get("ignore", []))),
        path=source,
    )


def _thresholds(raw: Any, source: str) -> Thresholds:
    if not isinstance(raw, dict):
        raise ConfigError("[thresholds] must be a table", where=source)
    known = {f.name for f in fields(Thresholds)}
    values: dict[str, int] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(
                f"unknown threshold {key!r}",
                where=source,
                hint=f"known thresholds: {', '.join(sorted(known))}",
            )
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"threshold {key} must be a whole number of days", where=source)
        values[key] = value
    return Thresholds(**values)


def _ignore(raw: Any, index: int, source: str) -> Ignore:
    where = f"{source} [[ignore]] #{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError("each [[ignore]] must be a table", where=where)
    unknown = set(raw) - {"check", "reason", "resource", "account"}
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(sorted(unknown))}", where=where)
    for key in ("check", "reason"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"'{key}' is mandatory",
                where=where,
                hint="Every ignore names the check and gives the reason it is accepted.",
            )
    for key in ("resource", "account"):
        if key in raw and not isinstance(raw[key], str):
            raise ConfigError(f"'{key}' must be a string", where=where)
    return Ignore(
        check=raw["check"],
        reason=raw["reason"].strip(),
        resource=raw.get("resource", "*"),
        account=raw.get("account", "*"),
    )
