"""Reading an uploaded sheet (xlsx or CSV), bounded whatever the file claims (DESIGN.md, known traps).

An xlsx is a zip of XML parts, and both the zip and the XML may lie. Before openpyxl sees a file,
`guard_xlsx` opens it as a zip and refuses it when the entries are too many, a part's declared or
actual unzipped size or its compression ratio is too large, an XML part holds what no real Excel
file has (a DOCTYPE or ENTITY, a long XML comment: expat's parse time grows with the square of a
comment's length), or the shared strings are too many (openpyxl reads them all before the first
row). It reads the unzipped parts in chunks under a hard byte cap, never all at once.

Then one reader serves every import:

- finds the header row among the first `HEADER_SEARCH_ROWS` rows (an office sheet often has a
  title merged across the columns above it) by matching the known headers and their aliases;
- reads at most `MAX_COLUMNS` header cells (trailing blanks dropped), and only the header's
  columns of the rows below it (a sheet may claim 16,384 columns);
- skips blank rows, and stops after `BLANK_RUN_LIMIT` blank rows in a row (the rest is formatting
  such as LibreOffice's million claimed rows, not data);
- refuses a sheet with more than `max_rows` non-blank rows, with a message for the user.

CSV goes through the same rules, read by the csv module over a decoded stream (UTF-8 with or
without BOM, or GB18030 as Excel in Chinese saves it), with the same byte cap as uploads.
"""

import codecs
import csv
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Collection, Iterable, Iterator
from typing import NamedTuple

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

FIRST_DATA_ROW = 2  # row 1 of the sheet holds the headers, unless a title row sits above them
HEADER_SEARCH_ROWS = 10  # the header row is looked for among this many first rows
HEADER_MIN_MATCHES = 2  # a row naming this many known columns is the header row
BLANK_RUN_LIMIT = 1000  # reading stops after this many blank rows in a row
MAX_COLUMNS = 256  # header cells further right are not read (a sheet may claim 16,384 columns)

