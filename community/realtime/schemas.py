from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

ROOM_PATTERN = r"^(user|org|category|thread|event):[0-9a-f]{24}$"


class RoomRequest(BaseModel):
    """``join``, ``leave`` and ``presence`` all name one room."""

    model_config = ConfigDict(extra="forbid")

    room: Annotated[str, StringConstraints(pattern=ROOM_PATTERN, max_length=40)]
