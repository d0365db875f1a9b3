"""The venue figures by town, cut at a day, the years with records, and the lists headed with their figure."""

import datetime
import itertools
import random
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from stations.figures import describe, figures, figures_by_town, years_with_records
from stations.models import (
    AcceptanceResult,
    ActivityKind,
    FundingKind,
    FundingSource,
    HonourLevel,
    HonourStatus,
    Venue,
    VenueActivity,
    VenueFunding,
    VenueHonour,
    VenueKind,
)
from tests.factories import TownFactory, VenueFactory
from union_portal.figures import YUAN
from union_portal.models import Town

D = datetime.date
YEAR = 2018
CUTS = [None, D(YEAR, 1, 1), D(YEAR, 6, 30), D(YEAR, 12, 31)]
CODES = itertools.count(1)


def random_day(rng, first=2016, last=2019):
    start = D(first, 1, 1)
    return start + datetime.timedelta(days=rng.randrange((D(last, 12, 31) - start).days + 1))


def random_venues(rng, towns, count):
    """`count` venues of random kinds, dates and towns, each with random fundings, honours and activities."""
    venues = []
    for _n in range(count):
        kind = rng.choice(VenueKind.values)
        built_on = random_day(rng) if rng.random() < 0.9 else None
        accepted_on = result = closed_on = None
        if built_on and rng.random() < 0.6:
            accepted_on = built_on + datetime.timedelta(days=rng.randrange(200))
            result = rng.choice(AcceptanceResult.values)
        if built_on and rng.random() < 0.3:
            closed_on = (accepted_on or built_on) + datetime.timedelta(days=rng.randrange(700))
        venue = Venue(
            code=f"RT-{next(CODES):05d}",
            kind=kind,
            name=f"随机阵地{len(venues)}",
            town=rng.choice(towns),
            address="测试路1号",
            built_on=built_on,
            accepted_on=accepted_on,
            acceptance_result=result or "",
            closed_on=closed_on,
            closed_reason="拆除" if closed_on else "",
        )
        venue.status = venue.derived_status()
        venues.append(venue)
    venues = Venue.objects.bulk_create(venues)
    VenueFunding.objects.bulk_create(
        VenueFunding(
            venue=venue,
            year=rng.choice([2017, 2018, 2018, 2019]),
            kind=rng.choice(FundingKind.values),
            source=rng.choice(FundingSource.values),
            amount=Decimal(rng.randrange(1, 5_000_000)) / 100,
        )
        for venue in venues
        for _row in range(rng.randrange(3))
    )
    VenueHonour.objects.bulk_create(
        VenueHonour(
            venue=venue,
            year=rng.choice([2017, 2018, 2019]),
            title="示范职工之家",
            level=rng.choice(HonourLevel.values),
            status=rng.choice(HonourStatus.values),
        )
        for venue in venues
        for _row in range(rng.randrange(3))
    )
    VenueActivity.objects.bulk_create(
        VenueActivity(
            venue=venue,
            date=random_day(rng, 2017, 2019),
            kind=rng.choice([ActivityKind.STRESS_RELIEF, ActivityKind.STRESS_RELIEF, ActivityKind.COUNSELLING]),
            sessions=rng.randrange(1, 6),
            person_times=rng.randrange(100),
        )
        for venue in venues
        for _row in range(rng.randrange(4))
    )
    return venues


@pytest.fixture
def towns(town_a, town_b):
    return [town_a, town_b, TownFactory(), TownFactory()]


def test_each_towns_figures_equal_that_towns_own_figures(towns):
    random_venues(random.Random(8), towns, 160)
    quiet = TownFactory()  # a town without records: its zero figures
    town_ids = [town.pk for town in [*towns, quiet]]
    for through in CUTS:
        by_town = figures_by_town(YEAR, town_ids, through=through)
        assert set(by_town) == {*town_ids, None}
        for town_id in town_ids:
            assert by_town[town_id] == figures(YEAR, Town(pk=town_id), through=through), (town_id, through)
        assert all(figure.value == 0 for figure in by_town[None])  # every venue has a town
        assert all(figure.value == 0 for figure in by_town[quiet.pk])
        district = figures(YEAR, through=through)
        for position, figure in enumerate(district):
            # A venue is in one town: each figure's towns add up to the district's, distinct homes included.
            assert sum(by_town[town_id][position].value for town_id in town_ids) == figure.value, figure.key
    whole = {figure.key: figure.value for figure in figures(YEAR)}
    assert all(whole.values()), whole  # the random data gives every figure something to count