# Hostile xlsx files (measured on real Excel and LibreOffice files: a few dozen parts, compressed
# 3 to 30 times, no comments, no DOCTYPE, fewer shared strings than text cells).
MAX_ZIP_ENTRIES = 500
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024  # all parts together, declared and read
MAX_RATIO = 200  # deflate tops out near 1,030:1; a zip bomb is far above real sheets
RATIO_FREE_BYTES = 1024 * 1024  # parts smaller than this unzipped may compress as well as they like
MAX_XML_COMMENT_BYTES = 512
SHARED_STRINGS_PER_ROW = 16  # with IMPORT_MAX_ROWS: 320,000 strings, about 2 s for openpyxl to read
MIN_SHARED_STRINGS = 10_000  # however few rows the caller accepts
CHUNK_BYTES = 64 * 1024
SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; `str(error)` is a translated message for the user."""


class UnreadableSpreadsheet(SpreadsheetError):
    """Not an xlsx (or CSV) file, or a broken one."""


class RefusedSpreadsheet(UnreadableSpreadsheet):
    """A file shaped to exhaust the server; refused before it is parsed.

    `reason` says which check refused it; `unzipped` is how many bytes were decompressed by then
    (never more than `MAX_UNZIPPED_BYTES`).
    """

    def __init__(self, message: str, *, reason: str, unzipped: int = 0):
        super().__init__(message)
        self.reason = reason
        self.unzipped = unzipped


class TooManyRows(SpreadsheetError):
    """More non-blank rows than the caller accepts."""


class ImportFileError(SpreadsheetError):
    """The file as a whole cannot be imported (columns missing, preview expired...)."""


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


def not_xlsx_message() -> str:
    return gettext("This file could not be read as an Excel .xlsx sheet.")


# --- headers --------------------------------------------------------------------------------


def header_key(value) -> str:
    """A header as compared: full-width letters folded, trimmed, a required mark (*) dropped, lower case."""
    return unicodedata.normalize("NFKC", str(value or "")).strip().rstrip("*").strip().lower()


class HeaderAliases:
    """The headers each column is known by: its label in every language of the portal, its name, and aliases.

    `labels` maps a column's name to its (lazy) label; `aliases` adds other words offices use.
    """

    def __init__(self, labels: dict, aliases: dict[str, Iterable[str]] | None = None):
        self.labels = labels
        self.by_key = {}
        for name, label in labels.items():
            words = {name, *(aliases or {}).get(name, ())}
            for language, _language_name in settings.LANGUAGES:
                with translation.override(language):
                    words.add(str(label))
            for word in words:
                self.by_key.setdefault(header_key(word), name)

    @property
    def keys(self) -> set[str]:
        return set(self.by_key)

    def name_of(self, header) -> str | None:
        return self.by_key.get(header_key(header))

    def columns(self, headers: list) -> dict[int, str]:
        """Column index -> column name, for the headers this file has (the first of a repeated one wins)."""
        found = {}
        for index, header in enumerate(headers):
            name = self.name_of(header)
            if name and name not in found.values():
                found[index] = name
        return found


def _find_header(first_rows: Iterable, known: Collection[str] | None) -> tuple[int, list, list]:
    """(index, values, rows read after it) of the header row among `first_rows`, read lazily.

    The first row holding `HEADER_MIN_MATCHES` known headers is the header (so a plain sheet costs
    one row); failing that the row with most, failing that the first row.
    """
    read, best, best_hits = [], 0, 0
    for index, values in enumerate(first_rows):
        values = list(values)
        read.append(values)
        if not known:
            break
        hits = len({header_key(value) for value in values if value is not None} & set(known))
        if hits >= HEADER_MIN_MATCHES:
            return index, values, []
        if hits > best_hits:
            best, best_hits = index, hits
    if not read:
        return 0, [], []
    return best, read[best], read[best + 1 :]


def _header_texts(values) -> list[str]:
    header = list(values[:MAX_COLUMNS])
    while header and is_blank(header[-1:]):
        header.pop()
    return ["" if value is None else str(value).strip() for value in header]


def _data_rows(values_by_row: Iterator, width: int, first_number: int, max_rows: int) -> list[SheetRow]:
    """Non-blank rows cut or padded to `width`; stops after a long blank run; refuses past `max_rows`."""
    rows = []
    blank_run = 0
    for number, values in enumerate(values_by_row, start=first_number):
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
    return rows


# --- xlsx: the guard ------------------------------------------------------------------------


def _refuse(reason: str, unzipped: int = 0, max_rows: int = 0) -> RefusedSpreadsheet:
    messages = {
        "entries": gettext("This file holds too many parts for an Excel sheet; it was not read."),
        "size": gettext("This file unpacks to more than %(limit)d MB; it was not read. Split it into smaller files.")
        % {"limit": MAX_UNZIPPED_BYTES // 1024 // 1024},
        "ratio": gettext("This file unpacks to far more than its size (a zip bomb); it was not read."),
        "doctype": gettext("This file holds XML declarations no Excel sheet has; it was not read."),
        "comment": gettext("This file holds a long XML comment no Excel sheet has; it was not read."),
        "shared_strings": gettext(
            "This file holds more distinct texts than a sheet of %(rows)d rows can have; it was not read."
        )
        % {"rows": max_rows},
        "broken": not_xlsx_message(),
    }
    return RefusedSpreadsheet(messages[reason], reason=reason, unzipped=unzipped)


class _XmlScan:
    """Looks through one XML part, chunk by chunk, for what no real Excel file holds."""

    MARKER_BYTES = 16  # the longest marker looked for, so that one split across chunks is found whole

    def __init__(self, guard: "_Guard"):
        self.guard = guard
        self.carry = b""
        self.comment = None  # bytes of the open comment so far

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        data = self.carry + chunk
        end = len(data) if final else max(0, len(data) - self.MARKER_BYTES)
        self.guard.count_strings(sum(1 for match in SHARED_STRING.finditer(data, 0, len(data)) if match.start() < end))
        position = 0
        while position < end:
            position = (
                self._comment_part(data, position, end)
                if self.comment is not None
                else self._markup(data, position, end)
            )
        self.carry = data[position:]

    def _comment_part(self, data: bytes, position: int, end: int) -> int:
        close = data.find(b"-->", position)
        reach = end if close == -1 or close >= end else close
        self.comment += reach - position
        if self.comment > MAX_XML_COMMENT_BYTES:
            raise _refuse("comment", self.guard.unzipped)
        if reach == close:
            self.comment = None
            return close + 3
        return end

    def _markup(self, data: bytes, position: int, end: int) -> int:
        found = data.find(b"<!", position, end)
        if found == -1:
            return end
        if data.startswith(b"<!--", found):
            self.comment = 0
            return found + 4
        if data.startswith((b"<!DOCTYPE", b"<!ENTITY"), found):
            raise _refuse("doctype", self.guard.unzipped)
        return found + 2  # a CDATA section


class _Guard:
    def __init__(self, archive: zipfile.ZipFile, max_rows: int):
        self.archive = archive
        self.unzipped = 0
        self.strings = 0
        self.max_rows = max_rows
        self.max_strings = max(max_rows * SHARED_STRINGS_PER_ROW, MIN_SHARED_STRINGS)

    def check_directory(self) -> None:
        entries = self.archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise _refuse("entries")
        if sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
            raise _refuse("size")
        for entry in entries:
            if entry.file_size > RATIO_FREE_BYTES and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                raise _refuse("ratio")

    def scan_parts(self) -> None:
        # Every part, whatever its name: the workbook's relations may point openpyxl at any of them.
        for entry in self.archive.infolist():
            if not entry.is_dir():
                self._scan(entry)

    def _scan(self, entry: zipfile.ZipInfo) -> None:
        scan = None
        read = 0
        with self.archive.open(entry) as part:
            while chunk := part.read(CHUNK_BYTES):
                read += len(chunk)
                self.unzipped += len(chunk)
                if self.unzipped > MAX_UNZIPPED_BYTES or read > entry.file_size:
                    raise _refuse("size", self.unzipped)
                if read > RATIO_FREE_BYTES and read > MAX_RATIO * max(entry.compress_size, 1):
                    raise _refuse("ratio", self.unzipped)
                if scan is None and not _looks_like_xml(chunk, self.unzipped):
                    return  # an image or other binary part: an XML parser stops at its first byte
                scan = scan or _XmlScan(self)
                scan.feed(chunk)
        if scan is not None:
            scan.feed(b"", final=True)

    def count_strings(self, count: int) -> None:
        self.strings += count
        if self.strings > self.max_strings:
            raise _refuse("shared_strings", self.unzipped, self.max_rows)


def _looks_like_xml(head: bytes, unzipped: int) -> bool:
    """Whether a part starts as the UTF-8 XML an XML parser would read; UTF-16 (which Excel never writes,
    and which would hide its markup from the byte scan) is refused."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"<\0", b"\0<")):
        raise _refuse("broken", unzipped)
    return head.lstrip(codecs.BOM_UTF8).lstrip(b" \t\r\n").startswith(b"<")


