"""Fixtures the hostile tests share with the generator's tests."""

from tests.generate.conftest import ca_cert, demo_plan, export_plan

__all__ = ["ca_cert", "demo_plan", "export_plan"]
