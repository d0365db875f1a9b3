"""The summary's charts (issue 8): the data the page draws them from (its json_script), the tables that are their
text alternative, the lists their bars open, how they are served (ECharts from static, no inline script), the
SQL statements they cost, and (in Chromium) that they are drawn and a click on a bar opens its list."""

import datetime
import importlib
import json
import re
from decimal import Decimal

import lxml.html
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from stations.models import VenueKind
from tests.conftest import ensure_reference_rows
from tests.disputes.factories import CaseFactory
from tests.factories import TownFactory, VenueFactory
from tests.union_portal.conftest import APPS_WITH_DEMOS, Quiet
from tests.union_portal.test_summary import page, staff
from union_portal import demo as core_demo
from union_portal.access import Role
from union_portal.formatting import to_wan
from union_portal.models import Town
from union_portal.summary import charts, report

VENUES_BUILT = ("warm_stations_built", "wellbeing_stations_built", "mother_baby_rooms_built")


def chart_json(response) -> dict:
    html = lxml.html.fromstring(response.content.decode())
    (script,) = html.xpath('//script[@id="summary-charts"]')
    assert script.get("type") == "application/json"
    return json.loads(script.text)


def by_id(data) -> dict:
    return {chart["id"]: chart for chart in data["year"] + data["years"]}


def chart_total(chart) -> int | float:
    return sum(cell["value"] for series in chart["series"] for cell in series["cells"])


def tree(response):
    return lxml.html.fromstring(response.content.decode())


def text(element) -> str:
    return " ".join(element.text_content().split())


def headline_text(response, key) -> str:
    (tile,) = tree(response).xpath(f'//*[@data-headline="{key}"]//*[contains(@class, "h4")]')
    return text(tile)


def figure_text(response, key) -> str:
    (cell,) = tree(response).xpath(f'//tr[@data-figure="{key}"]/td[1]')
    return text(cell)


def chart_table(response, chart_id):
    (table,) = tree(response).xpath(f'//table[@data-chart-table="{chart_id}"]')
    return table


def table_rows(table) -> list[list]:
    """[[category, (text, url or None) per cell...]] of a chart's table body; the total column as (text, None)."""
    rows = []
    for tr in table.xpath("./tbody/tr"):
        cells = []
        for td in tr.xpath("./td"):
            links = td.xpath("./a")
            cells.append((text(td), links[0].get("href") if links else None))
        rows.append([text(tr.xpath("./th")[0]), *cells])
    return rows


def listed(client, url) -> int | Decimal:
    """What the list at `url` says it holds: its count, or for the aid ledger its sum in yuan."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = tree(response)
    money = html.xpath('//*[@data-testid="payment-sum"]')
    if money:
        return Decimal(re.sub(r"[^\d.]", "", text(money[0])))
    (count,) = html.xpath('//*[@data-testid="result-count"]')
    return int(re.search(r"\d+", text(count)).group())


def number(shown: str) -> int | Decimal:
    """A cell's text as a number: "1730.55万元" -> Decimal("1730.55"), "109" -> 109."""
    digits = re.sub(r"[^\d.]", "", shown)
    return Decimal(digits) if "." in digits else int(digits)


# ---- without the demo: how the charts are served, and what they cost -------------------------------------------


def records(years, towns):
    for year in years:
        for town in towns:
            VenueFactory(town=town, kind=VenueKind.WARM_STATION, built_on=datetime.date(year, 5, 1))
            VenueFactory(town=town, kind=VenueKind.MOTHER_BABY_ROOM, built_on=datetime.date(year, 7, 1))
            CaseFactory(town=town, received_on=datetime.date(year, 3, 1))


def chart_statements(year, town=None) -> int:
    shown = report.build(year, town)
    with CaptureQueriesContext(connection) as queries:
        charts.chart_data(shown)
    return len(queries)


@pytest.mark.django_db
def test_the_charts_cost_as_many_statements_for_five_years_and_eight_towns_as_for_one_year_and_two(town_a, town_b):
    records([2018], [town_a, town_b])
    small = chart_statements(2018)
    town_page = chart_statements(2018, town_a)
    records([2014, 2015, 2016, 2017], [town_a, town_b])
    records([2018], [TownFactory() for _ in range(6)])
    assert chart_statements(2018) == small
    assert chart_statements(2018, town_a) == town_page
    # The months' cases in one statement, and the report's figures for three of the five years (the year and
    # the one before it come with the report).
    with CaptureQueriesContext(connection) as queries:
        report.sections.year_figures(2016, None)
    assert small <= 3 * len(queries) + 1


