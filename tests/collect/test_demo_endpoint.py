"""The demo stays inside its emulator whatever the user's shell points AWS at."""

import pytest

from keyless.collect.demo.build import demo_inventory


def test_demo_ignores_an_endpoint_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    inventory = demo_inventory()
    assert inventory.is_complete
    assert len(inventory.accounts) >= 4
    import os

    assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
