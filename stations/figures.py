"""The venue figures of the annual summary (DESIGN.md, contract 2; DOMAIN.md §4).

Every figure is a database aggregate: three statements whatever the data size (one over venues, with the
honours as a subquery in it, and one each over fundings and activities), each figure a conditional
`Count`/`Sum` inside them. `figures_by_town` runs the same three statements grouped by town (`totals` with
BY_TOWN), whatever the number of towns; `years_with_records` takes four small aggregates (one per table).

`through` (a day of the year) cuts the dated records: venues built, rooms accepted and activities held on or
before it count, and activity centres are counted in service on that day instead of 31 December. Fundings and
honours are recorded per year (a year, no date): they cannot be cut and count whole.

Each figure's URL opens the staff venue list filtered (by the list's filter contract) to exactly the venues it
counts, or for money, the venues with that funding; the list heads itself with the figure (`describe`).
"""

import datetime

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.figures import (
    BY_TOWN,
    YUAN,
    Figure,
    every_town,
    figure_table,
    list_url,
    merged_by_town,
    totals,
    year_end,
    year_range,
)
from union_portal.models import Town

from .models import (
    AcceptanceResult,
    ActivityKind,
    FundingKind,
    FundingSource,
    HonourLevel,
    Venue,
    VenueActivity,
    VenueFunding,
    VenueHonour,
    VenueKind,
)

LIST = "stations:venue_list"

# Each figure's label, in the report's order.
LABELS = {
    "warm_stations_built": gettext_lazy("Warm-heart stations built"),
    "homes_supported": gettext_lazy("Workers' homes given key support"),
    "homes_subsidy": gettext_lazy("Subsidy paid to workers' homes given key support"),
    "model_home_applications": gettext_lazy("Applications for city-level model workers' home"),
    "wellbeing_stations_built": gettext_lazy("Wellbeing stations built"),
    "venue_prize_funding": gettext_lazy("Prize money won by venues"),
    "wellbeing_sessions": gettext_lazy("Group stress-relief sessions"),
    "wellbeing_person_times": gettext_lazy("Person-times at group stress-relief sessions"),
    "mother_baby_rooms_built": gettext_lazy("Mother-and-baby rooms built"),
    "mother_baby_rooms_accepted": gettext_lazy("Mother-and-baby rooms built and accepted"),
    "venue_equipment_spend": gettext_lazy("Equipment bought for venues"),
    "activity_centres": gettext_lazy("Activity centres in service at year end"),
}

# The definitions (口径) shown beside each figure: what is counted, by which date, from which records.
DEFINITIONS = {
    "warm_stations_built": gettext_lazy("Warm-heart stations whose date built falls in the year."),
    "homes_supported": gettext_lazy(
        "Workers' homes with a district subsidy recorded for the year, each home counted once."
    ),
    "homes_subsidy": gettext_lazy("The district subsidies recorded for workers' homes for the year, summed."),
    "model_home_applications": gettext_lazy(
        "Workers' homes with a city-level honour recorded for the year, applied for or awarded."
    ),
    "wellbeing_stations_built": gettext_lazy("Wellbeing stations whose date built falls in the year."),
    "venue_prize_funding": gettext_lazy("Prize money recorded for venues for the year, any venue and any source."),
    "wellbeing_sessions": gettext_lazy("Group stress-relief sessions held at wellbeing stations in the year."),
    "wellbeing_person_times": gettext_lazy(
        "The person-times of the group stress-relief sessions held at wellbeing stations in the year."
    ),
    "mother_baby_rooms_built": gettext_lazy("Mother-and-baby rooms whose date built falls in the year."),
    "mother_baby_rooms_accepted": gettext_lazy(
        "Mother-and-baby rooms built in the year that passed acceptance in the same year."
    ),
    "venue_equipment_spend": gettext_lazy("Equipment bought for venues, as recorded for the year, summed."),
    "activity_centres": gettext_lazy(
        "Activity centres in service at the year's end (31 December, or the last day counted of a year in "
        "progress): built by then and not closed."
    ),
}


