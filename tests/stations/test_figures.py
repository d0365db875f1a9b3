"""The venue figures of the annual summary: definitions, town restriction, links, bounded SQL."""

import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from stations.figures import figures
from stations.models import (
    AcceptanceResult,
    ActivityKind,
    FundingKind,
    FundingSource,
    HonourLevel,
    HonourStatus,
    VenueActivity,
    VenueFunding,
    VenueHonour,
    VenueKind,
)
from tests.factories import VenueFactory

KEYS = [
    "warm_stations_built",
    "homes_supported",
    "homes_subsidy",
    "model_home_applications",
    "wellbeing_stations_built",
    "venue_prize_funding",
    "wellbeing_sessions",
    "wellbeing_person_times",
    "mother_baby_rooms_built",
    "mother_baby_rooms_accepted",
    "venue_equipment_spend",
    "activity_centres",
]
MONEY = {"homes_subsidy", "venue_prize_funding", "venue_equipment_spend"}
FIGURE_QUERIES = 4
D = datetime.date


def values(year, town=None):
    return {figure.key: figure.value for figure in figures(year, town)}


def by_key(year, town=None):
    return {figure.key: figure for figure in figures(year, town)}


def venue(kind, town, built_on=None, **fields):
    return VenueFactory(kind=kind, town=town, built_on=built_on, **fields)


def fund(venue, year, kind, amount, source=FundingSource.DISTRICT):
    return VenueFunding.objects.create(venue=venue, year=year, kind=kind, source=source, amount=Decimal(amount))


def honour(venue, year, level=HonourLevel.CITY, status=HonourStatus.APPLIED):
    return VenueHonour.objects.create(venue=venue, year=year, level=level, status=status, title="示范职工之家")


def activity(venue, date, sessions, person_times, kind=ActivityKind.STRESS_RELIEF):
    return VenueActivity.objects.create(venue=venue, date=date, kind=kind, sessions=sessions, person_times=person_times)


