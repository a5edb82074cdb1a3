"""The PDF: names in Indian scripts come back from ``pdftotext`` exactly as written, each set in
its script's Noto font; the words follow the language; the date is the day in IST; the QR code
leads to the verification page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import zxingcpp
from bson import ObjectId
from PIL import Image

from community.certificates import pdf
from community.certificates.service import Certificate, new_code
from community.i18n import current_locale
from tests.certificates.helpers import pdf_fonts, pdf_page_png, pdf_text, pdf_boxes

VERIFY = "http://localhost:8080/certificates/"


def certificate(name: str, *, title: str = "Noting and drafting for Section Officers", host_name: str = "Asha Menon",
                held_at: datetime = datetime(2026, 11, 20, 5, 30, tzinfo=UTC), hours: float = 1.5) -> Certificate:
    return Certificate(id=ObjectId(), code=new_code(), person_id=ObjectId(), kind="test_session", subject_id=ObjectId(),
                       name=name, title=title, held_at=held_at, hours=hours, host_name=host_name, url="/sessions/1",
                       issued_at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC), revoked_at=None, revoked_reason=None)


def rendered(shown: Certificate, locale: str = "en") -> bytes:
    token = current_locale.set(locale)
    try:
        return pdf.render(shown, verify_url=VERIFY + shown.code)
    finally:
        current_locale.reset(token)


@pytest.mark.parametrize(("name", "font"), [
    ("क्षितिज श्रीवास्तव", "NotoSansDevanagariBold"),  # क्ष and श्र are conjuncts, ि comes before its consonant
    ("கார்த்திகேயன்", "NotoSansTamilBold"),  # ே is drawn before க
    ("সুস্মিতা চক্রবর্তী", "NotoSansBengaliBold"),  # স্ম, ক্র and র্ত are conjuncts, ি before its consonant
    ("Kavita Rao", "NotoSansBold"),
])
def test_a_name_comes_back_as_written_in_its_scripts_font(tmp_path: Path, name: str, font: str) -> None:
    document = rendered(certificate(name))
    lines = pdf_text(document, tmp_path).splitlines()
    assert name in lines, f"{name!r} not extracted whole from {lines}"
    assert f"+{font} " in pdf_fonts(document, tmp_path)


def test_every_line_comes_back_whole_in_mixed_scripts(tmp_path: Path) -> None:
    shown = certificate("সুস্মিতা চক্রবর্তী", title="जीएसटी रिटर्न: व्यावहारिक सत्र", host_name="கார்த்திகேயன்", hours=2)
    lines = pdf_text(rendered(shown), tmp_path).splitlines()
    assert "जीएसटी रिटर्न: व्यावहारिक सत्र" in lines
    assert "held on 20 November 2026, 2 hours, hosted by கார்த்திகேயன்" in lines
    assert f"Code: {shown.code}" in lines and VERIFY + shown.code in lines


def test_the_words_follow_the_language_and_the_date_is_the_day_in_ist(tmp_path: Path) -> None:
    late = certificate("Kavita Rao", held_at=datetime(2026, 11, 20, 19, 0, tzinfo=UTC), hours=1)  # 00:30 IST on the 21st
    english = pdf_text(rendered(late), tmp_path)
    assert "Certificate of attendance" in english and "held on 21 November 2026, 1 hour, hosted by Asha Menon" in english
    hindi = pdf_text(rendered(late, "hi"), tmp_path).splitlines()
    assert "उपस्थिति प्रमाणपत्र" in hindi and "प्रमाणित किया जाता है कि" in hindi
    assert "21 नवंबर 2026 को आयोजित, अवधि 1 घंटा, मेज़बान: Asha Menon" in hindi


def test_the_qr_code_leads_to_the_verification_page(tmp_path: Path) -> None:
    shown = certificate("क्षितिज श्रीवास्तव")
    found = zxingcpp.read_barcodes(Image.open(pdf_page_png(rendered(shown), tmp_path)))
    assert [(code.format, code.text) for code in found] == [(zxingcpp.BarcodeFormat.QRCode, VERIFY + shown.code)]


def test_the_main_script_is_that_of_most_letters() -> None:
    assert pdf.main_script("GST पर सत्र") == "Devanagari"
    assert pdf.main_script("Session on जीएसटी returns") == "Latin"
    assert pdf.main_script("২০২৬ - 42") == "Bengali"
    assert pdf.main_script("— 42 —") == "Latin"


def test_a_long_title_and_name_are_set_smaller_to_stay_clear_of_the_qr_code(tmp_path: Path) -> None:
    title = "Implementing the Public Procurement (Preference to Make in India) Order in central public sector " * 4
    shown = certificate("Venkata Lakshmi Narasimha Subrahmanya Sai Krishna Chaitanya Bhagavatula", title=title.strip())
    document = rendered(shown)
    lines_placed = pdf_boxes(document, tmp_path)
    qr_top = (210 - 20 - 34) / 25.4 * 72  # pdf.render places the code 20 mm above the bottom, 34 mm tall
    held = [bottom for line, _top, bottom in lines_placed if line.startswith("held on")]
    assert held and held[0] < qr_top, "the details line ends above the QR code"
    lines = pdf_text(document, tmp_path).splitlines()
    assert "Venkata Lakshmi Narasimha Subrahmanya Sai Krishna Chaitanya Bhagavatula" in lines, "the name on one line"
    assert " ".join(line for line in lines if "Procurement" in line or "sector" in line).count("Order") == 4
