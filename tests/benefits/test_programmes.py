"""Services for all members: the lists, pages, forms, imports and exports of the five programmes.

Childcare classes, job fairs, purchased services, WeChat activities and cultural and sports events share one
implementation (benefits.resources.SERVICE_PROGRAMMES); each test runs on every programme where it can.
"""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from benefits import services
from benefits.models import ChildcareClass, CultureEvent, JobFair, PurchasedService, WechatActivity
from benefits.resources import SERVICE_PROGRAMMES, ServiceProgrammeSheet
from union_portal.errors import DomainError

pytestmark = pytest.mark.django_db

KEYS = list(SERVICE_PROGRAMMES)


def make(key: str, town, n: int, year: int = 2018, **values):
    """Record number `n` of programme `key` in `town` (None: district-wide), in `year`."""
    day = datetime.date(year, 1 + n % 12, 1 + n % 28)
    title = f"项目{n}"
    build = {
        "childcare": lambda: ChildcareClass(town=town, year=year, classes=2, children=30 + n),
        "jobfair": lambda: JobFair(title=title, held_on=day, town=town, jobs_offered=100 + n, intentions_signed=10),
        "purchased": lambda: PurchasedService(
            title=title, provider="阳光社工", year=year, contract_sum=Decimal("1000.50") + n, person_times=5, town=town
        ),
        "wechat": lambda: WechatActivity(title=title, held_on=day, participants=50 + n, beneficiaries=20, town=town),
        "culture": lambda: CultureEvent(
            year=year, category="match", item=title, spend=Decimal("300.25"), events=n, participants=10, town=town
        ),
    }
    record = build[key]()
    for name, value in values.items():
        setattr(record, name, value)
    record.save()
    return record


