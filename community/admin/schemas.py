"""What the administration API sends back."""

from __future__ import annotations

from pydantic import BaseModel


class AuditEntryOut(BaseModel):
    id: str
    at: str
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
