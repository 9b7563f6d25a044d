"""The configuration a command runs with: ``--config FILE`` or ``./keyless.toml``, checked
against the whole check catalogue (estate and CI checks share one ``keyless.toml``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from keyless.config import Config, load_config, require_known_checks

if TYPE_CHECKING:
    from keyless.engine import ScanResult


def load_checked_config(path: Path | None) -> Config:
    """The configuration, refused (exit code 2) when an ignore names a check that does
    not exist: such a rule hides nothing today and whatever the ID comes to mean later."""
    config = load_config(path)
    if all(ignore.check == "*" for ignore in config.ignores):
        return config  # nothing to check: the catalogue (and the CI readers) not loaded
    from keyless.render.catalogue import every_check

    return require_known_checks(config, {c.id for c in every_check()})


def with_ignores(result: ScanResult, config: Config) -> ScanResult:
    """``result`` holding the ignores of ``config`` it applied, so its report names those
    that accepted nothing (``ScanResult.unused_ignores``). ``run_checks`` records them
    itself; the file scans (``workflows scan``, ``iac``) apply them without doing so."""
    return dataclasses.replace(result, ignores=config.ignores)