def many(key: str, towns, count: int, year: int = 2018) -> list:
    """`count` records of programme `key`; childcare (one per town and year) spreads them over the years."""
    if key == "childcare":
        return [make(key, towns[n % len(towns)], n, year=year - n // len(towns)) for n in range(count)]
    return [make(key, towns[n % len(towns)], n, year=year) for n in range(count)]


def url(key: str, page: str, *args) -> str:
    return reverse(f"benefits:{key}_{page}", args=args)


def totals_of(response) -> dict:
    programme = response.context["programme"]
    return {
        name: value for name, value in zip(programme.fields, response.context["totals"], strict=True) if value != ""
    }


# Lists: totals, filters, scoping ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_each_list_totals_its_summed_columns_over_the_whole_filtered_list(key, client, district_staff, town_a, town_b):
    records = many(key, [town_a], 30)  # more than a page
    make(key, town_b, 99)  # filtered out by ?town=
    client.force_login(district_staff)
    response = client.get(url(key, "list"), {"town": town_a.pk})
    assert response.status_code == 200
    assert response.context["paginator"].count == 30 and len(response.context["rows"]) == 25
    programme = SERVICE_PROGRAMMES[key]
    wanted = {name: sum(getattr(r, name) for r in records) for name in programme.totals}
    assert response.context["sums"] == wanted
    assert len(totals_of(response)) == len(programme.totals)
    assert 'data-testid="totals"' in response.content.decode()


@pytest.mark.parametrize("key", KEYS)
def test_each_list_filters_by_year_and_town(key, client, district_staff, town_a, town_b):
    in_2018 = make(key, town_a, 1, year=2018)
    make(key, town_a, 2, year=2019)
    make(key, town_b, 3, year=2018)
    client.force_login(district_staff)
    response = client.get(url(key, "list"), {"year": 2018, "town": town_a.pk})
    assert [row["record"] for row in response.context["rows"]] == [in_2018]


def test_cultural_events_filter_by_category(client, district_staff, town_a):
    match = make("culture", town_a, 1, category="match")
    make("culture", town_a, 2, category="exhibition")
    client.force_login(district_staff)
    response = client.get(url("culture", "list"), {"category": "match"})
    assert [row["record"] for row in response.context["rows"]] == [match]


@pytest.mark.parametrize("key", KEYS)
def test_town_staff_see_their_towns_and_district_wide_records_only(key, client, town_a_staff, town_a, town_b):
    own = make(key, town_a, 1)
    other = make(key, town_b, 2)
    shown = {own}
    if key != "childcare":  # childcare classes always belong to a town
        shown.add(make(key, None, 3))
    client.force_login(town_a_staff)
    assert {row["record"] for row in client.get(url(key, "list")).context["rows"]} == shown
    assert client.get(url(key, "detail", other.pk)).status_code == 404
    assert client.get(url(key, "update", other.pk)).status_code == 404
    assert client.post(url(key, "update", other.pk), {}).status_code == 404
    assert client.get(url(key, "detail", own.pk)).status_code == 200


@pytest.mark.parametrize("key", [key for key in KEYS if key != "childcare"])
def test_town_staff_read_but_do_not_change_district_wide_records(key, client, town_a_staff):
    district_wide = make(key, None, 1)
    client.force_login(town_a_staff)
    page = client.get(url(key, "detail", district_wide.pk))
    assert page.status_code == 200 and not page.context["can_edit_record"]
    assert client.get(url(key, "update", district_wide.pk)).status_code == 403


@pytest.mark.parametrize("key", KEYS)
def test_leadership_reads_the_lists_but_writes_nothing(key, client, leadership, town_a):
    record = make(key, town_a, 1)
    client.force_login(leadership)
    assert client.get(url(key, "list")).status_code == 200
    assert client.get(url(key, "detail", record.pk)).status_code == 200
    assert client.get(url(key, "export")).status_code == 200  # no personal data in these records
    for page, args in (("create", ()), ("update", (record.pk,)), ("import", ())):
        assert client.get(url(key, page, *args)).status_code == 403
        assert client.post(url(key, page, *args), {}).status_code == 403


def test_the_service_refuses_another_towns_record(town_a_staff, town_b):
    record = make("childcare", town_b, 1)
    with pytest.raises(DomainError):
        services.programme_record_save(user=town_a_staff, record=record, data={"children": 1})
    with pytest.raises(DomainError):
        services.programme_record_save(user=town_a_staff, record=ChildcareClass(), data={"town": town_b, "year": 2018})


# Query counts ----------------------------------------------------------------------------------------------


LIST_STATEMENTS = (
    13  # session, user, role; ?town= checked; count, totals, the page's keys and rows; the menu's district, the towns;
    # session save
)


@pytest.mark.parametrize("key", KEYS)
def test_each_list_runs_the_same_statements_for_10_and_300_records(
    key, client, district_staff, town_a, town_b, django_assert_max_num_queries
):
    client.force_login(district_staff)
    many(key, [town_a, town_b], 10)
    pages = [url(key, "list"), url(key, "list") + f"?year=2018&town={town_a.pk}"]
    client.get(reverse("benefits:home"))  # the session's first save is not the list's
    for page in pages:
        with django_assert_max_num_queries(LIST_STATEMENTS):
            assert client.get(page).status_code == 200
    many(key, [town_a, town_b, None] if key != "childcare" else [town_a, town_b], 290, year=2000)
    for page in pages:
        with django_assert_max_num_queries(LIST_STATEMENTS):
            assert client.get(page).status_code == 200


# Forms -------------------------------------------------------------------------------------------------------


def test_a_childcare_record_is_added_and_edited_and_keeps_its_history(client, town_a_staff, town_a):
    client.force_login(town_a_staff)
    data = {"town": town_a.pk, "year": 2018, "classes": 3, "children": 90, "courses": "书法、游泳"}
    response = client.post(url("childcare", "create"), data)
    record = ChildcareClass.objects.get()
    assert response["Location"] == url("childcare", "detail", record.pk)
    response = client.post(url("childcare", "update", record.pk), {**data, "children": 95})
    record.refresh_from_db()
    assert record.children == 95
    assert record.history.count() == 2
    assert record.history.first().history_user == town_a_staff


def test_a_form_missing_a_value_marks_the_field_in_chinese(client, district_staff, town_a):
    client.force_login(district_staff)
    with translation.override("zh-hans"):
        response = client.post(url("jobfair", "create"), {"title": "春风行动", "held_on": "2018-03-01"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"jobs_offered", "intentions_signed"}
    with translation.override("zh-hans"):
        assert errors["jobs_offered"] == [gettext("This field is required.")]
    assert "这个字段是必填项" in response.content.decode()
    assert not JobFair.objects.exists()


def test_a_second_childcare_record_for_the_same_town_and_year_is_refused(client, district_staff, town_a):
    make("childcare", town_a, 1)
    client.force_login(district_staff)
    response = client.post(url("childcare", "create"), {"town": town_a.pk, "year": 2018, "classes": 1, "children": 2})
    assert response.status_code == 200 and response.context["form"].errors
    assert ChildcareClass.objects.count() == 1


def test_a_negative_spend_is_refused_on_its_field(client, district_staff):
    client.force_login(district_staff)
    data = {"year": 2018, "category": "match", "item": "篮球", "spend": "-1", "events": 1, "participants": 2}
    response = client.post(url("culture", "create"), data)
    assert "spend" in response.context["form"].errors and not CultureEvent.objects.exists()


def test_town_staff_cannot_record_a_district_wide_or_other_towns_record(client, town_a_staff, town_b):
    client.force_login(town_a_staff)
    data = {"title": "招聘会", "held_on": "2018-03-01", "jobs_offered": 1, "intentions_signed": 1}
    assert "town" in client.post(url("jobfair", "create"), data).context["form"].errors  # none: refused
    assert "town" in client.post(url("jobfair", "create"), {**data, "town": town_b.pk}).context["form"].errors
    assert not JobFair.objects.exists()


# Import ------------------------------------------------------------------------------------------------------


def workbook(rows, title: str | None = None) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("sheet.xlsx", out.getvalue())


def preview(client, key, upload):
    response = client.post(url(key, "import"), {"file": upload})
    assert response.status_code == 200
    return response


def confirm(client, key, preview_response):
    return client.post(url(key, "import"), {"confirm": "1", "token": preview_response.context["token"]})


def test_childcare_sheet_with_a_title_row_and_full_width_digits_adds_and_updates(
    client, district_staff, town_a, town_b
):
    stored = make("childcare", town_a, 1, year=2018)
    client.force_login(district_staff)
    rows = [
        ["镇街", "年度", "班数", "儿童人数", "课程"],
        ["瀛海镇", "2018年", "４", "１２０", "书法"],  # same town and year: updates
        ["亦庄镇", 2018, 2, 60, ""],
    ]
    response = preview(client, "childcare", workbook(rows, title="2018年暑期托管班统计表"))
    sheet = response.context["sheet"]
    assert not sheet.errors, sheet.errors
    assert [(row.number, row.is_update) for row in sheet.rows] == [(3, True), (4, False)]
    assert ChildcareClass.objects.count() == 1  # the preview writes nothing
    done = confirm(client, "childcare", response)
    assert done.status_code == 302 and done["Location"] == url("childcare", "list")
    stored.refresh_from_db()
    assert (stored.classes, stored.children, stored.courses) == (4, 120, "书法")
    assert ChildcareClass.objects.get(town=town_b).children == 60
    assert stored.history.count() == 2


def cell_error(row: int, name: str, reason: str) -> str:
    """The message a bad cell of a culture sheet gets, in the site's language (before and after the catalogue is merged)."""
    label = CultureEvent._meta.get_field(name).verbose_name
    return gettext("Row %(row)d, column “%(column)s”: %(reason)s") % {"row": row, "column": label, "reason": reason}


def test_a_sheet_with_bad_rows_names_each_row_and_column_and_writes_nothing(client, district_staff, town_a):
    client.force_login(district_staff)
    rows = [
        ["镇街", "year", "类别", "项目", "经费（元）", "场次", "参与人数"],
        ["瀛海镇", 2018, "比赛", "篮球赛", "1,000.50", 3, 40],  # good
        ["火星镇", 2018, "比赛", "足球赛", 10, 1, 1],  # unknown town
        ["瀛海镇", 2018, "唱歌", "合唱", "abc", 1, 1],  # bad category and spend
        ["瀛海镇", 2018, "比赛", "篮球赛", 5, 1, 1],  # the same record as row 2
        ["瀛海镇", 2018, "training", "书法班", 5, "", 1],  # events missing
    ]
    errors = preview(client, "culture", workbook(rows)).context["sheet"].errors
    with translation.override("zh-hans"):
        categories = "、".join(str(label) for _value, label in CultureEvent._meta.get_field("category").choices)
        assert errors == [
            cell_error(3, "town", gettext("No town is called “%(name)s”.") % {"name": "火星镇"}),
            cell_error(
                4,
                "category",
                gettext("“%(value)s” is not one of: %(choices)s.") % {"value": "唱歌", "choices": categories},
            ),
            cell_error(4, "spend", gettext("Enter a number.")),
            cell_error(6, "events", gettext("This field is required.")),
            cell_error(5, "item", gettext("The same record is already on row %(row)d.") % {"row": 2}),
        ]
    assert not CultureEvent.objects.exists()


def test_a_sheet_lacking_a_required_column_is_refused_naming_it(client, district_staff):
    client.force_login(district_staff)
    sheet = preview(client, "jobfair", workbook([["名称", "日期", "岗位数"], ["春风", "2018-03-01", 5]])).context[
        "sheet"
    ]
    with translation.override("zh-hans"):
        label = JobFair._meta.get_field("intentions_signed").verbose_name
        assert sheet.errors == [gettext("The sheet lacks the columns: %(columns)s.") % {"columns": label}]
    assert not JobFair.objects.exists()


def test_town_staff_import_rows_of_their_own_town_only(client, town_a_staff, town_a, town_b):
    client.force_login(town_a_staff)
    rows = [
        ["名称", "日期", "岗位数", "达成意向", "镇街"],
        ["春风", "2018/3/1", 5, 1, ""],
        ["秋风", "2018.9.1", 5, 1, "亦庄镇"],
    ]
    errors = preview(client, "jobfair", workbook(rows)).context["sheet"].errors
    with translation.override("zh-hans"):
        label = JobFair._meta.get_field("town").verbose_name
        reason = gettext("Choose a town you work on.")
        assert errors == [
            gettext("Row %(row)d, column “%(column)s”: %(reason)s") % {"row": 3, "column": label, "reason": reason}
        ]
    rows.pop()
    response = preview(client, "jobfair", workbook(rows))
    assert confirm(client, "jobfair", response).status_code == 302
    assert JobFair.objects.get().town == town_a  # a row with no town is the town staff's own


def test_the_import_service_checks_again_and_refuses_a_sheet_gone_bad(district_staff, town_a):
    sheet = ServiceProgrammeSheet(programme=SERVICE_PROGRAMMES["childcare"], user=district_staff)
    sheet.columns = ["town", "year", "classes", "children"]
    sheet.raw = [(2, {"town": "瀛海镇", "year": 2018, "classes": 1, "children": -5})]
    with pytest.raises(DomainError):
        services.programme_records_import(user=district_staff, sheet=sheet)
    assert not ChildcareClass.objects.exists()


def test_an_expired_preview_is_refused(client, district_staff):
    client.force_login(district_staff)
    response = client.post(url("wechat", "import"), {"confirm": "1", "token": "nope"})
    assert response.status_code == 302 and response["Location"] == url("wechat", "import")


# Export ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_each_export_has_the_import_headers_a_chinese_sheet_and_file_name(key, client, district_staff, town_a):
    record = make(key, town_a, 1)
    client.force_login(district_staff)
    response = client.get(url(key, "export"), {"year": 2018})
    assert response.status_code == 200
    programme = SERVICE_PROGRAMMES[key]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    with translation.override("zh-hans"):
        title = str(programme.model._meta.verbose_name_plural)
        headers = [programme.label(name) for name in programme.fields]
    assert book.sheetnames == [title]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == headers
    assert rows[1][0] == town_a.name and len(rows) == 2
    assert record.pk


@pytest.mark.parametrize("key", KEYS)
def test_an_exported_sheet_imports_back_unchanged(key, client, district_staff, town_a):
    make(key, town_a, 1)
    client.force_login(district_staff)
    exported = client.get(url(key, "export")).content
    response = preview(client, key, SimpleUploadedFile("back.xlsx", exported))
    sheet = response.context["sheet"]
    assert not sheet.errors, sheet.errors
    assert [row.is_update for row in sheet.rows] == [True]
    confirm(client, key, response)
    assert SERVICE_PROGRAMMES[key].model.objects.count() == 1


def test_the_import_page_offers_an_empty_template(client, district_staff):
    client.force_login(district_staff)
    response = client.get(url("purchased", "import"), {"template": "1"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = next(book.worksheets[0].iter_rows(values_only=True))
    assert list(headers) == [
        SERVICE_PROGRAMMES["purchased"].label(name) for name in SERVICE_PROGRAMMES["purchased"].fields
    ]


def test_a_preview_is_confirmed_only_by_the_user_who_uploaded_it(client, district_staff, district_admin, town_a):
    client.force_login(district_staff)
    rows = [["镇街", "年度", "班数", "儿童人数"], ["瀛海镇", 2018, 1, 30]]
    token = preview(client, "childcare", workbook(rows)).context["token"]
    client.force_login(district_admin)
    response = client.post(url("childcare", "import"), {"confirm": "1", "token": token})
    assert response.status_code == 302 and response["Location"] == url("childcare", "import")
    assert not ChildcareClass.objects.exists()


def test_an_empty_optional_cell_keeps_the_stored_value(client, district_staff, town_a):
    stored = make("culture", town_a, 1, association_admissions=4)
    client.force_login(district_staff)
    rows = [
        ["镇街", "年度", "类别", "项目", "经费", "场次", "参与人数", "入会人数"],
        ["瀛海镇", 2018, "比赛", stored.item, 9, 2, 3, ""],
    ]
    response = preview(client, "culture", workbook(rows))
    assert not response.context["sheet"].errors, response.context["sheet"].errors
    confirm(client, "culture", response)
    stored.refresh_from_db()
    assert (stored.spend, stored.association_admissions) == (9, 4)
