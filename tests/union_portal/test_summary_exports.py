"""The annual summary's print layout and its xlsx and docx exports, on the demo district: every figure of the 2018
page is in the files as the page shows it (money to the 分), the town sheet adds up, the exports have the page's
scope and roles, and the print stylesheet lays the page out on A4 without its navigation."""

import html
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from union_portal.access import Role
from union_portal.models import District, StaffProfile, Town

SECTION_SHEETS = {"stations": "基层建设", "disputes": "调解协商", "benefits": "普惠服务"}
CENT = Decimal("0.01")


@pytest.fixture(autouse=True)
def _one_reading_moment(monkeypatch):
    """A test reads the page and then its file: 数据截至 shows minutes, and a minute may turn between the two."""
    moment, real = timezone.localtime(), timezone.localtime
    monkeypatch.setattr(
        timezone, "localtime", lambda value=None, *args: moment if value is None else real(value, *args)
    )


def staff(role, town=None):
    user = UserFactory()
    StaffProfile.objects.create(user=user, role=role, town=town)
    return user


def get(client, user, name, year=2018, **params):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name, args=[year]), params)


def workbook(response):
    from openpyxl import load_workbook

    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.content))


def document(response):
    from docx import Document

    assert response.status_code == 200, response.status_code
    return Document(io.BytesIO(response.content))


# --- what the page shows, read from its HTML ---------------------------------------------------------


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment))).strip()


def cells(row_html: str) -> list[str]:
    row_html = re.sub(r"<details.*?</details>", "", row_html, flags=re.S)
    return [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row_html, re.S)]


def page_sections(response) -> dict[str, list[dict]]:
    """{section anchor: [{key, label, value, unit, change}]} as the page's figure tables show them."""
    content = response.content.decode()
    shown = {}
    for anchor in SECTION_SHEETS:
        section = re.search(rf'<section[^>]*id="section-{anchor}">(.*?)</section>', content, re.S).group(1)
        shown[anchor] = [
            dict(zip(("key", "label", "value", "unit", "change"), [key, *cells(row)], strict=True))
            for key, row in re.findall(r'<tr data-figure="([^"]+)">(.*?)</tr>', section, re.S)
        ]
        assert shown[anchor], anchor
    return shown


def page_towns(response) -> list[list[str]]:
    """The page's town table: [name, cell, ...] per row (towns, 区级/未分镇, total)."""
    content = response.content.decode()
    table = re.search(r'<section[^>]*id="section-towns">(.*?)</section>', content, re.S).group(1)
    return [cells(row) for row in re.findall(r'<tr data-town="[^"]+">(.*?)</tr>', table, re.S)]


def page_headlines(response) -> dict[str, str]:
    content = response.content.decode()
    return {
        key: text(value)
        for key, value in re.findall(r'data-headline="([^"]+)">.*?<div class="h4 mb-1">(.*?)</div>', content, re.S)
    }


def as_screen(value, shown: str) -> bool:
    """Whether the exported number `value` is what the page writes as `shown` (万元 to two places, per cent, or a
    count)."""
    exported = Decimal(str(value))
    if shown.endswith("万元"):
        return (exported / 10000).quantize(CENT, rounding=ROUND_HALF_UP) == Decimal(shown.removesuffix("万元"))
    if shown.endswith("%"):
        return exported == Decimal(shown.removesuffix("%"))
    return exported == int(shown.replace(",", ""))


def sheet_rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def file_name_of(response) -> str:
    return response["Content-Disposition"]


# --- xlsx ----------------------------------------------------------------------------------------------


def test_the_xlsx_holds_every_figure_of_the_page(client, demo):
    leader = staff(Role.LEADERSHIP)
    page = get(client, leader, "summary_year")
    figures = page.context["report"].figures
    book = workbook(get(client, leader, "summary_xlsx"))
    for anchor, rows in page_sections(page).items():
        sheet = book[SECTION_SHEETS[anchor]]
        header, *exported = sheet_rows(sheet)
        assert header == ("指标", "数值", "单位", "同比", "口径")
        assert len(exported) == len(rows), anchor
        for shown, (label, value, unit, change, definition) in zip(rows, exported, strict=True):
            figure = figures[shown["key"]]
            assert label == shown["label"], shown["key"]
            assert as_screen(value, shown["value"]), (shown, value)
            assert Decimal(str(value)).quantize(CENT) == Decimal(figure.value).quantize(CENT), shown["key"]  # the 分
            assert (change or "") == shown["change"], shown["key"]
            assert definition == figure.definition, shown["key"]
            if shown["value"].endswith("万元"):
                assert unit == "元", shown["key"]
            else:
                assert unit == figure.unit, shown["key"]


def test_the_xlsx_writes_money_in_yuan_with_two_places(client, demo):
    book = workbook(get(client, staff(Role.DISTRICT_ADMIN), "summary_xlsx"))
    sheet = book["调解协商"]
    amount = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "元")
    assert amount[1].number_format == "#,##0.00"
    counted = next(row for row in sheet.iter_rows(min_row=2) if row[2].value not in ("元", "%"))
    assert isinstance(counted[1].value, int)


