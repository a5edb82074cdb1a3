"""The erasure request's body, as the OpenAPI document describes it."""

from __future__ import annotations

from pydantic import BaseModel, Field


class EraseIn(BaseModel):
    confirm: str = Field(description="Your e-mail address, typed again, so an erasure is never an accident.")
