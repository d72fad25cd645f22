"""A half-year report as the .docx that goes upward, in the usual layout of such a report:
title, recipient, numbered sections, issuing committee and date at the foot."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from sqlalchemy.orm import Session

from zerenzhi import audit_event, committee, today
from zerenzhi.plugins.reporting.models import ReportingHalfYearReport

TITLE_FONT, BODY_FONT, HEADING_FONT = "方正小標宋簡體", "仿宋_GB2312", "黑體"
NUMERALS = "一二三四五六七八九十"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _run(paragraph, text: str, font: str, size: float, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.name, run.font.size, run.bold = font, Pt(size), bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def render(report: ReportingHalfYearReport, issuer: str, on: dt.date) -> bytes:
    """Title (centred), ``recipient：``, sections as 一、二、… with indented paragraphs,
    then the issuing committee and the date, right-aligned."""
    document = Document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, report.title, TITLE_FONT, 22)
    _run(document.add_paragraph(), f"{report.recipient}：", BODY_FONT, 16)
    for number, section in enumerate(report.sections or [], start=1):
        heading = section.get("heading", "")
        _run(document.add_paragraph(), f"{_numeral(number)}、{heading}", HEADING_FONT, 16)
        for text in filter(None, (line.strip() for line in section.get("body", "").splitlines())):
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
            _run(paragraph, text, BODY_FONT, 16)
    document.add_paragraph()
    for text in (issuer, chinese_date(on)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(paragraph, text, BODY_FONT, 16)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx(session: Session, report: ReportingHalfYearReport, settings: dict) -> bytes:
    """The .docx of ``report``, signed by the township's issuing committee (by default the
    committee unit's name) and dated the day it went up (today for a draft); audited."""
    issuer = settings["issuing_committee"] or committee(session).name
    content = render(report, issuer, report.submitted_on or today())
    audit_event(session, "reporting_half_year_report.export", "reporting_half_year_report",
                report.id, after={"format": "docx"})
    return content
