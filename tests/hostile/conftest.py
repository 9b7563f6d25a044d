"""Fixtures the hostile tests share with the generator's tests."""

from tests.generate.conftest import export_plan

__all__ = ["export_plan"]
