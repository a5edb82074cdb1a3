"""Several browsers on one server, as in the accounts tests."""

from tests.accounts.conftest import another_browser

__all__ = ["another_browser"]
