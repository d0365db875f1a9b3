"""The sign-off (定稿) of a finished year's summary (issue 8): a district admin freezes the figures from the page;
the page of a signed year, the district's and each town's, shows the frozen figures with who signed, when and a
checksum, the figures whose live value differs now and the records changed since; a withdrawn sign-off stays in
the history."""

import datetime
import hashlib
import json
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stations.models import Venue
from tests.disputes.factories import CaseFactory
from tests.factories import VenueFactory
from tests.html_forms import find_form, submit
from union_portal.formatting import person_name
from union_portal.models import SummarySignoff

pytestmark = pytest.mark.django_db

LAST = timezone.localdate().year - 1  # a finished year
FORM = "[data-testid=signoff-form]"
WITHDRAW_FORM = "[data-testid=signoff-withdraw-form]"


def built_in(year, town, count, **fields):
    return [VenueFactory(town=town, built_on=datetime.date(year, 5, 1), **fields) for _ in range(count)]


@pytest.fixture
def venues(town_a, town_b):
    """Warm-heart stations built last year: three in town A, one in town B."""
    return built_in(LAST, town_a, 3) + built_in(LAST, town_b, 1)


def browser(user) -> Client:
    """A client that checks CSRF tokens as the live site does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def summary(client, year=LAST, **params):
    return client.get(reverse("summary_year", args=[year]), params)


def sign_off(client, year=LAST):
    return submit(client, summary(client, year), FORM, fill={"confirm": True}, follow=True)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def figure_value(response, key: str) -> str:
    """The value shown in the figure's row of its section."""
    row = re.search(rf'<tr data-figure="{key}">(.*?)</tr>', response.content.decode(), re.S).group(1)
    return re.search(r'<td class="text-end"><a href="[^"]+">\s*(.*?)\s*</a>', row, re.S).group(1)


