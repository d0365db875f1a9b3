"""Excel import and export of venues: Chinese columns, all-or-nothing imports, masked and escaped exports."""

import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.utils import translation
from openpyxl.styles import Font

from stations.models import Amenity, Venue, VenueKind, VenueStatus
from stations.resources import ShortLivedCacheStorage, VenueResource, VenueXLSX
from tests.factories import TownFactory, VenueFactory, make_staff
from union_portal.access import Role

IMPORT_URL = "/admin/stations/venue/import/"
PROCESS_URL = "/admin/stations/venue/process_import/"
EXPORT_URL = "/admin/stations/venue/export/"
TEMPLATE_URL = "/admin/stations/venue/import/template/"
CHANGELIST_URL = "/admin/stations/venue/"

HEADERS = ["阵地编码", "名称", "类型", "镇街", "地址", "设施", "24小时开放", "联系电话", "规划日期", "建成日期"]
ERROR_ROW = re.compile(r'<tr class="import-error-row">\s*<td>(\d+)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', re.S)


def xlsx(rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(content: bytes, name="venues.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def good_row(name="瀛海镇环卫暖心驿站", town="瀛海镇", built="2018-06-01"):
    return ["", name, "暖心驿站", town, "瀛海镇南一街1号", "微波炉、饮水机", "是", "13812345678", "2018-03-01", built]


@pytest.fixture
def site_admin(district_admin):
    """A district admin as the demo makes them: staff and superuser, so the admin site is open to them."""
    district_admin.is_staff = True
    district_admin.is_superuser = True
    district_admin.save()
    return district_admin


@pytest.fixture
def admin_client(client_for, site_admin, town_a, town_b):
    return client_for(site_admin)


def preview(client, content: bytes):
    """Step one of the admin import: upload, check every row, show a preview (xlsx is format 0)."""
    return client.post(IMPORT_URL, {"import_file": upload(content), "format": "0", "resource": "0"})


def confirm(client, response):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(PROCESS_URL, data)


def error_rows(response) -> set[tuple[int, str, str]]:
    html = response.content.decode()
    return {(int(row), column, reason) for row, column, reason in ERROR_ROW.findall(html)}


def zh(message, **params):
    from django.utils.translation import gettext

    with translation.override("zh-hans"):
        return gettext(message) % params if params else gettext(message)


def test_good_file_is_previewed_then_imported_with_codes_status_amenities_and_history(admin_client, town_a, site_admin):
    VenueFactory(town=town_a, kind=VenueKind.WARM_STATION, code="WS-00007")
    content = xlsx(
        [
            good_row("瀛海镇环卫暖心驿站"),
            [None] * len(HEADERS),  # a blank row in the middle is ignored
            ["", "瀛海镇规划中职工之家", "职工之家", "瀛海镇", "瀛海镇工业区2号", "", "否", "", "2019-01-01", None],
            [
                "",
                "亦庄镇骑手驿站",
                "warm_station",
                "亦庄镇",
                "亦庄镇荣华路3号",
                "充电",
                "否",
                "13900001111",
                None,
                datetime.date(2018, 7, 1),
            ],
        ]
    )

    response = preview(admin_client, content)

    assert response.status_code == 200
    assert "confirm_form" in response.context, error_rows(response)
    assert Venue.objects.count() == 1, "the preview writes nothing"
    response = confirm(admin_client, response)
    assert response.status_code == 302
    station = Venue.objects.get(name="瀛海镇环卫暖心驿站")
    assert station.code == "WS-00008"
    assert Venue.objects.get(name="亦庄镇骑手驿站").code == "WS-00009"
    home = Venue.objects.get(name="瀛海镇规划中职工之家")
    assert home.code == "WH-00001"
    assert (station.status, home.status) == (VenueStatus.BUILT, VenueStatus.PLANNED)
    assert station.is_24h and station.contact_phone == "13812345678"
    assert sorted(station.amenities.values_list("name", flat=True)) == ["微波炉", "饮水机"]
    record = station.history.get()
    assert record.history_type == "+" and record.history_user == site_admin
    assert sorted(a.amenity.name for a in record.amenities.all()) == ["微波炉", "饮水机"]


def test_file_with_bad_rows_writes_nothing_and_names_each_row_column_and_reason(admin_client):
    content = xlsx(
        [
            good_row("驿站一"),  # sheet row 2
            good_row("驿站二"),
            good_row("驿站三", town="火星镇"),  # row 4: unknown town
            good_row("驿站四"),
            good_row("驿站五", built="2018-01-01"),  # row 6: built before planned (2018-03-01)
            good_row("驿站六"),
            [*good_row("驿站七")[:2], "暖心小站", *good_row()[3:]],  # row 8: no such kind
            good_row("驿站八"),
        ]
    )

    response = preview(admin_client, content)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert Venue.objects.count() == 0
    rows = error_rows(response)
    assert {(row, column) for row, column, _reason in rows} == {(4, "镇街"), (6, "建成日期"), (8, "类型")}
    reasons = {row: reason for row, _column, reason in rows}
    assert reasons[4] == zh("There is no town called “%(name)s”.", name="火星镇")
    assert reasons[6] == zh("The venue cannot be built before it was planned.")
    assert "暖心小站" in reasons[8]
    upload_name = response.context["form"].cleaned_data["import_file"].tmp_storage_name
    assert cache.get(ShortLivedCacheStorage.CACHE_PREFIX + upload_name) is None, "the refused file is not kept"


def test_bad_rows_roll_back_the_good_ones_even_without_the_preview(site_admin, town_a):
    dataset = VenueXLSX().create_dataset(xlsx([good_row("好"), good_row("坏", town="火星镇"), good_row("也好")]))

    result = VenueResource(user=site_admin).import_data(dataset, dry_run=False, rollback_on_validation_errors=True)

    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [3]
    assert Venue.objects.count() == 0
    assert Venue.history.count() == 0


def test_reimporting_an_exported_file_updates_the_venues_instead_of_duplicating_them(admin_client, town_a, town_b):
    microwave = Amenity.objects.get(code="microwave")
    first = VenueFactory(town=town_a, name="原名驿站", contact_phone="13812345678")
    first.amenities.add(microwave)
    VenueFactory(town=town_b, name="另一驿站", built_on=datetime.date(2018, 5, 1))
    exported = admin_client.post(EXPORT_URL, {"format": "0", "resource": "0"})
    assert exported.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("名称")].value == "原名驿站":
            row[headers.index("名称")].value = "新名驿站"
    out = io.BytesIO()
    book.save(out)

    response = preview(admin_client, out.getvalue())
    assert "confirm_form" in response.context, error_rows(response)
    assert confirm(admin_client, response).status_code == 302

    assert Venue.objects.count() == 2
    first.refresh_from_db()
    assert first.name == "新名驿站"
    assert first.contact_phone == "13812345678", "the masked phone in the export keeps the stored number"
    assert list(first.amenities.all()) == [microwave]
    assert first.version == 2
    assert first.history.latest().history_type == "~"


def test_export_masks_phones_escapes_formulas_and_has_chinese_headers(admin_client, town_a):
    VenueFactory(
        town=town_a,
        name='=HYPERLINK("http://evil.example","点我")',
        address="+86 瀛海镇",
        host_name="@host",
        contact_phone="13812345678",
    )

    response = admin_client.post(EXPORT_URL, {"format": "0", "resource": "0"})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    assert headers[:5] == ["阵地编码", "名称", "类型", "镇街", "依托单位类型"]
    assert {"地址", "联系电话", "建成日期", "设施", "状态", "24小时开放"} <= set(headers)
    row = {header: cell.value for header, cell in zip(headers, sheet[2], strict=True)}
    assert row["名称"] == '\'=HYPERLINK("http://evil.example","点我")'
    assert row["地址"] == "'+86 瀛海镇"
    assert row["依托单位"] == "'@host"
    assert row["联系电话"] == "138****5678"
    assert row["类型"] == "暖心驿站"
    assert row["镇街"] == "瀛海镇"
    assert row["24小时开放"] == "否"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["建成日期"])