@pytest.fixture
def records(town_a, town_b):
    """Hand-made records around the edges of 2018; `counted[key]` names the venues each 2018 figure counts."""
    counted = {}
    warm = VenueKind.WARM_STATION
    counted["warm_stations_built"] = {
        venue(warm, town_a, D(2018, 1, 1)),
        venue(warm, town_a, D(2018, 12, 31), closed_on=D(2020, 5, 1), closed_reason="拆除"),
        venue(warm, town_b, D(2018, 6, 1)),
    }
    venue(warm, town_a, D(2017, 12, 31))
    venue(warm, town_b, D(2019, 1, 1))
    venue(warm, town_a, None, planned_on=D(2018, 3, 1))

    home = VenueKind.WORKERS_HOME
    twice, once, city_funded, old = (venue(home, t, D(2016, 5, 1)) for t in (town_a, town_b, town_a, town_a))
    fund(twice, 2018, FundingKind.SUBSIDY, "10000.00")
    fund(twice, 2018, FundingKind.SUBSIDY, "2500.50")
    fund(once, 2018, FundingKind.SUBSIDY, "10000.00")
    fund(city_funded, 2018, FundingKind.SUBSIDY, "7000.00", source=FundingSource.CITY)
    fund(old, 2017, FundingKind.SUBSIDY, "10000.00")
    counted["homes_supported"] = counted["homes_subsidy"] = {twice, once}

    applied, awarded, declined_twice = (venue(home, t, D(2015, 3, 1)) for t in (town_a, town_b, town_a))
    honour(applied, 2018)
    honour(awarded, 2018, status=HonourStatus.AWARDED)
    honour(declined_twice, 2018, status=HonourStatus.DECLINED)
    honour(declined_twice, 2018, status=HonourStatus.APPLIED)
    honour(venue(home, town_a, D(2015, 3, 1)), 2018, level=HonourLevel.DISTRICT)
    honour(venue(home, town_b, D(2015, 3, 1)), 2017)
    honour(venue(warm, town_b, D(2015, 3, 1)), 2018)
    counted["model_home_applications"] = {applied, awarded, declined_twice}

    wellbeing = VenueKind.WELLBEING_STATION
    station_a = venue(wellbeing, town_a, D(2018, 3, 1))
    station_b = venue(wellbeing, town_b, D(2018, 4, 1))
    old_station = venue(wellbeing, town_b, D(2016, 4, 1))
    counted["wellbeing_stations_built"] = {station_a, station_b}
    fund(station_a, 2018, FundingKind.PRIZE, "30000.00", source=FundingSource.CITY)
    fund(old_station, 2018, FundingKind.PRIZE, "5000.00")
    fund(old_station, 2017, FundingKind.PRIZE, "9000.00")
    counted["venue_prize_funding"] = {station_a, old_station}

    activity(station_a, D(2018, 5, 1), 3, 100)
    activity(station_a, D(2018, 12, 31), 2, 61)
    activity(old_station, D(2018, 1, 1), 4, 120)
    activity(station_b, D(2018, 6, 1), 5, 200, kind=ActivityKind.COUNSELLING)
    activity(old_station, D(2017, 12, 31), 7, 300)
    activity(once, D(2018, 6, 1), 6, 90)  # stress relief at a workers' home: not a wellbeing session
    counted["wellbeing_sessions"] = counted["wellbeing_person_times"] = {station_a, old_station}

    room = VenueKind.MOTHER_BABY_ROOM
    passed = venue(room, town_a, D(2018, 3, 1), accepted_on=D(2018, 5, 1), acceptance_result=AcceptanceResult.PASSED)
    passed_b = venue(room, town_b, D(2018, 3, 1), accepted_on=D(2018, 12, 31), acceptance_result="passed")
    late = venue(room, town_a, D(2018, 12, 1), accepted_on=D(2019, 1, 10), acceptance_result="passed")
    failed = venue(room, town_a, D(2018, 3, 1), accepted_on=D(2018, 4, 1), acceptance_result="failed")
    unchecked = venue(room, town_b, D(2018, 9, 1))
    venue(room, town_a, D(2017, 11, 1), accepted_on=D(2018, 1, 5), acceptance_result="passed")
    counted["mother_baby_rooms_built"] = {passed, passed_b, late, failed, unchecked}
    counted["mother_baby_rooms_accepted"] = {passed, passed_b}
    fund(passed, 2018, FundingKind.EQUIPMENT, "10000.00")
    fund(passed_b, 2018, FundingKind.EQUIPMENT, "10000.00")
    fund(twice, 2018, FundingKind.EQUIPMENT, "1234.56", source=FundingSource.CITY)
    fund(late, 2019, FundingKind.EQUIPMENT, "10000.00")
    counted["venue_equipment_spend"] = {passed, passed_b, twice}

    centre = VenueKind.ACTIVITY_CENTRE
    counted["activity_centres"] = {
        venue(centre, town_a, D(2015, 1, 1)),
        venue(centre, town_b, D(2018, 12, 31)),
        venue(centre, town_a, D(2016, 1, 1), closed_on=D(2019, 1, 1), closed_reason="拆除腾退"),
    }
    venue(centre, town_a, D(2016, 1, 1), closed_on=D(2018, 12, 31), closed_reason="拆除腾退")
    venue(centre, town_b, D(2019, 1, 1))
    venue(centre, town_b, None, planned_on=D(2018, 1, 1))
    return counted


def test_figures_have_the_contract_keys_in_order(db):
    assert [figure.key for figure in figures(2018)] == KEYS


def test_each_figure_follows_its_definition(records):
    assert values(2018) == {
        "warm_stations_built": 3,
        "homes_supported": 2,
        "homes_subsidy": Decimal("22500.50"),
        "model_home_applications": 3,
        "wellbeing_stations_built": 2,
        "venue_prize_funding": Decimal("35000.00"),
        "wellbeing_sessions": 9,
        "wellbeing_person_times": 281,
        "mother_baby_rooms_built": 5,
        "mother_baby_rooms_accepted": 2,
        "venue_equipment_spend": Decimal("21234.56"),
        "activity_centres": 3,
    }


def test_other_years_count_their_own_records(records):
    got = values(2017)
    assert got["warm_stations_built"] == 1
    assert got["homes_supported"] == 1
    assert got["model_home_applications"] == 1
    assert got["venue_prize_funding"] == Decimal("9000.00")
    assert (got["wellbeing_sessions"], got["wellbeing_person_times"]) == (7, 300)
    assert got["mother_baby_rooms_accepted"] == 0  # built 2017 but accepted in 2018
    assert got["activity_centres"] == 3
    assert values(2019)["activity_centres"] == 3  # one closed on 2019-01-01, one opened that day


def test_town_restricts_every_figure(records, town_a, town_b):
    assert values(2018, town_a) == {
        "warm_stations_built": 2,
        "homes_supported": 1,
        "homes_subsidy": Decimal("12500.50"),
        "model_home_applications": 2,
        "wellbeing_stations_built": 1,
        "venue_prize_funding": Decimal("30000.00"),
        "wellbeing_sessions": 5,
        "wellbeing_person_times": 161,
        "mother_baby_rooms_built": 3,
        "mother_baby_rooms_accepted": 1,
        "venue_equipment_spend": Decimal("11234.56"),
        "activity_centres": 2,
    }
    assert values(2018, town_b)["warm_stations_built"] == 1
    assert values(2018, town_b)["venue_prize_funding"] == Decimal("5000.00")


