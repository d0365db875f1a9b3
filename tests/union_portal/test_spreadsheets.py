"""The spreadsheet kit: hostile files refused before parsing, the bounded readers, the widgets, the downloads.

Each hostile shape is built here with zipfile, small on disk; a test asserts the refusal and how
much the guard unzipped by then, never a time (`make bench` measures time and memory).
"""

import datetime
import io
import random
import struct
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils.translation import gettext, gettext_lazy

from union_portal.spreadsheet_files import Sheet, workbook_bytes, xlsx_response
from union_portal.spreadsheet_widgets import (
    CodeWidget,
    DateWidget,
    LookupWidget,
    TextWidget,
    TimeWidget,
    WholeNumberWidget,
    YesNoWidget,
)
from union_portal.spreadsheets import (
    BLANK_RUN_LIMIT,
    CHUNK_BYTES,
    MAX_UNZIPPED_BYTES,
    MAX_XML_COMMENT_BYTES,
    HeaderAliases,
    RefusedSpreadsheet,
    TooManyRows,
    UnreadableSpreadsheet,
    read_csv_rows,
    read_xlsx_rows,
)

HEADERS = ["名称", "类型", "镇街", "地址"]
ROW = ["瀛海暖心驿站", "暖心驿站", "瀛海镇", "南一街1号"]
SHEET_PART = "xl/worksheets/sheet1.xml"


