"""Excel: the export is masked and escaped; the town dossier import checks every row and never doubles."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from disputes.models import Case, ClaimKindCode, DossierKind, HandlingBody, Status
from disputes.resources import DossierRowForm, DossierSheet
from tests.disputes.factories import CaseFactory
from tests.factories import EnterpriseFactory
from union_portal.spreadsheet_files import download_disposition
from union_portal.spreadsheets import BLANK_RUN_LIMIT, MAX_COLUMNS, too_many_rows_message
from union_portal.validators import make_credit_code

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_export_masks_personal_numbers_and_escapes_formulas(client_for, district_staff, town_a):
    employer = EnterpriseFactory(town=town_a, name='=HYPERLINK("http://evil","点我")')
    CaseFactory(
        town=town_a,
        employer=employer,
        number="大兴调〔2018〕0007",
        workers=[{"name": "@张三", "id_number": "110115198501011237", "phone": "13811112222"}],
    )
    response = client_for(district_staff).get(reverse("disputes:case_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, row = sheet_rows(response)
    cells = dict(zip(header, row, strict=True))
    flat = " ".join(str(value) for value in row)
    assert "110115198501011237" not in flat and "13811112222" not in flat
    assert "110115********1237" in flat and "138****2222" in flat
    assert any(str(value).startswith("'=HYPERLINK") for value in row)
    assert any(str(value).startswith("'@张三") for value in row)
    assert "大兴调〔2018〕0007" in cells.values()


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"], ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_every_formula_prefix_is_neutralised_in_the_export(prefix, client_for, district_staff, town_a):
    employer = EnterpriseFactory(town=town_a, name=f"{prefix}SUM(1+1)公司")
    CaseFactory(town=town_a, employer=employer, workers=[{"name": f"{prefix}李四"}])
    header, row = sheet_rows(client_for(district_staff).get(reverse("disputes:case_export")))
    cells = dict(zip(header, row, strict=True))
    employer_cell = cells[str(Case._meta.get_field("employer").verbose_name)]
    worker_cell = cells[gettext("workers")]
    # A leading quote makes the cell text; xlsx stores a carriage return as a line feed, so compare after it.
    assert employer_cell[0] == "'" and employer_cell[2:] == "SUM(1+1)公司", employer_cell
    assert worker_cell[0] == "'" and worker_cell[2:] == "李四", worker_cell


def test_the_export_says_how_a_closed_case_ended(client_for, district_staff, town_a):
    case = CaseFactory(
        town=town_a,
        status=Status.ARCHIVED,
        outcome="agreement",
        amount_recovered=12000,
        closed_on=datetime.date(2018, 3, 10),
        received_on=datetime.date(2018, 3, 1),
        dossier_kind=DossierKind.SIMPLE,
        archived_on=datetime.date(2018, 3, 20),
    )
    header, row = sheet_rows(client_for(district_staff).get(reverse("disputes:case_export")))
    cells = dict(zip(header, row, strict=True))

    def cell(name):
        return cells[str(Case._meta.get_field(name).verbose_name)]

    assert cell("outcome") == case.get_outcome_display()
    assert cell("amount_recovered") == 12000
    assert cell("closed_on").date() == datetime.date(2018, 3, 10)
    assert cell("dossier_kind") == case.get_dossier_kind_display()
    assert cell("archived_on").date() == datetime.date(2018, 3, 20)


def test_the_export_follows_the_filters_and_the_users_town(client_for, town_a_staff, town_a, town_b):
    CaseFactory(town=town_a, number="A-1", handling_body=HandlingBody.CENTRE)
    CaseFactory(town=town_a, number="A-2", handling_body=HandlingBody.LEGAL_AID)
    CaseFactory(town=town_b, number="B-1", handling_body=HandlingBody.CENTRE)
    client = client_for(town_a_staff)
    everything = sheet_rows(client.get(reverse("disputes:case_export")))
    centre = sheet_rows(client.get(reverse("disputes:case_export"), {"handling_body": "centre"}))
    assert sorted(row[0] for row in everything[1:]) == ["A-1", "A-2"]
    assert [row[0] for row in centre[1:]] == ["A-1"]


def test_a_list_too_long_to_download_at_once_is_exported_whole_by_a_job_not_cut_short(
    client_for, district_staff, town_a, settings
):
    settings.EXPORT_INLINE_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    for number in ("X-1", "X-2", "X-3"):
        CaseFactory(town=town_a, number=number)
    client = client_for(district_staff)
    queued = client.get(reverse("disputes:case_export"), {"town": town_a.pk})
    assert queued.status_code == 302 and queued["Location"].startswith("/exports/")
    page = client.get(queued["Location"])
    assert "3" in page.content.decode() and 'data-testid="export-download"' in page.content.decode()
    download = client.get(queued["Location"] + "download/")
    assert sorted(row[0] for row in sheet_rows(download)[1:]) == ["X-1", "X-2", "X-3"]
    narrowed = client.get(reverse("disputes:case_export"), {"q": "X-1"})
    assert [row[0] for row in sheet_rows(narrowed)[1:]] == ["X-1"]


CODE_A, CODE_B = make_credit_code(555001), make_credit_code(555002)


def dossier_sheet(rows) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.active.append(DossierSheet.headers())
    for row in rows:
        book.active.append(row)
    for _ in range(3):
        book.active.append([None] * len(DossierSheet.headers()))  # trailing blank lines are ignored
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("dossiers.xlsx", out.getvalue())


GOOD = [
    [
        "亦庄规范〔2018〕001",
        "formal",
        "2018-03-01",
        "2018-03-12",
        "北京甲公司",
        CODE_A,
        3,
        40000,
        36000,
        "wage_arrears",
        "第一中队",
    ],
    ["亦庄简易〔2018〕001", "simple", "2018/4/2", "2018/4/10", "北京乙公司", CODE_B, 2, None, 8500.5, "", "第二中队"],
]


def upload(client, town, rows):
    return client.post(reverse("disputes:dossier_import"), {"file": dossier_sheet(rows), "town": town.pk})


def confirm(client, preview):
    return client.post(reverse("disputes:dossier_import"), {"confirm": "1", "token": preview.context["token"]})


def test_a_good_sheet_is_previewed_then_saved_as_archived_dossiers(client_for, town_b_staff, town_b):
    client = client_for(town_b_staff)
    preview = upload(client, town_b, GOOD)
    assert preview.status_code == 200
    assert not preview.context["sheet"].errors
    assert len(preview.context["sheet"].rows) == 2
    assert not Case.objects.exists()
    done = confirm(client, preview)
    assert done.status_code == 302
    formal = Case.objects.get(dossier_number="亦庄规范〔2018〕001")
    assert (formal.town, formal.handling_body, formal.status) == (town_b, HandlingBody.TOWN_UNION, Status.ARCHIVED)
    assert (formal.dossier_kind, formal.headcount, formal.amount_recovered) == (DossierKind.FORMAL, 3, 36000)
    assert formal.inspection_squad == "第一中队"
    assert formal.number.startswith(f"{town_b.name}调〔2018〕")
    assert list(formal.claim_kinds.values_list("code", flat=True)) == ["wage_arrears"]
    simple = Case.objects.get(dossier_number="亦庄简易〔2018〕001")
    assert (simple.dossier_kind, str(simple.amount_recovered), simple.employer.name) == (
        "simple",
        "8500.50",
        "北京乙公司",
    )
    assert simple.history.count() == 1


def test_importing_the_same_sheet_again_updates_instead_of_doubling(client_for, town_b_staff, town_b):
    client = client_for(town_b_staff)
    confirm(client, upload(client, town_b, GOOD))
    numbers = set(Case.objects.values_list("number", flat=True))
    changed = [[*GOOD[0][:8], 38000, *GOOD[0][9:]], GOOD[1]]
    preview = upload(client, town_b, changed)
    assert all(row.existing for row in preview.context["sheet"].rows)
    confirm(client, preview)
    assert Case.objects.count() == 2
    assert set(Case.objects.values_list("number", flat=True)) == numbers
    assert Case.objects.get(dossier_number="亦庄规范〔2018〕001").amount_recovered == 38000


def test_every_bad_row_is_named_and_nothing_is_written(client_for, town_b_staff, town_b):
    wrong_code = CODE_A[:17] + ("0" if CODE_A[17] != "0" else "1")
    rows = [
        GOOD[0],
        ["亦庄规范〔2018〕002", "formal", "2018-03-01", "2018-02-01", "丙公司", wrong_code, 0, 100, -5, "", ""],
        ["亦庄规范〔2018〕001", "档案", "", "2018-03-12", "丁公司", CODE_B, 1, 0, 10, "医疗费", ""],
    ]
    client = client_for(town_b_staff)
    preview = upload(client, town_b, rows)
    errors = preview.context["sheet"].errors
    assert not preview.context.get("token")
    label = {name: str(field.label) for name, field in DossierRowForm.base_fields.items()}

    def has(row, column):
        return any(re.search(rf"\b{row}\b", error) and label[column] in error for error in errors)

    assert has(3, "credit_code")
    assert has(3, "headcount")
    assert has(3, "amount_recovered")
    assert has(3, "closed_on")
    assert has(4, "dossier_kind")
    assert has(4, "received_on")
    assert has(4, "claim_kind")
    assert not any(re.search(r"\b2\b", error) for error in errors)
    assert not Case.objects.exists()
    # Town staff read the reasons in Chinese, row first: 第 3 行“统一社会信用代码”列：…
    assert all(re.match(r"第 \d+ 行“.+”列：", error) for error in errors), errors
    page = preview.content.decode()
    assert all(error.split("：")[0] in page for error in errors)


@pytest.mark.parametrize(
    ("kind", "claim", "expected"),
    [
        ("规范实体案卷", "拖欠工资", ("formal", "wage_arrears")),
        ("规范", "欠薪", ("formal", "wage_arrears")),
        ("简易", "社保", ("simple", "social_insurance")),
        ("simple dossier", "overtime pay", ("simple", "overtime")),
    ],
)
def test_the_words_town_ledgers_use_are_understood(kind, claim, expected, client_for, town_b_staff, town_b):
    row = [GOOD[0][0], kind, *GOOD[0][2:9], claim, GOOD[0][10]]
    client = client_for(town_b_staff)
    preview = upload(client, town_b, [row])
    assert not preview.context["sheet"].errors
    confirm(client, preview)
    case = Case.objects.get()
    assert (case.dossier_kind, case.claim_kinds.get().code) == expected


def test_a_repeated_dossier_number_in_one_sheet_is_refused(client_for, town_b_staff, town_b):
    client = client_for(town_b_staff)
    preview = upload(client, town_b, [GOOD[0], GOOD[0]])
    assert len(preview.context["sheet"].errors) == 1
    assert "3" in preview.context["sheet"].errors[0]


def test_a_sheet_without_the_needed_columns_is_refused(client_for, town_b_staff, town_b):
    book = openpyxl.Workbook()
    book.active.append(["名称", "金额"])
    book.active.append(["x", 1])
    out = io.BytesIO()
    book.save(out)
    response = client_for(town_b_staff).post(
        reverse("disputes:dossier_import"), {"file": SimpleUploadedFile("x.xlsx", out.getvalue()), "town": town_b.pk}
    )
    assert response.context["sheet"].errors
    assert not Case.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused(client_for, town_b_staff, town_b):
    response = client_for(town_b_staff).post(
        reverse("disputes:dossier_import"), {"file": SimpleUploadedFile("x.xlsx", b"not a zip"), "town": town_b.pk}
    )
    assert response.context["form"].errors["file"]


def test_town_staff_import_only_into_their_own_town(client_for, town_a_staff, town_b):
    response = upload(client_for(town_a_staff), town_b, GOOD)
    assert response.context["form"].errors["town"]
    assert not Case.objects.exists()


def test_a_preview_cannot_be_confirmed_by_someone_else(client_for, town_b_staff, district_staff, town_b):
    preview = upload(client_for(town_b_staff), town_b, GOOD)
    token = preview.context["token"]
    client_for(district_staff).post(reverse("disputes:dossier_import"), {"confirm": "1", "token": token})
    assert not Case.objects.exists()


def test_the_empty_template_has_the_import_columns(client_for, town_b_staff):
    response = client_for(town_b_staff).get(reverse("disputes:dossier_template"))
    assert sheet_rows(response)[0] == DossierSheet.headers()


# A sheet that claims far more than it holds (the reviewer's 5 KB file that held a worker for minutes)


def sheet_claiming(rows, *, stray_row: int, stray_column: str = "XFD") -> bytes:
    """The real headers and `rows`, plus a stray cell far right in the header row and one far down."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(DossierSheet.headers())
    for row in rows:
        sheet.append(row)
    sheet[f"{stray_column}1"] = "备注"
    sheet.cell(row=stray_row, column=1, value="遗留")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def rows_pulled(monkeypatch):
    """How many rows, and cells, the reader asks openpyxl's read-only sheet for."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    pulled = {"rows": 0, "cells": 0}
    iter_rows = ReadOnlyWorksheet.iter_rows

    def counting(self, *args, **kwargs):
        for row in iter_rows(self, *args, **kwargs):
            pulled["rows"] += 1
            pulled["cells"] += len(row)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counting)
    return pulled


@pytest.mark.parametrize("stray_row", [200_000, 1_048_576])
def test_a_sheet_claiming_a_huge_size_is_read_as_its_rows_only(stray_row, rows_pulled, town_b):
    content = sheet_claiming(GOOD, stray_row=stray_row)
    assert len(content) < 10_000
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert (book.active.max_row, book.active.max_column) == (stray_row, 16_384)  # what the file claims
    book.close()

    sheet = DossierSheet.read(io.BytesIO(content), town=town_b)

    assert not sheet.errors
    assert [row.number for row in sheet.rows] == [2, 3]
    assert [row.data["dossier_number"] for row in sheet.rows] == [GOOD[0][0], GOOD[1][0]]
    # Bounded: the header row, the data rows, then one run of blank rows; only the header's columns
    # (the header row itself is read at most MAX_COLUMNS wide).
    assert rows_pulled["rows"] <= 1 + len(GOOD) + BLANK_RUN_LIMIT
    assert rows_pulled["cells"] <= MAX_COLUMNS + (len(GOOD) + BLANK_RUN_LIMIT) * len(DossierSheet.headers())


def test_the_import_page_previews_the_real_rows_of_such_a_sheet(client_for, town_b_staff, town_b):
    file = SimpleUploadedFile("dossiers.xlsx", sheet_claiming(GOOD, stray_row=200_000))
    preview = client_for(town_b_staff).post(reverse("disputes:dossier_import"), {"file": file, "town": town_b.pk})
    assert preview.status_code == 200
    assert not preview.context["sheet"].errors
    assert len(preview.context["sheet"].rows) == 2
    assert preview.context["token"]
    limits = preview.content.decode()
    assert f"{BLANK_RUN_LIMIT}" in limits  # the page says where reading stops


def test_rows_after_a_long_blank_run_are_not_read_but_rows_after_a_short_one_are(town_b):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(DossierSheet.headers())
    sheet.append(GOOD[0])
    near, far = 3 + BLANK_RUN_LIMIT - 2, 3 + 2 * BLANK_RUN_LIMIT
    for number, row in ((near, GOOD[1]), (far, ["亦庄简易〔2018〕999", *GOOD[1][1:]])):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    book.save(out)

    read = DossierSheet.read(io.BytesIO(out.getvalue()), town=town_b)

    assert [row.number for row in read.rows] == [2, near]


def test_a_sheet_with_too_many_rows_is_refused_with_the_limit(town_b, settings):
    settings.IMPORT_MAX_ROWS = 1
    sheet = DossierSheet.read(dossier_sheet(GOOD), town=town_b)
    assert sheet.errors == [too_many_rows_message(1)]
    assert not sheet.rows and not sheet.raw


# Nothing lost: a column the sheet lacks keeps the stored values; labels in the preview; one service writes


def sheet_without(column: str, rows) -> SimpleUploadedFile:
    """The dossier sheet of `rows` without the column `column` (a field name)."""
    index = DossierSheet.FIELDS.index(column)
    book = openpyxl.Workbook()
    book.active.append([h for i, h in enumerate(DossierSheet.headers()) if i != index])
    for row in rows:
        book.active.append([v for i, v in enumerate(row) if i != index])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("dossiers.xlsx", out.getvalue())


def import_file(client, town, file):
    preview = client.post(reverse("disputes:dossier_import"), {"file": file, "town": town.pk})
    assert not preview.context["sheet"].errors, preview.context["sheet"].errors
    return preview, confirm(client, preview)


@pytest.mark.parametrize(
    ("column", "kept"),
    [("inspection_squad", ("第一中队", "第二中队")), ("amount_claimed", (Decimal("40000"), Decimal("0")))],
)
def test_reimporting_a_sheet_without_an_optional_column_keeps_the_stored_values(
    column, kept, client_for, town_b_staff, town_b
):
    client = client_for(town_b_staff)
    confirm(client, upload(client, town_b, GOOD))
    changed = [[*row[:8], 9999, *row[9:]] for row in GOOD]  # a new amount recovered, the rest as before

    preview, done = import_file(client, town_b, sheet_without(column, changed))

    assert done.status_code == 302
    label = str(DossierRowForm.base_fields[column].label)
    assert label in preview.context["sheet"].missing_columns
    assert label in preview.content.decode()  # the page says the column keeps its values
    cases = [Case.objects.get(dossier_number=row[0]) for row in GOOD]
    assert tuple(getattr(case, column) for case in cases) == kept
    assert all(case.amount_recovered == 9999 for case in cases)
    assert all(case.history.count() == 2 for case in cases)


def test_a_new_dossier_from_a_sheet_without_optional_columns_gets_their_defaults(client_for, town_b_staff, town_b):
    _preview, done = import_file(client_for(town_b_staff), town_b, sheet_without("inspection_squad", [GOOD[0]]))

    assert done.status_code == 302
    assert Case.objects.get().inspection_squad == ""


def test_the_preview_shows_labels_not_internal_codes(client_for, town_b_staff, town_b):
    preview = upload(client_for(town_b_staff), town_b, GOOD)

    table = preview.content.decode().split('data-testid="import-preview"')[1].split("</table>")[0]
    assert str(DossierKind.SIMPLE.label) in table and str(DossierKind.FORMAL.label) in table
    assert str(ClaimKindCode.WAGE_ARREARS.label) in table
    assert not re.search(r">(simple|formal|wage_arrears)<", table)
    assert "2018-04-02" in table


def test_rows_gone_bad_between_preview_and_confirm_write_nothing_and_are_named(client_for, town_b_staff, town_b):
    client = client_for(town_b_staff)
    preview = upload(client, town_b, GOOD)
    CaseFactory(town=town_b, dossier_number=GOOD[1][0], number="亦庄调〔2018〕0099")  # an open case takes the number

    response = confirm(client, preview)

    assert response.status_code == 200
    errors = response.context["sheet"].errors
    assert len(errors) == 1 and "3" in errors[0] and "亦庄调〔2018〕0099" in errors[0]
    assert Case.objects.count() == 1, "the good row was not written either"


def test_the_service_refuses_a_sheet_with_errors_and_writes_nothing(town_b_staff, town_b):
    from disputes.services import CaseRuleError, dossier_import

    sheet = DossierSheet.read(dossier_sheet([GOOD[0], [*GOOD[1][:6], 0, *GOOD[1][7:]]]), town=town_b)
    assert sheet.errors

    with pytest.raises(CaseRuleError) as refused:
        dossier_import(user=town_b_staff, sheet=sheet)

    assert refused.value.messages == sheet.errors
    assert not Case.objects.exists()


def test_the_service_refuses_another_towns_sheet(town_a_staff, town_b):
    from django.core.exceptions import PermissionDenied

    from disputes.services import dossier_import

    sheet = DossierSheet.read(dossier_sheet(GOOD), town=town_b)
    with pytest.raises(PermissionDenied):
        dossier_import(user=town_a_staff, sheet=sheet)
    assert not Case.objects.exists()


def test_a_ledger_with_a_title_row_full_width_digits_and_chinese_dates_imports(client_for, town_b_staff, town_b):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["亦庄镇劳动争议案卷台账"])
    sheet.merge_cells("A1:K1")
    sheet.append(DossierSheet.headers())
    sheet.append(
        [
            "亦庄简易〔2018〕007",
            "简易",
            "２０１８年３月５日",
            43168,  # an Excel day number: 2018-03-09
            "北京丙公司",
            CODE_A,
            "３",
            "１２００",
            "１，２００",
            "加班",
            "",
        ]
    )
    out = io.BytesIO()
    book.save(out)

    preview, _done = import_file(client_for(town_b_staff), town_b, SimpleUploadedFile("d.xlsx", out.getvalue()))

    assert [row.number for row in preview.context["sheet"].rows] == [3]
    case = Case.objects.get()
    assert (case.received_on, case.closed_on) == (datetime.date(2018, 3, 5), datetime.date(2018, 3, 9))
    assert (case.headcount, case.amount_claimed, case.amount_recovered) == (3, 1200, 1200)
    assert case.claim_kinds.get().code == "overtime"


def test_a_missing_required_column_is_named(client_for, town_b_staff, town_b):
    response = client_for(town_b_staff).post(
        reverse("disputes:dossier_import"), {"file": sheet_without("credit_code", GOOD), "town": town_b.pk}
    )

    (error,) = response.context["sheet"].errors
    assert str(DossierRowForm.base_fields["credit_code"].label) in error
    assert not Case.objects.exists()


def test_a_hostile_file_at_the_dossier_import_is_refused_with_its_reason(client_for, town_b_staff, town_b):
    base = dossier_sheet(GOOD).read()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<!--" + b"x" * 22_000 + b"-->" + b"<sheetData>", 1)
            target.writestr(entry.filename, data)

    response = client_for(town_b_staff).post(
        reverse("disputes:dossier_import"), {"file": SimpleUploadedFile("d.xlsx", out.getvalue()), "town": town_b.pk}
    )

    assert response.context["sheet"].errors == [
        gettext("This file holds a long XML comment no Excel sheet has; it was not read.")
    ]


def test_the_case_export_and_the_template_are_named_sheets_with_chinese_file_names(client_for, district_staff, town_a):
    CaseFactory(town=town_a)
    client = client_for(district_staff)

    export = client.get(reverse("disputes:case_export"))
    template = client.get(reverse("disputes:dossier_template"))

    assert openpyxl.load_workbook(io.BytesIO(export.getvalue())).sheetnames == [gettext("dispute cases")]
    assert "filename*=utf-8''" in export["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames[0] == gettext("town dossiers")
    expected = download_disposition(gettext("dossier import template") + ".xlsx")
    assert template["Content-Disposition"] == expected