def test_export_only_holds_the_venues_the_user_may_see(town_a, town_b, town_a_staff):
    VenueFactory(town=town_a, name="瀛海驿站")
    VenueFactory(town=town_b, name="亦庄驿站")

    dataset = VenueResource(user=town_a_staff).export(Venue.objects.all())

    assert [row[1] for row in dataset] == ["瀛海驿站"]


def test_town_staff_can_only_import_into_their_own_town(town_a_staff, town_a, town_b):
    dataset = VenueXLSX().create_dataset(xlsx([good_row("本镇"), good_row("外镇", town="亦庄镇")]))

    result = VenueResource(user=town_a_staff).import_data(dataset, dry_run=False, rollback_on_validation_errors=True)

    assert [(row.number, list(row.field_specific_errors)) for row in result.invalid_rows] == [(3, ["镇街"])]
    assert Venue.objects.count() == 0


def test_unknown_and_repeated_codes_are_refused(site_admin, town_a):
    VenueFactory(town=town_a, code="WS-00001")
    known = ["WS-00001", *good_row()[1:]]
    dataset = VenueXLSX().create_dataset(xlsx([known, ["WS-09999", *good_row()[1:]], known]))

    result = VenueResource(user=site_admin).import_data(dataset, dry_run=True)

    assert [(row.number, list(row.field_specific_errors)) for row in result.invalid_rows] == [
        (3, ["阵地编码"]),
        (4, ["阵地编码"]),
    ]


