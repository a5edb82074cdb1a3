"""The privacy API's bodies, query strings and answers, as the OpenAPI document describes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class EraseIn(BaseModel):
    confirm: str = Field(description="Your e-mail address, typed again, so an erasure is never an accident.")


class ErasedOut(BaseModel):
    erased: bool
    changed: dict[str, int] = Field(description="collection -> how many documents were removed or anonymised")


class PersonDataQuery(BaseModel):
    reason: str | None = Field(None, max_length=500, description="why you are looking, kept in the audit log")


class CollectionData(BaseModel):
    label: str = Field(description="the kind of record in plain language, e.g. \"Forum threads and posts\"")
    purposes: list[str]
    documents: list[dict[str, Any]]


class PersonalDataOut(BaseModel):
    person_id: str
    generated_at: datetime
    collections: dict[str, CollectionData]