@pytest.mark.django_db
def test_the_page_with_its_charts_takes_a_bounded_number_of_statements(
    client, leadership, town_a, town_b, django_assert_max_num_queries
):
    records([2018], [town_a, town_b])
    client.force_login(leadership)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("summary_year", args=[2018]))
    records([2014, 2015, 2016, 2017, 2018], [town_a, town_b, TownFactory(), TownFactory()])
    with django_assert_max_num_queries(len(first)):
        assert client.get(reverse("summary_year", args=[2018])).status_code == 200


@pytest.mark.django_db
def test_the_charts_load_echarts_from_static_and_no_inline_script(client, leadership, town_a):
    records([2018], [town_a])
    response = page(client, leadership)
    scripts = tree(response).xpath("//script")
    sources = [script.get("src") for script in scripts if script.get("src")]
    assert "/static/vendor/echarts/echarts.min.js" in sources
    assert "/static/js/summary-charts.js" in sources
    assert sources.index("/static/vendor/echarts/echarts.min.js") < sources.index("/static/js/summary-charts.js")
    assert all(source.startswith("/static/") for source in sources), sources  # no CDN
    inline = [script for script in scripts if not script.get("src")]
    assert [script.get("type") for script in inline] == ["application/json"]  # only the charts' data
    policy = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'self'" in script_src


@pytest.mark.django_db
def test_the_year_in_progress_is_charted_through_today(client, leadership, town_a):
    today = timezone.localdate()
    VenueFactory(town=town_a, kind=VenueKind.WARM_STATION, built_on=today.replace(month=1, day=1))
    for day in (datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)):
        VenueFactory(town=town_a, kind=VenueKind.WARM_STATION, built_on=day)
    response = page(client, leadership, year=today.year)
    data = chart_json(response)
    years = by_id(data)["years-venues_built"]
    assert years["categories"][:4] == [str(year) for year in range(today.year - 4, today.year)]
    day = gettext("%(month)d/%(day)d") % {"month": today.month, "day": today.day}
    assert years["categories"][-1] == gettext("%(year)s (through %(day)s)") % {"year": today.year, "day": day}
    # The year before is drawn whole (its 31 December counts, whatever today is); this year through today.
    warm = years["series"][0]["cells"]
    assert [warm[-2]["value"], warm[-1]["value"]] == [2, 1]
    months = by_id(data)["cases"]
    assert len(months["categories"]) == 12
    (note,) = tree(response).xpath('//*[@data-testid="charts-years-note"]')
    assert text(note) == gettext("The years before are counted whole; %(year)s through %(day)s.") % {
        "year": today.year,
        "day": day,
    }


# ---- on the demo district: the charts hold the page's figures, their tables link to lists that count them -----


@pytest.fixture(scope="class")
def demo_db(django_db_setup, django_db_blocker):
    """The demo district with every app's records, loaded once for the class on it (and rolled back after it, before
    the browser check, which needs a database of its own)."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_rows()
        district = core_demo.load_district()
        for app in APPS_WITH_DEMOS:
            importlib.import_module(f"{app}.demo").load(district, Quiet())
        yield district
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_db, db):
    return demo_db


@pytest.fixture(scope="class")
def leader(demo_db, django_db_blocker):
    with django_db_blocker.unblock():
        return staff(Role.LEADERSHIP)


@pytest.fixture(scope="class")
def district_page(leader, django_db_blocker):
    """The district's 2018 page, rendered once for the checks of it."""
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with django_db_blocker.unblock(), override_settings(SECURE_SSL_REDIRECT=False, STORAGES=plain):  # as _plain_http
        response = page(Client(), leader)
    assert response.status_code == 200
    return response


@pytest.fixture
def leader_client(client, leader, demo):
    client.force_login(leader)
    return client


