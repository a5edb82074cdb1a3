"""The certificates API's answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class VerificationOut(BaseModel):
    """What the public verification answers: what the certificate states, nothing else about the person."""

    code: str
    status: Literal["valid", "revoked"]
    name: str | None = Field(description="the name as printed; null once the person's account is erased")
    title: str = Field(description="what was attended")
    held_at: datetime
    hours: float
    host_name: str
    issued_at: datetime
    revoked_at: datetime | None


class CertificateOut(VerificationOut):
    """One of your certificates, with where to check and download it."""

    kind: str = Field(description="what kind of subject it is for (an event)")
    subject_id: str
    url: str = Field(description="the page of what was attended")
    verify_url: str = Field(description="the public verification page, as the QR code on the PDF leads to it")
    pdf_url: str | None = Field(description="the API address of its PDF; null once revoked")


class CertificateListOut(BaseModel):
    items: list[CertificateOut]
