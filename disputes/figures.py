"""The dispute figures of the annual summary (DOMAIN.md §4), each a query over the records.

Four SQL statements whatever the data size: one conditional aggregate over cases, one over
the bargaining census, one over instructors, one counting inspected unions.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from union_portal.figures import YUAN, Figure, count_figure, figure_table, list_url

from .models import (
    BargainingInstructor,
    BargainingYear,
    Case,
    DossierKind,
    HandlingBody,
    InstructorLevel,
    Outcome,
    SupervisionInspection,
)

CASES = "disputes:case_list"
ZERO = Decimal("0.00")


def cases_received(year):
    """Cases received in the year (by received date), every handling body."""
    return Q(received_on__year=year)


def cases_mediated(year):
    """Cases the district mediation centre closed with a mediation agreement in the year (by closing date)."""
    return Q(handling_body=HandlingBody.CENTRE, outcome=Outcome.AGREEMENT, closed_on__year=year)


def collective_incidents(year):
    """Cases flagged as collective incidents, received in the year."""
    return Q(is_collective=True, received_on__year=year)


def legal_aid_cases(year):
    """Legal-aid applications approved (accepted) in the year."""
    return Q(handling_body=HandlingBody.LEGAL_AID, accepted_on__year=year)


def dossiers(year, kind):
    """Town-union cases archived in the year as dossiers of `kind` (formal or simple): what the towns report upward.

    The centre and the legal-aid desk archive their cases with a dossier kind too; those are not town dossiers.
    """
    return Q(handling_body=HandlingBody.TOWN_UNION, dossier_kind=kind, archived_on__year=year)


def _case_figures(year, town):
    cases = Case.objects.in_town(town)
    mediated, legal_aid, collective = cases_mediated(year), legal_aid_cases(year), collective_incidents(year)
    formal, simple = dossiers(year, DossierKind.FORMAL), dossiers(year, DossierKind.SIMPLE)
    totals = cases.aggregate(
        cases_received=Count("pk", filter=cases_received(year)),
        cases_mediated=Count("pk", filter=mediated),
        mediated_amount=Sum("amount_claimed", filter=mediated),
        collective_incidents=Count("pk", filter=collective),
        collective_workers=Sum("headcount", filter=collective),
        legal_aid_cases=Count("pk", filter=legal_aid),
        legal_aid_amount=Sum("amount_claimed", filter=legal_aid),
        formal_dossiers=Count("pk", filter=formal),
        formal_dossier_workers=Sum("headcount", filter=formal),
        formal_dossier_recovered=Sum("amount_recovered", filter=formal),
        simple_dossiers=Count("pk", filter=simple),
        simple_dossier_workers=Sum("headcount", filter=simple),
        simple_dossier_recovered=Sum("amount_recovered", filter=simple),
    )

    def url(**params):
        return list_url(CASES, town=town, **params)

    received = url(year=year)
    mediated_url = url(handling_body=HandlingBody.CENTRE, outcome=Outcome.AGREEMENT, closed_year=year)
    collective_url = url(collective="1", year=year)
    legal_aid_url = url(handling_body=HandlingBody.LEGAL_AID, accepted_year=year)
    formal_url = url(handling_body=HandlingBody.TOWN_UNION, dossier_kind=DossierKind.FORMAL, archived_year=year)
    simple_url = url(handling_body=HandlingBody.TOWN_UNION, dossier_kind=DossierKind.SIMPLE, archived_year=year)
    rows = [
        ("cases_received", _("labour dispute cases received"), _("cases"), received),
        ("cases_mediated", _("cases mediated successfully by the district centre"), _("cases"), mediated_url),
        ("mediated_amount", _("amount involved in successfully mediated cases"), YUAN, mediated_url),
        ("collective_incidents", _("collective incidents handled"), _("incidents"), collective_url),
        ("collective_workers", _("workers involved in collective incidents"), _("workers"), collective_url),
        ("legal_aid_cases", _("legal aid cases accepted"), _("cases"), legal_aid_url),
        ("legal_aid_amount", _("amount involved in legal aid cases"), YUAN, legal_aid_url),
        ("formal_dossiers", _("formal dossiers reported"), _("dossiers"), formal_url),
        ("formal_dossier_workers", _("workers in formal dossiers"), _("workers"), formal_url),
        ("formal_dossier_recovered", _("amount recovered in formal dossiers"), YUAN, formal_url),
        ("simple_dossiers", _("simple dossiers reported"), _("dossiers"), simple_url),
        ("simple_dossier_workers", _("workers in simple dossiers"), _("workers"), simple_url),
        ("simple_dossier_recovered", _("amount recovered in simple dossiers"), YUAN, simple_url),
    ]
    return figure_table(rows, totals)


def model_share(model: int, large: int) -> Decimal:
    """Model enterprises as a per cent of large enterprises, two places (71 of 88: 80.68)."""
    if not large:
        return ZERO
    return (Decimal(model) * 100 / Decimal(large)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _bargaining_figures(year, town):
    """Large enterprises are those in the year's bargaining census (100+ employees that year)."""
    census = BargainingYear.objects.filter(year=year)
    if town is not None:
        census = census.filter(enterprise__town=town)
    totals = census.aggregate(large=Count("pk"), model=Count("pk", filter=Q(meets_model_standard=True)))
    url = list_url("disputes:bargaining_census", year=year, town=town)
    model_url = list_url("disputes:bargaining_census", year=year, town=town, model="1")
    return [
        count_figure("large_enterprises", _("enterprises with 100+ employees"), totals["large"], _("enterprises"), url),
        count_figure(
            "model_enterprises",
            _("of them meeting the model-enterprise standard"),
            totals["model"],
            _("enterprises"),
            model_url,
        ),
        Figure(  # a share, not a count: two places of per cent
            "model_enterprise_share",
            str(_("share of model enterprises")),
            model_share(totals["model"], totals["large"]),
            "%",
            model_url,
        ),
    ]


def _instructor_figures(year, town):
    """Instructors serving at some time in the year (appointed by its end, not gone before it began)."""
    instructors = BargainingInstructor.objects.serving_in(year)
    if town is not None:
        instructors = instructors.filter(town=town)
    totals = instructors.aggregate(
        city=Count("pk", filter=Q(level=InstructorLevel.CITY)),
        district=Count("pk", filter=Q(level=InstructorLevel.DISTRICT)),
    )

    def url(level):
        return list_url("disputes:instructor_list", year=year, town=town, level=level)

    return [
        count_figure(
            "city_instructors",
            _("city-level bargaining instructors"),
            totals["city"],
            _("people"),
            url(InstructorLevel.CITY),
        ),
        count_figure(
            "district_instructors",
            _("district-level bargaining instructors"),
            totals["district"],
            _("people"),
            url(InstructorLevel.DISTRICT),
        ),
    ]


def _inspection_figures(year, town):
    """Secondary unions covered by joint supervision inspections in the year, each counted once."""
    inspections = SupervisionInspection.objects.filter(date__year=year).in_town(town)
    covered = inspections.aggregate(unions=Count("unions_covered", distinct=True))["unions"]
    return [
        count_figure(
            "unions_inspected",
            _("secondary unions covered by joint inspection"),
            covered,
            _("unions"),
            list_url("disputes:inspection_list", year=year, town=town),
        )
    ]


def figures(year: int, town=None) -> list[Figure]:
    """Every dispute figure of DOMAIN.md §4 for `year`, for the district or one town."""
    return (
        _case_figures(year, town)
        + _bargaining_figures(year, town)
        + _instructor_figures(year, town)
        + _inspection_figures(year, town)
    )
