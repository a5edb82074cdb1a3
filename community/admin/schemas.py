"""What the administration API sends back."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class AuditEntryOut(BaseModel):
    id: str
    at: datetime
    actor_id: str | None
    action: str
    target_type: str
    target_id: str
    org_id: str | None
    reason: str | None
    details: dict


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None


class PeopleQuery(BaseModel):
    org: str | None = Field(None, max_length=64, description="an organisation id (MDO administrators: their own by default)")
    q: str = Field("", max_length=200, description="the start of a name or e-mail address")
    cursor: str | None = Field(None, description="next_cursor of the previous page (the request line bounds its length)")
    limit: int = Field(50, ge=1, le=100, description="how many people, 1-100")


class AuditQuery(BaseModel):
    cursor: str | None = Field(None, description="next_cursor of the previous page (the request line bounds its length)")
    limit: int = Field(50, ge=1, le=100, description="how many entries, 1-100")