def good_xlsx(rows=(ROW,), headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(content: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The xlsx `content` with some parts replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, (replace or {}).get(entry.filename, source.read(entry.filename)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def sheet_xml(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(SHEET_PART)


def refusal(content: bytes, **kwargs) -> RefusedSpreadsheet:
    with pytest.raises(RefusedSpreadsheet) as refused:
        read_xlsx_rows(content, kwargs.pop("max_rows", 20000), **kwargs)
    assert str(refused.value), "the user is told why"
    assert refused.value.unzipped <= MAX_UNZIPPED_BYTES
    return refused.value


# --- hostile xlsx files -------------------------------------------------------------------------


def test_an_xlsx_with_one_huge_xml_comment_is_refused_after_unzipping_a_chunk_or_two():
    letters = random.Random(6).choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", k=560_000)
    comment = b"<!--" + "".join(letters).encode() + b"-->"
    base = good_xlsx()
    xml = sheet_xml(base).replace(b"<sheetData>", b"<sheetData>" + comment, 1)
    content = rezip(base, replace={SHEET_PART: xml})
    assert 350_000 < len(content) < 450_000  # the reviewer's 406 KB file

    error = refusal(content)

    assert error.reason == "comment"
    assert str(error) == gettext("This file holds a long XML comment no Excel sheet has; it was not read.")
    assert error.unzipped <= 2 * CHUNK_BYTES, "the rest of the comment was never unzipped"


def test_a_short_xml_comment_is_not_refused():
    base = good_xlsx()
    xml = sheet_xml(base).replace(b"<sheetData>", b"<!-- saved by a tool -->\n<sheetData>", 1)

    headers, rows = read_xlsx_rows(rezip(base, replace={SHEET_PART: xml}), 100)

    assert headers == HEADERS and [row.values for row in rows] == [ROW]


def test_an_xml_comment_split_across_chunks_is_still_measured():
    base = good_xlsx()
    padding = b" " * (CHUNK_BYTES - 7)  # the comment opens just before a chunk boundary
    xml = sheet_xml(base).replace(
        b"<sheetData>", padding + b"<!--" + b"x" * (MAX_XML_COMMENT_BYTES + 10) + b"-->" + b"<sheetData>", 1
    )

    assert refusal(rezip(base, replace={SHEET_PART: xml})).reason == "comment"


@pytest.mark.parametrize(
    "declaration",
    [
        b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',
        b'<!ENTITY x SYSTEM "file:///etc/passwd">',
    ],
    ids=["billion-laughs", "external-entity"],
)
def test_an_xlsx_declaring_a_doctype_or_entities_is_refused(declaration):
    base = good_xlsx()
    xml = sheet_xml(base).replace(b"<worksheet", declaration + b"<worksheet", 1)

    assert refusal(rezip(base, replace={SHEET_PART: xml})).reason == "doctype"


def write_shared_strings(target: zipfile.ZipFile, count: int) -> None:
    with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
        part.write(
            b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        )
        batch = 100_000
        for done in range(0, count, batch):
            part.write(b"<si><t/></si>" * min(batch, count - done))
        part.write(b"</sst>")


def xlsx_with_shared_strings(count: int) -> bytes:
    base = good_xlsx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename != "xl/sharedStrings.xml":
                target.writestr(entry.filename, source.read(entry.filename))
        write_shared_strings(target, count)
    return out.getvalue()


def test_an_xlsx_of_ten_million_shared_strings_is_refused_before_unzipping_them():
    content = xlsx_with_shared_strings(10_000_000)
    assert len(content) < 500_000  # the reviewer's file was 418 KB

    error = refusal(content)

    assert error.reason in {"size", "ratio"}
    assert error.unzipped == 0, "refused from the zip directory alone"


def test_more_shared_strings_than_the_rows_allow_are_refused_while_counting(settings):
    content = xlsx_with_shared_strings(40_000)  # 520 KB unzipped: neither too big nor too compressed

    error = refusal(content, max_rows=100)

    assert error.reason == "shared_strings"
    assert "100" in str(error)
    assert error.unzipped < 520_000, "counting stopped at the cap"


def test_a_zip_bomb_part_is_refused_from_its_declared_size():
    content = rezip(good_xlsx(), add={"xl/media/image1.png": b"\0" * (MAX_UNZIPPED_BYTES + 1)})
    assert len(content) < 200_000

    error = refusal(content)

    assert error.reason == "size"
    assert error.unzipped == 0


def test_a_part_compressed_far_beyond_real_sheets_is_refused():
    content = rezip(good_xlsx(), add={"xl/worksheets/sheet2.xml": b" " * (20 * 1024 * 1024)})

    error = refusal(content)

    assert error.reason == "ratio"
    assert error.unzipped == 0


def test_a_part_larger_than_its_declared_size_is_refused_without_reading_on():
    text = "".join(random.Random(1).choices("abcdefghijklmnopqrstuvwxyz", k=300_000))
    base = rezip(good_xlsx(), add={"xl/worksheets/sheet2.xml": f"<x>{text}</x>".encode()})
    # Patch the central directory: sheet2.xml now claims 1,000 bytes unzipped.
    data = bytearray(base)
    name = b"xl/worksheets/sheet2.xml"
    header = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    struct.pack_into("<I", data, header + 24, 1000)

    error = refusal(bytes(data))

    assert error.reason == "broken"
    assert error.unzipped < 100_000, "not the 300 KB the part holds"


def test_a_utf16_part_which_would_hide_its_markup_from_the_scan_is_refused():
    base = good_xlsx()
    xml = ("<!--" + "x" * 5000 + "-->").encode("utf-16") + sheet_xml(base).decode().encode("utf-16")[2:]

    assert refusal(rezip(base, replace={SHEET_PART: xml})).reason == "broken"


def test_binary_parts_such_as_images_are_not_scanned_as_xml():
    noise = random.Random(2).randbytes(200_000).replace(b"-->", b"---")
    image = b"\x89PNG\r\n\x1a\n" + b"<!--" + noise  # as XML it would hold a long comment

    headers, _rows = read_xlsx_rows(rezip(good_xlsx(), add={"xl/media/image1.png": image}), 100)

    assert headers == HEADERS


def test_too_many_zip_entries_are_refused():
    content = rezip(good_xlsx(), add={f"xl/media/{n}.bin": b"" for n in range(600)})

    assert refusal(content).reason == "entries"


def test_a_file_that_is_not_a_zip_named_xlsx_is_unreadable_with_a_message():
    with pytest.raises(UnreadableSpreadsheet) as error:
        read_xlsx_rows(b"<html>not a sheet</html>", 100)

    assert not isinstance(error.value, RefusedSpreadsheet)
    assert str(error.value) == gettext("This file could not be read as an Excel .xlsx sheet.")


def test_a_good_sheet_passes_the_guard_and_reads_its_rows():
    headers, rows = read_xlsx_rows(good_xlsx([ROW] * 50), 100)

    assert headers == HEADERS
    assert len(rows) == 50 and rows[0].number == 2


# --- header rows, blank rows, limits ------------------------------------------------------------


def test_the_header_row_is_found_below_a_merged_title_row():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["瀛海镇暖心驿站台账（2018年）"])
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(HEADERS)
    sheet.append(ROW)
    out = io.BytesIO()
    book.save(out)
    aliases = HeaderAliases({"name": "名称", "kind": "类型", "town": "镇街", "address": "地址"})

    headers, rows = read_xlsx_rows(out.getvalue(), 100, known_headers=aliases.keys)

    assert headers == HEADERS
    assert [(row.number, row.values) for row in rows] == [(4, ROW)]


def test_header_aliases_match_labels_in_every_language_names_and_office_words():
    aliases = HeaderAliases(
        {"inspection_squad": gettext_lazy("labour-inspection squad")}, {"inspection_squad": ["监察中队"]}
    )

    assert aliases.columns(["劳动监察中队 *", "x", "inspection_squad"]) == {0: "inspection_squad"}
    assert aliases.name_of("Labour-inspection squad") == "inspection_squad"
    assert aliases.name_of("监察中队") == "inspection_squad"


def test_too_many_rows_are_refused_with_the_limit():
    with pytest.raises(TooManyRows):
        read_xlsx_rows(good_xlsx([ROW] * 3), 2)


# --- CSV ------------------------------------------------------------------------------------


def test_a_10_mb_csv_of_blank_rows_stops_after_the_blank_run(settings):
    content = ",".join(HEADERS).encode() + b"\r\n" + b",,,\r\n" * ((settings.IMPORT_MAX_BYTES - 100) // 5)
    assert len(content) > 9 * 1024 * 1024

    headers, rows = read_csv_rows(content, 100)

    assert headers == HEADERS and rows == []


def test_rows_after_a_short_blank_run_are_read_in_a_csv():
    lines = [",".join(HEADERS), ",".join(ROW), *[""] * (BLANK_RUN_LIMIT - 1), ",".join(ROW)]

    _headers, rows = read_csv_rows("\r\n".join(lines).encode(), 100)

    assert [row.number for row in rows] == [2, BLANK_RUN_LIMIT + 2]


def test_a_csv_larger_than_the_upload_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1000

    with pytest.raises(RefusedSpreadsheet) as error:
        read_csv_rows(b"a,b\r\n" + b"1,2\r\n" * 400, 1000)

    assert error.value.reason == "size"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_or_gbk_reads_the_same(encoding):
    content = ("\r\n".join([",".join(HEADERS), ",".join(ROW)]) + "\r\n").encode(encoding)

    headers, rows = read_csv_rows(content, 100)

    assert headers == HEADERS and rows[0].values == ROW


def test_an_xlsx_chosen_as_csv_is_refused_with_a_hint():
    with pytest.raises(UnreadableSpreadsheet) as error:
        read_csv_rows(good_xlsx(), 100)

    assert "xlsx" in str(error.value)


# --- widgets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "2018-03-05",
        "2018/3/5",
        "2018.3.5",
        "2018年3月5日",
        "２０１８年３月５日",
        "２０１８－０３－０５",
        "20180305",
        43164,
        43164.0,
        "43164",
        datetime.datetime(2018, 3, 5, 0, 0),
        datetime.date(2018, 3, 5),
    ],
)
def test_dates_are_read_the_way_offices_type_them(cell):
    assert DateWidget().clean(cell) == datetime.date(2018, 3, 5)


def test_a_date_that_cannot_be_read_names_the_value_and_the_format():
    with pytest.raises(ValueError, match="2018-13-45"):
        DateWidget().clean("2018-13-45")


def test_a_date_written_as_the_export_writes_it_but_impossible_names_the_value_and_the_format():
    with pytest.raises(ValueError, match=r"2018-02-30.*YYYY-MM-DD"):
        DateWidget().clean("2018-02-30")
    assert DateWidget().clean(None) is None and DateWidget().clean("") is None and DateWidget().clean("  ") is None


@pytest.mark.django_db
def test_a_lookup_reads_its_rows_once_and_names_an_unknown_or_ambiguous_one(django_assert_num_queries):
    from union_portal.models import District, Town

    district = District.objects.create(name="测试区")
    first = Town.objects.create(district=district, name="甲镇", order=1)
    Town.objects.create(district=district, name="乙镇", order=2)
    widget = LookupWidget(Town, field="name")

    with django_assert_num_queries(1):
        assert widget.clean(" 甲镇 ") == first
        assert widget.clean("乙镇").name == "乙镇"
        assert widget.clean("") is None
        with pytest.raises(ValueError, match="丙镇"):
            widget.clean("丙镇")

    other = District.objects.create(name="别区")
    Town.objects.create(district=other, name="甲镇", order=1)
    widget.objects_set(Town.objects.all())
    with pytest.raises(Town.MultipleObjectsReturned):
        widget.clean("甲镇")
    assert LookupWidget(Town, field="name", key_is_id=True).clean("乙镇") == Town.objects.get(name="乙镇").pk


def test_numbers_times_codes_and_yes_no_fold_full_width_characters():
    assert WholeNumberWidget().clean("１２") == 12
    assert WholeNumberWidget().clean("1,200") == 1200
    assert TimeWidget().clean("０８：３０") == datetime.time(8, 30)
    assert CodeWidget().clean("９１１１０１１５ＭＡ０１") == "91110115MA01"
    assert YesNoWidget().clean("是") is True and YesNoWidget().clean("") is False
    with pytest.raises(ValueError):
        YesNoWidget().clean("也许")


def test_text_undoes_the_exports_formula_escaping_only():
    assert TextWidget().clean("'=SUM(1+1)") == "=SUM(1+1)"
    assert TextWidget().clean("'@张三") == "@张三"
    assert TextWidget().clean("'quoted'") == "'quoted'"
    assert TextWidget().clean("（北京）公司") == "（北京）公司", "free text keeps its full-width characters"


# --- downloads ------------------------------------------------------------------------------


def test_a_workbook_has_named_sheets_and_typed_cells():
    content = workbook_bytes(
        Sheet("阵地", ["名称", "建成日期", "金额"], [["驿站", datetime.date(2018, 6, 1), Decimal("12.50")]])
    )

    book = openpyxl.load_workbook(io.BytesIO(content))

    assert book.sheetnames == ["阵地"]
    assert [cell.value for cell in book.active[2]] == ["驿站", datetime.datetime(2018, 6, 1), 12.5]
    assert book.active["A1"].font.bold


def test_a_download_is_named_in_chinese_with_rfc_5987():
    response = xlsx_response(b"x", file_name="阵地台账.xlsx")

    assert response["Content-Disposition"] == (
        "attachment; filename=\"download.xlsx\"; filename*=utf-8''%E9%98%B5%E5%9C%B0%E5%8F%B0%E8%B4%A6.xlsx"
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]
