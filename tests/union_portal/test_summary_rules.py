"""The summary's rules without the demo: the change against the previous year, the narrative's rounding, and a
bounded number of SQL statements whatever the years of data."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from stations.models import VenueKind
from tests.disputes.factories import CaseFactory
from tests.factories import TownFactory, VenueFactory
from union_portal.figures import YUAN, Figure
from union_portal.summary.changes import change_text
from union_portal.summary.narrative import approximate
from union_portal.summary.report import same_day_a_year_before


def figure(value, unit="places"):
    return Figure(key="k", label="k", value=value, unit=str(unit), url="/")


def test_a_figure_the_previous_year_did_not_have_is_new():
    assert change_text(figure(5), None) == gettext("new")


def test_a_figure_that_was_zero_the_previous_year_is_new():
    assert change_text(figure(5), figure(0)) == gettext("new")
    assert change_text(figure(0), figure(0)) == ""


def test_a_count_changes_by_its_difference_and_per_cent():
    assert change_text(figure(109), figure(100)) == "+9 (+9.0%)"
    assert change_text(figure(90), figure(120)) == "-30 (-25.0%)"
    assert change_text(figure(7), figure(7)) == gettext("unchanged")


def test_money_changes_in_wan():
    before, now = figure(Decimal("10000000.00"), YUAN), figure(Decimal("17305500.00"), YUAN)
    assert change_text(now, before) == "+730.55万元 (+73.1%)"


def test_a_share_changes_in_percentage_points():
    points = change_text(figure(Decimal("80.68"), "%"), figure(Decimal("75.00"), "%"))
    assert points == gettext("%(points)s percentage points") % {"points": "+5.68"}
    # A share of zero the year before still changes in points (0% is a share, not "none").
    assert change_text(figure(Decimal("50.00"), "%"), figure(Decimal("0.00"), "%")) == gettext(
        "%(points)s percentage points"
    ) % {"points": "+50.00"}


@pytest.mark.parametrize(
    ("count", "written"),
    [
        (0, "0"),
        (9, "9"),
        (10, "10"),
        (83, "80余"),
        (99, "90余"),
        (100, "100"),
        (187, "187"),
        (999, "999"),
        (1000, "1000"),
        (1046, "1000余"),
        (7460, "7400余"),
        (9999, "9900余"),
        (10000, "1万"),
        (10280, "1万余"),
        (12000, "1.2万"),
        (55340, "5.5万余"),
        (99999, "9.9万余"),
        (123456, "12万余"),
    ],
)
def test_the_narrative_rounds_large_counts_down_with_yu(count, written):
    assert approximate(count) == written


def statements(client, user, year):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("summary_year", args=[year])).status_code == 200
    return len(queries)


def records(years, town_a, town_b):
    for year in years:
        for town in (town_a, town_b):
            VenueFactory(town=town, built_on=datetime.date(year, 5, 1))
            CaseFactory(town=town, received_on=datetime.date(year, 3, 1))


@pytest.mark.django_db
def test_the_page_takes_as_many_statements_for_five_years_as_for_one(client, leadership, town_a, town_b):
    records([2018], town_a, town_b)
    one_year = statements(client, leadership, 2018)
    records([2014, 2015, 2016, 2017], town_a, town_b)
    assert statements(client, leadership, 2018) == one_year


@pytest.mark.django_db
def test_the_district_page_takes_as_many_statements_for_eight_towns_as_for_two(client, leadership, town_a, town_b):
    """The town table comes from each app's figures grouped by town in the database, not a call per town."""
    records([2017, 2018], town_a, town_b)
    two_towns = statements(client, leadership, 2018)
    for _extra in range(6):
        town = TownFactory()
        records([2018], town, town)
    assert statements(client, leadership, 2018) == two_towns


@pytest.mark.django_db
def test_town_staff_get_their_towns_page_in_fewer_statements(client, town_a_staff, town_b, leadership):
    # The town table (each app's figures grouped by town) is the district's only.
    assert statements(client, town_a_staff, 2018) < statements(client, leadership, 2018)


def figure_change(response, key):
    row = re.search(rf'<tr data-figure="{key}">(.*?)</tr>', response.content.decode(), re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.rsplit("<td>", 1)[-1])).strip()


@pytest.mark.django_db
def test_the_year_in_progress_is_compared_with_the_same_days_of_the_previous_year(client, leadership, town_a):
    today = timezone.localdate()
    same_day = same_day_a_year_before(today)
    VenueFactory(town=town_a, kind=VenueKind.WARM_STATION, built_on=today.replace(month=1, day=1))
    VenueFactory(town=town_a, kind=VenueKind.WARM_STATION, built_on=same_day.replace(month=1, day=1))
    later = same_day + datetime.timedelta(days=1)
    if later.year == same_day.year:  # a station the previous year built after today's date: not like for like
        VenueFactory(town=town_a, kind=VenueKind.WARM_STATION, built_on=later)
    VenueFactory(town=town_a, kind=VenueKind.WARM_STATION, built_on=today + datetime.timedelta(days=400))
    client.force_login(leadership)
    response = client.get(reverse("summary_year", args=[today.year]))
    assert figure_change(response, "warm_stations_built") == gettext("unchanged")
    through = re.search(r'data-testid="through">(.*?)</p>', response.content.decode(), re.S).group(1)
    assert f"{today.year}年{today.month}月{today.day}日" in through
    assert f"{same_day.year}年{same_day.month}月{same_day.day}日" in through
    # A past year is read whole and compared with the whole year before it.
    past = client.get(reverse("summary_year", args=[today.year - 1]))
    assert 'data-testid="through"' not in past.content.decode()


def test_the_same_day_a_year_before_keeps_the_date_or_ends_february():
    assert same_day_a_year_before(datetime.date(2026, 12, 1)) == datetime.date(2025, 12, 1)
    assert same_day_a_year_before(datetime.date(2024, 2, 29)) == datetime.date(2023, 2, 28)


@pytest.mark.django_db
def test_the_year_selector_offers_the_years_that_have_records(client, leadership, town_a):
    VenueFactory(town=town_a, built_on=datetime.date(2016, 5, 1))
    CaseFactory(town=town_a, received_on=datetime.date(2019, 3, 1))
    client.force_login(leadership)
    html = client.get(reverse("summary_year", args=[2019])).content.decode()
    offered = {int(y) for y in re.findall(r'<a class="btn btn-sm[^"]*" href="/summary/(\d{4})/', html)}
    assert {2016, 2019, timezone.localdate().year} <= offered
    assert not offered & {2010, 2015}


@pytest.mark.django_db
@pytest.mark.parametrize("app", ["stations", "disputes", "benefits"])
def test_every_figure_of_every_app_states_its_definition(app, town_a):
    """The summary shows each figure's definition (口径) beside it: no figure may come without one."""
    import importlib

    figures = importlib.import_module(f"{app}.figures").figures
    for town in (None, town_a):
        missing = [figure.key for figure in figures(2018, town) if not str(figure.definition).strip()]
        assert missing == [], f"{app} figures without a definition: {missing}"
