"""Network fixtures: an app with the forums' relaxed posting limits (follows and mentions are
tested through real threads), and the forums' builders."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from community.app import create_app
from community.config import Settings
from community.forums.limits import LIMITS
from tests.forums.conftest import RELAXED, Forum


@pytest.fixture
def app(settings: Settings) -> web.Application:
    app = create_app(settings)
    app[LIMITS] = RELAXED
    return app


@pytest.fixture
async def forum(client: TestClient) -> Forum:
    return Forum(client)