def test_user_without_import_permission_has_no_import_button_and_gets_403(client_for, town_a):
    clerk = make_staff(Role.DISTRICT_ADMIN, username="clerk")  # an admin, but not a superuser
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_venue", "change_venue"]))
    client = client_for(clerk)

    page = client.get(CHANGELIST_URL)

    assert page.status_code == 200
    assert IMPORT_URL not in page.content.decode()
    assert EXPORT_URL not in page.content.decode()
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"import_file": upload(xlsx([good_row()])), "format": "0"}).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403
    assert client.post(EXPORT_URL, {"format": "0", "resource": "0"}).status_code == 403

    clerk.user_permissions.add(Permission.objects.get(codename="import_venue"))
    client.force_login(clerk)  # drop the permission cache
    page = client.get(CHANGELIST_URL)
    assert IMPORT_URL in page.content.decode()
    assert client.get(IMPORT_URL).status_code == 200


def test_template_has_the_columns_and_an_example_row_that_imports(admin_client):
    response = admin_client.get(TEMPLATE_URL)

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["阵地编码", "名称", "类型", "镇街"]
    assert "状态" not in headers, "the status is derived, not imported"
    assert sheet.max_row == 2
    assert len(book.worksheets) == 2, "a second sheet says what each column takes"

    response = preview(admin_client, response.content)
    assert "confirm_form" in response.context, error_rows(response)
    assert response.context["result"].totals["new"] == 1


def test_import_page_links_the_template(admin_client):
    assert TEMPLATE_URL in admin_client.get(IMPORT_URL).content.decode()


def test_too_many_rows_or_too_big_a_file_is_refused_with_a_message(admin_client, settings):
    settings.IMPORT_MAX_ROWS = 2
    response = preview(admin_client, xlsx([good_row("一"), good_row("二"), good_row("三")]))
    assert "confirm_form" not in response.context
    assert response.context["form"].errors["import_file"]
    assert Venue.objects.count() == 0

    settings.IMPORT_MAX_ROWS = 20000
    settings.IMPORT_MAX_BYTES = 1000
    response = preview(admin_client, xlsx([good_row("一")]))
    assert response.context["form"].errors["import_file"]


def test_missing_columns_are_named(admin_client):
    response = preview(admin_client, xlsx([["某驿站", "暖心驿站"]], headers=["名称", "类型"]))

    assert "confirm_form" not in response.context
    assert Venue.objects.count() == 0
    assert "镇街" in response.content.decode() and "地址" in response.content.decode()


def test_a_sheet_of_trailing_blank_rows_and_columns_is_read_as_its_data(town_a, site_admin):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*HEADERS, None, None])
    sheet.append(good_row())
    bold = Font(bold=True)
    for row in range(3, 60_000):  # LibreOffice-style: formatted but empty rows far below the data
        sheet.cell(row=row, column=1).font = bold
    sheet.cell(row=2, column=40).font = bold
    out = io.BytesIO()
    book.save(out)

    dataset = VenueXLSX().create_dataset(out.getvalue())

    assert dataset.height == 1
    assert dataset.headers == HEADERS


def test_5000_rows_import_in_bulk_with_history(site_admin, town_a, town_b):
    TownFactory(district=town_a.district, name="黄村镇")
    towns = ["瀛海镇", "亦庄镇", "黄村镇"]
    kinds = ["暖心驿站", "职工之家", "母婴关爱室", "心灵驿站", "职工活动中心"]
    rows = [
        [
            "",
            f"导入阵地{n}",
            kinds[n % 5],
            towns[n % 3],
            f"测试路{n}号",
            "微波炉、饮水机",
            "否",
            "13812345678",
            None,
            "2018-06-01",
        ]
        for n in range(5000)
    ]
    dataset = VenueXLSX().create_dataset(xlsx(rows))

    result = VenueResource(user=site_admin).import_data(dataset, dry_run=False, rollback_on_validation_errors=True)

    assert not result.has_errors() and not result.has_validation_errors()
    assert Venue.objects.count() == 5000
    assert Venue.history.filter(history_type="+").count() == 5000
    assert Venue.amenities.through.objects.count() == 10000
    assert Venue.history.model.amenities.model.objects.count() == 10000
    assert Venue.objects.filter(status=VenueStatus.BUILT).count() == 5000
    assert Venue.objects.filter(code__startswith="WS-").count() == 1000