def describe(key: str) -> tuple | None:
    """The figure `key`'s (label, definition), without SQL; None for a key that is not a venue figure."""
    return (LABELS[key], DEFINITIONS[key]) if key in LABELS else None


def figures(year: int, town: Town | None = None, *, through: datetime.date | None = None) -> list[Figure]:
    """Every venue figure for `year` (cut at `through`), for the whole district or, with `town`, that town only."""
    values = {
        **_venue_counts(year, town, through),
        **_funding_sums(year, town),
        **_stress_relief_totals(year, town, through),
    }
    return _table(year, town, through, values)


def figures_by_town(
    year: int, town_ids: list[int], *, through: datetime.date | None = None
) -> dict[int | None, list[Figure]]:
    """`figures(year, town, through=through)` of every town in `town_ids` at once, plus None for the records of
    no town (venues always have a town: its figures are zero, linked to the district's list)."""
    grouped = merged_by_town(
        _venue_counts(year, BY_TOWN, through),
        _funding_sums(year, BY_TOWN),
        _stress_relief_totals(year, BY_TOWN, through),
    )
    return {
        town_id: _table(year, town_id, through, values) for town_id, values in every_town(grouped, town_ids).items()
    }


def years_with_records() -> set[int]:
    """The years from the first to the last of the venues' build dates, the funding and honour years and the
    activity dates: one aggregate per table."""
    bounds = [
        Venue.objects.aggregate(first=Min("built_on"), last=Max("built_on")),
        VenueActivity.objects.aggregate(first=Min("date"), last=Max("date")),
        VenueFunding.objects.aggregate(first=Min("year"), last=Max("year")),
        VenueHonour.objects.aggregate(first=Min("year"), last=Max("year")),
    ]
    years = [getattr(value, "year", value) for bound in bounds for value in bound.values() if value is not None]
    return set(range(min(years), max(years) + 1)) if years else set()


def _table(year: int, town, through, values: dict) -> list[Figure]:
    """The figures over `values`, linked to the list of `town` (a Town, a town id, or None: the district)."""

    def url(kind=None, **params):
        return list_url(LIST, town=town, kind=kind.value if kind else None, **params)

    def built(kind, **params):
        return url(kind, **params, built_year=year)

    def funding(funding_kind, kind=None, **params):
        return url(kind, funding_year=year, funding_kind=funding_kind.value, **params)

    home_subsidy = funding(FundingKind.SUBSIDY, VenueKind.WORKERS_HOME, funding_source=FundingSource.DISTRICT.value)
    stress_relief = url(VenueKind.WELLBEING_STATION, activity_year=year, activity_kind=ActivityKind.STRESS_RELIEF.value)
    places = _("places")
    rows = [
        ("warm_stations_built", places, built(VenueKind.WARM_STATION)),
        ("homes_supported", places, home_subsidy),
        ("homes_subsidy", YUAN, home_subsidy),
        (
            "model_home_applications",
            places,
            url(VenueKind.WORKERS_HOME, honour_year=year, honour_level=HonourLevel.CITY.value),
        ),
        ("wellbeing_stations_built", places, built(VenueKind.WELLBEING_STATION)),
        ("venue_prize_funding", YUAN, funding(FundingKind.PRIZE)),
        ("wellbeing_sessions", _("group sessions"), stress_relief),
        ("wellbeing_person_times", _("person-times"), stress_relief),
        ("mother_baby_rooms_built", places, built(VenueKind.MOTHER_BABY_ROOM)),
        ("mother_baby_rooms_accepted", places, built(VenueKind.MOTHER_BABY_ROOM, accepted_year=year)),
        ("venue_equipment_spend", YUAN, funding(FundingKind.EQUIPMENT)),
        (
            "activity_centres",
            _("centres"),
            url(VenueKind.ACTIVITY_CENTRE, in_service_on=year_end(year, through).isoformat()),
        ),
    ]
    return figure_table([(key, LABELS[key], unit, link, DEFINITIONS[key]) for key, unit, link in rows], values)


