from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, RootModel

from community.notifications.kinds import Delivery


class PreferencesIn(RootModel[dict[str, Delivery]]):
    """Each kind of notification some feature sends, and how it reaches you (the API documents
    this shape; requests are checked against the kinds registered, ``preferences_model``)."""


class NotificationQuery(BaseModel):
    """The query of ``GET /notifications``."""

    model_config = ConfigDict(extra="ignore")
    unread: bool = Field(False, description="true for unread notifications only")
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: int = Field(20, ge=1, le=100, description="how many notifications, 1-100")


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
