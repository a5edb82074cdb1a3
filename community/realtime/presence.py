"""Who is in a room: distinct people, however many tabs each has open.

:class:`Presence` counts this process's sockets; it is the whole truth with one process.
:class:`SharedPresence` (when ``REDIS_URL`` is set) also records, per room, which people each
process holds (a Redis hash whose fields are ``<process>|<person>``), so every process reports
the same count. Each process renews a heartbeat; a process that died without cleaning up stops
counting once its heartbeat is older than ``STALE_AFTER_SECONDS``, and its entries are removed
the next time the room is counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter
from typing import cast

import redis.asyncio as aioredis


class Presence:
    def __init__(self) -> None:
        self._rooms: dict[str, Counter[str]] = {}

    async def enter(self, room: str, person: str) -> bool:
        """Count one more socket of ``person`` in ``room``; True when the person just arrived here."""
        return self.enter_local(room, person)

    async def leave(self, room: str, person: str) -> bool:
        """Count one socket fewer; True when the person's last socket here left the room."""
        return self.leave_local(room, person)

    async def count(self, room: str, *, fresh: bool = False) -> int:
        return len(self._rooms.get(room, ()))

    async def people(self, room: str) -> set[str]:
        """Who is in ``room``: the people themselves, not only how many (a live room's list)."""
        return set(self._rooms.get(room, ()))

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._rooms.clear()

    def enter_local(self, room: str, person: str) -> bool:
        people = self._rooms.setdefault(room, Counter())
        people[person] += 1
        return people[person] == 1

    def leave_local(self, room: str, person: str) -> bool:
        people = self._rooms.get(room)
        if people is None or people[person] == 0:
            return False
        people[person] -= 1
        if people[person]:
            return False
        del people[person]
        if not people:
            del self._rooms[room]
        return True


log = logging.getLogger("community.realtime")

HEARTBEAT_SECONDS = 10.0
COUNT_CACHE_SECONDS = 1.0
"""How long a shared count is reused for acknowledgements. Counting reads the room's whole hash,
so when thousands join a live event at once, each join must not read it again. Announcements
(at most one per room per second) always count afresh."""
REDIS_CONNECTIONS = 32
STALE_AFTER_SECONDS = 30.0
PROCESSES_KEY = "community:presence:processes"


def room_key(room: str) -> str:
    return f"community:presence:{room}"


class SharedPresence(Presence):
    def __init__(self, url: str) -> None:
        super().__init__()
        pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=REDIS_CONNECTIONS, timeout=10,
                                                       socket_timeout=5, socket_connect_timeout=5,
                                                       decode_responses=True)
        self.redis = aioredis.Redis.from_pool(pool)
        self.process = uuid.uuid4().hex
        self._counted: dict[str, tuple[float, int]] = {}
        self._heartbeat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        with contextlib.suppress(aioredis.RedisError, OSError):  # readiness reports a Redis that is away
            await self._beat()
        self._heartbeat = asyncio.create_task(self._keep_beating())

    async def _beat(self) -> None:
        now = time.time()
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zadd(PROCESSES_KEY, {self.process: now})
            pipe.zremrangebyscore(PROCESSES_KEY, "-inf", now - STALE_AFTER_SECONDS)
            await pipe.execute()

    async def _keep_beating(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            with contextlib.suppress(aioredis.RedisError, OSError):  # Redis back soon: the next beat renews
                await self._beat()

    async def enter(self, room: str, person: str) -> bool:
        arrived = self.enter_local(room, person)
        if arrived:
            try:
                await self.redis.hset(room_key(room), f"{self.process}|{person}", 1)
            except (aioredis.RedisError, OSError) as error:
                log.warning("presence not shared", extra={"error": repr(error)})
        return arrived

    async def leave(self, room: str, person: str) -> bool:
        gone = self.leave_local(room, person)
        if gone:
            try:
                await self.redis.hdel(room_key(room), f"{self.process}|{person}")
            except (aioredis.RedisError, OSError) as error:
                log.warning("presence not shared", extra={"error": repr(error)})
        return gone

    async def count(self, room: str, *, fresh: bool = False) -> int:
        """Everyone present through any live process; this process's own count while Redis is away."""
        cached = self._counted.get(room)
        if not fresh and cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            fields = cast(list[str], await self.redis.hkeys(room_key(room)))  # decode_responses=True
            live = set(await self.redis.zrangebyscore(PROCESSES_KEY, time.time() - STALE_AFTER_SECONDS, "+inf"))
            stale = [field for field in fields if field.partition("|")[0] not in live]
            if stale:
                await self.redis.hdel(room_key(room), *stale)
        except (aioredis.RedisError, OSError) as error:
            log.warning("shared presence unavailable", extra={"error": repr(error)})
            return await super().count(room)
        count = len({field.partition("|")[2] for field in fields if field.partition("|")[0] in live})
        self._counted[room] = (time.monotonic() + COUNT_CACHE_SECONDS, count)
        if len(self._counted) > 10_000:  # forget rooms nobody asked about lately
            now = time.monotonic()
            self._counted = {key: value for key, value in self._counted.items() if value[0] > now}
        return count

    async def people(self, room: str) -> set[str]:
        """Everyone present through any live process; this process's own people while Redis is away."""
        try:
            fields = cast(list[str], await self.redis.hkeys(room_key(room)))
            live = set(await self.redis.zrangebyscore(PROCESSES_KEY, time.time() - STALE_AFTER_SECONDS, "+inf"))
        except (aioredis.RedisError, OSError) as error:
            log.warning("shared presence unavailable", extra={"error": repr(error)})
            return await super().people(room)
        return {field.partition("|")[2] for field in fields if field.partition("|")[0] in live}

    async def close(self) -> None:
        """Take this process's people out of every room and stop the heartbeat."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        with contextlib.suppress(aioredis.RedisError, OSError):
            async with self.redis.pipeline(transaction=False) as pipe:
                for room, people in self._rooms.items():
                    pipe.hdel(room_key(room), *(f"{self.process}|{person}" for person in people))
                pipe.zrem(PROCESSES_KEY, self.process)
                await pipe.execute()
        self._rooms.clear()
        await self.redis.aclose()
