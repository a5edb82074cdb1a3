"""Direct-message fixtures: an app whose limits are small enough to reach in a test."""

from __future__ import annotations


import pytest
from aiohttp import web

from community.app import create_app
from community.config import Settings
from community.messages.rules import RULES, MessageRules

TEST_RULES = MessageRules(per_minute=3, max_length=50, group_size=3)


@pytest.fixture
def app(settings: Settings) -> web.Application:
    app = create_app(settings)
    app[RULES] = TEST_RULES
    return app