@pytest.mark.django_db  # every check here in the database's order (pytest-django's), so the demo loads once
class TestOnTheDemoDistrict:
    def test_the_venues_by_town_add_up_to_the_headline_venues_built(self, district_page, demo):
        venues = by_id(chart_json(district_page))["venues"]
        assert chart_total(venues) == int(headline_text(district_page, "venues_built"))
        assert venues["stacked"] and venues["horizontal"]
        towns = list(Town.objects.order_by("order", "pk").values_list("name", flat=True))
        assert venues["categories"][: len(towns)] == towns
        # Each kind's bars add up to that kind's figure on the page.
        for series, key in zip(venues["series"], VENUES_BUILT, strict=True):
            assert sum(cell["value"] for cell in series["cells"]) == int(figure_text(district_page, key))
        # Each town's stack is its venues built in the town table.
        for town in Town.objects.all():
            (row,) = tree(district_page).xpath(
                f'//table[contains(@class, "summary-towns")]//tr[@data-town="{town.pk}"]'
            )
            index = venues["categories"].index(town.name)
            assert venues["totals"][index]["value"] == int(text(row.xpath("./td")[0])), town.name

    def test_the_months_received_add_up_to_the_cases_received(self, district_page):
        cases = by_id(chart_json(district_page))["cases"]
        received, closed = cases["series"]
        assert sum(cell["value"] for cell in received["cells"]) == int(figure_text(district_page, "cases_received"))
        assert sum(cell["value"] for cell in closed["cells"]) > 0
        assert cases["categories"] == [gettext("Month %(month)d") % {"month": month} for month in range(1, 13)]
        assert [received["name"], closed["name"]] == [
            pgettext("cases by month", "Received"),
            pgettext("cases by month", "Closed"),
        ]

    def test_the_aid_chart_shows_each_programmes_amount_as_the_page_does(self, district_page):
        aid = by_id(chart_json(district_page))["aid"]
        (series,) = aid["series"]
        for cell, key in zip(series["cells"], charts.AID_PROGRAMMES, strict=True):
            assert cell["text"] == figure_text(district_page, key)
            assert Decimal(str(cell["value"])) == number(figure_text(district_page, key))  # 万元, to the 分
        total = sum(Decimal(str(cell["value"])) for cell in series["cells"])
        assert total == number(headline_text(district_page, "aid_paid"))
        assert aid["unit"] == pgettext("money unit", "10,000 yuan") and aid["money"]

    def test_the_five_year_charts_end_with_the_headlines_the_page_shows(self, district_page):
        data = chart_json(district_page)
        assert [chart["headline"] for chart in data["years"]] == [
            element.get("data-headline") for element in tree(district_page).xpath("//*[@data-headline]")
        ]
        for chart in data["years"]:
            assert chart["categories"] == [str(year) for year in range(2014, 2019)]
            last = chart["totals"][-1] if chart["stacked"] else chart["series"][0]["cells"][-1]
            assert last["text"] == headline_text(district_page, chart["headline"]), chart["id"]

    def test_each_chart_table_holds_the_charts_numbers_each_a_link(self, district_page):
        for chart in chart_json(district_page)["year"] + chart_json(district_page)["years"]:
            rows = table_rows(chart_table(district_page, chart["id"]))
            assert [row[0] for row in rows] == chart["categories"]
            for index, row in enumerate(rows):
                cells = row[1:]
                expected = [
                    (series["cells"][index]["text"], series["cells"][index]["url"]) for series in chart["series"]
                ]
                if chart["stacked"]:
                    expected.append((chart["totals"][index]["text"], None))
                assert [(shown, url.replace("&amp;", "&") if url else url) for shown, url in cells] == expected
                assert all(url for _shown, url in cells[: len(chart["series"])]), (chart["id"], row)

    def test_the_venue_tables_links_open_lists_that_count_them(self, leader_client, district_page):
        for category, *cells in table_rows(chart_table(district_page, "venues")):
            for shown, url in cells[: len(VENUES_BUILT)]:
                if number(shown):
                    assert listed(leader_client, url) == number(shown), (category, url)

    def test_the_month_tables_links_open_lists_that_count_them(self, leader_client, district_page):
        for category, (received, received_url), (closed, closed_url) in table_rows(chart_table(district_page, "cases")):
            assert listed(leader_client, received_url) == number(received), category
            assert listed(leader_client, closed_url) == number(closed), category

    def test_the_aid_tables_links_open_lists_that_sum_them(self, leader_client, district_page):
        for category, (shown, url) in table_rows(chart_table(district_page, "aid")):
            assert to_wan(listed(leader_client, url)) == number(shown), category

    def test_a_town_page_charts_that_towns_figures_without_the_venues_by_town(self, client, demo):
        town = Town.objects.get(name="瀛海镇")
        response = page(client, staff(Role.LEADERSHIP), town=town.pk)
        data = by_id(chart_json(response))
        assert "venues" not in data
        assert not tree(response).xpath('//*[@data-chart="venues"]')
        received = data["cases"]["series"][0]["cells"]
        assert sum(cell["value"] for cell in received) == int(figure_text(response, "cases_received"))
        assert all(f"town={town.pk}" in cell["url"] for cell in received)
        for chart in data.values():
            assert tree(response).xpath(f'//*[@data-chart="{chart["id"]}"]'), chart["id"]

    def test_town_staff_charts_hold_only_their_town(self, client, demo):
        own, other = Town.objects.order_by("order")[:2]
        response = page(client, staff(Role.TOWN_STAFF, own), town=other.pk)
        data = chart_json(response)
        assert "venues" not in by_id(data)
        urls = [cell["url"] for chart in data["year"] + data["years"] for s in chart["series"] for cell in s["cells"]]
        assert urls and all(f"town={own.pk}" in url for url in urls if url)
        assert not re.search(rf"town={other.pk}(?!\d)", json.dumps(data))


