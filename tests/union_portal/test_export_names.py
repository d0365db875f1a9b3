"""Every Excel download is named in Chinese, file and sheet: 劳动争议案件_2026-12-01.xlsx with a Chinese sheet title,
sent as RFC 5987's filename*= with an ASCII filename= beside it for clients that read no other."""

import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from benefits.resources import SERVICE_PROGRAMMES
from tests.disputes.factories import CaseFactory
from tests.factories import VenueFactory
from union_portal.spreadsheet_files import ascii_fallback, dated_file_name, download_disposition, xlsx_response

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")


def saved_name(response) -> str:
    """The name a browser saves the download under, after checking that the header is the RFC 6266 form: an ASCII
    filename= alone for an ASCII name (an English name before the catalogue has its msgid), else both."""
    disposition = response["Content-Disposition"]
    ascii_only = re.fullmatch(r'attachment; filename="([\x20-\x7e]+)"', disposition)
    if ascii_only:
        return ascii_only.group(1)
    match = re.fullmatch(
        r"attachment; filename=\"([\x20-\x7e]+)\"; filename\*=utf-8''([A-Za-z0-9%._~!*'()-]+)", disposition
    )
    assert match, disposition
    fallback, encoded = match.groups()
    assert '"' not in fallback and "\\" not in fallback
    name = unquote(encoded)
    assert fallback == ascii_fallback(name)
    assert fallback.rsplit(".", 1)[1] == name.rsplit(".", 1)[1]  # the fallback keeps the extension
    return name


def sheet_titles(response) -> list[str]:
    return openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True).sheetnames


def today() -> str:
    return timezone.localdate().isoformat()


# --- the helper ----------------------------------------------------------------------------------------------


def test_a_dated_name_is_the_title_and_the_day():
    assert dated_file_name("劳动争议案件") == f"劳动争议案件_{today()}.xlsx"


def test_a_chinese_name_gets_an_ascii_fallback_and_rfc_5987():
    response = xlsx_response(b"x", file_name="劳动争议案件_2026-12-01.xlsx")

    assert response["Content-Disposition"] == (
        'attachment; filename="download_2026-12-01.xlsx"; '
        "filename*=utf-8''%E5%8A%B3%E5%8A%A8%E4%BA%89%E8%AE%AE%E6%A1%88%E4%BB%B6_2026-12-01.xlsx"
    )
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("大兴调〔2018〕0562_调解协议书.docx", "download_2018_0562.docx"),
        ("阵地导入模板.xlsx", "download.xlsx"),
        ('a"b\\c;d.xlsx', "a_b_c_d.xlsx"),
    ],
)
def test_the_ascii_fallback_keeps_what_ascii_can_say(name, fallback):
    assert ascii_fallback(name) == fallback


def test_an_ascii_name_is_sent_as_it_is():
    assert download_disposition("cases.xlsx") == 'attachment; filename="cases.xlsx"'


# --- each export ---------------------------------------------------------------------------------------------


def test_the_case_export(client_for, district_staff, town_a):
    CaseFactory(town=town_a)

    response = client_for(district_staff).get(reverse("disputes:case_export"))

    assert saved_name(response) == f"{gettext('dispute cases')}_{today()}.xlsx" == f"劳动争议案件_{today()}.xlsx"
    assert sheet_titles(response) == ["劳动争议案件"]


def test_the_dossier_template(client_for, district_staff):
    response = client_for(district_staff).get(reverse("disputes:dossier_template"))

    assert saved_name(response) == "案卷导入模板.xlsx"
    assert sheet_titles(response)[0] == "镇街案卷"
    assert all(HAN.search(title) for title in sheet_titles(response))


def test_the_member_export_and_template(client_for, district_staff):
    client = client_for(district_staff)

    export = client.get(reverse("benefits:member_export"))
    template = client.get(reverse("benefits:member_template"))

    assert saved_name(export) == f"会员_{today()}.xlsx"
    assert sheet_titles(export) == ["会员"]
    assert saved_name(template) == "会员导入模板.xlsx"
    assert all(HAN.search(title) for title in sheet_titles(template))


@pytest.mark.parametrize("key", list(SERVICE_PROGRAMMES))
def test_each_service_programme_export_and_template(client_for, district_staff, key):
    programme = SERVICE_PROGRAMMES[key]
    client = client_for(district_staff)

    export = client.get(reverse(f"benefits:{key}_export"))
    template = client.get(reverse(f"benefits:{key}_import"), {"template": "1"})

    assert HAN.search(str(programme.title))
    assert saved_name(export) == f"{programme.title}_{today()}.xlsx"
    assert sheet_titles(export) == [str(programme.title)]
    assert saved_name(template) == f"{programme.title}-{gettext('import template')}.xlsx"
    assert all(HAN.search(title) for title in sheet_titles(template))


def test_the_venue_admin_export_and_template(admin_client, town_a):
    VenueFactory(town=town_a)

    export = admin_client.post("/admin/stations/venue/export/", {"format": "0", "resource": "0"})
    template = admin_client.get("/admin/stations/venue/import/template/")

    assert saved_name(export) == f"{gettext('venue ledger')}_{today()}.xlsx"
    assert sheet_titles(export) == ["阵地"]
    assert saved_name(template) == "阵地导入模板.xlsx"
    assert all(HAN.search(title) for title in sheet_titles(template))


def test_the_summary_downloads(client_for, district_staff):
    year = timezone.localdate().year - 1
    client = client_for(district_staff)

    workbook = client.get(reverse("summary_xlsx", args=[year]))
    document = client.get(reverse("summary_docx", args=[year]))

    assert saved_name(workbook).endswith(".xlsx") and HAN.search(saved_name(workbook))
    assert saved_name(document).endswith(".docx") and HAN.search(saved_name(document))
    assert all(HAN.search(title) for title in sheet_titles(workbook))
