"""The public venue finder and venue pages: no login, venues in service only, no private person's data."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stations.models import AcceptanceResult, VenueKind, VenuePhoto
from tests.factories import VenueFactory

FINDER = "/venues/"


def at_beijing(hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2024, 6, 3, hour, minute), timezone.get_default_timezone())


@pytest.fixture
def finder_venues(town_a, town_b, amenity):
    day = VenueFactory(
        name="日间驿站",
        town=town_a,
        opens_at=datetime.time(8),
        closes_at=datetime.time(18),
        opening_hours="每天 8:00-18:00",
    )
    day.amenities.add(amenity("microwave"), amenity("charging"))
    night = VenueFactory(name="夜间驿站", town=town_b, opens_at=datetime.time(20), closes_at=datetime.time(6))
    night.amenities.add(amenity("microwave"))
    always = VenueFactory(
        name="全天驿站",
        town=town_a,
        is_24h=True,
        built_on=datetime.date(2018, 1, 1),
        accepted_on=datetime.date(2018, 2, 1),
        acceptance_result=AcceptanceResult.PASSED,
    )
    always.amenities.add(amenity("charging"))
    home = VenueFactory(name="职工之家甲", kind=VenueKind.WORKERS_HOME, town=town_b, is_24h=True)
    planned = VenueFactory(name="规划中驿站", town=town_a, built_on=None, is_24h=True)
    closed = VenueFactory(
        name="已关闭驿站",
        town=town_a,
        is_24h=True,
        built_on=datetime.date(2016, 1, 1),
        closed_on=datetime.date(2019, 1, 1),
        closed_reason="场地收回",
    )
    return {"day": day, "night": night, "always": always, "home": home, "planned": planned, "closed": closed}


def names_found(client, params=None):
    response = client.get(FINDER, params or {})
    assert response.status_code == 200
    return {venue.name for venue in response.context["object_list"]}


def test_finder_needs_no_login_and_lists_only_venues_in_service(client, finder_venues):
    assert names_found(client) == {"日间驿站", "夜间驿站", "全天驿站", "职工之家甲"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "workers_home"}, {"职工之家甲"}),
        ({"amenity": ["microwave"]}, {"日间驿站", "夜间驿站"}),
        ({"amenity": ["microwave", "charging"]}, {"日间驿站"}),
        ({"is_24h": "on"}, {"全天驿站", "职工之家甲"}),
        ({"q": "夜间"}, {"夜间驿站"}),
    ],
)
def test_finder_filters_by_kind_amenities_and_24_hours(client, finder_venues, params, expected):
    assert names_found(client, params) == expected


def test_finder_filters_by_town(client, finder_venues, town_a):
    assert names_found(client, {"town": town_a.pk}) == {"日间驿站", "全天驿站"}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at_beijing(10), {"日间驿站", "全天驿站", "职工之家甲"}),
        (at_beijing(23), {"夜间驿站", "全天驿站", "职工之家甲"}),
        (at_beijing(5, 59), {"夜间驿站", "全天驿站", "职工之家甲"}),
        (at_beijing(18), {"全天驿站", "职工之家甲"}),  # closing time is not open
    ],
)
def test_open_now_uses_the_current_beijing_time(client, finder_venues, monkeypatch, moment, expected):
    monkeypatch.setattr(timezone, "now", lambda: moment)
    assert names_found(client, {"open_now": "on"}) == expected


def test_finder_card_shows_town_address_hours_and_amenities(client, finder_venues):
    page = client.get(FINDER, {"q": "日间"}).content.decode()
    day = finder_venues["day"]
    for text in (day.name, "瀛海镇", day.address, "每天 8:00-18:00", "微波炉", day.get_public_url()):
        assert text in page
    assert day.contact_phone not in page
    assert day.contact_name not in page


def test_public_page_shows_what_a_worker_needs_and_no_private_data(client, finder_venues, amenity):
    day = finder_venues["day"]
    VenuePhoto.objects.create(venue=day, image="venues/x/door.jpg", thumbnail="venues/thumbs/door_thumb.jpg")
    response = client.get(reverse("venues:venue", args=[day.code]))

    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        day.name,
        day.get_kind_display(),
        day.address,
        "每天 8:00-18:00",
        "微波炉",
        "/media/venues/thumbs/door",
    ):
        assert text in page
    assert 'href="geo:0,0?q=' in page
    assert day.contact_phone not in page
    assert day.contact_name not in page


def test_public_page_map_link_uses_coordinates_when_known(client, finder_venues):
    day = finder_venues["day"]
    day.latitude, day.longitude = "39.726929", "116.341395"
    day.save()
    page = client.get(reverse("venues:venue", args=[day.code])).content.decode()
    assert 'href="geo:39.726929,116.341395?q=39.726929,116.341395' in page


@pytest.mark.parametrize("key", ["planned", "closed"])
def test_planned_and_closed_venues_are_not_public(client, finder_venues, key):
    response = client.get(reverse("venues:venue", args=[finder_venues[key].code]))
    assert response.status_code == 404


def test_finder_pages_twenty_at_a_time_keeping_the_filters(client, bulk_venues, town_a):
    bulk_venues(45, [town_a])
    response = client.get(FINDER, {"is_24h": "on"})
    assert len(response.context["object_list"]) == 20
    assert "is_24h=on&amp;page=2" in response.content.decode()


def test_finder_runs_the_same_number_of_queries_for_10_and_500_venues(client, bulk_venues, town_a, town_b):
    def count(params):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(FINDER, params).status_code == 200
        return len(queries)

    bulk_venues(10, [town_a, town_b])
    filtered = {"amenity": ["microwave", "charging"], "is_24h": "on", "open_now": "on"}
    small, small_plain = count(filtered), count({})
    bulk_venues(490, [town_a, town_b])
    assert count(filtered) == small
    assert count({}) == small_plain


def test_public_page_runs_a_fixed_number_of_queries(client, bulk_venues, town_a):
    venue = bulk_venues(10, [town_a])[0]
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("venues:venue", args=[venue.code]))
    bulk_venues(490, [town_a])
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("venues:venue", args=[venue.code])).status_code == 200
    assert len(large) == len(small)


# --- sorted by distance from the visitor (?near=<lat>,<lng>, issue 9) -----------------------

HERE = "39.727,116.341"  # where the visitor stands (the browser's position, rounded to 3 decimals)


@pytest.fixture
def placed_venues(town_a, town_b):
    """Venues at known distances from HERE (about 111 m a thousandth of a degree north), and one with no position."""

    def at(name, latitude, longitude, town=town_a):
        return VenueFactory(name=name, town=town, is_24h=True, latitude=latitude, longitude=longitude)

    return [
        at("远处驿站", "39.827000", "116.341000", town_b),  # 11.1 km north
        at("近处驿站", "39.736000", "116.341000"),  # 1.0 km north
        at("东边驿站", "39.727000", "116.376000"),  # 0.035° east: 3.0 km at this latitude
        VenueFactory(name="无坐标驿站", town=town_a, is_24h=True, latitude=None, longitude=None),
    ]


def cards(client, params) -> list[tuple[str, str]]:
    """(name, distance shown) of each venue card, in page order."""
    response = client.get(FINDER, params)
    assert response.status_code == 200
    page = response.content.decode()
    found = []
    for card in page.split('data-testid="venue-card"')[1:]:
        name = re.search(r'<h2 class="card-title">(.*?)</h2>', card)[1]
        distance = re.search(r'data-testid="venue-distance">(.*?)</p>', card)
        found.append((name, distance[1] if distance else ""))
    return found


def test_near_orders_the_venues_nearest_first_with_their_distance_and_those_without_a_position_last(
    client, placed_venues
):
    shown = cards(client, {"near": HERE})
    assert [name for name, _distance in shown] == ["近处驿站", "东边驿站", "远处驿站", "无坐标驿站"]
    distances = [distance for _name, distance in shown]
    assert [re.match(r"[\d.]+", distance)[0] for distance in distances[:3]] == ["1.0", "3.0", "11.1"]
    assert distances[3] and not re.match(r"\d", distances[3]), "a venue without a position says so, no number"


def test_the_distance_is_computed_by_the_database(placed_venues):
    from stations.models import Venue
    from stations.nearby import by_distance

    venues = by_distance(Venue.objects.public(), (39.727, 116.341))
    distances = {venue.name: venue.distance_km for venue in venues}
    assert distances["近处驿站"] == pytest.approx(1.0, abs=0.01)
    assert distances["东边驿站"] == pytest.approx(2.995, abs=0.01)
    assert distances["无坐标驿站"] is None


def test_without_near_the_finder_keeps_its_order_and_shows_no_distance(client, placed_venues):
    shown = cards(client, {})
    assert [name for name, _distance in shown][-1] == "远处驿站", "by town first (this one is in the second town)"
    assert all(distance == "" for _name, distance in shown)


@pytest.mark.parametrize(
    "near",
    [
        "",
        "abc",
        "39.7",
        "39.7,",
        ",116.3",
        "91,116",
        "39,181",
        "nan,116",
        "inf,1",
        "39.7,116.3,1",
        "1e999,1",
        "x" * 500,
    ],
)
def test_an_invalid_near_is_ignored(client, placed_venues, near):
    response = client.get(FINDER, {"near": near})
    assert response.status_code == 200
    assert 'name="near"' not in response.content.decode()
    assert cards(client, {"near": near}) == cards(client, {})


def test_near_is_rounded_to_three_decimals_and_kept_by_the_filters_and_the_pages(client, bulk_venues, town_a):
    bulk_venues(45, [town_a])
    response = client.get(FINDER, {"near": "39.72712345,116.34098765", "is_24h": "on"})
    page = response.content.decode()
    assert '<input type="hidden" name="near" value="39.727,116.341">' in page, "the filter form sends it again"
    assert "near=39.72712345%2C116.34098765&amp;is_24h=on&amp;page=2" in page, "the next page keeps it"
    assert re.search(r'href="\?is_24h=on"[^>]*data-testid="sort-default"', page), "a way back to the usual order"


def test_the_page_count_is_plain_text_between_the_page_links(client, bulk_venues, town_a):
    bulk_venues(45, [town_a])
    page = client.get(FINDER, {"page": 2}).content.decode()
    pager = re.search(r'<nav class="finder-pager.*?</nav>', page, re.S)[0]
    status = re.search(r'<span class="finder-page-status"[^>]*>(.*?)</span>', pager)
    assert status and re.search(r"2\D+3", status[1]), "page 2 of 3"
    assert "btn" not in re.search(r'<span class="finder-page-status"[^>]*>', pager)[0]
    assert "page-link" not in pager
    assert len(re.findall(r'<a class="btn', pager)) == 4  # first, previous, next, last


def test_the_sort_button_asks_for_the_location_only_through_the_finder_script(client, placed_venues):
    page = client.get(FINDER).content.decode()
    assert re.search(r'<button type="button"[^>]*hidden[^>]*data-sort-near', page), "hidden until the script runs"
    assert '<script src="/static/js/stations.js"' in page


@pytest.mark.parametrize("near", [None, HERE])
def test_finder_statements_stay_the_same_for_10_and_500_venues_also_by_distance(
    client, bulk_venues, town_a, town_b, django_assert_max_num_queries, near
):
    params = {"is_24h": "on", "amenity": ["microwave"]} | ({"near": near} if near else {})
    bulk_venues(10, [town_a, town_b])
    with CaptureQueriesContext(connection) as small:
        assert client.get(FINDER, params).status_code == 200
    bulk_venues(490, [town_a, town_b])
    with django_assert_max_num_queries(len(small)):
        assert client.get(FINDER, params).status_code == 200
