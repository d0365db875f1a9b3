"""The public venue finder and venue pages: no login, venues in service only, no private person's data."""

import datetime

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