def _venue_counts(year: int, town, through: datetime.date | None) -> dict:
    """Counts over venues, in one statement (`town`: a Town, None for the district, or BY_TOWN).

    - warm_stations_built / wellbeing_stations_built / mother_baby_rooms_built: venues of
      that kind whose built_on falls in the calendar year (up to `through`).
    - mother_baby_rooms_accepted: mother-and-baby rooms built in the year whose acceptance
      passed in that same year (up to `through`). Acceptance must be in the same year so that a
      year's figure does not change when later acceptances are recorded (a room built in December
      and accepted in January counts as accepted in no year's figure).
    - model_home_applications: workers' homes with a city-level honour row of the year,
      whatever its status (applied counts as an application); honours have no date: not cut.
    - activity_centres: activity centres in service on 31 December of the year, or on `through`
      (built on or before it and not closed by then, as VenueQuerySet.in_service_at).
    """
    last_day = year_end(year, through)
    built = Q(**year_range("built_on", year, through))
    accepted = Q(**year_range("accepted_on", year, through), acceptance_result=AcceptanceResult.PASSED)
    city_honour = VenueHonour.objects.filter(venue=OuterRef("pk"), year=year, level=HonourLevel.CITY)
    in_service = Q(built_on__lte=last_day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=last_day))
    return totals(
        Venue.objects.all(),
        town,
        warm_stations_built=Count("pk", filter=built & Q(kind=VenueKind.WARM_STATION)),
        wellbeing_stations_built=Count("pk", filter=built & Q(kind=VenueKind.WELLBEING_STATION)),
        mother_baby_rooms_built=Count("pk", filter=built & Q(kind=VenueKind.MOTHER_BABY_ROOM)),
        mother_baby_rooms_accepted=Count("pk", filter=built & accepted & Q(kind=VenueKind.MOTHER_BABY_ROOM)),
        model_home_applications=Count("pk", filter=Q(kind=VenueKind.WORKERS_HOME) & Q(Exists(city_honour))),
        activity_centres=Count("pk", filter=in_service & Q(kind=VenueKind.ACTIVITY_CENTRE)),
    )


def _funding_sums(year: int, town) -> dict:
    """Money over the year's funding rows, in one statement (`town` as in `_venue_counts`).

    Fundings are recorded for a year, without a date: a year cut short counts them whole.

    - homes_supported: distinct workers' homes with a district `subsidy` funding in the year
      (a home belongs to one town: distinct per town too).
    - homes_subsidy: the sum of those subsidies.
    - venue_prize_funding: the sum of `prize` fundings in the year (any venue, any source).
    - venue_equipment_spend: the sum of `equipment` fundings in the year (any venue, any source).
    """
    home_subsidy = Q(kind=FundingKind.SUBSIDY, source=FundingSource.DISTRICT, venue__kind=VenueKind.WORKERS_HOME)
    return totals(
        VenueFunding.objects.filter(year=year),
        town,
        homes_supported=Count("venue", distinct=True, filter=home_subsidy),
        homes_subsidy=Sum("amount", filter=home_subsidy),
        venue_prize_funding=Sum("amount", filter=Q(kind=FundingKind.PRIZE)),
        venue_equipment_spend=Sum("amount", filter=Q(kind=FundingKind.EQUIPMENT)),
    )


def _stress_relief_totals(year: int, town, through: datetime.date | None) -> dict:
    """wellbeing_sessions / wellbeing_person_times: Sum of sessions and of person-times of
    `stress_relief` activities held at wellbeing stations, dated in the year (up to `through`); one statement."""
    activities = VenueActivity.objects.filter(
        **year_range("date", year, through), kind=ActivityKind.STRESS_RELIEF, venue__kind=VenueKind.WELLBEING_STATION
    )
    return totals(activities, town, wellbeing_sessions=Sum("sessions"), wellbeing_person_times=Sum("person_times"))