def test_figures_by_town_keep_the_towns_ids_asked_for_even_without_records(db):
    town_ids = [TownFactory().pk, TownFactory().pk]
    by_town = figures_by_town(YEAR, town_ids)
    assert list(by_town) == [*town_ids, None]
    assert [figure.key for figure in by_town[None]] == [figure.key for figure in figures(YEAR)]
    assert by_town[None] == figures(YEAR)  # the row of no town links to the district's lists


def statements(town_ids, through=None):
    with CaptureQueriesContext(connection) as queries:
        figures_by_town(YEAR, town_ids, through=through)
    return len(queries)


def test_figures_by_town_take_the_same_statements_for_two_or_twelve_towns_and_any_data_size(db):
    twelve = [TownFactory() for _n in range(12)]
    rng = random.Random(12)
    random_venues(rng, twelve[:2], 10)
    small = [statements([t.pk for t in twelve[:2]]), statements([t.pk for t in twelve])]
    random_venues(rng, twelve, 200)
    larger = [statements([t.pk for t in twelve[:2]]), statements([t.pk for t in twelve], D(YEAR, 6, 30))]
    with CaptureQueriesContext(connection) as one_town:
        figures(YEAR, twelve[0], through=D(YEAR, 6, 30))
    # The module docstring's count: one statement over venues, one over fundings, one over activities.
    assert small == larger == [3, 3] == [len(one_town)] * 2


@pytest.fixture
def around_midyear(town_a):
    """Records on both sides of 30 June 2018; `counted[key]` names the venues each figure cut there counts."""
    cut, whole = {}, {}
    warm = VenueKind.WARM_STATION
    on_the_day = VenueFactory(kind=warm, town=town_a, built_on=D(YEAR, 6, 30))
    first_day = VenueFactory(kind=warm, town=town_a, built_on=D(YEAR, 1, 1))
    day_after = VenueFactory(kind=warm, town=town_a, built_on=D(YEAR, 7, 1))
    cut["warm_stations_built"] = {on_the_day, first_day}
    whole["warm_stations_built"] = {on_the_day, first_day, day_after}

    room = VenueKind.MOTHER_BABY_ROOM
    passed_by_then = VenueFactory(
        kind=room, town=town_a, built_on=D(YEAR, 2, 1), accepted_on=D(YEAR, 6, 30), acceptance_result="passed"
    )
    passed_later = VenueFactory(
        kind=room, town=town_a, built_on=D(YEAR, 3, 1), accepted_on=D(YEAR, 7, 15), acceptance_result="passed"
    )
    cut["mother_baby_rooms_built"] = whole["mother_baby_rooms_built"] = {passed_by_then, passed_later}
    cut["mother_baby_rooms_accepted"] = {passed_by_then}
    whole["mother_baby_rooms_accepted"] = {passed_by_then, passed_later}

    centre = VenueKind.ACTIVITY_CENTRE
    closed_after_the_cut = {
        VenueFactory(kind=centre, town=town_a, built_on=D(2015, 1, 1), closed_on=closed, closed_reason="拆除")
        for closed in (D(YEAR, 7, 1), D(YEAR, 12, 31))
    }
    opened_in_july = VenueFactory(kind=centre, town=town_a, built_on=D(YEAR, 7, 1))
    VenueFactory(kind=centre, town=town_a, built_on=D(2015, 1, 1), closed_on=D(YEAR, 6, 30), closed_reason="拆除")
    cut["activity_centres"] = closed_after_the_cut
    whole["activity_centres"] = {opened_in_july}

    station = VenueFactory(kind=VenueKind.WELLBEING_STATION, town=town_a, built_on=D(2017, 1, 1))
    for day, sessions in ((D(YEAR, 6, 30), 3), (D(YEAR, 7, 1), 2)):
        VenueActivity.objects.create(
            venue=station, date=day, kind=ActivityKind.STRESS_RELIEF, sessions=sessions, person_times=10 * sessions
        )

    home = VenueFactory(kind=VenueKind.WORKERS_HOME, town=town_a, built_on=D(2016, 1, 1))
    VenueFunding.objects.create(venue=home, year=YEAR, kind=FundingKind.SUBSIDY, amount=Decimal("8000.00"))
    VenueHonour.objects.create(venue=home, year=YEAR, level=HonourLevel.CITY, title="市级示范职工之家")
    return cut, whole


