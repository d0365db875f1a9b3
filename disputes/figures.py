"""The dispute figures of the annual summary (DOMAIN.md §4), each a query over the records.

Four SQL statements whatever the data size: one conditional aggregate over cases, one over
the bargaining census, one over instructors, one counting inspected unions. Each figure carries its
definition (口径): what is counted, by which date, from which records.
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
    legal_aid_approved,
    roster_day,
    unions_inspected_in,
)

CASES = "disputes:case_list"
ZERO = Decimal("0.00")

# The definitions (口径) shown beside each figure and heading its list: what is counted, by which date.
RECEIVED = _(
    "Labour dispute cases received in the year, by the date received, whoever handles them: the district "
    "mediation centre, the town unions and the legal-aid desk."
)
MEDIATED = _(
    "Cases of the district mediation centre closed with a mediation agreement in the year, by the date of the "
    "agreement. Town unions' agreements are not counted here."
)
MEDIATED_AMOUNT = _(
    "The amounts involved (as claimed) in the cases the district mediation centre closed with a mediation "
    "agreement in the year."
)
COLLECTIVE = _(
    "Collective incidents (a case marked collective, 10 or more workers) resolved in the year: closed with a "
    "mediation agreement, by the date of the agreement. An incident received in one year and resolved in the "
    "next counts in the next."
)
WORKERS = _("The workers involved in the collective incidents resolved in the year.")
LEGAL_AID = _(
    "Legal-aid applications approved in the year, by the date of approval (acceptance). Applications still "
    "pending or refused are not counted."
)
LEGAL_AID_AMOUNT = _("The amounts involved (as claimed) in the legal-aid applications approved in the year.")
FORMAL = _(
    "Town unions' cases archived in the year as formal dossiers, by the date archived: what the towns report "
    "upward. Dossiers of the district centre and the legal-aid desk are not counted."
)
FORMAL_WORKERS = _("The workers involved in the town unions' formal dossiers archived in the year.")
FORMAL_RECOVERED = _("The amounts recovered for the workers in the town unions' formal dossiers archived in the year.")
SIMPLE = _(
    "Town unions' cases archived in the year as simple dossiers, by the date archived: what the towns report "
    "upward. Dossiers of the district centre and the legal-aid desk are not counted."
)
SIMPLE_WORKERS = _("The workers involved in the town unions' simple dossiers archived in the year.")
SIMPLE_RECOVERED = _("The amounts recovered for the workers in the town unions' simple dossiers archived in the year.")
LARGE = _("Enterprises in the year's bargaining census: those with 100 or more employees that year.")
MODEL = _(
    "Enterprises of the year's bargaining census that meet the model-enterprise standard of collective bargaining."
)
SHARE = _("Model enterprises as a per cent of the enterprises in the year's bargaining census, to two decimals.")
INSTRUCTORS = _(
    "%(level)s bargaining instructors in post on the last day of the year (for the year in progress: today). "
    "Instructors serving the whole district count for the district and in no town's row."
)
UNIONS = _(
    "Secondary unions covered by joint supervision inspections in the year, each counted once however often "
    "it was inspected. A union counts in the town of its enterprise, whichever town's inspection covered it, "
    "so the towns add up to the district."
)


def cases_received(year):
    """Cases received in the year (by received date), every handling body."""
    return Q(received_on__year=year)


def cases_mediated(year):
    """Cases the district mediation centre closed with a mediation agreement in the year (by closing date)."""
    return Q(handling_body=HandlingBody.CENTRE, outcome=Outcome.AGREEMENT, closed_on__year=year)


def collective_incidents(year):
    """Collective incidents resolved in the year: closed with a mediation agreement (the report's 妥善化解)."""
    return Q(is_collective=True, outcome=Outcome.AGREEMENT, closed_on__year=year)


def legal_aid_cases(year):
    """Legal-aid applications approved (accepted) in the year; pending and refused ones are not cases."""
    return legal_aid_approved() & Q(accepted_on__year=year)


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
    collective_url = url(collective="1", outcome=Outcome.AGREEMENT, closed_year=year)
    legal_aid_url = url(handling_body=HandlingBody.LEGAL_AID, approved="1", accepted_year=year)
    formal_url = url(handling_body=HandlingBody.TOWN_UNION, dossier_kind=DossierKind.FORMAL, archived_year=year)
    simple_url = url(handling_body=HandlingBody.TOWN_UNION, dossier_kind=DossierKind.SIMPLE, archived_year=year)
    rows = [
        ("cases_received", _("labour dispute cases received"), _("cases"), received, RECEIVED),
        ("cases_mediated", _("cases mediated successfully by the district centre"), _("cases"), mediated_url, MEDIATED),
        ("mediated_amount", _("amount involved in successfully mediated cases"), YUAN, mediated_url, MEDIATED_AMOUNT),
        ("collective_incidents", _("collective incidents resolved"), _("incidents"), collective_url, COLLECTIVE),
        (
            "collective_workers",
            _("workers involved in collective incidents resolved"),
            _("workers"),
            collective_url,
            WORKERS,
        ),
        ("legal_aid_cases", _("legal aid cases accepted"), _("cases"), legal_aid_url, LEGAL_AID),
        ("legal_aid_amount", _("amount involved in legal aid cases"), YUAN, legal_aid_url, LEGAL_AID_AMOUNT),
        ("formal_dossiers", _("formal dossiers reported"), _("dossiers"), formal_url, FORMAL),
        ("formal_dossier_workers", _("workers in formal dossiers"), _("workers"), formal_url, FORMAL_WORKERS),
        ("formal_dossier_recovered", _("amount recovered in formal dossiers"), YUAN, formal_url, FORMAL_RECOVERED),
        ("simple_dossiers", _("simple dossiers reported"), _("dossiers"), simple_url, SIMPLE),
        ("simple_dossier_workers", _("workers in simple dossiers"), _("workers"), simple_url, SIMPLE_WORKERS),
        ("simple_dossier_recovered", _("amount recovered in simple dossiers"), YUAN, simple_url, SIMPLE_RECOVERED),
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
        count_figure(
            "large_enterprises", _("enterprises with 100+ employees"), totals["large"], _("enterprises"), url, LARGE
        ),
        count_figure(
            "model_enterprises",
            _("of them meeting the model-enterprise standard"),
            totals["model"],
            _("enterprises"),
            model_url,
            MODEL,
        ),
        Figure(  # a share, not a count: two places of per cent
            "model_enterprise_share",
            str(_("share of model enterprises")),
            model_share(totals["model"], totals["large"]),
            "%",
            model_url,
            str(SHARE),
        ),
    ]


def _instructor_figures(year, town):
    """The roster in post at the year's end (today for the year in progress), as the report's 目前已有…7人.

    A town's row counts that town's instructors only: those serving the whole district have no town.
    """
    instructors = BargainingInstructor.objects.in_post_on(roster_day(year))
    if town is not None:
        instructors = instructors.filter(town=town)
    totals = instructors.aggregate(
        city=Count("pk", filter=Q(level=InstructorLevel.CITY)),
        district=Count("pk", filter=Q(level=InstructorLevel.DISTRICT)),
    )

    def figure(key, label, level):
        url = list_url("disputes:instructor_list", year=year, town=town, level=level)
        definition = INSTRUCTORS % {"level": InstructorLevel(level).label}
        return count_figure(key, label, totals[level], _("people"), url, definition)

    return [
        figure("city_instructors", _("city-level bargaining instructors"), InstructorLevel.CITY),
        figure("district_instructors", _("district-level bargaining instructors"), InstructorLevel.DISTRICT),
    ]


def _inspection_figures(year, town):
    """Secondary unions covered by joint supervision inspections in the year, each once, in its enterprise's town."""
    unions = unions_inspected_in(year)
    if town is not None:
        unions = unions.filter(town=town)
    return [
        count_figure(
            "unions_inspected",
            _("secondary unions covered by joint inspection"),
            unions.count(),
            _("unions"),
            list_url("disputes:inspected_union_list", year=year, town=town),
            UNIONS,
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
