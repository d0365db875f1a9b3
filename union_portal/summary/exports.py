"""The annual summary's downloads: the report as an xlsx workbook and as a Word document an office can edit.

Both are built from `report.build(year, town)`, the Report the page shows (and, for a signed-off year, its frozen
figures), for the town the page would show the same viewer, so what is exported is what is on the screen:

- xlsx: money as numbers in 元 with two places (`#,##0.00`, the unit column says 元): the very sums the screen
  shows in 万元, to the 分; counts as integers; shares as per cent with two places (unit "%");
- docx: every value written as the page writes it (1730.55万元, 80.68%, 2772), the narrative as plain text.
"""

import html
import io
from decimal import Decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import Http404, HttpResponse
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext, pgettext
from django.views import View

from union_portal.changelog import user_name
from union_portal.figures import YUAN
from union_portal.formatting import escape_cell, format_wan
from union_portal.spreadsheet_files import name_as_download, sheet_title, xlsx_response
from union_portal.word_documents import set_font

from . import report
from .changes import SHARE
from .views import FIRST_YEAR, SummaryScopeMixin

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MONEY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.00"
COUNT_FORMAT = "0"  # the screen groups no digits in zh-Hans
BODY_FONT = "宋体"
HEADING_FONT = "微软雅黑"


# --- the views -------------------------------------------------------------------------------------


class SummaryExportView(SummaryScopeMixin, View):
    """A download of the year's report, for the roles and the town of the page (`SummaryScopeMixin`)."""

    extension = ""

    def get(self, request, year: int):
        if not FIRST_YEAR <= year <= timezone.localdate().year:
            raise Http404
        town, _forced = self.chosen_town()
        shown = report.build(year, town)
        return self.download(shown, f"{file_stem(shown)}.{self.extension}")

    def download(self, shown, file_name: str) -> HttpResponse:
        raise NotImplementedError


class SummaryXlsxView(SummaryExportView):
    extension = "xlsx"

    def download(self, shown, file_name):
        return xlsx_response(summary_workbook(shown), file_name=file_name)


class SummaryDocxView(SummaryExportView):
    extension = "docx"

    def download(self, shown, file_name):
        return name_as_download(HttpResponse(summary_document(shown), content_type=DOCX_CONTENT_TYPE), file_name)


# --- what both files say ---------------------------------------------------------------------------


def file_stem(shown) -> str:
    """2018年大兴区工会工作年度汇总: the file's name and the document's title."""
    return gettext("%(year)s annual summary of union work, %(place)s") % {"year": shown.year, "place": shown.place}


def signoff_text(shown) -> str:
    """The sign-off line of a signed year (its figures are the frozen ones); "" for a year not signed."""
    signoff = shown.signoff
    if signoff is None:
        return ""
    signer = user_name(signoff.signed_by) if signoff.signed_by else ""
    return gettext("Signed off by %(name)s at %(time)s; checksum %(checksum)s") % {
        "name": signer,
        "time": formats.date_format(timezone.localtime(signoff.signed_at), "Y-m-d H:i"),
        "checksum": signoff.checksum,
    }


def read_at_text(shown) -> str:
    return formats.date_format(shown.read_at, "Y-m-d H:i")


def through_text(shown) -> str:
    """The page's note on a year in progress (empty for a past year)."""
    if not shown.through:
        return ""
    return gettext(
        "The year is in progress: figures through %(day)s, each compared with the previous year through "
        "%(before)s (the same period)."
    ) % {
        "day": formats.date_format(shown.through),
        "before": formats.date_format(shown.previous_through),
    }


def shown_value(value, *, money: bool, unit: str = "") -> str:
    """A value as the page writes it (templates/union_portal/summary/_value.html)."""
    if money:
        return format_wan(value)
    if unit == SHARE:
        return f"{formats.localize(value)}%"
    return intcomma(value)


def headline_unit(tile) -> str:
    """The unit of a composed figure: 元 for money, else its parts' unit when they share one."""
    if tile.is_money:
        return str(YUAN)
    units = {part.unit for part in tile.parts}
    return units.pop() if len(units) == 1 else ""


def plain_sentences(shown) -> list[str]:
    """The narrative's sentences as plain text: the same words and numbers, without their links."""
    return [html.unescape(strip_tags(sentence)) for sentence in shown.narrative()]


def change_header() -> str:
    return pgettext("summary column", "Change against the previous year")


# --- xlsx ------------------------------------------------------------------------------------------


class Generated(str):
    """Text the summary writes from numbers (a change "+12 (+5.0%)"): kept as it is, marked as text for Excel
    (quote prefix) instead of escaped, since no record wrote it."""


