from __future__ import annotations

from dataclasses import replace

import pytest
from aiohttp import web

from community.app import create_app
from community.config import Settings
from community.forums.limits import LIMITS, ForumLimits


@pytest.fixture
def app(settings: Settings) -> web.Application:
    """The forums' flood and new-member limits would stop a brand-new test account from posting twice."""
    app = create_app(settings)
    app[LIMITS] = replace(ForumLimits(), flood_seconds=0, new_member_days=0, new_member_min_posts=0)
    return app
