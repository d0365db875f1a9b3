"""The venue figures of the annual summary (DESIGN.md, contract 2; DOMAIN.md §4).

Every figure is a database aggregate: four statements whatever the data size (one over
venues, one each over fundings, honours and activities), each figure a conditional
`Count`/`Sum` inside them. Each figure's URL opens the staff venue list filtered (by the
list's filter contract) to exactly the venues it counts, or for money, the venues with
that funding.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from union_portal.figures import YUAN, Figure, figure_table, list_url
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
    "activity_centres": gettext_lazy("Activity centres in service on 31 December: built by then and not closed."),
}


def figures(year: int, town: Town | None = None) -> list[Figure]:
    """Every venue figure for `year`, for the whole district or, with `town`, for that town only."""
    values = {**_venue_counts(year, town), **_funding_sums(year, town), **_stress_relief_totals(year, town)}

    def url(kind=None, **params):
        return list_url(LIST, town=town, kind=kind.value if kind else None, **params)

    def built(kind, **params):
        return url(kind, **params, built_year=year)

    def funding(funding_kind, kind=None, **params):
        return url(kind, funding_year=year, funding_kind=funding_kind.value, **params)

    home_subsidy = funding(FundingKind.SUBSIDY, VenueKind.WORKERS_HOME, funding_source=FundingSource.DISTRICT.value)
    city_honour = url(VenueKind.WORKERS_HOME, honour_year=year, honour_level=HonourLevel.CITY.value)
    stress_relief = url(VenueKind.WELLBEING_STATION, activity_year=year, activity_kind=ActivityKind.STRESS_RELIEF.value)
    in_service = url(VenueKind.ACTIVITY_CENTRE, in_service_on=datetime.date(year, 12, 31).isoformat())
    places = _("places")
    rows = [
        ("warm_stations_built", _("Warm-heart stations built"), places, built(VenueKind.WARM_STATION)),
        ("homes_supported", _("Workers' homes given key support"), places, home_subsidy),
        ("homes_subsidy", _("Subsidy paid to workers' homes given key support"), YUAN, home_subsidy),
        ("model_home_applications", _("Applications for city-level model workers' home"), places, city_honour),
        ("wellbeing_stations_built", _("Wellbeing stations built"), places, built(VenueKind.WELLBEING_STATION)),
        ("venue_prize_funding", _("Prize money won by venues"), YUAN, funding(FundingKind.PRIZE)),
        ("wellbeing_sessions", _("Group stress-relief sessions"), _("group sessions"), stress_relief),
        ("wellbeing_person_times", _("Person-times at group stress-relief sessions"), _("person-times"), stress_relief),
        ("mother_baby_rooms_built", _("Mother-and-baby rooms built"), places, built(VenueKind.MOTHER_BABY_ROOM)),
        (
            "mother_baby_rooms_accepted",
            _("Mother-and-baby rooms built and accepted"),
            places,
            built(VenueKind.MOTHER_BABY_ROOM, accepted_year=year),
        ),
        ("venue_equipment_spend", _("Equipment bought for venues"), YUAN, funding(FundingKind.EQUIPMENT)),
        ("activity_centres", _("Activity centres in service at year end"), _("centres"), in_service),
    ]
    return figure_table([(*row, DEFINITIONS[row[0]]) for row in rows], values)


def _venue_counts(year: int, town: Town | None) -> dict[str, int]:
    """Counts over venues, in one statement.

    - warm_stations_built / wellbeing_stations_built / mother_baby_rooms_built: venues of
      that kind whose built_on falls in the calendar year.
    - mother_baby_rooms_accepted: mother-and-baby rooms built in the year whose acceptance
      passed in that same year. Acceptance must be in the same year so that a year's
      figure does not change when later acceptances are recorded (a room built in December
      and accepted in January counts as accepted in no year's figure).
    - model_home_applications: workers' homes with a city-level honour row of the year,
      whatever its status (applied counts as an application).
    - activity_centres: activity centres in service on 31 December of the year (built on or
      before it and not closed by then, as VenueQuerySet.in_service_at).
    """
    year_end = datetime.date(year, 12, 31)
    built = Q(built_on__year=year)
    city_honour = VenueHonour.objects.filter(venue=OuterRef("pk"), year=year, level=HonourLevel.CITY)
    in_service = Q(built_on__lte=year_end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=year_end))
    return Venue.objects.in_town(town).aggregate(
        warm_stations_built=Count("pk", filter=built & Q(kind=VenueKind.WARM_STATION)),
        wellbeing_stations_built=Count("pk", filter=built & Q(kind=VenueKind.WELLBEING_STATION)),
        mother_baby_rooms_built=Count("pk", filter=built & Q(kind=VenueKind.MOTHER_BABY_ROOM)),
        mother_baby_rooms_accepted=Count(
            "pk",
            filter=built
            & Q(kind=VenueKind.MOTHER_BABY_ROOM, accepted_on__year=year, acceptance_result=AcceptanceResult.PASSED),
        ),
        model_home_applications=Count("pk", filter=Q(kind=VenueKind.WORKERS_HOME) & Q(Exists(city_honour))),
        activity_centres=Count("pk", filter=in_service & Q(kind=VenueKind.ACTIVITY_CENTRE)),
    )


def _funding_sums(year: int, town: Town | None) -> dict:
    """Money over the year's funding rows, in one statement.

    - homes_supported: distinct workers' homes with a district `subsidy` funding in the year.
    - homes_subsidy: the sum of those subsidies.
    - venue_prize_funding: the sum of `prize` fundings in the year (any venue, any source).
    - venue_equipment_spend: the sum of `equipment` fundings in the year (any venue, any source).
    """
    home_subsidy = Q(kind=FundingKind.SUBSIDY, source=FundingSource.DISTRICT, venue__kind=VenueKind.WORKERS_HOME)
    return (
        VenueFunding.objects.in_town(town)
        .filter(year=year)
        .aggregate(
            homes_supported=Count("venue", distinct=True, filter=home_subsidy),
            homes_subsidy=Sum("amount", filter=home_subsidy),
            venue_prize_funding=Sum("amount", filter=Q(kind=FundingKind.PRIZE)),
            venue_equipment_spend=Sum("amount", filter=Q(kind=FundingKind.EQUIPMENT)),
        )
    )


def _stress_relief_totals(year: int, town: Town | None) -> dict:
    """wellbeing_sessions / wellbeing_person_times: Sum of sessions and of person-times of
    `stress_relief` activities held at wellbeing stations, dated in the year; one statement."""
    return (
        VenueActivity.objects.in_town(town)
        .filter(date__year=year, kind=ActivityKind.STRESS_RELIEF, venue__kind=VenueKind.WELLBEING_STATION)
        .aggregate(wellbeing_sessions=Sum("sessions"), wellbeing_person_times=Sum("person_times"))
    )
