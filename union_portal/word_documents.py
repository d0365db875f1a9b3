"""Word documents the portal writes (python-docx): A4 with office margins, text in 宋体 for Latin and East Asian
characters alike, and the pieces a form needs (a labelled grid, signature lines).

The annual summary's export (`union_portal.summary.exports`) sets up its pages the same way; the documents a
mediator hands over (`disputes.documents`) are built from these.
"""

import io

from django.http import HttpResponse
from django.utils.translation import gettext

from .spreadsheet_files import name_as_download

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT = "宋体"
TITLE_FONT = "黑体"


def a4_document(*, title: str, margin_mm: int = 25):
    """An empty A4 document titled `title` (its properties), body text in 宋体, headings in 黑体, black."""
    from docx import Document
    from docx.shared import Mm, Pt, RGBColor

    document = Document()
    document.core_properties.title = title
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(margin_mm)
    section.top_margin = section.bottom_margin = Mm(margin_mm)
    normal = document.styles["Normal"]
    set_font(normal, BODY_FONT)
    normal.font.size = Pt(12)
    for name in ("Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        set_font(style, TITLE_FONT)
        style.font.color.rgb = RGBColor(0, 0, 0)
    return document


def set_font(style, name: str) -> None:
    """`style` in the font `name` for Latin and East Asian text: Word takes w:eastAsia for Chinese, and a theme
    font would override it, so the theme attributes go; the East Asian language is Chinese."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), name)
    language = style.element.rPr.find(qn("w:lang"))
    if language is None:  # python-docx has no property for it; w:lang comes late in w:rPr's sequence
        language = OxmlElement("w:lang")
        style.element.rPr.append(language)
    language.set(qn("w:eastAsia"), "zh-CN")


def add_title(document, text: str) -> None:
    """The document's title, centred, in 黑体 (a heading of level 0 would add Word's blue rule)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(20)
    _east_asian_font(run, TITLE_FONT)


def add_label_grid(document, rows: list[tuple[str, str]], *, columns: int = 1) -> None:
    """A grid of (label, value) pairs, `columns` pairs a row, the labels bold: a form's fields."""
    table = document.add_table(rows=0, cols=2 * columns)
    table.style = "Table Grid"
    for start in range(0, len(rows), columns):
        cells = table.add_row().cells
        for offset, (label, value) in enumerate(rows[start : start + columns]):
            cells[2 * offset].paragraphs[0].add_run(str(label)).bold = True
            _multiline(cells[2 * offset + 1].paragraphs[0], str(value))


def add_table(document, headers: list[str], rows: list[list[str]]) -> None:
    """A grid table with a bold header row."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].add_run(str(text)).bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            _multiline(cell.paragraphs[0], str(text))


def add_text(document, text: str, *, bold_label: str = ""):
    """A paragraph, its line breaks kept; `bold_label` before it in bold."""
    paragraph = document.add_paragraph()
    if bold_label:
        paragraph.add_run(bold_label).bold = True
    _multiline(paragraph, text)
    return paragraph


def add_signature_lines(document, labels: list[str], *, date_label: str) -> None:
    """One line to sign for each of `labels`, each with a date line under it."""
    blank = "\u3000" * 10
    for label in labels:
        document.add_paragraph()
        document.add_paragraph(f"{label}{blank}")
        document.add_paragraph(f"{date_label}{gettext('____ year __ month __ day')}")  # as the print page


def docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_response(document, *, file_name: str) -> HttpResponse:
    """A download of `document` as `file_name` (Chinese allowed), not cached: documents hold personal data."""
    return name_as_download(HttpResponse(docx_bytes(document), content_type=DOCX_CONTENT_TYPE), file_name)


def _multiline(paragraph, text: str) -> None:
    lines = text.split("\n")
    for number, line in enumerate(lines):
        run = paragraph.add_run(line)
        if number < len(lines) - 1:
            run.add_break()


def _east_asian_font(run, name: str) -> None:
    from docx.oxml.ns import qn

    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
