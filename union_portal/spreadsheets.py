"""Reading an uploaded xlsx sheet, bounded whatever the file claims (DESIGN.md, known traps).

An xlsx declares its own size, and openpyxl's read-only mode yields every row of it: a 5 KB file
with a real header, one cell at XFD1 and one at row 1,048,576 claims 16,384 columns and a million
rows, and reading it all took minutes. So the one reader every import uses:

- reads the first sheet's header row (at most `MAX_COLUMNS` cells, trailing blanks dropped);
- reads only the header's columns of the rows below it;
- skips blank rows, and stops after `BLANK_RUN_LIMIT` blank rows in a row (the rest is formatting
  such as LibreOffice's million claimed rows, not data);
- refuses a sheet with more than `max_rows` non-blank rows, with a message for the user.
"""

from io import BytesIO
from typing import NamedTuple

from django.utils.translation import gettext

FIRST_DATA_ROW = 2  # row 1 of the sheet holds the headers
BLANK_RUN_LIMIT = 1000  # reading stops after this many blank rows in a row
MAX_COLUMNS = 256  # header cells further right are not read (a sheet may claim 16,384 columns)


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; `str(error)` is a translated message for the user."""


class UnreadableSpreadsheet(SpreadsheetError):
    """Not an xlsx file, or a broken one."""


class TooManyRows(SpreadsheetError):
    """More non-blank rows than the caller accepts."""


class SheetRow(NamedTuple):
    number: int  # the row number as Excel shows it
    values: list  # one value per header column; None for an empty cell


def is_blank(values) -> bool:
    """Every value empty or only whitespace."""
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def too_many_rows_message(limit: int) -> str:
    return gettext("The file has more than %(limit)d rows; split it into files of at most %(limit)d rows.") % {
        "limit": limit
    }


def read_xlsx_rows(source, max_rows: int) -> tuple[list[str], list[SheetRow]]:
    """The first sheet's headers (text, "" for an empty cell) and its non-blank rows below them.

    `source` is the file's bytes or a file object (an upload). Raises `UnreadableSpreadsheet` for a
    file that is not a readable xlsx and `TooManyRows` past `max_rows` non-blank rows.
    """
    import openpyxl

    if isinstance(source, bytes | bytearray):
        source = BytesIO(source)
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken zip or XML
        raise UnreadableSpreadsheet(gettext("This file could not be read as an Excel .xlsx sheet.")) from error
    try:
        return _read_sheet(book.worksheets[0], max_rows)
    except SpreadsheetError:
        raise
    except Exception as error:  # the sheet's XML is parsed only now, row by row
        raise UnreadableSpreadsheet(gettext("This file could not be read as an Excel .xlsx sheet.")) from error
    finally:
        book.close()


def _read_sheet(sheet, max_rows: int) -> tuple[list[str], list[SheetRow]]:
    header = list(next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), None) or [])
    while header and is_blank(header[-1:]):
        header.pop()
    width = len(header)
    # Only the header's columns: a sheet may claim thousands of columns on every row.
    values_by_row = sheet.iter_rows(min_row=FIRST_DATA_ROW, max_col=max(width, 1), values_only=True)
    rows = []
    blank_run = 0
    for number, values in enumerate(values_by_row, start=FIRST_DATA_ROW):
        values = list(values[:width]) + [None] * (width - len(values))
        if is_blank(values):
            blank_run += 1
            if blank_run >= BLANK_RUN_LIMIT:
                break  # the rest is formatting (LibreOffice may claim a million rows), not data
            continue
        blank_run = 0
        if len(rows) >= max_rows:
            raise TooManyRows(too_many_rows_message(max_rows))
        rows.append(SheetRow(number, values))
    return ["" if value is None else str(value) for value in header], rows
