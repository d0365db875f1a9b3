"""Files of the spreadsheet kit: the import-export formats, the preview store, workbooks and downloads.

- `SheetXLSX` and `SheetCSV` read uploads through the guarded, bounded readers of
  `union_portal.spreadsheets` (never tablib's, which reads every claimed row) and write xlsx in
  openpyxl's write-only mode with a named sheet (never "Tablib Dataset");
- `ShortLivedCacheStorage` keeps an upload (personal data) between preview and confirm for an hour,
  as the rows the preview read (`StoredSheet`, bound to its user), so that the file is read once;
- `workbook_bytes` and `template_workbook` build the sheets every export and template download
  writes; `xlsx_response` sends one under a Chinese file name (RFC 5987 `filename*=`, with an ASCII
  `filename=` beside it), `dated_file_name` names an export by its title and day.
"""

import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote
from uuid import uuid4

import tablib
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from import_export.formats import base_formats
from import_export.tmp_storages import CacheStorage

from .spreadsheets import (
    FIRST_DATA_ROW,
    ImportFileError,
    SheetRow,
    is_blank,
    read_csv_rows,
    read_xlsx_rows,
    too_many_rows_message,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
COLUMN_WIDTH = 16


# --- reading uploads into datasets -------------------------------------------------------------


def expired_error() -> ImportFileError:
    return ImportFileError(gettext("The uploaded file has expired. Please upload it again."))


def rows_dataset(headers: list[str], rows) -> tablib.Dataset:
    """A tablib dataset of the rows read; `dataset.sheet_rows` keeps each row's number in the sheet."""
    dataset = tablib.Dataset(headers=list(headers))
    for row in rows:
        dataset.append(row.values)
    dataset.sheet_rows = [row.number for row in rows]
    return dataset


def drop_blank_rows(dataset: tablib.Dataset) -> list[int]:
    """Remove blank rows from `dataset` and return the sheet row number of each row kept."""
    numbers = getattr(dataset, "sheet_rows", None) or list(range(FIRST_DATA_ROW, FIRST_DATA_ROW + dataset.height))
    blank = {index for index, row in enumerate(dataset) if is_blank(row)}
    for index in sorted(blank, reverse=True):
        del dataset[index]
    numbers = [number for index, number in enumerate(numbers) if index not in blank]
    if len(numbers) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(too_many_rows_message(settings.IMPORT_MAX_ROWS))
    dataset.sheet_rows = numbers
    return numbers


@dataclass(frozen=True)
class StoredSheet:
    """An upload as the preview read it, kept in the preview store so that the confirm step reads no file.

    Only the user who uploaded it (`owner_id`), through the format that read it, gets it back:
    for anyone else it has expired (`SheetFormat.create_dataset`, `owner_check`).
    """

    owner_id: int | None
    format_name: str
    headers: list[str]
    rows: list[SheetRow]

    def owner_check(self, user) -> None:
        if self.owner_id is None or self.owner_id != getattr(user, "pk", None):
            raise expired_error()


class SheetFormat:
    """What the kit's formats share: the file is read once, by the preview; the confirm step gets its rows.

    `create_dataset` takes the file (bytes, as django-import-export hands it over) or the
    `StoredSheet` the preview kept; None (the preview store forgot it) has expired. A dataset made
    from a stored sheet carries it as `dataset.stored_sheet`, so the admin can check its owner.
    """

    def known_headers(self) -> set[str]:
        return set()

    def read_rows(self, source) -> tuple[list[str], list[SheetRow]]:
        raise NotImplementedError

    def format_name(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}"

    def stored_sheet(self, source, *, owner_id: int | None) -> StoredSheet:
        """Read the upload `source` (raises what the reader raises) into what the preview store keeps."""
        headers, rows = self.read_rows(source)
        return StoredSheet(owner_id=owner_id, format_name=self.format_name(), headers=headers, rows=rows)

    def create_dataset(self, in_stream, **kwargs):
        if in_stream is None:
            raise expired_error()
        if isinstance(in_stream, StoredSheet):
            if in_stream.format_name != self.format_name():
                raise expired_error()
            dataset = rows_dataset(in_stream.headers, in_stream.rows)
            dataset.stored_sheet = in_stream
            return dataset
        if not isinstance(in_stream, bytes | bytearray | str) and not hasattr(in_stream, "read"):
            raise expired_error()  # not something this store keeps
        return rows_dataset(*self.read_rows(in_stream))


class SheetXLSX(SheetFormat, base_formats.XLSX):
    """xlsx, first sheet, read by the guarded reader; exported to a sheet called `sheet_title`.

    Subclasses name the sheet and may list `known_headers()` (header keys), so that the header row
    is found below a title row.
    """

    sheet_title = "Sheet1"

    def read_rows(self, source):
        return read_xlsx_rows(source, settings.IMPORT_MAX_ROWS, known_headers=self.known_headers())

    def export_data(self, dataset, **kwargs):
        """Written in openpyxl's write-only mode: several times faster than tablib's adaptive sheet."""
        return workbook_bytes(Sheet(str(self.sheet_title), list(dataset.headers or []), dataset))


class SheetCSV(SheetFormat, base_formats.CSV):
    """CSV in UTF-8 (with or without BOM) or GB18030, read by the bounded CSV reader; written with a BOM."""

    def get_read_mode(self):
        return "rb"  # the reader decodes, trying UTF-8 then GB18030; a text-mode storage would guess wrong

    def read_rows(self, source):
        return read_csv_rows(source, settings.IMPORT_MAX_ROWS, known_headers=self.known_headers())

    def export_data(self, dataset, **kwargs):
        # A BOM lets Excel open UTF-8 with Chinese text correctly.
        return "\ufeff" + super().export_data(dataset, **kwargs)


class ShortLivedCacheStorage(CacheStorage):
    """The preview's copy of an upload (personal data) lives in the cache for an hour at most.

    The admin keeps the rows the preview read (a `StoredSheet`), not the file, so that the confirm
    step does not read the file again; it also removes them as soon as the file is refused or imported.
    What this instance saved (or `hold`s) it reads back without asking the cache again.
    """

    CACHE_LIFETIME = 60 * 60

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.held = None

    def save(self, data):
        super().save(data)
        self.held = data

    def hold(self, data) -> None:
        """Keep `data` for this request only (a file the preview could not read: it is not stored)."""
        self.name = self.name or uuid4().hex
        self.held = data

    def read(self):
        return self.held if self.held is not None else super().read()


# --- writing workbooks -------------------------------------------------------------------------


@dataclass
class Sheet:
    title: str
    headers: list
    rows: Iterable = ()
    widths: dict[str, int] = field(default_factory=dict)  # column letter -> width; COLUMN_WIDTH otherwise


def sheet_title(title: str) -> str:
    """A title Excel accepts: at most 31 characters, none of []:*?/\\."""
    return (str(title).translate(SHEET_TITLE_FORBIDDEN).strip() or "Sheet1")[:31]


def workbook_bytes(*sheets: Sheet) -> bytes:
    """An xlsx of `sheets`, each with a bold, frozen header row; values keep their types (dates, numbers)."""
    out = io.BytesIO()
    workbook_save(out, *sheets)
    return out.getvalue()


def workbook_save(target, *sheets: Sheet) -> None:
    """Write the xlsx of `sheets` to `target` (a path or a binary file). Rows may be a generator: the write-only
    workbook keeps none of them in memory, so an export of any length stays small."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(book, sheet)
    book.save(target)


def _write_sheet(book, content: Sheet) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(sheet_title(content.title))
    sheet.freeze_panes = "A2"
    for number in range(1, len(content.headers) + 1):
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = content.widths.get(letter, COLUMN_WIDTH)
    bold = Font(bold=True)
    header = []
    for title in content.headers:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in content.rows:
        sheet.append(list(row))


def template_workbook(*, title: str, headers: list, example: list | None = None, guide=None) -> bytes:
    """An import template: the headers (and an example row), then a sheet saying what each column takes.

    `guide` is a list of (column, what to write) pairs; without it the template has one sheet.
    """
    sheets = [Sheet(title, headers, [example] if example else [])]
    if guide:
        sheets.append(
            Sheet(gettext("How to fill in"), [gettext("Column"), gettext("What to write")], guide, {"A": 24, "B": 100})
        )
    return workbook_bytes(*sheets)


def xlsx_response(content: bytes, *, file_name: str) -> HttpResponse:
    """A download of `content` as `file_name` (Chinese allowed: sent as RFC 5987 filename*=), not cached."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name_as_download(response, file_name)
    return response


def name_as_download(response: HttpResponse, file_name: str) -> HttpResponse:
    """Make `response` a download called `file_name`; sheets hold personal data, so no cache keeps them."""
    response["Content-Disposition"] = download_disposition(file_name)
    response["Cache-Control"] = "private, no-store"
    return response


def dated_file_name(title, extension: str = "xlsx", day: datetime.date | None = None) -> str:
    """An export's name: its Chinese title and the day it was taken, 劳动争议案件_2026-12-01.xlsx."""
    day = day or timezone.localdate()
    return f"{title}_{day.isoformat()}.{extension}"


def download_disposition(file_name: str) -> str:
    """Content-Disposition of a download named `file_name`, by RFC 6266: an ASCII `filename=` first, for the
    few clients that read no other, then RFC 5987's `filename*=utf-8''...` with the Chinese name, which
    every browser prefers when it is there."""
    if file_name.isascii():
        return content_disposition_header(True, file_name)
    return f"attachment; filename=\"{ascii_fallback(file_name)}\"; filename*=utf-8''{quote(file_name, safe='')}"


def ascii_fallback(file_name: str) -> str:
    """`file_name` with what is not ASCII left out (劳动争议案件_2026-12-01.xlsx: download_2026-12-01.xlsx)."""
    stem, dot, extension = file_name.rpartition(".")
    if not dot:
        stem, extension = file_name, ""
    kept = re.sub(r"_{2,}", "_", re.sub(r"[^A-Za-z0-9.-]+", "_", stem)).strip("._-")
    if not re.search(r"[A-Za-z]", kept):
        kept = f"download_{kept}" if kept else "download"
    extension = re.sub(r"[^A-Za-z0-9]", "", extension)
    return f"{kept}.{extension}" if extension else kept
