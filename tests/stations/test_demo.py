"""The demo venues: the 2018 figures equal the annual report; loading is deterministic, idempotent, fast."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stations import demo
from stations.figures import figures
from stations.models import (
    AcceptanceResult,
    FundingKind,
    HonourLevel,
    Venue,
    VenueActivity,
    VenueFunding,
    VenueHonour,
    VenueKind,
)
from union_portal import demo as core_demo
from union_portal.models import Town

REPORT_2018 = {
    "warm_stations_built": 109,
    "homes_supported": 24,
    "homes_subsidy": Decimal("240000.00"),
    "model_home_applications": 2,
    "wellbeing_stations_built": 9,
    "venue_prize_funding": Decimal("30000.00"),
    "wellbeing_sessions": 29,
    "mother_baby_rooms_built": 22,
    "mother_baby_rooms_accepted": 22,
    "venue_equipment_spend": Decimal("220000.00"),
    "activity_centres": 15,
}
NINE_TOWNS = {
    "新媒体产业基地",
    "西红门镇",
    "庞各庄镇",
    "瀛海镇",
    "黄村镇",
    "榆垓镇",
    "青云店镇",
    "长子营镇",
    "高米店街道",
}
LOAD_STATEMENTS = 1000


@pytest.fixture
def district(db):
    """The demo district and its 22 towns, as load_demo creates them before the venues."""
    return core_demo.load_district()


@pytest.fixture
def loaded(district):
    with CaptureQueriesContext(connection) as statements:
        demo.load(district, io.StringIO())
    return len(statements)


def values(year, town=None):
    return {figure.key: figure.value for figure in figures(year, town)}


def record_counts():
    through = Venue.amenities.through
    models = (Venue, VenueFunding, VenueHonour, VenueActivity)
    counts = {model.__name__: model.objects.count() for model in models}
    counts |= {f"history of {model.__name__}": model.history.count() for model in models}
    counts["amenity rows"] = through.objects.count()
    return counts


def test_2018_figures_equal_the_report(loaded):
    got = values(2018)
    assert {key: got[key] for key in REPORT_2018} == REPORT_2018
    assert got["wellbeing_person_times"] >= 1000


def test_2017_figures_differ_from_2018_in_every_figure(loaded):
    in_2017, in_2018 = values(2017), values(2018)
    assert [key for key in in_2018 if in_2017[key] == in_2018[key]] == []


def test_history_goes_back_to_2015(loaded):
    years = {venue.built_on.year for venue in Venue.objects.exclude(built_on=None)}
    assert years == {2015, 2016, 2017, 2018, 2019, 2020}
    assert set(Venue.objects.values_list("status", flat=True)) == {"planned", "built", "accepted", "closed"}
    for kind in VenueKind.values:
        assert Venue.objects.filter(kind=kind, built_on__year__lt=2018).exists(), kind


def test_wellbeing_stations_of_2018_are_one_in_each_named_town(loaded):
    towns = list(
        Venue.objects.filter(kind=VenueKind.WELLBEING_STATION, built_on__year=2018).values_list("town__name", flat=True)
    )
    assert sorted(towns) == sorted(NINE_TOWNS)


def test_the_city_prize_of_2018_went_to_yinghais_wellbeing_station(loaded):
    prize = VenueFunding.objects.select_related("venue__town").get(year=2018, kind=FundingKind.PRIZE)
    assert prize.venue.town.name == "瀛海镇"
    assert prize.venue.kind == VenueKind.WELLBEING_STATION
    assert (prize.amount, prize.source) == (Decimal("30000.00"), "city")


def test_both_city_model_home_applications_of_2018_come_from_the_new_media_base(loaded):
    towns = VenueHonour.objects.filter(year=2018, level=HonourLevel.CITY).values_list("venue__town__name", flat=True)
    assert list(towns) == ["新媒体产业基地", "新媒体产业基地"]


def test_the_2018_mother_baby_rooms_meet_the_acceptance_rules(loaded):
    rooms = Venue.objects.filter(kind=VenueKind.MOTHER_BABY_ROOM, built_on__year=2018).prefetch_related("amenities")
    assert len(rooms) == 22
    for room in rooms:
        assert room.acceptance_result == AcceptanceResult.PASSED and room.accepted_on.year == 2018
        assert room.acceptance_shortfalls([a.code for a in room.amenities.all()]) == [], room.name
        assert room.fundings.get(year=2018, kind=FundingKind.EQUIPMENT).amount == Decimal("10000.00")


def test_2018_warm_stations_are_spread_over_every_town(loaded, district):
    built = Venue.objects.filter(kind=VenueKind.WARM_STATION, built_on__year=2018)
    assert built.values("town").distinct().count() == Town.objects.filter(district=district).count() == 22
    assert built.filter(host_type="school").exists() and built.filter(host_type="shop").exists()


def test_yinghai_has_mobile_containers_and_a_24_hour_station_with_a_microwave(loaded):
    yinghai = Venue.objects.public().filter(kind=VenueKind.WARM_STATION, town__name="瀛海镇")
    containers = yinghai.filter(is_mobile=True)
    assert containers.count() >= 3
    for container in containers:
        assert {"bed", "newspaper_rack", "water_dispenser"} <= set(container.amenities.values_list("code", flat=True))
    assert containers.filter(amenities__code="air_conditioning").exists()
    assert yinghai.filter(is_24h=True, amenities__code="microwave").exists()


def test_demo_records_pass_validation(loaded):
    for venue in Venue.objects.all():
        venue.full_clean()
        assert 39.5 <= venue.latitude <= 39.85 and 116.2 <= venue.longitude <= 116.6, venue.name
    for model in (VenueFunding, VenueHonour, VenueActivity):
        for row in model.objects.all():
            row.full_clean()


def test_venue_codes_are_unique_and_follow_the_kind_prefix(loaded):
    prefixes = {"workers_home": "WH", "warm_station": "WS", "wellbeing_station": "PS"}
    prefixes |= {"mother_baby_room": "MB", "activity_centre": "AC"}
    for code, kind in Venue.objects.values_list("code", "kind"):
        assert code.startswith(f"{prefixes[kind]}-") and len(code) == 8, code


def test_every_demo_record_has_a_history_row(loaded):
    counts = record_counts()
    for model in ("Venue", "VenueFunding", "VenueHonour", "VenueActivity"):
        assert counts[model] > 0 and counts[f"history of {model}"] == counts[model], model
    first = Venue.history.filter(name="瀛海镇环卫暖心驿站").get()
    assert first.history_type == "+"
    assert "microwave" in {row.amenity.code for row in first.amenities.all()}


def test_loading_twice_changes_nothing(loaded, district):
    before = record_counts()
    out = io.StringIO()
    demo.load(district, out)
    assert record_counts() == before
    assert "already" in out.getvalue()


def test_the_demo_is_the_same_every_time(district):
    towns = {town.name: town for town in Town.objects.filter(district=district)}
    first, second = demo.DemoVenues(towns), demo.DemoVenues(towns)
    first.build()
    second.build()

    def picture(built):
        return [(p.venue.name, p.venue.address, p.venue.contact_phone, p.venue.built_on) for p in built.planned]

    assert picture(first) == picture(second)


def test_loading_writes_in_bulk_not_row_by_row(loaded):
    # Hundreds of venues with fundings, honours and activities in a bounded number of statements; how long it
    # takes is measured by `make bench`, not here.
    assert loaded < LOAD_STATEMENTS, loaded


def test_building_without_the_demo_towns_says_what_is_missing(db):
    with pytest.raises(ValueError, match="瀛海镇"):
        demo.DemoVenues({})
