"""Who is in a room: distinct people, however many tabs each has open.

Counts are kept by the process that holds the sockets, and a socket's entries go when it
disconnects. With several processes each counts its own sockets; the count shown is this
process's, which is exact for one process and a lower bound behind a load balancer.
"""

from __future__ import annotations

from collections import Counter


class Presence:
    def __init__(self) -> None:
        self._rooms: dict[str, Counter[str]] = {}

    def enter(self, room: str, person: str) -> bool:
        """Count one more socket of ``person`` in ``room``; True when the person just arrived."""
        people = self._rooms.setdefault(room, Counter())
        people[person] += 1
        return people[person] == 1

    def leave(self, room: str, person: str) -> bool:
        """Count one socket fewer; True when the person's last socket left the room."""
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

    def count(self, room: str) -> int:
        return len(self._rooms.get(room, ()))
