"""The figures' shape: the keys of DOMAIN.md §4, zeros on an empty database, the model-enterprise share; and the
definitions settled in issue 8: unions once in their enterprise's town, the instructors' roster at year end,
approved legal aid only (and no acceptance date without approval), collective incidents resolved in the year."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from disputes import services
from disputes.figures import figures, model_share
from disputes.models import BargainingInstructor, Case, HandlingBody, Outcome, Status, SupervisionInspection
from tests.disputes.test_case_page import edit_data
from tests.disputes.test_figures import REPORT_2018
from tests.factories import EnterpriseFactory


@pytest.mark.django_db
def test_figures_keys_are_exactly_those_of_the_domain_brief():
    assert [f.key for f in figures(2018)] == list(REPORT_2018)


@pytest.mark.django_db
def test_an_empty_year_gives_zeros_of_the_right_type():
    values = {f.key: f.value for f in figures(2018)}
    assert values["mediated_amount"] == Decimal("0.00")
    assert isinstance(values["cases_received"], int)
    assert all(value == 0 for value in values.values())


def test_model_share_rounds_to_two_places():
    assert model_share(71, 88) == Decimal("80.68")
    assert model_share(0, 0) == Decimal("0.00")


@pytest.mark.django_db
def test_dossier_figures_count_the_town_unions_archived_cases_only(town_a, open_case, district_staff):
    """The centre archives its cases with a dossier kind too; only town dossiers are reported upward."""
    import datetime

    from disputes import services
    from disputes.models import DossierKind, HandlingBody, Status

    def archived(body, kind, recovered):
        case = open_case(town_a, handling_body=body, received_on=datetime.date(2018, 3, 1))
        for status in (Status.ACCEPTED, Status.MEDIATING):
            case = services.case_transition(case=case, to_status=status, by=district_staff)
        case = services.case_transition(
            case=case, to_status=Status.AGREEMENT, amount_recovered=Decimal(recovered), by=district_staff
        )
        return services.case_transition(case=case, to_status=Status.ARCHIVED, dossier_kind=kind, by=district_staff)

    town_case = archived(HandlingBody.TOWN_UNION, DossierKind.FORMAL, "3000")
    archived(HandlingBody.CENTRE, DossierKind.FORMAL, "9000")
    year = town_case.archived_on.year
    values = {f.key: f.value for f in figures(year)}
    assert (values["formal_dossiers"], values["formal_dossier_recovered"]) == (1, Decimal("3000.00"))


# The definitions settled in issue 8 ----------------------------------------------------------------

D = datetime.date


def by_key(year, town=None):
    return {figure.key: figure for figure in figures(year, town)}


# Unions inspected ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_union_inspected_by_two_towns_counts_once_in_its_enterprises_town(client_for, district_staff, town_a, town_b):
    shared, own = EnterpriseFactory(town=town_a), EnterpriseFactory(town=town_b)
    for town, unions in ((town_a, [shared]), (town_b, [shared, own]), (town_b, [own])):
        SupervisionInspection.objects.create(town=town, date=D(2018, 5, 10)).unions_covered.set(unions)
    SupervisionInspection.objects.create(town=town_a, date=D(2017, 5, 10)).unions_covered.set([own])
    district, in_a, in_b = by_key(2018), by_key(2018, town_a), by_key(2018, town_b)
    assert [f["unions_inspected"].value for f in (district, in_a, in_b)] == [2, 1, 1]
    client = client_for(district_staff)
    response = client.get(district["unions_inspected"].url)
    assert list(response.context["object_list"]) == sorted([shared, own], key=lambda e: (e.town.order, e.name))
    assert response.context["paginator"].count == 2
    assert 'data-testid="result-count"' in response.content.decode()  # the list shows its count
    assert list(client.get(in_a["unions_inspected"].url).context["object_list"]) == [shared]


@pytest.mark.django_db
def test_town_staff_see_the_unions_of_their_towns_enterprises(client_for, town_a_staff, town_a, town_b):
    mine, theirs = EnterpriseFactory(town=town_a), EnterpriseFactory(town=town_b)
    SupervisionInspection.objects.create(town=town_a, date=D(2018, 5, 10)).unions_covered.set([mine, theirs])
    response = client_for(town_a_staff).get(reverse("disputes:inspected_union_list"), {"year": 2018})
    assert list(response.context["object_list"]) == [mine]


# Instructors -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_instructors_are_the_roster_in_post_at_year_end_and_townless_ones_count_for_the_district_only(town_a):
    def instructor(name, appointed, left=None, town=None):
        BargainingInstructor.objects.create(name=name, level="city", appointed_on=appointed, left_on=left, town=town)

    instructor("在任", D(2016, 3, 1))
    instructor("年中离任", D(2016, 3, 1), D(2018, 6, 30))  # served in 2018, gone by its end
    instructor("年末离任", D(2016, 3, 1), D(2018, 12, 31))  # in post on the last day
    instructor("本镇", D(2018, 11, 1), town=town_a)
    assert by_key(2018)["city_instructors"].value == 3
    assert by_key(2018, town_a)["city_instructors"].value == 1
    assert by_key(2019)["city_instructors"].value == 2


@pytest.mark.django_db
def test_the_year_in_progress_counts_todays_roster(clock, client_for, district_staff):
    clock("2026-06-01 10:00")
    BargainingInstructor.objects.create(name="已离任", level="city", appointed_on=D(2025, 3, 1), left_on=D(2026, 3, 1))
    BargainingInstructor.objects.create(name="在任", level="city", appointed_on=D(2026, 5, 1))
    figure = by_key(2026)["city_instructors"]
    assert figure.value == 1
    response = client_for(district_staff).get(figure.url)
    assert [i.name for i in response.context["object_list"]] == ["在任"]


# Legal aid -------------------------------------------------------------------------------------------


@pytest.fixture
def application(open_case, town_a):
    return open_case(town_a, handling_body=HandlingBody.LEGAL_AID, received_on=D(2018, 3, 1))


def move(case, to_status, by, **kwargs):
    return services.case_transition(case=case, to_status=to_status, by=by, on=D(2018, 3, 5), **kwargs)


@pytest.mark.django_db
def test_only_approved_applications_are_legal_aid_cases(application, open_case, town_a, district_staff):
    approved = move(application, Status.APPROVED, district_staff)
    refused = open_case(town_a, handling_body=HandlingBody.LEGAL_AID, received_on=D(2018, 3, 1))
    refused = move(refused, Status.REFUSED, district_staff, note="不符合条件")
    Case.objects.filter(pk=refused.pk).update(accepted_on=D(2018, 3, 6))  # an old record typed before the rule
    pending = open_case(town_a, handling_body=HandlingBody.LEGAL_AID, received_on=D(2018, 3, 1))
    Case.objects.filter(pk=pending.pk).update(accepted_on=D(2018, 3, 6))
    assert by_key(2018)["legal_aid_cases"].value == 1
    assert approved.accepted_on == D(2018, 3, 5)


@pytest.mark.django_db
@pytest.mark.parametrize("refuse", [False, True])
def test_an_acceptance_date_is_refused_on_a_pending_or_refused_application(
    refuse, application, client_for, district_staff
):
    case = move(application, Status.REFUSED, district_staff, note="不符合条件") if refuse else application
    response = client_for(district_staff).post(
        reverse("disputes:case_update", args=[case.pk]), edit_data(case, accepted_on="2018-03-06")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["accepted_on"] == [str(services.ACCEPTANCE_NOT_ALLOWED)]
    assert Case.objects.get(pk=case.pk).accepted_on is None
    with pytest.raises(services.CaseRuleError) as refused:
        services.case_update(
            case=case, by=district_staff, version=case.version, fields={"accepted_on": D(2018, 3, 6)},
            employer=case.employer,
        )  # fmt: skip
    assert refused.value.error_dict["accepted_on"][0].code == "acceptance_date"


@pytest.mark.django_db
def test_an_approved_applications_acceptance_date_can_be_corrected(application, client_for, district_staff):
    case = move(application, Status.APPROVED, district_staff)
    response = client_for(district_staff).post(
        reverse("disputes:case_update", args=[case.pk]), edit_data(case, accepted_on="2018-03-04")
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).accepted_on == D(2018, 3, 4)


# Collective incidents ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_collective_incident_counts_in_the_year_it_was_resolved(open_case, town_a, district_staff, clock):
    clock("2019-02-01 10:00")
    from tests.disputes.factories import id_number

    workers = [{"name": "代表", "id_number": id_number(900), "phone": "13800138000", "is_representative": True}]
    case = open_case(
        town_a, received_on=D(2018, 12, 20), headcount=12, is_collective=True, collective_cause="欠薪", workers=workers
    )
    for status, day in ((Status.ACCEPTED, D(2018, 12, 21)), (Status.MEDIATING, D(2018, 12, 22))):
        case = services.case_transition(case=case, to_status=status, by=district_staff, on=day)
    assert by_key(2018)["collective_incidents"].value == 0  # received, not yet resolved
    case = services.case_transition(
        case=case, to_status=Status.AGREEMENT, by=district_staff, on=D(2019, 1, 8), amount_recovered=Decimal("1000")
    )
    assert case.outcome == Outcome.AGREEMENT
    resolved = by_key(2019)
    assert (resolved["collective_incidents"].value, resolved["collective_workers"].value) == (1, 12)
    assert by_key(2018)["collective_incidents"].value == 0
