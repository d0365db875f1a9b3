"""Collective bargaining lists: enterprises lacking a current wage agreement, renewals due, census, instructors."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.models import BargainingInstructor, BargainingYear, SupervisionInspection, WageAgreement
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def agreement(enterprise, starts, ends):
    return WageAgreement.objects.create(
        enterprise=enterprise, signed_on=starts - datetime.timedelta(days=10), starts_on=starts, ends_on=ends
    )


@pytest.fixture
def enterprises(town_a, town_b):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    made = {
        "current": EnterpriseFactory(town=town_a, headcount=150),
        "renewal": EnterpriseFactory(town=town_a, headcount=300),
        "lapsed": EnterpriseFactory(town=town_a, headcount=200),
        "never": EnterpriseFactory(town=town_a, headcount=100),
        "small": EnterpriseFactory(town=town_a, headcount=99),
        "elsewhere": EnterpriseFactory(town=town_b, headcount=500),
    }
    agreement(made["current"], today - 300 * day, today + 400 * day)
    agreement(made["renewal"], today - 900 * day, today + 30 * day)
    agreement(made["lapsed"], today - 1200 * day, today - day)
    return made


def rows(response) -> list[str]:
    return re.findall(r'data-enterprise="([^"]+)"', response.content.decode())


def codes(enterprises, *keys) -> set[str]:
    return {enterprises[key].credit_code for key in keys}


def test_the_list_shows_large_enterprises_with_those_lacking_an_agreement_first(client_for, town_a_staff, enterprises):
    response = client_for(town_a_staff).get(reverse("disputes:bargaining"))
    listed = rows(response)
    assert set(listed) == codes(enterprises, "current", "renewal", "lapsed", "never")
    assert set(listed[:2]) == codes(enterprises, "lapsed", "never")
    page = response.content.decode()
    lapsed_row = page[page.index(f'data-enterprise="{enterprises["lapsed"].credit_code}"') :].split("</tr>")[0]
    assert 'data-agreement="none"' in lapsed_row
    assert (timezone.localdate() - datetime.timedelta(days=1)).isoformat() in lapsed_row


def test_enterprises_lacking_a_current_agreement_can_be_listed_alone(client_for, town_a_staff, enterprises):
    response = client_for(town_a_staff).get(reverse("disputes:bargaining"), {"lacking": "1"})
    assert set(rows(response)) == codes(enterprises, "lapsed", "never")


def test_an_agreement_ending_within_ninety_days_is_flagged_for_renewal(client_for, town_a_staff, enterprises):
    client = client_for(town_a_staff)
    assert set(rows(client.get(reverse("disputes:bargaining"), {"renewal": "1"}))) == codes(enterprises, "renewal")
    page = client.get(reverse("disputes:bargaining")).content.decode()
    assert page.count('data-testid="renewal-due"') == 1
    renewal_row = page[page.index(f'data-enterprise="{enterprises["renewal"].credit_code}"') :].split("</tr>")[0]
    assert 'data-testid="renewal-due"' in renewal_row


def test_district_staff_see_every_towns_enterprises(client_for, district_staff, enterprises):
    listed = rows(client_for(district_staff).get(reverse("disputes:bargaining")))
    assert set(listed) == codes(enterprises, "current", "renewal", "lapsed", "never", "elsewhere")


def test_the_census_lists_the_years_entries_and_model_enterprises(client_for, town_a_staff, enterprises):
    for key, model in (("current", True), ("lapsed", False)):
        enterprise = enterprises[key]
        BargainingYear.objects.create(
            enterprise=enterprise, year=2018, employees=enterprise.headcount, meets_model_standard=model
        )
    elsewhere = enterprises["elsewhere"]
    elsewhere.name = "别镇独有的企业"  # Faker's company names repeat: this one must be unlike the others
    elsewhere.save()
    BargainingYear.objects.create(enterprise=elsewhere, year=2018, employees=500)
    client = client_for(town_a_staff)
    everything = client.get(reverse("disputes:bargaining_census"), {"year": 2018})
    assert everything.context["paginator"].count == 2
    assert enterprises["elsewhere"].name not in everything.content.decode()
    model = client.get(reverse("disputes:bargaining_census"), {"year": 2018, "model": "1"})
    assert [entry.enterprise for entry in model.context["object_list"]] == [enterprises["current"]]


def test_instructors_serving_in_a_year_by_level(client_for, district_staff, town_a):
    BargainingInstructor.objects.create(name="甲", level="city", appointed_on=datetime.date(2016, 3, 1))
    BargainingInstructor.objects.create(
        name="乙", level="city", appointed_on=datetime.date(2015, 3, 1), left_on=datetime.date(2017, 6, 30)
    )
    BargainingInstructor.objects.create(name="丙", level="district", appointed_on=datetime.date(2019, 4, 1))
    response = client_for(district_staff).get(reverse("disputes:instructor_list"), {"year": 2018, "level": "city"})
    assert [i.name for i in response.context["object_list"]] == ["甲"]


def test_town_staff_see_only_their_towns_inspections(client_for, town_a_staff, town_a, town_b, enterprises):
    own = SupervisionInspection.objects.create(town=town_a, date=datetime.date(2018, 5, 10), findings="协议已报备")
    own.unions_covered.set([enterprises["current"]])
    other = SupervisionInspection.objects.create(town=town_b, date=datetime.date(2018, 6, 10), findings="另一镇")
    other.unions_covered.set([enterprises["elsewhere"]])
    response = client_for(town_a_staff).get(reverse("disputes:inspection_list"), {"year": 2018})
    page = response.content.decode()
    assert "协议已报备" in page and enterprises["current"].name in page
    assert "另一镇" not in page


def test_town_staff_record_an_agreement_and_the_enterprise_leaves_the_lacking_list(
    client_for, town_a_staff, enterprises
):
    client = client_for(town_a_staff)
    never = enterprises["never"]
    form = client.get(reverse("disputes:agreement_create"), {"enterprise": never.pk}).context["form"]
    assert form["enterprise"].value() == never.pk
    today = timezone.localdate()
    response = client.post(
        reverse("disputes:agreement_create"),
        {
            "enterprise": never.pk,
            "signed_on": (today - datetime.timedelta(days=20)).isoformat(),
            "starts_on": (today - datetime.timedelta(days=10)).isoformat(),
            "ends_on": (today + datetime.timedelta(days=3 * 365)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert never.credit_code not in rows(client.get(reverse("disputes:bargaining"), {"lacking": "1"}))
    assert WageAgreement.objects.get(enterprise=never).history.get().history_user == town_a_staff


def test_an_agreement_must_end_after_it_starts_and_only_for_ones_own_town(client_for, town_a_staff, enterprises):
    client = client_for(town_a_staff)
    backwards = client.post(
        reverse("disputes:agreement_create"),
        {"enterprise": enterprises["never"].pk, "signed_on": "2018-01-01", "starts_on": "2018-02-01",
         "ends_on": "2018-01-31"},
    )  # fmt: skip
    assert backwards.context["form"].errors["ends_on"]
    elsewhere = client.post(
        reverse("disputes:agreement_create"),
        {"enterprise": enterprises["elsewhere"].pk, "signed_on": "2018-01-01", "starts_on": "2018-02-01",
         "ends_on": "2021-01-31"},
    )  # fmt: skip
    assert elsewhere.context["form"].errors["enterprise"]
    assert not WageAgreement.objects.filter(enterprise__in=[enterprises["never"], enterprises["elsewhere"]]).exists()


def test_an_inspection_is_recorded_with_the_unions_it_covered(client_for, town_a_staff, town_a, enterprises):
    from disputes.figures import figures

    client = client_for(town_a_staff)
    covered = [enterprises["current"], enterprises["small"]]
    response = client.post(
        reverse("disputes:inspection_create"),
        {"town": town_a.pk, "date": "2018-05-10", "inspected_with": "区劳动监察大队",
         "unions_covered": [e.pk for e in covered], "findings": "协商程序规范"},
    )  # fmt: skip
    assert response.status_code == 302
    inspection = SupervisionInspection.objects.get()
    assert set(inspection.unions_covered.all()) == set(covered)
    assert "协商程序规范" in client.get(response["Location"]).content.decode()
    assert {f.key: f.value for f in figures(2018, town_a)}["unions_inspected"] == 2


def test_an_inspection_covers_only_unions_of_its_town(client_for, district_staff, town_a, enterprises):
    response = client_for(district_staff).post(
        reverse("disputes:inspection_create"),
        {"town": town_a.pk, "date": "2018-05-10", "unions_covered": [enterprises["elsewhere"].pk]},
    )
    assert enterprises["elsewhere"].name in str(response.context["form"].errors["unions_covered"])
    assert not SupervisionInspection.objects.exists()


@pytest.mark.parametrize("name", ["disputes:agreement_create", "disputes:inspection_create"])
def test_leadership_cannot_record_bargaining(name, client_for, leadership):
    assert client_for(leadership).get(reverse(name)).status_code == 403


def test_town_staff_add_their_towns_enterprise_to_the_census_and_it_counts(client_for, town_a_staff, enterprises):
    client = client_for(town_a_staff)
    url = reverse("disputes:census_create")
    form = client.get(url).context["form"]
    assert enterprises["elsewhere"] not in form.fields["enterprise"].queryset  # another town's enterprise

    response = client.post(
        url, {"enterprise": enterprises["never"].pk, "year": 2018, "employees": 120, "meets_model_standard": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("disputes:bargaining_census") + "?year=2018"
    entry = BargainingYear.objects.get(enterprise=enterprises["never"], year=2018)
    assert entry.meets_model_standard and entry.history.count() == 1
    listed = client.get(response["Location"]).content.decode()
    assert enterprises["never"].name in listed


def test_a_census_entry_names_each_wrong_field(client_for, district_staff, enterprises):
    client = client_for(district_staff)
    BargainingYear.objects.create(enterprise=enterprises["current"], year=2018, employees=150)

    small = client.post(
        reverse("disputes:census_create"), {"enterprise": enterprises["small"].pk, "year": 2018, "employees": 99}
    )
    assert small.status_code == 200
    assert small.context["form"].errors["employees"] == ["普查只登记职工人数在100人及以上的企业。"]
    twice = client.post(
        reverse("disputes:census_create"), {"enterprise": enterprises["current"].pk, "year": 2018, "employees": 160}
    )
    assert twice.status_code == 200 and twice.context["form"].errors  # one line per enterprise and year
    assert BargainingYear.objects.count() == 1


def test_leadership_may_not_add_to_the_census(client_for, leadership, enterprises):
    client = client_for(leadership)
    assert client.get(reverse("disputes:census_create")).status_code == 403
    assert reverse("disputes:census_create") not in client.get(reverse("disputes:bargaining_census")).content.decode()


# The services behind the forms, and the lists' parameters ------------------------------------------


def test_the_census_service_refuses_a_second_line_for_the_same_enterprise_and_year(town_a_staff, enterprises):
    from django.core.exceptions import ValidationError

    from disputes import services

    kwargs = {"enterprise": enterprises["never"], "year": 2018, "employees": 120, "by": town_a_staff}
    services.census_entry_add(**kwargs)
    with pytest.raises(ValidationError):
        services.census_entry_add(**kwargs)
    assert BargainingYear.objects.count() == 1


def test_the_agreement_service_refuses_another_towns_and_small_enterprises(town_a_staff, enterprises):
    from django.core.exceptions import PermissionDenied, ValidationError

    from disputes import services

    today = timezone.localdate()
    dates = {"signed_on": today, "starts_on": today, "ends_on": today + datetime.timedelta(days=365)}
    with pytest.raises(PermissionDenied):
        services.wage_agreement_add(enterprise=enterprises["elsewhere"], by=town_a_staff, **dates)
    with pytest.raises(ValidationError) as refused:
        services.wage_agreement_add(enterprise=enterprises["small"], by=town_a_staff, **dates)
    assert "enterprise" in refused.value.error_dict
    assert not WageAgreement.objects.filter(enterprise__in=[enterprises["elsewhere"], enterprises["small"]]).exists()


def test_a_list_parameter_that_does_not_parse_is_ignored(client_for, district_staff, enterprises):
    BargainingYear.objects.create(enterprise=enterprises["current"], year=2018, employees=150)
    client = client_for(district_staff)
    assert client.get(reverse("disputes:bargaining_census"), {"year": "二〇一八"}).context["paginator"].count == 1
    assert client.get(reverse("disputes:bargaining_census"), {"year": "2017"}).context["paginator"].count == 0
    listed = rows(client.get(reverse("disputes:bargaining"), {"lacking": "yes", "renewal": "1"}))
    assert set(listed) == codes(enterprises, "renewal")


@pytest.mark.django_db(transaction=True)
def test_two_desks_adding_the_same_census_line_at_once_get_one_line_and_a_refusal(town_a_staff, district_staff, town_a):
    from django.core.exceptions import ValidationError

    from disputes import services
    from tests.union_portal.test_concurrency import at_once

    enterprise = EnterpriseFactory(town=town_a, headcount=150)
    people = [town_a_staff, district_staff]

    def add(n):
        return services.census_entry_add(enterprise=enterprise, year=2018, employees=150 + n, by=people[n])

    added, errors = at_once(add, 2)

    assert len(added) == 1 and [type(error) for error in errors] == [ValidationError]  # a message, not a 500
    assert BargainingYear.objects.get().employees == added[0].employees
