"""The configuration a command runs with: ``--config FILE`` or ``./keyless.toml``, checked
against the whole check catalogue (estate and CI checks share one ``keyless.toml``)."""

from __future__ import annotations

from pathlib import Path

from keyless.config import Config, load_config, require_known_checks


def load_checked_config(path: Path | None) -> Config:
    """The configuration, refused (exit code 2) when an ignore names a check that does
    not exist: such a rule hides nothing today and whatever the ID comes to mean later."""
    config = load_config(path)
    if all(ignore.check == "*" for ignore in config.ignores):
        return config  # nothing to check: the catalogue (and the CI readers) not loaded
    from keyless.render.catalogue import every_check

    return require_known_checks(config, {c.id for c in every_check()})
