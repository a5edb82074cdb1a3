"""The certificate as a PDF: fpdf2 shaping text through HarfBuzz, Noto fonts chosen by script.

Each piece of text is set in the Noto font of the script most of its letters are in (a name in
Tamil in Noto Sans Tamil), with the fonts of the other scripts on the page as fallbacks for the
rest (Latin digits in a Hindi date). HarfBuzz (``uharfbuzz``) forms the conjuncts and places the
vowel signs that come before their consonant (ि, ে, ெ).

Those reordered vowel signs are why every line is also marked with its text as ``ActualText``
(PDF 1.5, 14.9.4): a glyph drawn before the consonant it follows in the text cannot map back to
the text in order through the font's character map alone, so without it a reader copying the
name, a screen reader or a search would get "क्षि ति ज" for "क्षितिज". fpdf2 has no call for a
marked-content span, so it is written into the page's content with ``_out``.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from community.certificates.service import Certificate
from community.certificates.wording import hours_text, ist_date
from community.i18n import gettext as _

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
"""Debian's fonts-noto-core."""

LATIN = "Latin"
SCRIPT_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x0900, 0x097F, "Devanagari"), (0xA8E0, 0xA8FF, "Devanagari"), (0x0980, 0x09FF, "Bengali"),
    (0x0A00, 0x0A7F, "Gurmukhi"), (0x0A80, 0x0AFF, "Gujarati"), (0x0B00, 0x0B7F, "Oriya"),
    (0x0B80, 0x0BFF, "Tamil"), (0x0C00, 0x0C7F, "Telugu"), (0x0C80, 0x0CFF, "Kannada"),
    (0x0D00, 0x0D7F, "Malayalam"), (0x1C50, 0x1C7F, "OlChiki"), (0xABC0, 0xABFF, "MeeteiMayek"),
)
"""The Indian scripts with a Noto Sans font in fonts-noto-core; other letters are set in Latin."""


def script_of(char: str) -> str | None:
    """The script of a letter or mark, ``None`` for what every script shares (digits, spaces, punctuation)."""
    point = ord(char)
    for first, last, script in SCRIPT_BLOCKS:
        if first <= point <= last:
            return script
    return LATIN if unicodedata.category(char)[0] in "LM" else None


def main_script(text: str) -> str:
    """The script most of the text's letters are in (Latin when it has none)."""
    counted = Counter(script for script in map(script_of, text) if script is not None)
    return counted.most_common(1)[0][0] if counted else LATIN


def _font_file(script: str, bold: bool) -> Path:
    name = "NotoSans" if script == LATIN else f"NotoSans{script}"
    return FONT_DIR / f"{name}-{'Bold' if bold else 'Regular'}.ttf"


class _Page:
    """One A4 landscape page, with a font per script the texts use."""

    WIDTH, HEIGHT = 297.0, 210.0

    def __init__(self, texts: list[str], title: str) -> None:
        self.pdf = FPDF(orientation="L", unit="mm", format="A4")
        self.pdf.set_title(title)
        self.pdf.set_creator("Karmayogi Community")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(25, 20, 25)
        self.scripts = sorted({LATIN, *(script for text in texts for script in map(script_of, text) if script)})
        for script in self.scripts:
            self.pdf.add_font(script, "", str(_font_file(script, False)))
            self.pdf.add_font(script, "B", str(_font_file(script, True)))
        self.pdf.set_text_shaping(True)
        self.pdf.add_page()

    def _font(self, text: str, size: float, bold: bool) -> None:
        main = main_script(text)
        self.pdf.set_fallback_fonts([script for script in self.scripts if script != main], exact_match=False)
        self.pdf.set_font(main, "B" if bold else "", size)

    def text(self, text: str, *, size: float, bold: bool = False, gap: float = 0, width: float = 0,
             align: str = "C", height: float | None = None, most_lines: int = 0) -> None:
        """``text`` centred (wrapped to ``width``), then ``gap`` mm of space. With ``most_lines``,
        a text that would wrap to more lines is set smaller (down to half the size) until it fits."""
        width = width or self.pdf.epw
        smallest = size / 2
        while True:
            self._font(text, size, bold)
            line_height = height or size * 0.5
            lines = self.pdf.multi_cell(width, line_height, text, dry_run=True, output=MethodReturnValue.LINES)
            assert isinstance(lines, list)  # what output=LINES returns
            if not most_lines or len(lines) <= most_lines or size * 0.85 < smallest:
                break
            size, height = size * 0.85, None
        for line in lines:
            self.pdf.set_x(self.pdf.l_margin + ((self.pdf.epw - width) / 2 if align == "C" else 0))
            self.pdf._out(f"/Span <</ActualText <FEFF{line.encode('utf-16-be').hex().upper()}>>> BDC")
            self.pdf.cell(width, line_height, line, align=align, new_x="LEFT", new_y="NEXT")
            self.pdf._out("EMC")
        self.pdf.ln(gap)

    def qr(self, url: str, *, x: float, y: float, size: float) -> None:
        """A QR code of ``url`` as filled squares (its quiet zone is the page around it)."""
        matrix = segno.make(url, error="m", micro=False).matrix
        module = size / len(matrix)
        self.pdf.set_fill_color(0, 0, 0)
        for row, cells in enumerate(matrix):
            column = 0
            while column < len(cells):
                if not cells[column]:
                    column += 1
                    continue
                run = column
                while run < len(cells) and cells[run]:
                    run += 1
                self.pdf.rect(x + column * module, y + row * module, (run - column) * module, module, style="F")
                column = run


def render(certificate: Certificate, *, verify_url: str) -> bytes:
    """The certificate's PDF, its words in the current language."""
    name = certificate.name or ""
    heading = _("Certificate of attendance")
    details = _("held on %(date)s, %(hours)s, hosted by %(host)s", date=ist_date(certificate.held_at),
                hours=hours_text(certificate.hours), host=certificate.host_name)
    issued = _("Issued on %(date)s", date=ist_date(certificate.issued_at))
    check = _("Check this certificate at")
    code = _("Code: %(code)s", code=certificate.code)
    certify, attended = _("This is to certify that"), _("attended")
    page = _Page([heading, certify, name, attended, certificate.title, details, issued, check, verify_url, code],
                 title=f"{heading}: {name}")
    pdf = page.pdf
    pdf.set_draw_color(30, 64, 120)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, page.WIDTH - 16, page.HEIGHT - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, page.WIDTH - 22, page.HEIGHT - 22)
    pdf.set_y(24)
    pdf.set_text_color(30, 64, 120)
    page.text(heading, size=28, bold=True, gap=8, height=14)
    pdf.set_text_color(0, 0, 0)
    page.text(certify, size=14, gap=3)
    page.text(name, size=32, bold=True, gap=4, most_lines=1)
    page.text(attended, size=14, gap=3)
    page.text(certificate.title, size=20, bold=True, gap=4, width=220, most_lines=3)
    page.text(details, size=13, width=230, height=7, most_lines=2)
    qr_size = 34.0
    qr_x, qr_y = page.WIDTH - 25 - qr_size, page.HEIGHT - 20 - qr_size
    page.qr(verify_url, x=qr_x, y=qr_y, size=qr_size)
    pdf.set_y(qr_y + 4)
    for line, size in ((issued, 11), (check, 10), (verify_url, 9), (code, 9)):
        page.text(line, size=size, width=qr_x - 35, align="L", height=6)
    return bytes(pdf.output())