# ---- in Chromium: the charts are drawn, with no script the CSP refuses, and a click on a bar opens its list ------


@pytest.fixture
def plain_http_live_server(live_server, settings):
    """As tests/e2e/conftest.py: the live server's middleware rebuilt after the plain-HTTP settings."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    handler = live_server.thread.httpd.get_app()
    while hasattr(handler, "application"):
        handler = handler.application
    handler.load_middleware()
    return live_server


CSP_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""

BAR_CENTRE = """([id, series, index]) => {
  const element = document.querySelector(`[data-chart="${id}"]`);
  element.scrollIntoView({ block: "center", behavior: "instant" });
  const chart = echarts.getInstanceByDom(element);
  const bar = chart.getModel().getSeriesByIndex(series).getData().getItemLayout(index);  // the bar's rectangle
  const box = element.getBoundingClientRect();
  const url = chart.getOption().series[series].data[index].url;
  return { x: box.left + bar.x + bar.width / 2, y: box.top + bar.y + bar.height / 2, url: url };
}"""


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_charts_are_drawn_and_a_click_on_a_bar_opens_its_list(browser, plain_http_live_server, leadership, town_a):
    for day in (datetime.date(2018, 3, 5), datetime.date(2018, 6, 1), datetime.date(2018, 6, 20)):
        VenueFactory(town=town_a, kind=VenueKind.WARM_STATION, built_on=day)
        CaseFactory(town=town_a, received_on=day)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_VIOLATIONS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    url = plain_http_live_server.url
    page.goto(f"{url}/accounts/login/?next=/summary/2018/")
    page.fill("#id_username", leadership.username)
    page.fill("#id_password", "test-password-123")  # tests.factories.UserFactory's password
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{url}/summary/2018/")

    containers = page.locator("[data-chart]")
    page.wait_for_function("document.querySelectorAll('[data-chart][data-drawn] svg').length > 0")
    assert containers.count() == page.locator("[data-chart][data-drawn] svg").count() == 8
    for index in range(containers.count()):
        assert containers.nth(index).locator("svg path").count() > 0  # axes and bars drawn
    assert page.evaluate("window.__violations") == [] and errors == []

    # The town's warm-heart stations: the first bar of the venues chart opens the list of those three venues.
    bar = page.evaluate(BAR_CENTRE, ["venues", 0, 0])
    assert f"town={town_a.pk}" in bar["url"]
    page.mouse.click(bar["x"], bar["y"])
    page.wait_for_url(f"{url}{bar['url']}")
    assert page.locator("tr[data-testid=venue-row]").count() == 3

    # June's received cases: two.
    page.go_back()
    page.wait_for_function("document.querySelectorAll('[data-chart=\"cases\"][data-drawn] svg').length === 1")
    bar = page.evaluate(BAR_CENTRE, ["cases", 0, 5])
    page.mouse.click(bar["x"], bar["y"])
    page.wait_for_url(f"{url}{bar['url']}")
    assert re.search(r"\d+", page.inner_text("[data-testid=result-count]")).group() == "2"
    context.close()