def changed_row(response, key: str) -> list[str] | None:
    """The cells (text) of the figure's row in the table of figures changed since the sign-off, or None."""
    found = re.search(rf'<tr data-changed="{key}">(.*?)</tr>', response.content.decode(), re.S)
    if found is None:
        return None
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def town_row(response, town) -> list[str]:
    table = re.search(r'<section class="mb-4" id="section-towns">(.*?)</section>', response.content.decode(), re.S)
    row = re.search(rf'<tr data-town="{town.pk}">(.*?)</tr>', table.group(1), re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<td class="text-end">(.*?)</td>', row, re.S)]


def canonical_checksum(snapshot) -> str:
    """The checksum as the brief defines it: SHA-256 of the figures' keys, values and units (and the year) as
    JSON with sorted keys and no spaces."""

    def values(rows):
        return {row["key"]: [row["value"], row["unit"]] for row in rows}

    canonical = {
        "year": snapshot["year"],
        "district": values(snapshot["district"]),
        "towns": {town: values(rows) for town, rows in snapshot["towns"].items()},
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# Signing off ------------------------------------------------------------------------------------------------


def test_a_district_admin_signs_off_a_finished_year_from_the_page(district_admin, venues, town_a):
    client = browser(district_admin)
    before = summary(client)
    live = figure_value(before, "warm_stations_built")
    assert live == "4"

    response = sign_off(client)

    assert response.redirect_chain[-1][0] == reverse("summary_year", args=[LAST])
    signoff = SummarySignoff.objects.get(year=LAST)
    assert signoff.signed_by == district_admin
    assert signoff.signed_at.tzinfo is not None
    assert abs(timezone.now() - signoff.signed_at) < datetime.timedelta(minutes=1)
    district = {row["key"]: row for row in signoff.snapshot["district"]}
    assert district["warm_stations_built"]["value"] == 4
    assert district["warm_stations_built"]["section"] == "stations"
    assert {row["key"]: row["value"] for row in signoff.snapshot["towns"][str(town_a.pk)]}["warm_stations_built"] == 3
    assert "none" in signoff.snapshot["towns"]  # the records of no town have their row too
    money = next(row for row in signoff.snapshot["district"] if row["unit"] == "元")
    assert isinstance(money["value"], str) and "." in money["value"]  # Decimal kept as a string, to the 分
    assert signoff.checksum == canonical_checksum(signoff.snapshot)

    page = text_of(response)
    assert f"{LAST}年度汇总已定稿" in page
    state = re.search(r'data-testid="signoff-state">(.*?)</p>', response.content.decode(), re.S).group(1)
    assert "已定稿" in state and person_name(district_admin) in state
    assert timezone.localtime(signoff.signed_at).strftime("%Y-%m-%d %H:%M") in state
    assert f'<code title="{signoff.checksum}" data-testid="checksum">{signoff.checksum[:12]}</code>' in state
    assert 'data-testid="signoff-tampered"' not in response.content.decode()
    assert 'data-testid="signoff-form"' not in response.content.decode()
    assert figure_value(response, "warm_stations_built") == live
    assert "各项指标的实时数值均未变化" in page


def test_the_sign_off_asks_for_a_confirmation(district_admin, venues):
    client = browser(district_admin)
    response = submit(client, summary(client), FORM, follow=True)  # the box left unticked
    assert not SummarySignoff.objects.exists()
    assert "请勾选确认后再定稿" in text_of(response)
    assert 'data-testid="signoff-form"' in response.content.decode()


@pytest.mark.parametrize("persona", ["leadership", "district_staff", "town_a_staff"])
def test_only_a_district_admin_may_sign_off(persona, request, venues):
    client = browser(request.getfixturevalue(persona))
    page = summary(client)
    assert page.status_code == 200
    assert 'data-testid="signoff-form"' not in page.content.decode()
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("summary_signoff", args=[LAST]), {"confirm": "on"}).status_code == 403
    assert not SummarySignoff.objects.exists()


def test_the_current_year_cannot_be_signed_off(client, district_admin, venues):
    year = timezone.localdate().year
    client.force_login(district_admin)
    assert 'data-testid="signoff-form"' not in summary(client, year).content.decode()
    response = client.post(reverse("summary_signoff", args=[year]), {"confirm": "on"}, follow=True)
    assert not SummarySignoff.objects.exists()
    assert f"只有已结束的年度才能定稿，{year}年度尚未结束" in text_of(response)
    future = client.post(reverse("summary_signoff", args=[year + 1]), {"confirm": "on"})
    assert future.status_code == 404


def test_signing_twice_is_refused_with_a_message(client, district_admin, venues):
    client.force_login(district_admin)
    client.post(reverse("summary_signoff", args=[LAST]), {"confirm": "on"})
    first = SummarySignoff.objects.get()
    response = client.post(reverse("summary_signoff", args=[LAST]), {"confirm": "on"}, follow=True)
    assert f"{LAST}年度汇总已经定稿，不能重复定稿" in text_of(response)
    assert list(SummarySignoff.objects.all()) == [first]


# The page of a signed year ----------------------------------------------------------------------------------


def test_the_signed_page_keeps_the_frozen_figures_and_lists_what_changed_since(
    district_admin, district_staff, venues, town_a
):
    client = browser(district_admin)
    sign_off(client)
    moved = venues[0]
    moved.name = "改名后的暖心驿站"
    moved._history_user = district_staff
    moved.save()
    added = built_in(LAST, town_a, 1, name="定稿后补录驿站")[0]

    response = summary(client)

    assert figure_value(response, "warm_stations_built") == "4"  # frozen, though the records now count 5
    frozen, live = changed_row(response, "warm_stations_built")[1:]
    assert (frozen, live) == ("4", "5")
    link = re.search(r'<tr data-changed="warm_stations_built">.*?<a href="([^"]+)"', response.content.decode(), re.S)
    listed = client.get(link.group(1).replace("&amp;", "&"))
    assert added.name in listed.content.decode()  # the live value links to the live list
    assert town_row(response, town_a)[0] == "3"  # the town table is frozen too
    records = re.search(r'data-testid="signoff-records">(.*?)</table>', response.content.decode(), re.S).group(1)
    assert "定稿后补录驿站" in records and "新增" in records
    assert "改名后的暖心驿站" in records and "修改" in records and person_name(district_staff) in records
    assert "定稿后共有2条记录变动" in text_of(response)
    signed_at = timezone.localtime(SummarySignoff.objects.get().signed_at)
    assert response.context["read_at"] == signed_at  # "data as of": when the frozen figures were read


def test_a_town_page_of_a_signed_year_shows_that_towns_frozen_figures(
    client, district_admin, town_a_staff, venues, town_a, town_b
):
    sign_off(browser(district_admin))
    built_in(LAST, town_a, 2)

    client.force_login(district_admin)
    page_a = summary(client, town=town_a.pk)
    assert figure_value(page_a, "warm_stations_built") == "3"
    assert changed_row(page_a, "warm_stations_built")[1:] == ["3", "5"]
    page_b = summary(client, town=town_b.pk)
    assert figure_value(page_b, "warm_stations_built") == "1"
    assert changed_row(page_b, "warm_stations_built") is None

    client.force_login(town_a_staff)
    own = summary(client)
    assert own.context["town"] == town_a
    assert figure_value(own, "warm_stations_built") == "3"
    assert changed_row(own, "warm_stations_built")[1:] == ["3", "5"]
    # The changed records name people of every town: district roles only.
    assert 'data-testid="signoff-records"' not in own.content.decode()
    assert "已定稿" in text_of(own) and 'data-testid="signoff-withdraw-form"' not in own.content.decode()


def test_a_tampered_snapshot_shows_a_warning(client, district_admin, leadership, venues):
    sign_off(browser(district_admin))
    signoff = SummarySignoff.objects.get()
    snapshot = signoff.snapshot
    row = next(row for row in snapshot["district"] if row["key"] == "warm_stations_built")
    row["value"] = 400
    SummarySignoff.objects.filter(pk=signoff.pk).update(snapshot=snapshot)

    client.force_login(leadership)
    response = summary(client)
    assert 'data-testid="signoff-tampered"' in response.content.decode()
    assert "定稿数据与校验码不符" in text_of(response)
    assert figure_value(response, "warm_stations_built") == "400"  # shown as stored, under the warning

    SummarySignoff.objects.filter(pk=signoff.pk).update(snapshot={"district": "gone"})  # beyond reading
    response = summary(client)
    assert 'data-testid="signoff-tampered"' in response.content.decode()
    assert figure_value(response, "warm_stations_built") == "4"  # the live figures, then

    SummarySignoff.objects.filter(pk=signoff.pk).update(snapshot=snapshot, checksum=canonical_checksum(snapshot))
    assert 'data-testid="signoff-tampered"' not in summary(client).content.decode()


def test_the_previous_years_figures_are_the_frozen_ones_when_that_year_is_signed(client, district_admin, town_a):
    built_in(LAST - 1, town_a, 2)
    built_in(LAST, town_a, 3)
    client.force_login(district_admin)
    client.post(reverse("summary_signoff", args=[LAST - 1]), {"confirm": "on"})
    built_in(LAST - 1, town_a, 1)  # after the sign-off of LAST - 1: the comparison keeps 2

    row = re.search(r'<tr data-figure="warm_stations_built">(.*?)</tr>', summary(client).content.decode(), re.S)
    assert "+1 (+50.0%)" in row.group(1)


# Withdrawing ------------------------------------------------------------------------------------------------


def test_a_withdrawn_sign_off_is_kept_in_the_history(district_admin, venues, town_a):
    client = browser(district_admin)
    sign_off(client)
    signed = SummarySignoff.objects.get()
    built_in(LAST, town_a, 1)

    page = summary(client)
    assert find_form(page, WITHDRAW_FORM)
    refused = submit(client, page, WITHDRAW_FORM, follow=True)  # no reason given
    assert SummarySignoff.objects.exists() and "请说明撤销定稿的原因" in text_of(refused)
    response = submit(client, refused, WITHDRAW_FORM, fill={"reason": "补录漏报的驿站"}, follow=True)

    assert not SummarySignoff.objects.exists()
    history = list(SummarySignoff.history.filter(id=signed.pk).order_by("history_date"))
    assert [row.history_type for row in history] == ["+", "-"]
    assert history[-1].history_user == district_admin
    assert history[-1].history_change_reason == "补录漏报的驿站"
    assert history[-1].checksum == signed.checksum and history[-1].snapshot == signed.snapshot
    assert figure_value(response, "warm_stations_built") == "5"  # live again
    withdrawn = re.search(r'data-testid="signoff-withdrawn">(.*?)</ul>', response.content.decode(), re.S).group(1)
    assert "补录漏报的驿站" in withdrawn and person_name(district_admin) in withdrawn
    assert 'data-testid="signoff-form"' in response.content.decode()  # it can be signed again

    sign_off(client)
    assert SummarySignoff.objects.get().snapshot != signed.snapshot


@pytest.mark.parametrize("persona", ["leadership", "district_staff", "town_a_staff"])
def test_only_a_district_admin_may_withdraw_a_sign_off(persona, request, client, district_admin, venues):
    sign_off(browser(district_admin))
    client.force_login(request.getfixturevalue(persona))
    assert 'data-testid="signoff-withdraw-form"' not in summary(client).content.decode()
    assert client.post(reverse("summary_signoff_withdraw", args=[LAST]), {"reason": "试试"}).status_code == 403
    assert SummarySignoff.objects.exists()


def test_the_admin_shows_a_sign_off_read_only(client_for, district_admin, venues):
    sign_off(browser(district_admin))
    district_admin.is_staff = district_admin.is_superuser = True
    district_admin.save()
    signoff = SummarySignoff.objects.get()
    response = client_for(district_admin).get(reverse("admin:union_portal_summarysignoff_change", args=[signoff.pk]))
    assert response.status_code == 200
    assert signoff.checksum in response.content.decode()
    assert client_for(district_admin).post(response.wsgi_request.path, {"year": LAST + 1}).status_code == 403
    assert SummarySignoff.objects.get().year == LAST


# Statements -------------------------------------------------------------------------------------------------


def statements(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert summary(client, **params).status_code == 200
    return len(captured)


def test_a_signed_page_runs_a_bounded_number_of_statements(
    client, district_admin, district_staff, venues, town_a, django_assert_max_num_queries
):
    """The changed records are read in one statement per historical model and one per kind of record they point
    at, whatever the number of changes: 4 changed records or 75 take no more statements."""
    sign_off(browser(district_admin))
    client.force_login(district_admin)

    def change(venue):
        venue._history_user = district_staff
        venue.save()

    def cases(count):  # a case and its worker: history rows of two models, the case's with excluded fields
        return CaseFactory.create_batch(count, town=town_a, received_on=datetime.date(LAST, 6, 1))

    change(venues[0])
    built_in(LAST, town_a, 1)
    cases(1)
    few = statements(client)
    few_town = statements(client, town=town_a.pk)

    for venue in built_in(LAST, town_a, 30):
        change(venue)
    cases(5)
    Venue.objects.filter(town=town_a).update(version=F("version") + 1)  # no history: not listed
    with django_assert_max_num_queries(few):
        response = summary(client)
    assert "定稿后共有74条记录变动" in text_of(response)
    records = re.search(r'data-testid="signoff-records">(.*?)</table>', response.content.decode(), re.S).group(1)
    assert records.count("<tr>") == 1 + 20  # the heading and the 20 most recent
    with django_assert_max_num_queries(few_town):
        summary(client, town=town_a.pk)


def test_the_exports_of_a_signed_year_hold_the_frozen_figures_and_say_who_signed(district_admin, venues, town_a):
    import io

    import docx
    import openpyxl

    client = browser(district_admin)
    sign_off(client)
    built_in(LAST, town_a, 2)  # after sign-off: the live figure is 6, the frozen one 4
    signoff = SummarySignoff.objects.get()

    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("summary_xlsx", args=[LAST])).content))
    rows = [[cell for cell in row if cell is not None] for row in book.worksheets[1].iter_rows(values_only=True)]
    warm = next(row for row in rows if row and row[0] == figure_label("warm_stations_built"))
    assert warm[1] == 4
    overview = " ".join(str(cell) for row in book.worksheets[0].iter_rows(values_only=True) for cell in row if cell)
    assert signoff.checksum in overview and "已定稿" in overview

    document = docx.Document(io.BytesIO(client.get(reverse("summary_docx", args=[LAST])).content))
    paragraphs = " ".join(paragraph.text for paragraph in document.paragraphs)
    assert signoff.checksum in paragraphs and "已定稿" in paragraphs
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert [figure_label("warm_stations_built"), "4"] == next(
        row[:2] for row in cells if row[0] == figure_label("warm_stations_built")
    )


def figure_label(key):
    from stations.figures import describe

    return str(describe(key)[0])
