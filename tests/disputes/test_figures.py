"""The dispute figures: the 2018 demo gives the report's numbers, every other year its plan's, in a bounded number of
statements."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes import demo
from disputes.figures import figures
from disputes.models import Case, InstructorLevel
from tests.conftest import ensure_reference_rows
from union_portal import demo as core_demo
from union_portal.models import Town

REPORT_2018 = {
    "cases_received": 2772,
    "cases_mediated": 562,
    "mediated_amount": Decimal("17305500.00"),
    "collective_incidents": 1,
    "collective_workers": 3126,
    "legal_aid_cases": 122,
    "legal_aid_amount": Decimal("17110700.00"),
    "formal_dossiers": 35,
    "formal_dossier_workers": 95,
    "formal_dossier_recovered": Decimal("1398500.00"),
    "simple_dossiers": 192,
    "simple_dossier_workers": 443,
    "simple_dossier_recovered": Decimal("3302700.00"),
    "large_enterprises": 88,
    "model_enterprises": 71,
    "model_enterprise_share": Decimal("80.68"),
    "city_instructors": 7,
    "district_instructors": 11,
    "unions_inspected": 12,
}


class Quiet:
    def write(self, text):
        pass


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The demo district with its disputes, loaded once for this module (and removed after)."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_rows()  # a transactional test before this module may have flushed them
        district = core_demo.load_district()
        demo.load(district, Quiet())
        yield district
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_db, db):
    return demo_db


def test_2018_figures_equal_the_annual_report(loaded):
    values = {figure.key: figure.value for figure in figures(2018)}
    assert values == REPORT_2018
    assert values["collective_workers"] >= 3000


COUNTED_BY_ROWS = {
    "cases_received",
    "cases_mediated",
    "collective_incidents",
    "legal_aid_cases",
    "formal_dossiers",
    "simple_dossiers",
    "large_enterprises",
    "model_enterprises",
    "city_instructors",
    "district_instructors",
}


def test_every_figure_links_to_the_records_behind_it(loaded, client_for, district_staff):
    """A count is the number of rows its list shows; every other figure opens a list too."""
    client = client_for(district_staff)
    for figure in figures(2018):
        response = client.get(figure.url)
        assert response.status_code == 200, figure.key
        if figure.key in COUNTED_BY_ROWS:
            assert response.context["paginator"].count == figure.value, figure.key


def test_the_money_figures_are_the_sums_of_the_rows_behind_them(loaded, client_for, district_staff):
    client = client_for(district_staff)
    by_key = {figure.key: figure for figure in figures(2018)}
    for key, field in (
        ("mediated_amount", "amount_claimed"),
        ("legal_aid_amount", "amount_claimed"),
        ("formal_dossier_recovered", "amount_recovered"),
        ("simple_dossier_recovered", "amount_recovered"),
    ):
        listed = client.get(by_key[key].url).context["filter"].qs
        assert sum(getattr(case, field) for case in listed) == by_key[key].value, key


def test_the_town_figures_add_up_to_the_district(loaded):
    towns = Town.objects.filter(district=loaded)
    total = sum(next(f.value for f in figures(2018, town) if f.key == "cases_received") for town in towns)
    assert total == 2772
    yizhuang = {f.key: f.value for f in figures(2018, towns.get(name="亦庄镇"))}
    yugai = {f.key: f.value for f in figures(2018, towns.get(name="榆垓镇"))}
    assert yizhuang["formal_dossiers"] + yugai["formal_dossiers"] == 35
    assert "town=" in next(f.url for f in figures(2018, towns.get(name="亦庄镇")) if f.key == "cases_received")


@pytest.mark.parametrize("year", sorted(demo.OTHER_YEARS))
def test_other_years_have_their_own_plausible_figures(loaded, year):
    plan = demo.OTHER_YEARS[year]
    values = {figure.key: figure.value for figure in figures(year)}
    assert values["cases_received"] == plan["received"]
    assert (values["cases_mediated"], values["mediated_amount"]) == plan["centre_agreements"]
    assert (values["legal_aid_cases"], values["legal_aid_amount"]) == plan["legal_aid_approved"]
    assert values["cases_received"] != REPORT_2018["cases_received"]
    assert values["cases_mediated"] < values["cases_received"]


DEMO_YEARS = range(demo.FIRST_YEAR, demo.last_year() + 1)


def serving(level, year):
    """Instructors of `level` the demo appoints in post on the year's last day, counted from its terms."""
    end = datetime.date(year, 12, 31)
    return sum(
        1
        for lvl, appointed, left in demo.INSTRUCTOR_TERMS
        if lvl == level and appointed <= end and (left is None or left >= end)
    )


