from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, RootModel

from community.notifications.kinds import Delivery


class PreferencesIn(RootModel[dict[str, Delivery]]):
    """Each kind of notification some feature sends, and how it reaches you (the API documents
    this shape; requests are checked against the kinds registered, ``preferences_model``)."""


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