def test_a_cut_counts_only_what_is_dated_by_that_day(around_midyear):
    cut, whole = around_midyear
    at_midyear = {figure.key: figure.value for figure in figures(YEAR, through=D(YEAR, 6, 30))}
    full_year = {figure.key: figure.value for figure in figures(YEAR)}
    for key, venues in cut.items():
        assert at_midyear[key] == len(venues), key
    for key, venues in whole.items():
        assert full_year[key] == len(venues), key
    assert (at_midyear["wellbeing_sessions"], at_midyear["wellbeing_person_times"]) == (3, 30)
    assert (full_year["wellbeing_sessions"], full_year["wellbeing_person_times"]) == (5, 50)
    # Fundings and honours are kept per year, without a date: the cut counts them whole.
    for key in ("homes_supported", "homes_subsidy", "model_home_applications"):
        assert at_midyear[key] == full_year[key] != 0, key


def test_a_cut_on_31_december_is_the_whole_year(around_midyear, town_a):
    assert figures(YEAR, through=D(YEAR, 12, 31)) == figures(YEAR)
    assert figures(YEAR, town_a, through=D(YEAR, 12, 31)) == figures(YEAR, town_a)


def test_the_centres_in_service_on_the_cut_day_are_those_its_list_shows(around_midyear, district_admin, client_for):
    cut, _whole = around_midyear
    figure = next(f for f in figures(YEAR, through=D(YEAR, 6, 30)) if f.key == "activity_centres")
    assert "in_service_on=2018-06-30" in figure.url
    response = client_for(district_admin).get(figure.url)
    assert {venue.pk for venue in response.context["object_list"]} == {venue.pk for venue in cut["activity_centres"]}


def test_years_with_records_run_from_the_first_to_the_last_records_year(db, town_a, django_assert_max_num_queries):
    assert years_with_records() == set()
    VenueFactory(town=town_a, built_on=None, planned_on=D(2010, 1, 1))  # planned, never built: nothing to count
    assert years_with_records() == set()
    venue = VenueFactory(town=town_a, built_on=D(2015, 5, 1))
    assert years_with_records() == {2015}
    VenueActivity.objects.create(venue=venue, date=D(2017, 3, 1), kind=ActivityKind.TRAINING)
    VenueFunding.objects.create(venue=venue, year=2019, kind=FundingKind.PRIZE, amount=Decimal("100.00"))
    VenueHonour.objects.create(venue=venue, year=2021, level=HonourLevel.DISTRICT, title="区级示范")
    with django_assert_max_num_queries(4):
        assert years_with_records() == set(range(2015, 2022))


def test_describe_gives_each_figures_label_and_definition_without_sql(django_assert_num_queries, db):
    shown = figures(YEAR)
    with django_assert_num_queries(0):
        described = {figure.key: describe(figure.key) for figure in shown}
        assert describe("cases_received") is None
        assert describe("") is None
    for figure in shown:
        label, definition = described[figure.key]
        assert (str(label), str(definition)) == (figure.label, figure.definition)


def listed_count(html):
    return int(re.search(r'data-testid="result-count">\D*(\d+)', html).group(1))


def test_a_figures_list_heads_itself_with_the_figure(towns, district_admin, client_for):
    random_venues(random.Random(5), towns, 80)
    client = client_for(district_admin)
    for town in (None, towns[0]):
        for figure in figures(YEAR, town):
            response = client.get(figure.url)
            assert response.status_code == 200
            html = response.content.decode()
            heading = re.search(r'data-testid="figure-heading">(.*?)</div>\s*</div>', html, re.S).group(1)
            assert escape(figure.label) in heading and escape(figure.definition) in heading, figure.key
            assert not response.context["filter"].form.errors
            if figure.unit != str(YUAN) and figure.key not in ("wellbeing_sessions", "wellbeing_person_times"):
                assert listed_count(html) == figure.value, figure.key  # the venues counted are those listed


def test_the_figure_parameter_is_no_filter(district_admin, client_for, town_a, bulk_venues):
    bulk_venues(30, [town_a])
    client = client_for(district_admin)
    plain = client.get("/stations/?kind=warm_station&built_year=2018").content.decode()
    named = client.get("/stations/?kind=warm_station&built_year=2018&figure=warm_stations_built").content.decode()
    unknown = client.get("/stations/?kind=warm_station&built_year=2018&figure=nonsense").content.decode()
    assert listed_count(plain) == listed_count(named) == listed_count(unknown) == 30
    assert 'data-testid="figure-heading"' in named
    assert 'data-testid="figure-heading"' not in plain + unknown
    next_page = re.search(r'rel="next" href="([^"]+)"', named).group(1).replace("&amp;", "&")
    assert "figure=warm_stations_built" in next_page
    assert 'data-testid="figure-heading"' in client.get(f"/stations/{next_page}").content.decode()