@pytest.mark.parametrize("year", DEMO_YEARS)
def test_every_year_since_the_records_start_has_the_figures_of_its_plan(loaded, year):
    plan = demo.year_plan(year)
    values = {figure.key: figure.value for figure in figures(year)}
    assert values["cases_received"] == plan["received"] > 0
    assert (values["cases_mediated"], values["mediated_amount"]) == plan["centre_agreements"]
    assert (values["legal_aid_cases"], values["legal_aid_amount"]) == plan["legal_aid_approved"]
    for kind in ("formal", "simple"):
        towns, workers, recovered = plan[kind]
        got = (values[f"{kind}_dossiers"], values[f"{kind}_dossier_workers"], values[f"{kind}_dossier_recovered"])
        assert got == (sum(towns.values()), workers, recovered), kind
    collective = plan["collective"]
    assert (values["collective_incidents"], values["collective_workers"]) == (
        (1, collective[1]) if collective else (0, 0)
    )
    assert (values["large_enterprises"], values["model_enterprises"]) == plan["large_enterprises"]
    assert values["unions_inspected"] == sum(plan["inspected_unions"])
    assert values["city_instructors"] == serving(InstructorLevel.CITY, year) > 0
    assert values["district_instructors"] == serving(InstructorLevel.DISTRICT, year) > 0
    assert values["cases_mediated"] < values["cases_received"]


def test_the_plans_tell_a_story_and_keep_the_reported_years():
    plans = {year: demo.year_plan(year) for year in DEMO_YEARS}
    assert plans[2018] is demo.REPORT_2018
    assert all(plans[year] is demo.OTHER_YEARS[year] for year in demo.OTHER_YEARS)
    received = {year: plan["received"] for year, plan in plans.items()}
    assert len(set(received.values())) == len(received)  # every year its own numbers
    assert received[2020] < received[2019] < received[2023]  # the epidemic dip, then growth
    assert all(0.5 * REPORT_2018["cases_received"] < n < 2 * REPORT_2018["cases_received"] for n in received.values())
    assert demo.year_plan(2022) == demo.year_plan(2022)  # seeded, not random per call


def test_a_year_without_records_gives_zeros(loaded):
    assert {figure.key: figure.value for figure in figures(demo.FIRST_YEAR - 1)}["cases_received"] == 0


def test_loading_the_demo_twice_changes_nothing(loaded):
    before = Case.objects.count()
    demo.load(loaded, Quiet())
    assert Case.objects.count() == before


def test_figures_take_a_bounded_number_of_statements(loaded):
    with CaptureQueriesContext(connection) as queries:
        figures(2018)
    assert len(queries) <= 4


def test_a_demo_case_of_every_status_renders_for_staff(loaded, client_for, district_staff):
    client = client_for(district_staff)
    for status in Case.objects.order_by("status").values_list("status", flat=True).distinct():
        case = Case.objects.filter(status=status).first()
        assert client.get(case.get_absolute_url()).status_code == 200, status
        assert client.get(reverse("disputes:case_update", args=[case.pk])).status_code == 200, status
    collective = Case.objects.get(is_collective=True, received_on__year=2018)
    page = client.get(collective.get_absolute_url()).content.decode()
    assert "疏解外迁" in page and "3126" in page
