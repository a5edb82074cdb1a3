"""Single sign-on fixtures: the community on a known loopback port, a real OpenID provider
(``oidc-provider`` from npm, started by ``tests/sso/provider.mjs``) beside it, a small provider of
our own that hands out tokens a test crafts with joserfc, and a cookie-keeping "browser" that
walks through the provider's own login and consent pages.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from community import keys
from community.app import create_app
from community.config import OidcSettings, Settings
from tests.conftest import only_declared_collections
from tests.factories import make_org
from tests.processes import ROOT, free_port

PROVIDER_SCRIPT = ROOT / "tests" / "sso" / "provider.mjs"
CLIENT_ID, CLIENT_SECRET = "community", "a-client-secret-for-the-tests-only-0123456789"
START_SECONDS = 30
TOKEN_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def missing(what: str, install: str) -> None:
    reason = f"{what} is not installed: run `{install}`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true makes this a failure)", pytrace=False)
    pytest.skip(reason)


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


ACCOUNTS = {
    "asha": {"name": "Asha Verma", "email": "asha.verma@meity.example.gov.in", "email_verified": True,
             "org": "MEITY", "roles": ["MDO_ADMIN"]},
    "ravi": {"name": "Ravi Kumar", "email": "ravi.kumar@dopt.example.gov.in", "email_verified": True, "org": "DOPT",
             "roles": []},
    "local": {"name": "Meera Local", "email": "meera.local@example.gov.in", "email_verified": True, "org": "DOPT",
              "roles": []},
}


@dataclass
class RealProvider:
    """``oidc-provider`` in a Node process on loopback; ``restart`` gives it new signing keys."""

    port: int
    community_url: str
    folder: Path
    signing: list[RSAKey]
    process: asyncio.subprocess.Process | None = None
    output: list[str] = field(default_factory=list)
    """What the provider printed after it started (its errors, for a failing test's message)."""
    accounts: dict[str, dict[str, Any]] = field(default_factory=lambda: json.loads(json.dumps(ACCOUNTS)))

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _config(self) -> dict[str, Any]:
        community = {
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{self.community_url}/sso/callback"],
            "post_logout_redirect_uris": [f"{self.community_url}/"],
            "backchannel_logout_uri": f"{self.community_url}/sso/backchannel-logout",
            "backchannel_logout_session_required": True,
            "grant_types": ["authorization_code"], "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }
        elsewhere = {**community, "client_id": "elsewhere", "client_secret": "another-secret-0123456789-0123456789",
                     "post_logout_redirect_uris": [], "backchannel_logout_uri": None}
        elsewhere = {key: value for key, value in elsewhere.items() if value is not None}
        return {"port": self.port, "clients": [community, elsewhere], "accounts": self.accounts,
                "keys": {"keys": [key.as_dict(private=True) for key in self.signing]}}

    async def start(self) -> None:
        config = self.folder / "provider.json"
        config.write_text(json.dumps(self._config()), encoding="utf-8")
        self.process = await asyncio.create_subprocess_exec(
            "node", str(PROVIDER_SCRIPT), str(config), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        assert self.process.stdout is not None
        output = b""
        deadline = time.monotonic() + START_SECONDS
        while b"listening" not in output:
            line = await asyncio.wait_for(self.process.stdout.readline(), max(0.1, deadline - time.monotonic()))
            if not line:
                raise AssertionError(f"oidc-provider exited: {output.decode(errors='replace')}")
            output += line
        self._drain = asyncio.ensure_future(self._read_rest())

    async def _read_rest(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        while line := await self.process.stdout.readline():
            self.output.append(line.decode(errors="replace").rstrip())

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()
            await self._drain
        self.process = None

    async def restart(self, signing: list[RSAKey]) -> None:
        await self.stop()
        self.signing = signing
        await self.start()


@dataclass
class Browser:
    """A cookie-keeping HTTP client that follows redirects one at a time, as a browser would."""

    http: aiohttp.ClientSession
    community_url: str

    async def walk(self, url: str, *, method: str = "GET", data: dict[str, str] | None = None,
                   stop_at: str | None = None) -> tuple[str, int, str]:
        """Go to ``url`` and follow redirects, stopping before a URL that starts with ``stop_at``;
        returns the final URL, its status and its body ("" when stopped)."""
        for _hop in range(20):
            if stop_at and url.startswith(stop_at):
                return url, 0, ""
            async with self.http.request(method, url, data=data, allow_redirects=False) as response:
                body = await response.text()
                if response.status in (301, 302, 303, 307, 308):
                    url = urljoin(url, response.headers["Location"])
                    method, data = "GET", None
                    continue
                return url, response.status, body
        raise AssertionError("too many redirects")

    async def csrf(self, path: str = "/login") -> str:
        async with self.http.get(self.community_url + path) as response:
            match = TOKEN_PATTERN.search(await response.text())
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    async def start(self, next_path: str = "/", *, stop_at: str | None = None) -> tuple[str, int, str]:
        """Press "Sign in with iGOT" on the sign-in page."""
        token = await self.csrf(f"/login?next={next_path}")
        return await self.walk(self.community_url + "/sso/start", method="POST",
                               data={"csrf_token": token, "next": next_path}, stop_at=stop_at)

    async def through_provider(self, login: str, next_path: str = "/") -> str:
        """Sign in at the provider's own pages (login, then consent); the callback URL it sends
        the browser to, not yet visited."""
        callback = self.community_url + "/sso/callback"
        url, status, body = await self.start(next_path, stop_at=callback)
        for _page in range(3):
            if url.startswith(callback):
                return url
            assert status == 200, (url, status, body[:500])
            action = urljoin(url, FORM_ACTION.search(body).group(1))  # type: ignore[union-attr]
            fields = {"login": login, "password": "any password"} if 'name="login"' in body else {"prompt": "consent"}
            if 'name="login"' in body:
                fields["prompt"] = "login"
            url, status, body = await self.walk(action, method="POST", data=fields, stop_at=callback)
        raise AssertionError(f"the provider never sent the browser back: {url} {status} {body[:500]}")

    async def community_session(self) -> str | None:
        for cookie in self.http.cookie_jar:
            if cookie.key == "session" and cookie.value:
                return cookie.value
        return None


def oidc_settings(issuer: str, **changes: Any) -> OidcSettings:
    return replace(OidcSettings(issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                org_map=(("MEITY", "MeitY"), ("DOPT", "DoPT")), role_map=(("MDO_ADMIN", "mdo_admin"),)),
                   **changes)


@dataclass
class Community:
    client: TestClient
    url: str
    db: Any

    def browser(self) -> Browser:
        return Browser(aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)), self.url)


NODE_MAJOR = 20
"""oidc-provider 9 runs on Node.js 20.19 or newer (Debian 12's own nodejs is 18)."""


def require_node() -> None:
    """Skip (or fail with ``CI=true``) unless Node.js and the npm packages are there."""
    node = shutil.which("node")
    if node is None:
        missing("Node.js", "apt-get install nodejs npm")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout  # type: ignore[list-item]
    if int(version.lstrip("v").split(".")[0] or 0) < NODE_MAJOR:
        missing(f"Node.js {NODE_MAJOR} or newer (found {version.strip()})", "install Node.js 20 LTS or newer")
    if not (ROOT / "node_modules" / "oidc-provider" / "package.json").is_file():
        missing("oidc-provider (test-only npm package)", "npm ci")


@pytest.fixture
def node() -> None:
    require_node()


@pytest.fixture
def community_port() -> int:
    return free_port()


@pytest.fixture
def provider_port() -> int:
    return free_port()


@pytest.fixture
async def community(aiohttp_client: Callable[..., Any], settings: Settings, community_port: int,
                    provider_port: int, request: pytest.FixtureRequest) -> AsyncIterator[Community]:
    """The community with single sign-on on; ``OIDC`` changes from the test's ``oidc`` marker."""
    url = f"http://127.0.0.1:{community_port}"
    marker = request.node.get_closest_marker("oidc")
    changes = marker.kwargs if marker else {}
    configured = replace(settings, base_url=url, oidc=oidc_settings(f"http://127.0.0.1:{provider_port}", **changes))
    client = await aiohttp_client(create_app(configured), server_kwargs={"port": community_port})
    db = client.app[keys.DB]
    await make_org(db, name="Ministry of Electronics and IT", short_name="MeitY")
    await make_org(db, name="Department of Personnel and Training", short_name="DoPT")
    yield Community(client, url, db)
    await only_declared_collections(db)


@pytest.fixture
async def provider(node: None, community: Community, provider_port: int, tmp_path: Path) -> AsyncIterator[RealProvider]:
    running = RealProvider(port=provider_port, community_url=community.url, folder=tmp_path, signing=[new_key("first")])
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def browser(community: Community) -> AsyncIterator[Browser]:
    made = community.browser()
    yield made
    await made.http.close()


@dataclass
class CraftedProvider:
    """A provider of our own: discovery, a JWKS and a token endpoint that answers with whatever
    ID token the test queued, signed with joserfc (never by hand)."""

    issuer: str
    keys: list[RSAKey]
    queued: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    def sign(self, claims: dict[str, Any], *, key: RSAKey | None = None, alg: str = "RS256",
             header: dict[str, Any] | None = None) -> str:
        key = key or self.keys[0]
        return jwt.encode({"alg": alg, "kid": key.kid, **(header or {})}, claims, key)

    def claims(self, nonce: str, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": self.issuer, "aud": CLIENT_ID, "sub": "crafted-1", "iat": now, "exp": now + 300, "nonce": nonce,
                "name": "Kiran Crafted", "email": "kiran.crafted@example.gov.in", "email_verified": True,
                "org": "DOPT", **changes}

    def app(self) -> web.Application:
        app = web.Application()

        async def discovery(request: web.Request) -> web.Response:
            return web.json_response({"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/auth",
                                      "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks"})

        async def jwks(request: web.Request) -> web.Response:
            return web.json_response(KeySet(list(self.keys)).as_dict())  # public parts only

        async def token(request: web.Request) -> web.Response:
            form = await request.post()
            self.codes.append(str(form.get("code")))
            return web.json_response({"id_token": self.queued.pop(0), "token_type": "Bearer", "access_token": "x"})

        app.router.add_get("/.well-known/openid-configuration", discovery)
        app.router.add_get("/jwks", jwks)
        app.router.add_post("/token", token)
        return app


@pytest.fixture
async def crafted(community: Community, provider_port: int) -> AsyncIterator[CraftedProvider]:
    made = CraftedProvider(issuer=f"http://127.0.0.1:{provider_port}", keys=[new_key("crafted-key")])
    runner = web.AppRunner(made.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", provider_port)
    await site.start()
    yield made
    await runner.cleanup()


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "oidc(**changes): single sign-on settings for the community fixture")
