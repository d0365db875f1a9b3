"""The venue figures of the annual summary (DESIGN.md, contract 2; DOMAIN.md §4).

Every figure is a database aggregate: four statements whatever the data size (one over
venues, one each over fundings, honours and activities), each figure a conditional
`Count`/`Sum` inside them. Each figure's URL opens the staff venue list filtered (by the
list's filter contract) to exactly the venues it counts, or for money, the venues with
that funding.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from union_portal.figures import Figure, list_url
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
CENT = Decimal("0.01")


def figures(year: int, town: Town | None = None) -> list[Figure]:
    """Every venue figure for `year`, for the whole district or, with `town`, for that town only."""
    venues = _venue_counts(year, town)
    money = _funding_sums(year, town)
    activities = _stress_relief_totals(year, town)
    year_end = datetime.date(year, 12, 31)

    def url(**params):
        return list_url(LIST, town=town, **params)

    built = {"built_year": year}
    home_subsidy = {
        "kind": VenueKind.WORKERS_HOME.value,
        "funding_year": year,
        "funding_kind": FundingKind.SUBSIDY.value,
        "funding_source": FundingSource.DISTRICT.value,
    }
    stress_relief = {
        "kind": VenueKind.WELLBEING_STATION.value,
        "activity_year": year,
        "activity_kind": ActivityKind.STRESS_RELIEF.value,
    }
    places, yuan = _("places"), _("yuan")
    return [
        Figure(
            "warm_stations_built",
            _("Warm-heart stations built"),
            venues["warm_stations_built"],
            places,
            url(kind=VenueKind.WARM_STATION.value, **built),
        ),
        Figure(
            "homes_supported",
            _("Workers' homes given key support"),
            money["homes_supported"],
            places,
            url(**home_subsidy),
        ),
        Figure(
            "homes_subsidy",
            _("Subsidy paid to workers' homes given key support"),
            _yuan(money["homes_subsidy"]),
            yuan,
            url(**home_subsidy),
        ),
        Figure(
            "model_home_applications",
            _("Applications for city-level model workers' home"),
            venues["model_home_applications"],
            places,
            url(kind=VenueKind.WORKERS_HOME.value, honour_year=year, honour_level=HonourLevel.CITY.value),
        ),
        Figure(
            "wellbeing_stations_built",
            _("Wellbeing stations built"),
            venues["wellbeing_stations_built"],
            places,
            url(kind=VenueKind.WELLBEING_STATION.value, **built),
        ),
        Figure(
            "venue_prize_funding",
            _("Prize money won by venues"),
            _yuan(money["venue_prize_funding"]),
            yuan,
            url(funding_year=year, funding_kind=FundingKind.PRIZE.value),
        ),
        Figure(
            "wellbeing_sessions",
            _("Group stress-relief sessions"),
            activities["sessions"] or 0,
            _("group sessions"),
            url(**stress_relief),
        ),
        Figure(
            "wellbeing_person_times",
            _("Person-times at group stress-relief sessions"),
            activities["person_times"] or 0,
            _("person-times"),
            url(**stress_relief),
        ),
        Figure(
            "mother_baby_rooms_built",
            _("Mother-and-baby rooms built"),
            venues["mother_baby_rooms_built"],
            places,
            url(kind=VenueKind.MOTHER_BABY_ROOM.value, **built),
        ),
        Figure(
            "mother_baby_rooms_accepted",
            _("Mother-and-baby rooms built and accepted"),
            venues["mother_baby_rooms_accepted"],
            places,
            url(kind=VenueKind.MOTHER_BABY_ROOM.value, accepted_year=year, **built),
        ),
        Figure(
            "venue_equipment_spend",
            _("Equipment bought for venues"),
            _yuan(money["venue_equipment_spend"]),
            yuan,
            url(funding_year=year, funding_kind=FundingKind.EQUIPMENT.value),
        ),
        Figure(
            "activity_centres",
            _("Activity centres in service at year end"),
            venues["activity_centres"],
            _("centres"),
            url(kind=VenueKind.ACTIVITY_CENTRE.value, in_service_on=year_end.isoformat()),
        ),
    ]


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
        .aggregate(sessions=Sum("sessions"), person_times=Sum("person_times"))
    )


def _yuan(value: Decimal | None) -> Decimal:
    """A sum of money as Decimal yuan with two places; an empty sum is 0.00."""
    return (value or Decimal(0)).quantize(CENT)