def test_rows_gone_bad_between_preview_and_confirmation_write_nothing(admin_client, town_b):
    response = preview(admin_client, xlsx([good_row("一"), good_row("二", town="亦庄镇")]))
    assert "confirm_form" in response.context
    town_b.delete()  # someone removes a town the file names before the admin confirms

    response = confirm(admin_client, response)

    assert response.status_code == 200
    assert {(row, column) for row, column, _reason in error_rows(response)} == {(3, "镇街")}
    assert Venue.objects.count() == 0


def test_confirming_an_expired_upload_asks_for_the_file_again(admin_client):
    response = admin_client.post(
        PROCESS_URL, {"import_file_name": "gone", "original_file_name": "a.xlsx", "format": "0", "resource": "0"}
    )

    assert response.status_code == 302
    assert response["Location"] == IMPORT_URL
    assert Venue.objects.count() == 0


def test_a_csv_saved_by_excel_in_chinese_gb18030_imports(admin_client):
    text = ",".join(HEADERS) + "\r\n" + ",".join(good_row("CSV驿站")) + "\r\n,,,,,,,,,\r\n"
    content = text.encode("gb18030")

    response = admin_client.post(IMPORT_URL, {"import_file": upload(content, "venues.csv"), "format": "1"})

    assert "confirm_form" in response.context, error_rows(response)
    assert confirm(admin_client, response).status_code == 302
    assert Venue.objects.get().name == "CSV驿站"


# The spreadsheet kit at the venue import and export: title rows, hostile files, named downloads


def test_a_venue_sheet_with_a_merged_title_row_imports_with_the_rows_numbered_as_excel_shows_them(admin_client):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["瀛海镇阵地台账"])
    sheet.merge_cells("A1:J1")
    sheet.append(HEADERS)
    sheet.append(good_row("驿站一"))
    sheet.append(good_row("驿站二", town="火星镇"))
    out = io.BytesIO()
    book.save(out)

    response = preview(admin_client, out.getvalue())

    assert {(row, column) for row, column, _reason in error_rows(response)} == {(4, "镇街")}
    assert Venue.objects.count() == 0


def test_a_hostile_xlsx_is_refused_at_the_admin_import_with_its_reason(admin_client):
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx([good_row()])), "r") as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<!--" + b"x" * 50_000 + b"-->" + b"<sheetData>", 1)
            target.writestr(entry.filename, data)

    response = preview(admin_client, out.getvalue())

    assert "confirm_form" not in response.context
    assert response.context["form"].errors["import_file"] == [
        zh("This file holds a long XML comment no Excel sheet has; it was not read.")
    ]
    assert Venue.objects.count() == 0


def download_name(response) -> str:
    """The file name a browser saves: RFC 5987's filename*= for a Chinese name, filename= for ASCII."""
    from urllib.parse import unquote

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    if "filename*=utf-8''" in disposition:
        return unquote(disposition.split("''", 1)[1])
    return disposition.split('filename="', 1)[1].rstrip('"')


def test_the_export_is_a_sheet_named_venues_in_a_file_named_in_chinese(admin_client, town_a):
    VenueFactory(town=town_a)

    response = admin_client.post(EXPORT_URL, {"format": "0", "resource": "0"})

    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == [zh("venues")]
    name = download_name(response)
    assert re.fullmatch(re.escape(zh("venue ledger")) + r"_\d{4}-\d{2}-\d{2}\.xlsx", name), name
    assert "no-store" in response["Cache-Control"]


def test_the_template_download_is_named_in_chinese(admin_client):
    assert download_name(admin_client.get(TEMPLATE_URL)) == zh("venue import template") + ".xlsx"


# --- bulk mode: history, missing columns, statements (helper "speed") ----------------------