def guard_xlsx(file, *, max_rows: int) -> None:
    """Refuse (`RefusedSpreadsheet`) an xlsx shaped to exhaust the server, before anything parses it.

    `file` is a seekable binary file; it is left at its start. Not a zip: `UnreadableSpreadsheet`.
    `max_rows` (the rows the caller accepts) bounds the shared strings.
    """
    try:
        file.seek(0)
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise UnreadableSpreadsheet(not_xlsx_message()) from error
    guard = _Guard(archive, max_rows)
    try:
        guard.check_directory()
        guard.scan_parts()
    except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, EOFError, RuntimeError) as error:
        # A part that does not unzip (wrong CRC, unknown compression, encrypted): not a sheet anyone saved.
        raise _refuse("broken", guard.unzipped) from error
    finally:
        archive.close()
        file.seek(0)


# --- xlsx: reading --------------------------------------------------------------------------


def read_xlsx_rows(
    source, max_rows: int, *, known_headers: Collection[str] | None = None
) -> tuple[list[str], list[SheetRow]]:
    """The first sheet's headers (text, "" for an empty cell) and its non-blank rows below them.

    `source` is the file's bytes or a binary file object (an upload). `known_headers` (header keys,
    see `HeaderAliases.keys`) lets a title row above the headers be skipped. Raises
    `UnreadableSpreadsheet` (or its `RefusedSpreadsheet`) for a file that is not a readable xlsx,
    and `TooManyRows` past `max_rows` non-blank rows.
    """
    import openpyxl

    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    guard_xlsx(source, max_rows=max_rows)
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken zip or XML
        raise UnreadableSpreadsheet(not_xlsx_message()) from error
    try:
        return _read_sheet(book.worksheets[0], max_rows, known_headers)
    except SpreadsheetError:
        raise
    except Exception as error:  # the sheet's XML is parsed only now, row by row
        raise UnreadableSpreadsheet(not_xlsx_message()) from error
    finally:
        book.close()


