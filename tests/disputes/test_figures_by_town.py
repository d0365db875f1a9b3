"""Issue 8: the dispute figures of every town at once (`figures_by_town`), cut at a day (`through`), the years
with records, the definitions without SQL, the lists that head themselves with their figure, and the cases per
month of the summary's chart. Random records in several towns, some of them (instructors) of no town."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from disputes import figures as dispute_figures
from disputes.figures import FIGURES, cases_by_month, describe, figures, figures_by_town, years_with_records
from disputes.models import (
    BargainingInstructor,
    BargainingYear,
    Case,
    DossierKind,
    HandlingBody,
    InstructorLevel,
    Outcome,
    Status,
    SupervisionInspection,
)
from tests.disputes.factories import CaseFactory
from tests.factories import EnterpriseFactory, TownFactory
from union_portal.models import Town

D = datetime.date
YEAR = 2018
THROUGH = D(YEAR, 6, 30)
SHARE = "model_enterprise_share"
# Figures that sum a field of the cases their list shows; the others but the share count the listed rows.
SUMMED = {
    "mediated_amount": "amount_claimed",
    "collective_workers": "headcount",
    "legal_aid_amount": "amount_claimed",
    "formal_dossier_workers": "headcount",
    "formal_dossier_recovered": "amount_recovered",
    "simple_dossier_workers": "headcount",
    "simple_dossier_recovered": "amount_recovered",
}


def a_day(rng, year):
    return D(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def later(rng, day, most):
    return day + datetime.timedelta(days=rng.randrange(most))


def make_case(rng, town, employer):
    """A case of any handling body, received in the year before, the year or the year after, in any state."""
    received = a_day(rng, rng.choice([YEAR - 1, YEAR, YEAR, YEAR, YEAR + 1]))
    body = rng.choice(list(HandlingBody))
    headcount = rng.choice([1, 2, 3, 12, 40])
    fields = {
        "town": town,
        "employer": employer,
        "handling_body": body,
        "received_on": received,
        "amount_claimed": Decimal(rng.randrange(1000, 90000)),
        "headcount": headcount,
        "is_collective": headcount >= 10 and rng.random() < 0.6,
        "workers": [],
    }
    if body == HandlingBody.LEGAL_AID:
        state = rng.choice(["applied", "refused", "approved", "closed"])
        if state == "refused":
            fields.update(status=Status.REFUSED, outcome=Outcome.REFUSED, closed_on=later(rng, received, 20))
        elif state != "applied":
            fields.update(status=Status.APPROVED, accepted_on=later(rng, received, 20))
            if state == "closed":
                fields.update(status=Status.CLOSED, outcome=Outcome.AWARD, closed_on=later(rng, received, 90))
        else:
            fields.update(status=Status.APPLIED)
        return CaseFactory(**fields)
    if rng.random() < 0.75:
        closed = later(rng, received, 90)
        outcome = rng.choice([Outcome.AGREEMENT, Outcome.AGREEMENT, Outcome.REFERRED, Outcome.WITHDRAWN])
        fields.update(
            status=Status.CLOSED, outcome=outcome, closed_on=closed, amount_recovered=Decimal(rng.randrange(0, 50000))
        )
        if rng.random() < 0.6:
            fields.update(
                status=Status.ARCHIVED,
                archived_on=later(rng, closed, 40),
                dossier_kind=rng.choice(list(DossierKind)),
            )
    return CaseFactory(**fields)


def records(rng, towns, cases):
    """`cases` cases spread over `towns`, with the census, instructors (some of no town) and inspections."""
    employers = {town.pk: [EnterpriseFactory(town=town, headcount=150) for _ in range(3)] for town in towns}
    everyone = [employer for rows in employers.values() for employer in rows]
    for _ in range(cases):
        town = rng.choice(towns)
        make_case(rng, town, rng.choice(employers[town.pk]))
    for employer in everyone:
        for year in (YEAR - 1, YEAR):
            if rng.random() < 0.7:
                BargainingYear.objects.create(
                    enterprise=employer, year=year, employees=150, meets_model_standard=rng.random() < 0.6
                )
    for n in range(max(4, cases // 5)):
        appointed = a_day(rng, rng.choice([YEAR - 2, YEAR - 1, YEAR]))
        left = later(rng, appointed, 500) if rng.random() < 0.4 else None
        BargainingInstructor.objects.create(
            name=f"指导员{n}",
            level=rng.choice(list(InstructorLevel)),
            town=rng.choice([*towns, None]),
            appointed_on=appointed,
            left_on=left,
        )
    for _ in range(max(3, cases // 8)):
        inspection = SupervisionInspection.objects.create(
            town=rng.choice(towns), date=a_day(rng, rng.choice([YEAR - 1, YEAR]))
        )
        inspection.unions_covered.set(rng.sample(everyone, 3))


@pytest.fixture
def towns(district):
    return [TownFactory(district=district) for _ in range(12)]


@pytest.fixture
def spread(towns):
    """Random records in the first four towns; the fifth town has none."""
    records(random.Random(8), towns[:4], 80)
    return towns[:5]


def keyed(rows):
    return {figure.key: figure for figure in rows}


# figures_by_town --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("through", [None, THROUGH])
def test_every_towns_figures_are_that_towns_figures(spread, through):
    ids = [town.pk for town in spread]
    by_town = figures_by_town(YEAR, ids, through=through)
    assert set(by_town) == {*ids, None}
    for town_id in ids:
        assert by_town[town_id] == figures(YEAR, Town(pk=town_id), through=through), town_id
    assert any(figure.value for figure in by_town[ids[0]])  # the data counts something
    assert all(figure.value == 0 for figure in by_town[ids[4]])  # a town without records: its zeros
    assert [figure.key for figure in by_town[ids[4]]] == list(FIGURES)


@pytest.mark.django_db
def test_the_towns_and_no_town_add_up_to_the_district_and_no_town_holds_the_district_wide_instructors(spread):
    by_town = {town_id: keyed(rows) for town_id, rows in figures_by_town(YEAR, [t.pk for t in spread]).items()}
    district = keyed(figures(YEAR))
    for key, figure in district.items():
        if key != SHARE:
            assert sum(row[key].value for row in by_town.values()) == figure.value, key
    townless = BargainingInstructor.objects.filter(town=None).in_post_on(D(YEAR, 12, 31))
    assert by_town[None]["city_instructors"].value == townless.filter(level=InstructorLevel.CITY).count()
    assert by_town[None]["district_instructors"].value == townless.filter(level=InstructorLevel.DISTRICT).count()
    assert by_town[None]["cases_received"].value == 0  # every case has a town


@pytest.mark.django_db
def test_each_towns_share_is_computed_from_its_own_counts(spread):
    for town_id, rows in figures_by_town(YEAR, [t.pk for t in spread]).items():
        shown = keyed(rows)
        census = BargainingYear.objects.filter(year=YEAR, enterprise__town_id=town_id)  # None: none, all have a town
        expected = dispute_figures.model_share(census.filter(meets_model_standard=True).count(), census.count())
        assert shown[SHARE].value == expected, town_id


def statements(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.mark.django_db
def test_the_statements_are_the_same_for_2_and_12_towns_and_for_small_and_larger_data(towns):
    ids = [town.pk for town in towns]
    records(random.Random(1), towns[:2], 5)
    small = [statements(lambda n=n: figures_by_town(YEAR, ids[:n], through=THROUGH)) for n in (2, 12)]
    records(random.Random(2), towns, 120)
    larger = [statements(lambda n=n: figures_by_town(YEAR, ids[:n])) for n in (2, 12)]
    assert small == larger == [4, 4]
    assert statements(lambda: figures(YEAR, towns[0], through=THROUGH)) == 4


# through ------------------------------------------------------------------------------------------------


def in_cut(day, through=THROUGH):
    return day is not None and D(YEAR, 1, 1) <= day <= through


@pytest.mark.django_db
def test_a_year_cut_at_a_day_counts_what_is_dated_up_to_it_and_the_roster_of_that_day(spread):
    town = spread[1]
    for place in (None, town):
        shown = keyed(figures(YEAR, place, through=THROUGH))
        cases = [case for case in Case.objects.all() if place is None or case.town_id == place.pk]
        mediated = [
            case
            for case in cases
            if case.handling_body == HandlingBody.CENTRE
            and case.outcome == Outcome.AGREEMENT
            and in_cut(case.closed_on)
        ]
        roster = [
            person
            for person in BargainingInstructor.objects.all()
            if (place is None or person.town_id == place.pk)
            and person.appointed_on <= THROUGH
            and (person.left_on is None or person.left_on >= THROUGH)
        ]
        unions = {
            union.pk
            for inspection in SupervisionInspection.objects.prefetch_related("unions_covered")
            if in_cut(inspection.date)
            for union in inspection.unions_covered.all()
            if place is None or union.town_id == place.pk
        }
        assert shown["cases_received"].value == sum(in_cut(case.received_on) for case in cases)
        assert shown["cases_mediated"].value == len(mediated)
        assert shown["mediated_amount"].value == sum((case.amount_claimed for case in mediated), Decimal("0.00"))
        assert shown["city_instructors"].value == sum(p.level == InstructorLevel.CITY for p in roster)
        assert shown["unions_inspected"].value == len(unions)
        whole = keyed(figures(YEAR, place))
        assert shown["cases_received"].value < whole["cases_received"].value  # the cut leaves some out
        assert shown["large_enterprises"].value == whole["large_enterprises"].value  # a year's rows count whole


@pytest.mark.django_db
def test_the_31st_of_december_cuts_nothing(spread):
    assert figures(YEAR, spread[0], through=D(YEAR, 12, 31))[0].value == figures(YEAR, spread[0])[0].value
    whole = [(figure.key, figure.value) for figure in figures(YEAR)]
    assert [(figure.key, figure.value) for figure in figures(YEAR, through=D(YEAR, 12, 31))] == whole


def listed(client, figure):
    """What the figure's list shows: its row count, or the sum of the figure's field over its rows."""
    response = client.get(figure.url)
    assert response.status_code == 200, figure.key
    if figure.key in SUMMED:
        return response.context["filter"].qs.aggregate(total=Sum(SUMMED[figure.key]))["total"] or 0
    return response.context["paginator"].count


@pytest.mark.django_db
def test_the_lists_of_a_cut_year_hold_what_its_figures_count(spread, client_for, district_staff):
    client = client_for(district_staff)
    for place in (None, spread[2]):
        shown = keyed(figures(YEAR, place, through=THROUGH))
        for key, figure in shown.items():
            if key != SHARE:
                assert listed(client, figure) == figure.value, (key, place)


# years_with_records ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_years_with_records_span_each_tables_dated_records(town_a, clock):
    clock("2024-05-01 10:00")
    assert statements(years_with_records) <= 4
    assert years_with_records() == set()
    employer = EnterpriseFactory(town=town_a, headcount=150)
    CaseFactory(town=town_a, employer=employer, received_on=D(2016, 12, 20), workers=[])
    Case.objects.update(status=Status.CLOSED, outcome=Outcome.AGREEMENT, closed_on=D(2017, 1, 5))
    BargainingYear.objects.create(enterprise=employer, year=2019, employees=150)
    BargainingInstructor.objects.create(name="甲", level="city", appointed_on=D(2011, 3, 1), left_on=D(2012, 2, 1))
    SupervisionInspection.objects.create(town=town_a, date=D(2008, 5, 1))  # covered no union: counts nothing
    SupervisionInspection.objects.create(town=town_a, date=D(2009, 5, 1)).unions_covered.set([employer])
    assert years_with_records() == {2009, 2011, 2012, 2016, 2017, 2019}
    # Still in post: the instructors' roster counts someone every year from the first appointment to this one.
    BargainingInstructor.objects.create(name="乙", level="city", appointed_on=D(2021, 3, 1))
    assert years_with_records() == {2009, *range(2011, 2025)}
    assert statements(years_with_records) <= 4


# describe ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_describe_gives_each_figures_label_and_definition_without_sql(spread):
    shown = figures(YEAR)
    with CaptureQueriesContext(connection) as queries:
        described = {figure.key: describe(figure.key) for figure in shown}
        unknown = describe("no_such_figure")
    assert len(queries) == 0
    assert unknown is None
    for figure in shown:
        label, definition = described[figure.key]
        assert (str(label), str(definition)) == (figure.label, figure.definition), figure.key


# The lists head themselves with their figure ------------------------------------------------------


@pytest.mark.django_db
def test_a_figures_list_heads_itself_with_the_figure_and_still_holds_it(spread, client_for, district_staff):
    client = client_for(district_staff)
    for place in (None, spread[0]):
        shown = keyed(figures(YEAR, place))
        for key, figure in shown.items():
            assert f"figure={key}" in figure.url
            response = client.get(figure.url)
            page = response.content.decode()
            assert 'data-testid="figure-heading"' in page, key
            assert escape(figure.label) in page and escape(figure.definition) in page, key
            assert not response.context["filter"].form.errors, key
            if key == SHARE:
                counts = listed(client, shown["model_enterprises"]), listed(client, shown["large_enterprises"])
                assert figure.value == dispute_figures.model_share(*counts)
            else:
                assert listed(client, figure) == figure.value, (key, place)


@pytest.mark.django_db
def test_a_list_opened_without_a_known_figure_has_no_heading(spread, client_for, district_staff):
    client = client_for(district_staff)
    url = keyed(figures(YEAR))["cases_received"].url
    plain = client.get(url.replace("figure=cases_received", "figure=unknown"))
    assert 'data-testid="figure-heading"' not in plain.content.decode()
    assert plain.context["paginator"].count == keyed(figures(YEAR))["cases_received"].value


# cases_by_month ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("through", [None, D(YEAR, 8, 14)])
def test_cases_by_month_add_up_and_each_month_links_to_its_cases(spread, client_for, district_staff, through):
    client = client_for(district_staff)
    for place in (None, spread[3]):
        with CaptureQueriesContext(connection) as queries:
            months = cases_by_month(YEAR, place, through=through)
        assert len(queries) == 1
        assert [row["month"] for row in months] == list(range(1, 13))
        received = keyed(figures(YEAR, place, through=through))["cases_received"].value
        assert sum(row["received"] for row in months) == received > 0
        cases = Case.objects.in_town(place)
        end = through or D(YEAR, 12, 31)
        closed = cases.filter(closed_on__gte=D(YEAR, 1, 1), closed_on__lte=end).count()
        assert sum(row["closed"] for row in months) == closed > 0
        for row in months:
            for kind in ("received", "closed"):
                response = client.get(row[f"{kind}_url"])
                assert response.context["paginator"].count == row[kind], (kind, row["month"], place)
                if place is not None:
                    assert f"town={place.pk}" in row[f"{kind}_url"]
        if through:
            assert all(row["received"] == row["closed"] == 0 for row in months[through.month :])
            assert sum(row["received"] for row in months[: through.month]) == received
