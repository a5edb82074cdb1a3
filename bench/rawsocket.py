"""The benches' Socket.IO clients: raw WebSocket connections speaking Engine.IO 4 / Socket.IO 5
(python-socketio's AsyncClient costs far more per socket than the server does, so a bench of
thousands of sockets would measure itself)."""

from __future__ import annotations

import json
import multiprocessing
import time
from collections.abc import Callable
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


def client_processes(target: Callable[..., None], shares: list[tuple[Any, ...]],
                     seconds: float) -> tuple[list[Any], list[Any], float]:
    """One spawned process per share, running ``target(*share, pipe)``, each of which sends
    ``"ready"`` once its sockets are in; waits for all of them (at most ``seconds`` each).
    Returns the parents' ends of the pipes, the processes and the seconds until all were ready."""
    ctx = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for share in shares:
        parent, child = ctx.Pipe()
        process = ctx.Process(target=target, args=(*share, child))
        process.start()
        pipes.append(parent)
        processes.append(process)
    started = time.monotonic()
    for pipe in pipes:
        if not pipe.poll(seconds):
            raise SystemExit(f"the clients did not connect within {seconds:.0f} s")
        assert pipe.recv() == "ready"
    return pipes, processes, time.monotonic() - started
