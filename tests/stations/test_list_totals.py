"""The staff venue list opened from a summed figure states its total: per venue the funding (or the sessions and
person-times) matching the list's filters, and in the table's foot the total of the whole filtered list, equal to
the figure for the district and for a town, across pages, in the same statements whatever the data size."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from stations import figures
from stations.models import (
    ActivityKind,
    FundingKind,
    FundingSource,
    VenueActivity,
    VenueFunding,
    VenueKind,
)
from tests.factories import VenueFactory
from tests.union_portal.test_summary_report_figures import Tables, stated_total
from union_portal.formatting import format_wan

AMOUNT = VenueFunding._meta.get_field("amount")
SESSIONS = VenueActivity._meta.get_field("sessions")
PERSON_TIMES = VenueActivity._meta.get_field("person_times")


@pytest.fixture
def zh():
    with translation.override("zh-hans"):
        yield


def add_fundings(venues, start=0):
    """Each venue: two equipment fundings of 2018 (the figure sums both), and rows the figure leaves out (a prize,
    equipment of 2017), so that a sum multiplied by a join or not filtered like the figure shows."""
    rows = []
    for n, venue in enumerate(venues, start=start):
        for amount in (Decimal(1000 + 37 * n), Decimal("250.50")):
            rows.append(
                VenueFunding(
                    venue=venue, year=2018, kind=FundingKind.EQUIPMENT, source=FundingSource.CITY, amount=amount
                )
            )
        rows.append(
            VenueFunding(
                venue=venue, year=2018, kind=FundingKind.PRIZE, source=FundingSource.CITY, amount=Decimal(99_000)
            )
        )
        rows.append(
            VenueFunding(
                venue=venue, year=2017, kind=FundingKind.EQUIPMENT, source=FundingSource.CITY, amount=Decimal(77_000)
            )
        )
    VenueFunding.objects.bulk_create(rows)


def equipment_2018(town=None) -> dict:
    """{venue code: the sum of its equipment fundings of 2018}, worked out row by row in Python."""
    sums = {}
    rows = VenueFunding.objects.filter(year=2018, kind=FundingKind.EQUIPMENT).select_related("venue")
    for row in rows:
        if town is None or row.venue.town_id == town.pk:
            sums[row.venue.code] = sums.get(row.venue.code, 0) + row.amount
    return sums


def by_key(town=None):
    return {figure.key: figure for figure in figures.figures(2018, town)}


def pages(client, url):
    """The responses of every page of the list at `url` (following its page numbers)."""
    first = client.get(url)
    assert first.status_code == 200
    count = first.context["paginator"].num_pages
    return [first] + [client.get(f"{url}&page={n}") for n in range(2, count + 1)]


def row_cells(html: str, column_label: str) -> dict:
    """{venue code: the text of its row's cell under `column_label`} of the table's body."""
    table = re.search(r"<table\b.*?</table>", html, re.S).group(0)
    index = Tables(table).tables[0]["head"].index(column_label)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    cells = {}
    for code, row in re.findall(r'<tr data-testid="venue-row" data-code="([^"]+)">(.*?)</tr>', body, re.S):
        cell = re.findall(r"<td\b.*?</td>", row, re.S)[index]
        cells[code] = " ".join(re.sub(r"<[^>]+>", " ", cell).split())
    return cells


def test_the_equipment_list_states_the_figure_for_the_district_and_a_town_across_pages(
    client_for, district_staff, town_a_staff, bulk_venues, town_a, town_b, zh
):
    venues = bulk_venues(60, [town_a, town_b])  # 30 a town: two pages of 25 each
    add_fundings(venues)
    for user, town in ((district_staff, None), (district_staff, town_a), (town_a_staff, town_a)):
        figure = by_key(town)["venue_equipment_spend"]
        responses = pages(client_for(user), figure.url)
        assert len(responses) > 1, "the list runs over more than one page"
        feet = {stated_total(r.content.decode(), AMOUNT) for r in responses}
        assert feet == {format_wan(figure.value)}, (town, feet)  # every page states the whole list's total
        # The rows' amounts (all pages) add up to it: each row sums only its fundings matching the filters.
        # Each row (all pages) states its own fundings matching the filters, and only those.
        cells = {}
        for response in responses:
            cells.update(row_cells(response.content.decode(), str(AMOUNT.verbose_name)))
        expected = {code: format_wan(amount) for code, amount in equipment_2018(town).items()}
        assert cells == expected


def test_a_town_staff_list_totals_their_own_town_whatever_the_query_says(
    client_for, town_a_staff, bulk_venues, town_a, town_b, zh
):
    add_fundings(bulk_venues(6, [town_a, town_b]))
    response = client_for(town_a_staff).get(by_key(town_b)["venue_equipment_spend"].url)
    html = response.content.decode()
    own = by_key(town_a)["venue_equipment_spend"].value
    others = by_key(town_b)["venue_equipment_spend"].value
    assert others and stated_total(html, AMOUNT) != format_wan(others)  # another town's filter: never B's total
    district = client_for(town_a_staff).get(by_key()["venue_equipment_spend"].url).content.decode()
    assert stated_total(district, AMOUNT) == format_wan(own)


def test_the_stress_relief_list_states_sessions_and_person_times(client_for, district_staff, town_a, town_b, zh):
    stations = [VenueFactory(kind=VenueKind.WELLBEING_STATION, town=town) for town in (town_a, town_a, town_b)]
    for n, station in enumerate(stations):
        for month in (3, 9):
            VenueActivity.objects.create(
                venue=station,
                date=datetime.date(2018, month, 1),
                kind=ActivityKind.STRESS_RELIEF,
                sessions=n + month,
                person_times=40 * n + 7,
            )
        VenueActivity.objects.create(
            venue=station, date=datetime.date(2018, 5, 1), kind=ActivityKind.TRAINING, sessions=50, person_times=500
        )
        VenueActivity.objects.create(
            venue=station,
            date=datetime.date(2017, 5, 1),
            kind=ActivityKind.STRESS_RELIEF,
            sessions=60,
            person_times=600,
        )
        # Fundings of the same venues: a list with both kinds of filter must not multiply one sum by the other.
        VenueFunding.objects.create(
            venue=station, year=2018, kind=FundingKind.EQUIPMENT, source=FundingSource.DISTRICT, amount=Decimal(1000)
        )
        VenueFunding.objects.create(
            venue=station, year=2018, kind=FundingKind.EQUIPMENT, source=FundingSource.DISTRICT, amount=Decimal(3000)
        )
    client = client_for(district_staff)
    for town in (None, town_a, town_b):
        shown = by_key(town)
        html = client.get(shown["wellbeing_sessions"].url).content.decode()
        assert stated_total(html, SESSIONS) == str(shown["wellbeing_sessions"].value)
        assert stated_total(html, PERSON_TIMES) == str(shown["wellbeing_person_times"].value)
        assert stated_total(html, AMOUNT) is None  # no funding filter: no funding column

    both = client.get(shown["wellbeing_sessions"].url + "&funding_year=2018&funding_kind=equipment").content.decode()
    assert stated_total(both, SESSIONS) == str(shown["wellbeing_sessions"].value)
    assert stated_total(both, AMOUNT) == format_wan(Decimal(4000))
    assert list(row_cells(both, str(AMOUNT.verbose_name)).values()) == [format_wan(Decimal(4000))]


def test_a_list_without_a_child_filter_has_no_summed_columns(client_for, district_staff, bulk_venues, town_a, zh):
    add_fundings(bulk_venues(3, [town_a]))
    html = client_for(district_staff).get(reverse("stations:venue_list"), {"kind": "warm_station"}).content.decode()
    assert "<tfoot" not in html
    assert str(AMOUNT.verbose_name) not in Tables(html).tables[0]["head"]
    assert (
        "<tfoot"
        in client_for(district_staff).get(reverse("stations:venue_list"), {"funding_year": 2018}).content.decode()
    )


def statements(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params", ["funding_year=2018&funding_kind=equipment", "activity_year=2018&funding_year=2018&amenity=microwave"]
)
def test_the_summed_list_runs_the_same_statements_for_10_and_200_venues(
    client_for, district_staff, bulk_venues, town_a, town_b, params, django_assert_max_num_queries
):
    client = client_for(district_staff)
    url = f"{reverse('stations:venue_list')}?{params}"
    small = bulk_venues(10, [town_a, town_b])
    add_fundings(small)
    VenueActivity.objects.bulk_create(
        VenueActivity(venue=venue, date=datetime.date(2018, 4, 1), kind=ActivityKind.TRAINING) for venue in small
    )
    few = statements(client, url)
    large = bulk_venues(190, [town_a, town_b])
    add_fundings(large, start=10)
    VenueActivity.objects.bulk_create(
        VenueActivity(venue=venue, date=datetime.date(2018, 4, 1), kind=ActivityKind.TRAINING) for venue in large
    )
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.status_code == 200
    assert "<tfoot" in response.content.decode()


def test_an_empty_summed_list_states_a_zero_total(client_for, district_staff, bulk_venues, town_a, town_b, zh):
    add_fundings(bulk_venues(3, [town_a]))
    shown = by_key(town_b)
    client = client_for(district_staff)
    equipment = client.get(shown["venue_equipment_spend"].url).content.decode()
    assert stated_total(equipment, AMOUNT) == format_wan(0) == format_wan(shown["venue_equipment_spend"].value)
    sessions = client.get(shown["wellbeing_sessions"].url).content.decode()
    assert stated_total(sessions, SESSIONS) == "0" and stated_total(sessions, PERSON_TIMES) == "0"