def exported_rows(client) -> tuple[list, list[list]]:
    """The venue export as the user downloads it: its headers and its rows."""
    response = client.post(EXPORT_URL, {"format": "0", "resource": "0"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def without_column(headers: list, rows: list[list], column: str) -> tuple[list, list[list]]:
    index = headers.index(column)
    return headers[:index] + headers[index + 1 :], [row[:index] + row[index + 1 :] for row in rows]


@pytest.mark.parametrize("column", ["联系电话", "设施", "建成日期"])
def test_reimporting_a_sheet_without_an_optional_column_keeps_its_stored_values(
    admin_client, town_a, site_admin, column
):
    microwave = Amenity.objects.get(code="microwave")
    venue = VenueFactory(town=town_a, name="原名驿站", contact_phone="13812345678", built_on=datetime.date(2018, 6, 1))
    venue.amenities.add(microwave)
    headers, rows = without_column(*exported_rows(admin_client), column)
    rows[0][headers.index("名称")] = "新名驿站"

    response = preview(admin_client, xlsx(rows, headers))
    assert "confirm_form" in response.context, error_rows(response)
    assert confirm(admin_client, response).status_code == 302

    venue.refresh_from_db()
    assert venue.name == "新名驿站"
    assert venue.contact_phone == "13812345678"
    assert list(venue.amenities.all()) == [microwave]
    assert venue.built_on == datetime.date(2018, 6, 1)
    assert venue.version == 2
    latest, previous = venue.history.order_by("-history_id")[:2]
    assert latest.history_type == "~" and latest.history_user == site_admin
    assert set(latest.diff_against(previous).changed_fields) - {"version"} == {"name"}, "only the name changed"
    assert [link.amenity for link in latest.amenities.all()] == [microwave]


def test_reimporting_an_unchanged_export_writes_nothing_and_no_history(admin_client, town_a, town_b):
    venue = VenueFactory(town=town_a, contact_phone="13812345678", built_on=datetime.date(2018, 6, 1))
    venue.amenities.add(Amenity.objects.get(code="microwave"))
    VenueFactory(town=town_b)
    history = Venue.history.count()

    response = preview(admin_client, xlsx(*reversed(exported_rows(admin_client))))
    assert "confirm_form" in response.context, error_rows(response)
    assert confirm(admin_client, response).status_code == 302

    assert Venue.history.count() == history
    venue.refresh_from_db()
    assert venue.version == 1, "an edit form opened before the import can still be saved"


def test_an_import_updates_in_bulk_with_history_moving_each_version_on(site_admin, town_a):
    venues = [VenueFactory(town=town_a, name=f"驿站{n}") for n in range(3)]
    rows = [[venue.code, f"新{venue.name}", "暖心驿站", "瀛海镇", "新地址", "饮水机"] for venue in venues]
    dataset = VenueXLSX().create_dataset(xlsx(rows, HEADERS[:6]))

    result = VenueResource(user=site_admin).import_data(
        dataset, dry_run=False, rollback_on_validation_errors=True, file_name="更新.xlsx"
    )

    assert not result.has_errors() and not result.has_validation_errors()
    for venue in venues:
        venue.refresh_from_db()
        assert (venue.name[:1], venue.address, venue.version) == ("新", "新地址", 2)
        assert list(venue.amenities.values_list("code", flat=True)) == ["water_dispenser"]
        record = venue.history.latest()
        assert (record.history_type, record.history_user, record.name) == ("~", site_admin, venue.name)
        assert record.history_change_reason == zh("Imported from %(file)s", file="更新.xlsx")
        assert [link.amenity.code for link in record.amenities.all()] == ["water_dispenser"]


def test_an_import_takes_the_same_statements_for_3_rows_as_for_30(site_admin, town_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(count: int, prefix: str) -> int:
        dataset = VenueXLSX().create_dataset(xlsx([good_row(f"{prefix}{n}") for n in range(count)]))
        with CaptureQueriesContext(connection) as queries:
            result = VenueResource(user=site_admin).import_data(dataset, dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        return len(queries)

    statements(1, "甲")  # the first import of a kind creates its code sequence
    # 30 rows: one INSERT still, also on SQLite (at most 999 parameters a statement)
    assert statements(3, "乙") == statements(30, "丙"), "no statement per row, codes reserved once per kind"
    assert Venue.objects.count() == 34


def test_the_confirm_step_reads_the_stored_upload_through_the_same_guard(admin_client):
    response = preview(admin_client, xlsx([good_row()]))
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    # The stored copy is swapped for a hostile one (as if the store had been tampered with).
    hostile = io.BytesIO()
    with zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b'<!DOCTYPE x [<!ENTITY a "a">]><worksheet/>')
    cache.set(ShortLivedCacheStorage.CACHE_PREFIX + data["import_file_name"], hostile.getvalue())

    response = admin_client.post(PROCESS_URL, data, follow=True)

    assert response.redirect_chain[-1][0] == IMPORT_URL
    assert [str(m) for m in response.context["messages"]] == [
        zh("This file holds XML declarations no Excel sheet has; it was not read.")
    ]
    assert Venue.objects.count() == 0
    assert cache.get(ShortLivedCacheStorage.CACHE_PREFIX + data["import_file_name"]) is None, "not kept"


def test_an_edit_form_opened_before_an_import_is_refused_as_stale_after_it(admin_client, town_a):
    from tests.stations.test_admin import change_url, form_data
    from union_portal.concurrency import STALE_EDIT_MESSAGE

    venue = VenueFactory(town=town_a, name="原名驿站")
    data = form_data(admin_client.get(change_url(venue)))
    headers, rows = exported_rows(admin_client)
    rows[0][headers.index("名称")] = "导入的名称"
    response = preview(admin_client, xlsx(rows, headers))
    assert confirm(admin_client, response).status_code == 302
    data["name"] = "表单里的名称"

    response = admin_client.post(change_url(venue), data)

    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert str(STALE_EDIT_MESSAGE) in response.content.decode()
    venue.refresh_from_db()
    assert venue.name == "导入的名称"


def test_the_confirm_step_imports_the_rows_the_preview_read_without_reading_the_file_again(admin_client, monkeypatch):
    from union_portal import spreadsheet_files
    from union_portal.spreadsheet_files import StoredSheet

    response = preview(admin_client, xlsx([good_row("一"), good_row("二")]))
    form = response.context["confirm_form"]
    stored = cache.get(ShortLivedCacheStorage.CACHE_PREFIX + form.initial["import_file_name"])
    assert isinstance(stored, StoredSheet), "the store keeps the rows read, not the file"
    reads = []
    monkeypatch.setattr(spreadsheet_files, "read_xlsx_rows", lambda *args, **kwargs: reads.append(args))

    assert confirm(admin_client, response).status_code == 302

    assert reads == []
    assert sorted(Venue.objects.values_list("name", flat=True)) == ["一", "二"]
    assert cache.get(ShortLivedCacheStorage.CACHE_PREFIX + form.initial["import_file_name"]) is None, "not kept"


def test_another_user_cannot_confirm_a_preview_the_upload_has_expired_for_them(admin_client, site_admin):
    from django.contrib.auth.models import User
    from django.test import Client

    response = preview(admin_client, xlsx([good_row()]))
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    other = Client()
    other.force_login(User.objects.create_superuser("another_admin", password="x"))

    response = other.post(PROCESS_URL, data, follow=True)

    assert response.redirect_chain[-1][0] == IMPORT_URL
    assert [str(m) for m in response.context["messages"]] == [
        zh("The uploaded file has expired. Please upload it again.")
    ]
    assert Venue.objects.count() == 0
    assert cache.get(ShortLivedCacheStorage.CACHE_PREFIX + data["import_file_name"]) is None, "not kept"


def test_a_preview_confirmed_under_another_format_has_expired(admin_client):
    response = preview(admin_client, xlsx([good_row()]))
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}

    response = admin_client.post(PROCESS_URL, {**data, "format": "1"}, follow=True)  # CSV

    assert [str(m) for m in response.context["messages"]] == [
        zh("The uploaded file has expired. Please upload it again.")
    ]
    assert Venue.objects.count() == 0


def test_a_file_the_preview_cannot_read_is_not_stored(admin_client, monkeypatch):
    saved = []
    monkeypatch.setattr(ShortLivedCacheStorage, "save", lambda self, data: saved.append(data))

    response = preview(admin_client, b"not a spreadsheet")

    assert "confirm_form" not in response.context
    assert response.context["form"].errors["import_file"] == [
        zh("This file could not be read as an Excel .xlsx sheet.")
    ]
    assert saved == []


def test_an_import_reads_the_towns_once(site_admin, town_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from union_portal.models import Town

    dataset = VenueXLSX().create_dataset(xlsx([good_row("一"), good_row("二"), good_row("三", town="火星镇")]))
    with CaptureQueriesContext(connection) as queries:
        result = VenueResource(user=site_admin).import_data(dataset, dry_run=True)

    assert [row.number for row in result.invalid_rows] == [4], "an unknown town is still a row error"
    town_table = connection.ops.quote_name(Town._meta.db_table)
    assert sum(f"FROM {town_table}" in query["sql"] for query in queries.captured_queries) == 1