def test_the_overview_sheet_says_year_place_time_and_headlines(client, demo):
    leader = staff(Role.LEADERSHIP)
    page = get(client, leader, "summary_year")
    book = workbook(get(client, leader, "summary_xlsx"))
    assert book.sheetnames == ["概要", "基层建设", "调解协商", "普惠服务", "分镇主要指标"]
    rows = sheet_rows(book["概要"])
    about = {row[0]: row[1] for row in rows if row[0]}
    assert about["年度"] == 2018
    assert about["统计范围"] == District.objects.get().name
    read_at = re.search(r'data-testid="read-at">数据截至 ([^<]+)<', page.content.decode()).group(1)
    assert about["数据截至"] == read_at
    headlines = page_headlines(page)
    assert len(headlines) == 5
    labels = {tile.key: tile.label for tile in page.context["headlines"]}
    for key, shown in headlines.items():
        assert as_screen(about[labels[key]], shown), (key, shown)


def test_the_town_sheet_is_the_page_town_table_and_adds_up_to_the_district(client, demo):
    leader = staff(Role.LEADERSHIP)
    page = get(client, leader, "summary_year")
    header, *rows = sheet_rows(workbook(get(client, leader, "summary_xlsx"))["分镇主要指标"])
    shown = page_towns(page)
    assert len(rows) == Town.objects.count() + 2 == len(shown)
    assert rows[-2][0] == "区级/未分镇" and rows[-1][0] == "合计"
    assert any(name.endswith("（元）") for name in header)
    for exported, on_page in zip(rows, shown, strict=True):
        assert exported[0] == on_page[0]
        for value, cell in zip(exported[1:], on_page[1:], strict=True):
            assert as_screen(value, cell), (exported[0], value, cell)
    total = rows[-1]
    for column in range(1, len(header)):
        assert sum(Decimal(str(row[column])) for row in rows[:-1]) == Decimal(str(total[column])), header[column]
    headlines = page_headlines(page)
    for column, key in enumerate(page.context["table"]["columns"], start=1):
        if key["key"] in headlines:
            assert as_screen(total[column], headlines[key["key"]]), key["key"]


def test_the_xlsx_is_named_in_chinese(client, demo):
    response = get(client, staff(Role.LEADERSHIP), "summary_xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert quote(f"2018年{District.objects.get().name}工会工作年度汇总.xlsx") in file_name_of(response)
    assert "no-store" in response["Cache-Control"]


def test_a_town_name_that_looks_like_a_formula_is_written_as_text(client, demo):
    Town.objects.create(district=demo, name='=HYPERLINK("http://x")', order=99)
    rows = sheet_rows(workbook(get(client, staff(Role.DISTRICT_STAFF), "summary_xlsx"))["分镇主要指标"])
    assert '\'=HYPERLINK("http://x")' in [row[0] for row in rows]


# --- docx ----------------------------------------------------------------------------------------------


def test_the_docx_holds_the_narrative_and_every_figure_as_the_page_shows_it(client, demo):
    leader = staff(Role.LEADERSHIP)
    page = get(client, leader, "summary_year")
    word = document(get(client, leader, "summary_docx"))
    paragraphs = [paragraph.text for paragraph in word.paragraphs]
    district = District.objects.get().name
    assert paragraphs[0] == f"2018年{district}工会工作年度汇总"
    assert re.search(r'data-testid="read-at">(数据截至 [^<]+)<', page.content.decode()).group(1) in paragraphs
    narrative = re.search(r'data-testid="narrative"[^>]*>(.*?)</p>', page.content.decode(), re.S).group(1)
    start = paragraphs.index("综述") + 1
    sentences = paragraphs[start : start + len(page.context["narrative"])]
    assert "".join(sentences) == text(narrative)
    assert "1730.55万元" in "".join(sentences)

    sections, towns = word.tables[:3], word.tables[3]
    for table, (anchor, rows) in zip(sections, page_sections(page).items(), strict=True):
        assert SECTION_SHEETS[anchor] in paragraphs
        header, *exported = [[cell.text for cell in row.cells] for row in table.rows]
        assert header == ["指标", "数值", "单位", "同比"]
        assert exported == [[row["label"], row["value"], row["unit"], row["change"]] for row in rows], anchor
    assert [[cell.text for cell in row.cells] for row in towns.rows][1:] == page_towns(page)


def test_the_docx_is_a4_with_chinese_fonts(client, demo):
    from docx.oxml.ns import qn

    response = get(client, staff(Role.DISTRICT_ADMIN), "summary_docx")
    assert quote(f"2018年{District.objects.get().name}工会工作年度汇总.docx") in file_name_of(response)
    word = document(response)
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    for style, font in (("Normal", "宋体"), ("Title", "微软雅黑"), ("Heading 1", "微软雅黑")):
        fonts = word.styles[style].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == font, style
        assert fonts.get(qn("w:eastAsiaTheme")) is None, style  # a theme font would win over it


# --- scope and roles -----------------------------------------------------------------------------------


def test_town_staff_export_their_own_town_whatever_town_says(client, demo):
    own, other = Town.objects.order_by("order")[:2]
    user = staff(Role.TOWN_STAFF, own)
    page = get(client, user, "summary_year")
    response = get(client, user, "summary_xlsx", town=other.pk)
    assert quote(f"2018年{own.name}工会工作年度汇总.xlsx") in file_name_of(response)
    book = workbook(response)
    assert "分镇主要指标" not in book.sheetnames
    assert {row[0]: row[1] for row in sheet_rows(book["概要"]) if row[0]}["统计范围"] == own.name
    for anchor, rows in page_sections(page).items():
        exported = sheet_rows(book[SECTION_SHEETS[anchor]])[1:]
        assert [as_screen(row[1], shown["value"]) for row, shown in zip(exported, rows, strict=True)] == [True] * len(
            rows
        )
    word = document(get(client, user, "summary_docx", town=other.pk))
    assert word.paragraphs[0].text == f"2018年{own.name}工会工作年度汇总"
    assert len(word.tables) == 3  # no town table on a town's page


def test_a_leader_exports_the_town_chosen(client, demo):
    town = Town.objects.get(name="瀛海镇")
    leader = staff(Role.LEADERSHIP)
    page = get(client, leader, "summary_year", town=town.pk)
    content = page.content.decode()
    assert f'href="{reverse("summary_xlsx", args=[2018])}?town={town.pk}"' in content
    assert f'href="{reverse("summary_docx", args=[2018])}?town={town.pk}"' in content
    book = workbook(get(client, leader, "summary_xlsx", town=town.pk))
    assert {row[0]: row[1] for row in sheet_rows(book["概要"]) if row[0]}["统计范围"] == "瀛海镇"


@pytest.mark.parametrize("role", [Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF])
def test_district_roles_may_export(client, demo, role):
    user = staff(role)
    assert get(client, user, "summary_xlsx").status_code == 200
    assert get(client, user, "summary_docx").status_code == 200


@pytest.mark.parametrize("name", ["summary_xlsx", "summary_docx"])
def test_anonymous_users_go_to_login_and_users_without_a_role_are_refused(client, db, name):
    response = get(client, None, name)
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))
    assert get(client, UserFactory(), name).status_code == 403


