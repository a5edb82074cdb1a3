from __future__ import annotations

from aiohttp.test_utils import TestClient

from community.api import PREFIX


async def test_every_api_route_is_described(client: TestClient) -> None:
    document = await (await client.get(f"{PREFIX}/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    described = {(path, method) for path, operations in document["paths"].items() for method in operations}
    routed = set()
    for route in client.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if path and path.startswith(PREFIX) and path != f"{PREFIX}/openapi.json" and route.method not in ("HEAD", "OPTIONS"):
            routed.add((path, route.method.lower()))
    missing = routed - described
    assert not missing, f"API routes without an OpenAPI description: {sorted(missing)}"
    assert described <= routed, "the document describes routes that do not exist"
