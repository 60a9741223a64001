"""Fixtures shared by the extension's tests."""
import pytest


@pytest.fixture
def environ(monkeypatch):
    """Sets an environment variable for one test (None: unset)."""

    def set_variable(name: str, value: str | None) -> None:
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    return set_variable
