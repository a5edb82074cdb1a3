"""Issuing through a real action, and reading a PDF back with Debian's poppler-utils."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bson import ObjectId

from community.accounts.sessions import actor_for_user
from community.certificates import service
from community.certificates.service import Certificate
from tests.browser.conftest import missing
from tests.certificates.conftest import KIND
from tests.factories import act


async def issue(app: Any, host: dict[str, Any], person: dict[str, Any], session_id: ObjectId) -> Certificate:
    """``person``'s certificate for ``session_id``, issued in an action of ``host`` (as a feature would)."""
    return await act(app, actor_for_user(host), service.issue, person["_id"], KIND, session_id)


def _poppler(tool: str) -> str:
    """The poppler-utils program ``tool``; the test is skipped without it (failed with ``CI=true``)."""
    found = shutil.which(tool)
    if found is None:
        missing(tool, "sudo apt-get install poppler-utils")
    return found or tool


def pdf_text(pdf: bytes, folder: Path) -> str:
    """The PDF's text as ``pdftotext`` extracts it (what a reader copying it or a search gets)."""
    path = folder / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run([_poppler("pdftotext"), str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_page_png(pdf: bytes, folder: Path, *, resolution: int = 150) -> Path:
    """The PDF's first page rendered by ``pdftoppm`` as a PNG."""
    path = folder / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run([_poppler("pdftoppm"), "-png", "-r", str(resolution), "-singlefile", str(path), str(folder / "page")],
                   check=True)
    return folder / "page.png"


def pdf_fonts(pdf: bytes, folder: Path) -> str:
    """``pdffonts``' table of the fonts the PDF embeds."""
    path = folder / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run([_poppler("pdffonts"), str(path)], check=True, capture_output=True, text=True).stdout


def pdf_boxes(pdf: bytes, folder: Path) -> list[tuple[str, float, float]]:
    """Each word ``pdftotext -bbox`` finds (a whole line of a certificate, marked as one ``ActualText``),
    with the top and bottom of its box (points from the page's top)."""
    path = folder / "words.pdf"
    path.write_bytes(pdf)
    html = subprocess.run([_poppler("pdftotext"), "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [(word, float(top), float(bottom)) for top, bottom, word in
            re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', html)]
