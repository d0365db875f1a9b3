"""The dispute figures of the annual summary (DOMAIN.md §4), each a query over the records.

Four SQL statements whatever the data size and the number of towns, for `figures` (the district or one town) as
for `figures_by_town` (every town at once, the same statements grouped by town): one conditional aggregate over
cases, one over the bargaining census, one over instructors, one counting inspected unions. `through` cuts the
year at a day (the same statements); the bargaining census is a year's rows and counts whole. Each figure carries
its definition (口径): what is counted, by which date, from which records; `describe` gives it without SQL.

`cases_by_month` (one statement) gives the cases received and closed in each month, for the summary's chart;
`years_with_records` (four cheap statements) the years any figure has something to count.
"""

import calendar
import datetime
import functools
import operator
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Min, Q, Sum
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from union_portal.figures import (
    BY_TOWN,
    YUAN,
    Figure,
    every_town,
    figure_table,
    list_url,
    merged_by_town,
    naming,
    totals,
    year_end,
    year_range,
)

from .models import (
    BargainingInstructor,
    BargainingYear,
    Case,
    DossierKind,
    HandlingBody,
    InstructorLevel,
    Outcome,
    SupervisionInspection,
    legal_aid_approved,
    local_today,
    roster_day,
    unions_inspected_in,
)

# Workers are counted as people (涉及职工3000余人): the unit is 人, the label says whom.
PEOPLE = pgettext_lazy("figure unit", "people")
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
    "%(level)s bargaining instructors in post on the last day of the year (for a year counted up to a day, such as "
    "the year in progress or the same period of the year before: that day). Instructors serving the whole district "
    "count for the district and in no town's row."
)
UNIONS = _(
    "Secondary unions covered by joint supervision inspections in the year, each counted once however often "
    "it was inspected. A union counts in the town of its enterprise, whichever town's inspection covered it, "
    "so the towns add up to the district."
)


def _instructors(level):
    return INSTRUCTORS % {"level": InstructorLevel(level).label}


# Read in the language of the moment it is shown, like the other definitions.
_instructors_definition = lazy(_instructors, str)

SHARE_KEY = "model_enterprise_share"

# Every figure in the order of DOMAIN.md §4: key -> (label, unit, definition). The share's unit is per cent.
FIGURES = {
    "cases_received": (_("labour dispute cases received"), _("cases"), RECEIVED),
    "cases_mediated": (_("cases mediated successfully by the district centre"), _("cases"), MEDIATED),
    "mediated_amount": (_("amount involved in successfully mediated cases"), YUAN, MEDIATED_AMOUNT),
    "collective_incidents": (_("collective incidents resolved"), _("incidents"), COLLECTIVE),
    "collective_workers": (_("workers involved in collective incidents resolved"), PEOPLE, WORKERS),
    "legal_aid_cases": (_("legal aid cases accepted"), _("cases"), LEGAL_AID),
    "legal_aid_amount": (_("amount involved in legal aid cases"), YUAN, LEGAL_AID_AMOUNT),
    "formal_dossiers": (_("formal dossiers reported"), _("dossiers"), FORMAL),
    "formal_dossier_workers": (_("workers in formal dossiers"), PEOPLE, FORMAL_WORKERS),
    "formal_dossier_recovered": (_("amount recovered in formal dossiers"), YUAN, FORMAL_RECOVERED),
    "simple_dossiers": (_("simple dossiers reported"), _("dossiers"), SIMPLE),
    "simple_dossier_workers": (_("workers in simple dossiers"), PEOPLE, SIMPLE_WORKERS),
    "simple_dossier_recovered": (_("amount recovered in simple dossiers"), YUAN, SIMPLE_RECOVERED),
    "large_enterprises": (_("enterprises with 100+ employees"), _("enterprises"), LARGE),
    "model_enterprises": (_("of them meeting the model-enterprise standard"), _("enterprises"), MODEL),
    SHARE_KEY: (_("share of model enterprises"), "%", SHARE),
    "city_instructors": (
        _("city-level bargaining instructors"),
        _("people"),
        _instructors_definition(InstructorLevel.CITY),
    ),
    "district_instructors": (
        _("district-level bargaining instructors"),
        _("people"),
        _instructors_definition(InstructorLevel.DISTRICT),
    ),
    "unions_inspected": (_("secondary unions covered by joint inspection"), _("unions"), UNIONS),
}