def test_a_year_out_of_range_is_not_found(client, db):
    assert get(client, staff(Role.LEADERSHIP), "summary_xlsx", year=1990).status_code == 404


def test_the_exports_run_no_more_sql_than_the_page(client, demo):
    leader = staff(Role.LEADERSHIP)
    client.force_login(leader)
    counted = {}
    for name in ("summary_year", "summary_xlsx", "summary_docx"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, args=[2018])).status_code == 200
        counted[name] = len(queries)
    assert counted["summary_xlsx"] <= counted["summary_year"], counted
    assert counted["summary_docx"] <= counted["summary_year"], counted


# --- print ---------------------------------------------------------------------------------------------


def print_css() -> str:
    css = (Path(settings.BASE_DIR) / "static" / "css" / "summary.css").read_text()
    return css[css.index("/* print") : css.index("/* end of print */")]


def hidden_selectors(css: str) -> set[str]:
    return {
        selector.strip()
        for selectors, rule in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
        if "display: none" in rule
        for selector in selectors.split(",")
    }


def test_the_print_layout_is_a4_without_navigation_selectors_or_buttons(client, demo):
    css = print_css()
    assert "@media print" in css
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", css)
    hidden = hidden_selectors(css)
    assert {"nav.navbar", ".breadcrumb", "footer", ".summary-years", ".summary-town", ".summary-exports"} <= hidden
    assert re.search(r"#section-disputes, #section-benefits, #section-towns\s*\{[^}]*break-before: page", css)
    assert re.search(r"tr\s*\{[^}]*break-inside: avoid", css)

    content = get(client, staff(Role.LEADERSHIP), "summary_year").content.decode()
    assert re.search(r'<nav class="navbar[^"]*"', content)
    assert '<ol class="breadcrumb">' in content
    assert re.search(r'<nav class="summary-years', content)
    assert re.search(r'<form [^>]*class="[^"]*summary-town', content)
    exports = re.search(r'<div class="summary-exports[^"]*"[^>]*>(.*?)</div>', content, re.S).group(1)
    assert re.search(r"<button [^>]*data-print[^>]*>打印</button>", exports)
    for anchor in ("disputes", "benefits", "towns"):
        assert f'id="section-{anchor}"' in content
    script = (Path(settings.BASE_DIR) / "static" / "js" / "portal.js").read_text()
    assert '"[data-print]"' in script and "window.print()" in script