def test_empty_year_gives_zeros_with_money_in_cents(records):
    got = values(2010)
    assert all(value == 0 for value in got.values())
    for key in MONEY:
        assert isinstance(got[key], Decimal)
        assert got[key].as_tuple().exponent == -2
    for key in set(KEYS) - MONEY:
        assert type(got[key]) is int


def test_money_is_decimal_with_two_places(records):
    for key in MONEY:
        value = values(2018)[key]
        assert isinstance(value, Decimal) and value.as_tuple().exponent == -2


def test_every_figure_has_a_label_and_a_unit(db):
    for figure in figures(2018):
        assert figure.label and figure.unit


def query_of(figure):
    parts = urlsplit(figure.url)
    assert parts.path == "/stations/"
    return {name: values[0] for name, values in parse_qs(parts.query).items()}


def test_urls_carry_the_filter_contract_parameters(db):
    urls = {figure.key: query_of(figure) for figure in figures(2018)}
    assert {key: query.pop("figure") for key, query in urls.items()} == {key: key for key in KEYS}
    assert urls["warm_stations_built"] == {"kind": "warm_station", "built_year": "2018"}
    assert (
        urls["homes_supported"]
        == urls["homes_subsidy"]
        == {
            "kind": "workers_home",
            "funding_year": "2018",
            "funding_kind": "subsidy",
            "funding_source": "district",
        }
    )
    assert urls["model_home_applications"] == {"kind": "workers_home", "honour_year": "2018", "honour_level": "city"}
    assert urls["wellbeing_stations_built"] == {"kind": "wellbeing_station", "built_year": "2018"}
    assert urls["venue_prize_funding"] == {"funding_year": "2018", "funding_kind": "prize"}
    assert (
        urls["wellbeing_sessions"]
        == urls["wellbeing_person_times"]
        == {
            "kind": "wellbeing_station",
            "activity_year": "2018",
            "activity_kind": "stress_relief",
        }
    )
    assert urls["mother_baby_rooms_built"] == {"kind": "mother_baby_room", "built_year": "2018"}
    assert urls["mother_baby_rooms_accepted"] == {
        "kind": "mother_baby_room",
        "built_year": "2018",
        "accepted_year": "2018",
    }
    assert urls["venue_equipment_spend"] == {"funding_year": "2018", "funding_kind": "equipment"}
    assert urls["activity_centres"] == {"kind": "activity_centre", "in_service_on": "2018-12-31"}


def test_urls_name_the_town_when_restricted(town_a):
    for figure in figures(2018, town_a):
        assert query_of(figure)["town"] == str(town_a.pk)


def listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    paginator = response.context.get("paginator")
    rows = paginator.object_list if paginator else response.context["object_list"]
    return {venue.pk for venue in rows}


def test_each_figures_list_shows_exactly_the_counted_venues(records, district_admin, client_for):
    client = client_for(district_admin)
    for figure in figures(2018):
        assert listed(client, figure.url) == {venue.pk for venue in records[figure.key]}, figure.key


def test_town_figures_list_only_that_towns_counted_venues(records, town_a, district_admin, client_for):
    client = client_for(district_admin)
    for figure in figures(2018, town_a):
        expected = {venue.pk for venue in records[figure.key] if venue.town_id == town_a.pk}
        assert listed(client, figure.url) == expected, figure.key


def add_more_records(towns, count):
    """`count` venues of each kind with fundings, honours and activities, spread over the towns."""
    for n in range(count):
        town = towns[n % len(towns)]
        for kind in VenueKind.values:
            place = venue(kind, town, D(2018, 1 + n % 12, 1), accepted_on=D(2018, 12, 31), acceptance_result="passed")
            fund(place, 2018, FundingKind.SUBSIDY, "100.00")
            fund(place, 2018, FundingKind.EQUIPMENT, "100.00")
            honour(place, 2018)
            activity(place, D(2018, 12, 31), 1, 10)


@pytest.mark.parametrize("size", [1, 12])
def test_figures_take_a_bounded_number_of_queries(size, town_a, town_b, django_assert_max_num_queries):
    add_more_records([town_a, town_b], size)
    with django_assert_max_num_queries(FIGURE_QUERIES):
        assert values(2018)["warm_stations_built"] == size
    with django_assert_max_num_queries(FIGURE_QUERIES):
        figures(2018, town_b)
