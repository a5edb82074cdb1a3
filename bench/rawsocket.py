"""The benches' Socket.IO clients: raw WebSocket connections speaking Engine.IO 4 / Socket.IO 5
(python-socketio's AsyncClient costs far more per socket than the server does, so a bench of
thousands of sockets would measure itself)."""

from __future__ import annotations

import json
from typing import Any


async def entered(port: int, token: str, event: str, data: dict[str, Any], *, deflate: bool = True,
                  open_timeout: float = 60) -> Any:
    """Engine.IO open, Socket.IO CONNECT with the API token, then ``event`` with ``data`` (a join
    or an enter, checked by the server's policy); the socket once its acknowledgement says ok,
    answering the server's pings meanwhile. ``deflate``: offer per-message deflate, as browsers do."""
    import websockets

    ws = await websockets.connect(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket",
                                  compression="deflate" if deflate else None, open_timeout=open_timeout,
                                  max_size=None, ping_interval=None)
    opened = await ws.recv()
    assert opened.startswith("0"), opened
    await ws.send("40" + json.dumps({"token": token}))
    connected = await ws.recv()
    assert connected.startswith("40"), connected
    await ws.send("420" + json.dumps([event, data]))
    while True:
        reply = await ws.recv()
        if reply == "2":
            await ws.send("3")
        elif reply.startswith("430"):
            assert json.loads(reply[3:])[0]["ok"], reply
            return ws
