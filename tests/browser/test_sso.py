"""A person signs in through iGOT: the community's sign-in page, the real provider's own login
and consent pages (``oidc-provider``, ``tests/sso/provider.mjs``), and back to the community,
signed in, in the organisation the provider's claim names. The community is ``run.py`` as a
department would run it, with the single sign-on settings in its environment."""

from __future__ import annotations

import signal
import tempfile
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from community.config import load_settings
from community.storage import connect
from tests.browser.conftest import DESKTOP, Tools
from tests.browser.support import check_page
from tests.factories import make_org
from tests.processes import free_port, start_run_py, wait_until_serving
from tests.sso.conftest import CLIENT_ID, CLIENT_SECRET, RealProvider, new_key, require_node

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_signing_in_through_igots_own_pages_lands_signed_in_in_the_right_organisation(
        browser: Browser, tools: Tools, screenshots: Path) -> None:
    require_node()
    with tempfile.TemporaryDirectory(prefix="community-sso-") as folder:
        port, provider_port = free_port(), free_port()
        url = f"http://127.0.0.1:{port}"
        data_dir = Path(folder) / "data"
        settings = load_settings({"DATA_DIR": str(data_dir)})
        client = connect(settings.storage_url)
        try:
            await make_org(client[settings.database_name], name="Ministry of Electronics and IT", short_name="MeitY")
        finally:
            await client.close()
        provider = RealProvider(port=provider_port, community_url=url, folder=Path(folder), signing=[new_key("first")])
        await provider.start()
        process = start_run_py(data_dir, port, OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=CLIENT_ID,
                               OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_ORG_MAP="MEITY=MeitY", BASE_URL=url)
        try:
            wait_until_serving(port, process)
            context = await browser.new_context(base_url=url, viewport=DESKTOP)
            page = await context.new_page()
            await page.goto("/login?next=/account")
            await check_page(page, tools, screenshots, "sso-sign-in")
            await page.get_by_role("button", name="Sign in with iGOT").click()

            await expect(page.get_by_role("heading", name="Sign-in")).to_be_visible()  # the provider's own page
            await page.locator('input[name="login"]').fill("asha")
            await page.locator('input[name="password"]').fill("any password")
            await page.get_by_role("button", name="Sign-in").click()
            await page.get_by_role("button", name="Continue").click()

            await expect(page).to_have_url(f"{url}/account")
            await expect(page.get_by_role("definition").filter(has_text="Ministry of Electronics and IT")).to_be_visible()
            await expect(page.get_by_text("asha.verma@meity.example.gov.in")).to_be_visible()
            await check_page(page, tools, screenshots, "sso-signed-in")
            await context.close()
        finally:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=15)  # waits, and closes the log pipe
            await provider.stop()
