"""A printable copy of submitted answers (the review page's content) as a PDF, with fpdf2."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF

from surveys.answering.pages import review_sections
from surveys.models import Firm, Response
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.texts import pick

# A Unicode font (answers hold “quotes”, €, accents); fpdf2's core fonts only know Latin-1.
FONT_DIRS = [Path(settings.BASE_DIR) / "static" / "fonts", Path("/usr/share/fonts/truetype/dejavu")]


def _font(pdf: FPDF) -> str:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("body", "", str(regular))
            pdf.add_font("body", "B", str(bold))
            return "body"
    return "helvetica"


def _text(value: str, font: str) -> str:
    return value if font != "helvetica" else value.encode("latin-1", "replace").decode("latin-1")


def answers_pdf(*, response: Response, firm: Firm) -> bytes:
    spec = spec_for_version(response.version)
    language = response.language
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    font = _font(pdf)

    def line(text: str, size: float, style: str = "", height: float = 5, gray: int = 0) -> None:
        pdf.set_font(font, style, size)
        pdf.set_text_color(gray)
        pdf.multi_cell(0, height, _text(text, font), align="L", new_x="LMARGIN", new_y="NEXT")

    line(pick(spec.definition.get("title"), language), 15, "B", 7)
    submitted = timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M") if response.submitted_at else ""
    line(f"{firm.name} · {submitted}", 10, gray=80)
    for section in review_sections(spec, response.answers, language):
        pdf.ln(3)
        line(section["title"], 12, "B", 6)
        for row in section["rows"]:
            line(f"{row['code']}  {row['label']}", 8.5, gray=90, height=4.2)
            line(row["answer"], 10)
            pdf.ln(1)
    return bytes(pdf.output())
