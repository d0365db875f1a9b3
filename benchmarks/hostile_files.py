"""Benchmark of the spreadsheet kit against hostile files: `make bench` (never a timed test).

Builds each hostile shape of issue 6 (and a good file of about the same size) in a temporary
folder, then reads each in a fresh Python process (so peaks don't mix) through the reader every
import uses, and prints for each:

    <shape> refused: <seconds> s        (or "read" for a good file)
    <shape> peak memory: <MB> MB        (tracemalloc's peak of Python allocations while reading, in a second run)

No database is used; nothing is written outside the temporary folder.
"""

import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ["名称", "类型", "镇街", "地址", "设施", "24小时开放", "联系电话", "规划日期", "建成日期", "描述"]
SHEET_PART = "xl/worksheets/sheet1.xml"


def _setup_django() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "union_portal.settings")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    django.setup()


# --- the files --------------------------------------------------------------------------------


def good_row(n: int) -> list:
    return [
        f"阵地{n}",
        "暖心驿站",
        "瀛海镇",
        f"瀛海镇南{n}街{n}号",
        "微波炉、饮水机",
        "否",
        f"138{n:08d}",
        None,
        "2018-06-01",
        f"说明{n}" * 3,
    ]


def xlsx(rows: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("阵地")
    sheet.append(HEADERS)
    for n in range(rows):
        sheet.append(good_row(n))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(content: bytes, replace=None, add=None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, (replace or {}).get(entry.filename) or source.read(entry.filename))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def huge_comment() -> bytes:
    base = xlsx(1)
    letters = random.Random(6).choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", k=560_000)
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        xml = archive.read(SHEET_PART)
    xml = xml.replace(b"<sheetData>", b"<!--" + "".join(letters).encode() + b"-->" + b"<sheetData>", 1)
    return rezip(base, replace={SHEET_PART: xml})


def shared_strings(count: int) -> bytes:
    base = xlsx(1)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename != "xl/sharedStrings.xml":
                target.writestr(entry.filename, source.read(entry.filename))
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for done in range(0, count, 100_000):
                part.write(b"<si><t/></si>" * min(100_000, count - done))
            part.write(b"</sst>")
    return out.getvalue()


def zip_bomb() -> bytes:
    return rezip(xlsx(1), add={"xl/worksheets/sheet2.xml": b" " * (100 * 1024 * 1024)})


def billion_laughs() -> bytes:
    base = xlsx(1)
    entities = b'<!ENTITY a0 "lol">' + b"".join(
        b'<!ENTITY a%d "%s">' % (n, b"".join(b"&a%d;" % (n - 1) for _ in range(10))) for n in range(1, 10)
    )
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        xml = archive.read(SHEET_PART)
    xml = b"<!DOCTYPE lolz [" + entities + b"]>" + xml.replace(b'<?xml version="1.0" encoding="UTF-8"?>', b"", 1)
    return rezip(base, replace={SHEET_PART: xml})


def claimed_size() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(good_row(1))
    sheet["XFD1"] = "备注"
    sheet.cell(row=1_048_576, column=1, value="遗留")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def blank_csv(size: int) -> bytes:
    line = b"," * (len(HEADERS) - 1) + b"\r\n"
    return ",".join(HEADERS).encode() + b"\r\n" + line * (size // len(line))


def good_csv(size: int) -> bytes:
    lines, total, n = [",".join(HEADERS).encode()], 0, 0
    while total < size * 0.95:
        line = (",".join("" if v is None else str(v) for v in good_row(n)) + ",说明" * 70).encode()
        lines.append(line)
        total += len(line) + 2
        n += 1
    return b"\r\n".join(lines) + b"\r\n"


def shapes() -> list[tuple[str, str, bytes]]:
    """(shape, reader, content); the good file beside each hostile one is about its size."""
    ten_mb = 10 * 1024 * 1024 - 1024
    found = [
        ("xlsx huge comment", "xlsx", huge_comment()),
        ("xlsx ten million shared strings", "xlsx", shared_strings(10_000_000)),
        ("xlsx zip bomb part", "xlsx", zip_bomb()),
        ("xlsx billion laughs", "xlsx", billion_laughs()),
        ("xlsx claiming 1,048,576 rows x 16,384 columns", "xlsx", claimed_size()),
        ("non-zip file named .xlsx", "xlsx", b"<html>" + b"x" * 400_000 + b"</html>"),
        ("csv of blank rows", "csv", blank_csv(ten_mb)),
    ]
    goods = []
    for rows in (9000,):
        goods.append((f"good xlsx of {rows} rows", "xlsx", xlsx(rows)))
    goods.append(("good csv", "csv", good_csv(ten_mb)))
    return found + goods


# --- measuring, one process per file ----------------------------------------------------------


def measure(reader: str, path: str, what: str) -> dict:
    """Read one file as an import does: its time (`what` "time") or its peak of Python allocations ("memory").

    Apart, because tracemalloc slows openpyxl's many small allocations several times over.
    """
    _setup_django()
    from django.conf import settings

    from union_portal.spreadsheets import SpreadsheetError, read_csv_rows, read_xlsx_rows

    read = read_xlsx_rows if reader == "xlsx" else read_csv_rows
    content = Path(path).read_bytes()
    if what == "memory":
        tracemalloc.start()
    started = time.perf_counter()
    try:
        _headers, rows = read(io.BytesIO(content), settings.IMPORT_MAX_ROWS)
        outcome = ("read", f"{len(rows)} rows")
    except SpreadsheetError as error:
        outcome = ("refused", getattr(error, "reason", type(error).__name__))
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if what == "memory" else 0
    return {"seconds": seconds, "peak": peak, "outcome": outcome}


def run(reader: str, path: Path, what: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", reader, str(path), what], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    _setup_django()
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
        for shape, reader, content in shapes():
            path = Path(folder) / "file"
            path.write_bytes(content)
            timed, traced = run(reader, path, "time"), run(reader, path, "memory")
            size = (
                f"{len(content) / 1024:,.0f} KB"
                if len(content) < 1024 * 1024
                else f"{len(content) / 1024 / 1024:.1f} MB"
            )
            verb, why = timed["outcome"]
            print(f"{shape} ({size}, {why}) {verb}: {timed['seconds']:.3f} s")
            print(f"{shape} ({size}, {why}) peak memory: {traced['peak'] / 1024 / 1024:.1f} MB")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3], sys.argv[4])))
    else:
        main()
