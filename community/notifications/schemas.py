from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, create_model

from community.notifications.kinds import DEFAULT_DELIVERY, KINDS, Delivery

PreferencesIn: type[BaseModel] = create_model(  # one field per kind, each defaulting to in-app
    "NotificationPreferences",
    __config__=ConfigDict(extra="forbid"),
    **{kind: (Delivery, DEFAULT_DELIVERY) for kind in KINDS},
)


class NotificationOut(BaseModel):
    id: str
    kind: str
    text: str
    url: str
    count: int
    read: bool
    created_at: datetime
    updated_at: datetime


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    unread: int
    next_cursor: str | None


class UnreadOut(BaseModel):
    unread: int


class ChangedOut(BaseModel):
    changed: int
    unread: int