def describe(key: str):
    """A figure's (label, definition), without SQL; None for a key that is not a dispute figure."""
    row = FIGURES.get(key)
    return (row[0], row[2]) if row else None


# What each figure counts, as conditions on cases (the case list's filters say the same) -----------


def cases_received(year, through=None):
    """Cases received in the year (by received date, cut at `through`), every handling body."""
    return Q(**year_range("received_on", year, through))


def cases_mediated(year, through=None):
    """Cases the district mediation centre closed with a mediation agreement in the year (by closing date)."""
    return Q(handling_body=HandlingBody.CENTRE, outcome=Outcome.AGREEMENT, **year_range("closed_on", year, through))


def collective_incidents(year, through=None):
    """Collective incidents resolved in the year: closed with a mediation agreement (the report's 妥善化解)."""
    return Q(is_collective=True, outcome=Outcome.AGREEMENT, **year_range("closed_on", year, through))


def legal_aid_cases(year, through=None):
    """Legal-aid applications approved (accepted) in the year; pending and refused ones are not cases."""
    return legal_aid_approved() & Q(**year_range("accepted_on", year, through))


def dossiers(year, kind, through=None):
    """Town-union cases archived in the year as dossiers of `kind` (formal or simple): what the towns report upward.

    The centre and the legal-aid desk archive their cases with a dossier kind too; those are not town dossiers.
    """
    return Q(handling_body=HandlingBody.TOWN_UNION, dossier_kind=kind, **year_range("archived_on", year, through))


# The aggregates: each takes `town` None (the district), a town, or BY_TOWN (grouped: {town id: values}) -----


def _in_year(year, through) -> Q:
    """Cases some figure of the year can count: each figure's condition holds a year range on one of these dates, so
    only these rows are read (by the dates' indexes) rather than every case of every year."""
    fields = ("received_on", "closed_on", "accepted_on", "archived_on")
    return functools.reduce(operator.or_, (Q(**year_range(field, year, through)) for field in fields))