def _read_sheet(sheet, max_rows: int, known_headers) -> tuple[list[str], list[SheetRow]]:
    first_rows = sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS, values_only=True)
    index, values, _after = _find_header(first_rows, known_headers)
    header = _header_texts(values)
    width = len(header)
    first_number = index + 2
    # Only the header's columns: a sheet may claim thousands of columns on every row.
    values_by_row = sheet.iter_rows(min_row=first_number, max_col=max(width, 1), values_only=True)
    return header, _data_rows(values_by_row, width, first_number, max_rows)


# --- CSV ------------------------------------------------------------------------------------


def _csv_text(data: bytes) -> io.TextIOWrapper:
    """The bytes as text: UTF-8 (a BOM is dropped), else GB18030 (Excel's CSV in Chinese Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return io.TextIOWrapper(io.BytesIO(data), encoding="gb18030", errors="replace", newline="")
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")


def _csv_bytes(source) -> bytes:
    limit = settings.IMPORT_MAX_BYTES
    if isinstance(source, str):
        source = source.encode("utf-8")
    if isinstance(source, bytes | bytearray):
        data = bytes(source[: limit + 1])
    else:
        source.seek(0)
        data = source.read(limit + 1)
    if len(data) > limit:
        raise RefusedSpreadsheet(
            gettext("The file is larger than %(limit)d MB; it was not read.") % {"limit": limit // 1024 // 1024},
            reason="size",
        )
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableSpreadsheet(gettext("This is an Excel .xlsx file, not CSV: choose the xlsx format."))
    return data


def read_csv_rows(
    source, max_rows: int, *, known_headers: Collection[str] | None = None
) -> tuple[list[str], list[SheetRow]]:
    """A CSV file's headers and non-blank rows, by the same rules as `read_xlsx_rows`.

    `source` is bytes, text or a binary file object, at most `IMPORT_MAX_BYTES` long.
    """
    records = csv.reader(_csv_text(_csv_bytes(source)))
    try:
        index, values, after = _find_header(itertools.islice(records, HEADER_SEARCH_ROWS), known_headers)
        header = _header_texts(values)
        below = itertools.chain(after, records)
        return header, _data_rows(below, len(header), index + 2, max_rows)
    except csv.Error as error:  # e.g. a field longer than the csv module's limit (128 KB)
        raise UnreadableSpreadsheet(gettext("This file could not be read as CSV.")) from error