def summary_workbook(shown) -> bytes:
    """概要 (year, place, 数据截至, headlines), one sheet per section, and (district) the town table."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _overview_sheet(book, shown)
    for section in shown.sections():
        _section_sheet(book, section)
    table = shown.table()
    if table:
        _town_sheet(book, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(value, *, money: bool, unit: str = "") -> tuple:
    """A number cell: (value, its number format); money stays Decimal 元 with two places."""
    if money:
        return value, MONEY_FORMAT
    return value, SHARE_FORMAT if unit == SHARE else COUNT_FORMAT


def _append(sheet, values, *, bold: bool = False) -> None:
    """Append a row: strings escaped against formulas (`Generated` text marked as text), (number, format) pairs
    formatted."""
    from openpyxl.styles import Font

    sheet.append([_cell_value(value) for value in values])
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if isinstance(value, tuple):
            cell.number_format = value[1]
        elif isinstance(value, Generated):
            cell.quotePrefix = True
        if bold:
            cell.font = Font(bold=True)


def _cell_value(value):
    if isinstance(value, tuple):
        return value[0]
    if value is None or isinstance(value, int | Decimal):
        return value
    return str(value) if isinstance(value, Generated) else escape_cell(str(value))


def _new_sheet(book, title: str, widths: list[int]):
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(sheet_title(title))
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    return sheet


def _overview_sheet(book, shown) -> None:
    sheet = _new_sheet(book, gettext("Overview"), [28, 20, 10])
    _append(sheet, [gettext("Year"), shown.year])
    _append(sheet, [gettext("Scope"), shown.place])
    _append(sheet, [gettext("Data as of"), read_at_text(shown)])
    if shown.signoff is not None:
        _append(sheet, [signoff_text(shown)])
    if shown.through:
        _append(sheet, [gettext("Figures through"), formats.date_format(shown.through, "Y-m-d")])
        _append(sheet, [through_text(shown)])
    _append(sheet, [])
    _append(sheet, [gettext("Figure"), gettext("Value"), gettext("Unit")], bold=True)
    for tile in shown.headlines():
        _append(sheet, [tile.label, _number(tile.value, money=tile.is_money), headline_unit(tile)])


def _section_sheet(book, section: dict) -> None:
    sheet = _new_sheet(book, str(section["title"]), [44, 18, 8, 22, 80])
    sheet.freeze_panes = "A2"
    headers = [gettext("Figure"), gettext("Value"), gettext("Unit"), change_header(), gettext("Definition")]
    _append(sheet, headers, bold=True)
    for row in section["rows"]:
        figure = row.figure
        value = _number(figure.value, money=row.is_money, unit=figure.unit)
        _append(sheet, [figure.label, value, figure.unit, Generated(row.change), row.definition])


def _town_sheet(book, table: dict) -> None:
    sheet = _new_sheet(book, pgettext("summary sheet", "Main figures by town"), [18] + [20] * len(table["columns"]))
    sheet.freeze_panes = "B2"
    money = [cell.is_money for cell in table["total"].cells]
    headers = [gettext("Town")] + [
        gettext("%(label)s (%(unit)s)") % {"label": column["label"], "unit": YUAN} if is_money else column["label"]
        for column, is_money in zip(table["columns"], money, strict=True)
    ]
    _append(sheet, headers, bold=True)
    for town_row in [*table["rows"], table["townless"]]:
        _append(sheet, _town_cells(town_row))
    _append(sheet, _town_cells(table["total"]), bold=True)


def _town_cells(town_row) -> list:
    return [town_row.name] + [_number(cell.value, money=cell.is_money) for cell in town_row.cells]


# --- docx ------------------------------------------------------------------------------------------


def summary_document(shown) -> bytes:
    """Title, 数据截至, the narrative, each section's figure table, and (district) the town table: A4, editable."""
    from docx import Document

    document = Document()
    _page_setup(document)
    title = file_stem(shown)
    document.core_properties.title = title
    document.add_heading(title, level=0)
    document.add_paragraph(gettext("Data as of %(time)s") % {"time": read_at_text(shown)})
    if shown.signoff is not None:
        document.add_paragraph(signoff_text(shown))
    if shown.through:
        document.add_paragraph(through_text(shown))
    sentences = plain_sentences(shown)
    if sentences:
        document.add_heading(gettext("Narrative"), level=1)
        for sentence in sentences:
            document.add_paragraph(sentence)
    for section in shown.sections():
        document.add_heading(str(section["title"]), level=1)
        _table(document, _section_headers(), [_section_cells(row) for row in section["rows"]], right={1})
    table = shown.table()
    if table:
        document.add_heading(gettext("Main figures by town"), level=1)
        headers = [gettext("Town")] + [str(column["label"]) for column in table["columns"]]
        rows = [_shown_town_cells(row) for row in [*table["rows"], table["townless"], table["total"]]]
        _table(document, headers, rows, right=set(range(1, len(headers))), bold_last=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _section_headers() -> list[str]:
    return [gettext("Figure"), gettext("Value"), gettext("Unit"), change_header()]


def _section_cells(row) -> list[str]:
    """As the page's row: the value as written there, the unit column empty for money and shares."""
    figure = row.figure
    unit = "" if row.is_money or figure.unit == SHARE else figure.unit
    return [figure.label, shown_value(figure.value, money=row.is_money, unit=figure.unit), unit, row.change]


def _shown_town_cells(town_row) -> list[str]:
    return [town_row.name] + [shown_value(cell.value, money=cell.is_money) for cell in town_row.cells]


def _table(document, headers: list[str], rows: list[list[str]], *, right: set, bold_last: bool = False) -> None:
    """A grid table: a bold header row repeated on every page, no row split across pages, the columns `right`
    (numbers) aligned right, the last row bold when `bold_last` (a total)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].add_run(str(text)).bold = True
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for number, values in enumerate(rows, start=1):
        for column, (cell, text) in enumerate(zip(table.add_row().cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.add_run(str(text)).bold = bold_last and number == len(rows)
            if column in right:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _page_setup(document) -> None:
    """A4 with office margins; body text in 宋体, headings in 微软雅黑, East Asian text in Chinese."""
    from docx.shared import Mm, RGBColor

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    set_font(document.styles["Normal"], BODY_FONT)
    for name in ("Title", "Heading 1"):
        style = document.styles[name]
        set_font(style, HEADING_FONT)
        style.font.color.rgb = RGBColor(0, 0, 0)