def _case_totals(year, town, through):
    mediated, collective = cases_mediated(year, through), collective_incidents(year, through)
    legal_aid = legal_aid_cases(year, through)
    formal, simple = dossiers(year, DossierKind.FORMAL, through), dossiers(year, DossierKind.SIMPLE, through)
    return totals(
        Case.objects.filter(_in_year(year, through)),
        town,
        cases_received=Count("pk", filter=cases_received(year, through)),
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


def _census_totals(year, town):
    """Large enterprises are those in the year's bargaining census (100+ employees that year): a year's rows,
    which a cut of the year does not change."""
    return totals(
        BargainingYear.objects.filter(year=year),
        town,
        large_enterprises=Count("pk"),
        model_enterprises=Count("pk", filter=Q(meets_model_standard=True)),
    )


def _roster_totals(year, town, through):
    """The roster in post at the year's end (today for the year in progress, `through` for a cut year), as the
    report's 目前已有…7人. A town's row counts that town's instructors only: those serving the whole district have
    no town (BY_TOWN: the entry None)."""
    return totals(
        BargainingInstructor.objects.in_post_on(roster_day(year, through)),
        town,
        city_instructors=Count("pk", filter=Q(level=InstructorLevel.CITY)),
        district_instructors=Count("pk", filter=Q(level=InstructorLevel.DISTRICT)),
    )


def _union_totals(year, town, through):
    """Secondary unions covered by joint supervision inspections in the year, each once, in its enterprise's town
    (an enterprise has one town: grouped by it, each union still counts once)."""
    return totals(unions_inspected_in(year, through), town, lookup="town", unions_inspected=Count("pk"))


def _values(year, town, through) -> dict:
    """{figure key: value} of the district or a town; for BY_TOWN {town id or None: {figure key: value}}."""
    parts = (
        _case_totals(year, town, through),
        _census_totals(year, town),
        _roster_totals(year, town, through),
        _union_totals(year, town, through),
    )
    if town is BY_TOWN:
        return merged_by_town(*parts)
    return {key: value for part in parts for key, value in part.items()}


def _urls(year, town, through) -> dict:
    """{figure key: the list of the records behind it}; `town` a town, its id, or None (the district's lists)."""

    def cases(**params):
        return list_url(CASES, town=town, **params, through=through)

    mediated = cases(handling_body=HandlingBody.CENTRE, outcome=Outcome.AGREEMENT, closed_year=year)
    collective = cases(collective="1", outcome=Outcome.AGREEMENT, closed_year=year)
    legal_aid = cases(handling_body=HandlingBody.LEGAL_AID, approved="1", accepted_year=year)
    formal = cases(handling_body=HandlingBody.TOWN_UNION, dossier_kind=DossierKind.FORMAL, archived_year=year)
    simple = cases(handling_body=HandlingBody.TOWN_UNION, dossier_kind=DossierKind.SIMPLE, archived_year=year)
    census = list_url("disputes:bargaining_census", year=year, town=town)  # a year's rows: never cut
    model = list_url("disputes:bargaining_census", year=year, town=town, model="1")

    def roster(level):
        return list_url("disputes:instructor_list", year=year, town=town, level=level, through=through)

    return {
        "cases_received": cases(year=year),
        "cases_mediated": mediated,
        "mediated_amount": mediated,
        "collective_incidents": collective,
        "collective_workers": collective,
        "legal_aid_cases": legal_aid,
        "legal_aid_amount": legal_aid,
        "formal_dossiers": formal,
        "formal_dossier_workers": formal,
        "formal_dossier_recovered": formal,
        "simple_dossiers": simple,
        "simple_dossier_workers": simple,
        "simple_dossier_recovered": simple,
        "large_enterprises": census,
        "model_enterprises": model,
        SHARE_KEY: model,
        "city_instructors": roster(InstructorLevel.CITY),
        "district_instructors": roster(InstructorLevel.DISTRICT),
        "unions_inspected": list_url("disputes:inspected_union_list", year=year, town=town, through=through),
    }


def model_share(model: int, large: int) -> Decimal:
    """Model enterprises as a per cent of large enterprises, two places (71 of 88: 80.68)."""
    if not large:
        return ZERO
    return (Decimal(model) * 100 / Decimal(large)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _figures(year, town, values: dict, through) -> list[Figure]:
    """The Figures of the district or one town (a town or its id) from its values; the share from its own counts."""
    urls = _urls(year, town, through)
    rows = [(key, label, unit, urls[key], definition) for key, (label, unit, definition) in FIGURES.items()]
    shown = {figure.key: figure for figure in figure_table([row for row in rows if row[0] != SHARE_KEY], values)}
    label, unit, definition = FIGURES[SHARE_KEY]
    share = model_share(values.get("model_enterprises") or 0, values.get("large_enterprises") or 0)
    shown[SHARE_KEY] = Figure(SHARE_KEY, str(label), share, unit, naming(urls[SHARE_KEY], SHARE_KEY), str(definition))
    return [shown[key] for key in FIGURES]


def figures(year: int, town=None, *, through: datetime.date | None = None) -> list[Figure]:
    """Every dispute figure of DOMAIN.md §4 for `year` (cut at `through`, a day of it), for the district or one
    town: four statements."""
    return _figures(year, town, _values(year, town, through), through)


def figures_by_town(year: int, town_ids: list[int], *, through: datetime.date | None = None) -> dict:
    """{town id: [Figure]} for each of `town_ids` (towns without records: zeros), and None: what the records of no
    town count (district-wide instructors; its links are the district's lists). The same four statements as
    `figures`, grouped by town, whatever the number of towns."""
    values = every_town(_values(year, BY_TOWN, through), town_ids)
    return {town_id: _figures(year, town_id, town_values, through) for town_id, town_values in values.items()}


# The summary's chart and year selector ----------------------------------------------------------


def cases_by_month(year: int, town=None, *, through: datetime.date | None = None) -> list[dict]:
    """The cases received (by received date, every handling body, as `cases_received`) and closed (by closing
    date, any outcome) in each month of `year`, cut at `through`: 12 dicts {"month", "received", "closed",
    "received_url", "closed_url"} (months after `through`: zeros), in one statement; the received add up to
    `cases_received`. Each URL is the case list of exactly those cases."""
    end = year_end(year, through)
    spans = {}
    for month in range(1, 13):
        first = datetime.date(year, month, 1)
        last = datetime.date(year, month, calendar.monthrange(year, month)[1])
        spans[month] = (first, min(last, end), last > end)  # the month's days counted, and whether it is cut
    counted = {month: span for month, span in spans.items() if span[0] <= span[1]}
    aggregates = {}
    for month, (first, last, _cut) in counted.items():
        aggregates[f"received_{month}"] = Count("pk", filter=Q(received_on__range=(first, last)))
        aggregates[f"closed_{month}"] = Count("pk", filter=Q(closed_on__range=(first, last)))
    counts = {}
    if aggregates:
        in_year = Q(**year_range("received_on", year, through)) | Q(**year_range("closed_on", year, through))
        counts = Case.objects.in_town(town).filter(in_year).aggregate(**aggregates)
    rows = []
    for month, (_first, _last, cut) in spans.items():
        shown = f"{year}-{month:02d}"
        day = through if cut else None
        rows.append(
            {
                "month": month,
                "received": counts.get(f"received_{month}") or 0,
                "closed": counts.get(f"closed_{month}") or 0,
                "received_url": list_url(CASES, town=town, received_month=shown, through=day),
                "closed_url": list_url(CASES, town=town, closed_month=shown, through=day),
            }
        )
    return rows


def _years(first, last) -> set[int]:
    return set(range(first.year, last.year + 1)) if first and last else set()


def years_with_records() -> set[int]:
    """The years some dispute figure has something to count, from the first to the last dated record of each
    table (cases, census, instructors' terms, inspections covering unions): four one-row aggregates."""
    cases = Case.objects.aggregate(
        first=Min("received_on"),
        last_received=Max("received_on"),
        last_accepted=Max("accepted_on"),
        last_closed=Max("closed_on"),
        last_archived=Max("archived_on"),
    )  # accepted, closed and archived dates come after the received date (the table's constraints)
    last_case = max((day for key, day in cases.items() if key != "first" and day), default=None)
    years = _years(cases["first"], last_case)
    census = BargainingYear.objects.aggregate(first=Min("year"), last=Max("year"))
    if census["first"] is not None:
        years |= set(range(census["first"], census["last"] + 1))
    roster = BargainingInstructor.objects.aggregate(
        first=Min("appointed_on"),
        last_appointed=Max("appointed_on"),
        last_left=Max("left_on"),
        serving=Count("pk", filter=Q(left_on__isnull=True)),
    )
    if roster["first"]:
        # An instructor counts every year from appointment to leaving; one still in post, every year to this one.
        ends = [roster["last_appointed"], roster["last_left"], local_today() if roster["serving"] else None]
        years |= _years(roster["first"], max(day for day in ends if day))
    covered = SupervisionInspection.unions_covered.through.objects.aggregate(
        first=Min("supervisioninspection__date"), last=Max("supervisioninspection__date")
    )
    return years | _years(covered["first"], covered["last"])
