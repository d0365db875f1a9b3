"""Staff venue pages: who may open what, the list's filter contract, the record page, editing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from stations.models import (
    AcceptanceResult,
    ActivityKind,
    FundingKind,
    FundingSource,
    HonourLevel,
    HonourStatus,
    Venue,
    VenueActivity,
    VenueFunding,
    VenueHonour,
    VenueKind,
    VenueStatus,
)
from tests.factories import TownFactory, VenueFactory
from union_portal.models import Town

PERSONAS = ["district_admin", "district_staff", "town_a_staff", "town_b_staff", "leadership", None]
LOGIN = "/accounts/login/"


def url_of(page, venue):
    if page == "list":
        return reverse("stations:venue_list")
    if page == "new":
        return reverse("stations:venue_create")
    name = {"detail": "venue_detail", "edit": "venue_update", "poster": "venue_poster", "qr": "venue_qr"}[page]
    return reverse(f"stations:{name}", args=[venue.pk])


# (page, venue of town A's status, venue of town B's status) for each signed-in persona.
EXPECTED = {
    "district_admin": {"list": 200, "new": 200, "detail": (200, 200), "edit": (200, 200), "poster": (200, 200)},
    "district_staff": {"list": 200, "new": 200, "detail": (200, 200), "edit": (200, 200), "poster": (200, 200)},
    "town_a_staff": {"list": 200, "new": 200, "detail": (200, 404), "edit": (200, 404), "poster": (200, 404)},
    "town_b_staff": {"list": 200, "new": 200, "detail": (404, 200), "edit": (404, 200), "poster": (404, 200)},
    "leadership": {"list": 200, "new": 403, "detail": (200, 200), "edit": (403, 403), "poster": (200, 200)},
}
CASES = [
    (persona, page, target)
    for persona in PERSONAS
    for page in ("list", "new", "detail", "edit", "poster", "qr")
    for target in (("a", "b") if page not in ("list", "new") else ("a",))
]


@pytest.mark.parametrize(("persona", "page", "target"), CASES)
def test_each_persona_gets_the_right_answer_on_each_staff_page(
    request, client_for, venue_a, venue_b, persona, page, target
):
    user = request.getfixturevalue(persona) if persona else None
    venue = venue_a if target == "a" else venue_b
    response = client_for(user).get(url_of(page, venue))

    if persona is None:
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        return
    expected = EXPECTED[persona]["poster" if page == "qr" else page]
    if isinstance(expected, tuple):
        expected = expected[0] if target == "a" else expected[1]
    assert response.status_code == expected


def test_town_staff_guessing_another_towns_venue_id_posting_an_edit_gets_404(client_for, town_a_staff, venue_b):
    response = client_for(town_a_staff).post(url_of("edit", venue_b), {"name": "改名"})
    assert response.status_code == 404
    venue_b.refresh_from_db()
    assert venue_b.name == "亦庄暖心驿站"


def test_town_staff_list_shows_only_their_own_towns_venues_whatever_the_parameters(
    client_for, town_a_staff, venue_a, venue_b, town_b
):
    client = client_for(town_a_staff)
    page = client.get(reverse("stations:venue_list")).content.decode()
    assert venue_a.name in page
    assert venue_b.name not in page

    asked_for_b = client.get(reverse("stations:venue_list"), {"town": town_b.pk})
    assert venue_b.name not in asked_for_b.content.decode()
    assert list(asked_for_b.context["object_list"]) == []


def test_leadership_sees_the_record_without_an_edit_button(client_for, leadership, venue_a):
    response = client_for(leadership).get(url_of("detail", venue_a))
    assert response.status_code == 200
    assert reverse("stations:venue_update", args=[venue_a.pk]) not in response.content.decode()
    assert reverse("stations:venue_poster", args=[venue_a.pk]) in response.content.decode()


def test_leadership_reads_the_contact_phone_masked_also_in_the_history(client_for, leadership, district_staff, venue_a):
    venue_a.contact_phone = "13711112222"
    venue_a.save()  # a change of phone, kept in the history

    page = client_for(leadership).get(url_of("detail", venue_a)).content.decode()
    assert "13711112222" not in page and "13912345678" not in page
    assert "137****2222" in page

    page = client_for(district_staff).get(url_of("detail", venue_a)).content.decode()
    assert 'href="tel:13711112222"' in page and "13912345678" in page  # who works the record sees it whole


def test_town_staff_see_the_edit_button_on_their_own_towns_venue(client_for, town_a_staff, venue_a):
    response = client_for(town_a_staff).get(url_of("detail", venue_a))
    assert reverse("stations:venue_update", args=[venue_a.pk]) in response.content.decode()


# The list's filter contract ----------------------------------------------------------------


@pytest.fixture
def contract_venues(town_a, town_b, amenity):
    """Four venues whose rows differ in every parameter of the contract."""
    home = VenueFactory(
        kind=VenueKind.WORKERS_HOME,
        name="一号职工之家",
        town=town_a,
        host_name="宏达机械厂",
        address="瀛海镇兴海路1号",
        planned_on=datetime.date(2017, 10, 1),
        built_on=datetime.date(2018, 3, 1),
        accepted_on=datetime.date(2018, 6, 1),
        acceptance_result=AcceptanceResult.PASSED,
        is_24h=True,
    )
    home.amenities.add(amenity("microwave"))
    VenueFunding.objects.create(
        venue=home, year=2018, kind=FundingKind.SUBSIDY, source=FundingSource.DISTRICT, amount=Decimal("10000")
    )
    VenueHonour.objects.create(
        venue=home, year=2018, title="市级示范职工之家", level=HonourLevel.CITY, status=HonourStatus.APPLIED
    )
    VenueActivity.objects.create(venue=home, date=datetime.date(2018, 5, 5), kind=ActivityKind.STRESS_RELIEF)

    station = VenueFactory(
        kind=VenueKind.WARM_STATION,
        name="二号暖心驿站",
        town=town_b,
        host_name="社区服务站",
        address="亦庄镇文化园路8号",
        built_on=datetime.date(2017, 3, 1),
        is_mobile=True,
    )
    station.amenities.add(amenity("charging"))
    VenueFunding.objects.create(
        venue=station, year=2018, kind=FundingKind.EQUIPMENT, source=FundingSource.CITY, amount=Decimal("5000")
    )
    VenueHonour.objects.create(
        venue=station, year=2017, title="区级示范", level=HonourLevel.CITY, status=HonourStatus.AWARDED
    )
    VenueActivity.objects.create(venue=station, date=datetime.date(2017, 7, 1), kind=ActivityKind.TRAINING)

    centre = VenueFactory(
        kind=VenueKind.ACTIVITY_CENTRE,
        name="三号活动中心",
        town=town_a,
        built_on=datetime.date(2015, 1, 1),
        accepted_on=datetime.date(2016, 1, 1),
        acceptance_result=AcceptanceResult.FAILED,
        closed_on=datetime.date(2017, 12, 31),
        closed_reason="拆迁",
    )
    planned = VenueFactory(kind=VenueKind.MOTHER_BABY_ROOM, name="四号母婴室", town=town_b, built_on=None)
    return {"home": home, "station": station, "centre": centre, "planned": planned}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"home", "station", "centre", "planned"}),
        ({"kind": "workers_home"}, {"home"}),
        ({"status": "closed"}, {"centre"}),
        ({"status": "planned"}, {"planned"}),
        ({"status": "accepted"}, {"home"}),
        ({"amenity": "microwave"}, {"home"}),
        ({"mobile": "true"}, {"station"}),
        ({"mobile": "false"}, {"home", "centre", "planned"}),
        ({"is_24h": "true"}, {"home"}),
        ({"q": "二号"}, {"station"}),
        ({"q": "兴海路"}, {"home"}),
        ({"q": "社区服务站"}, {"station"}),
        ({"built_year": "2017"}, {"station"}),
        ({"accepted_year": "2018"}, {"home"}),
        ({"accepted_year": "2016"}, set()),  # failed acceptances do not count
        ({"in_service_on": "2018-01-01"}, {"station"}),
        ({"in_service_on": "2017-06-30"}, {"station", "centre"}),
        ({"funding_year": "2018", "funding_kind": "subsidy"}, {"home"}),
        ({"funding_year": "2018"}, {"home", "station"}),
        ({"funding_year": "2018", "funding_kind": "equipment", "funding_source": "city"}, {"station"}),
        ({"funding_year": "2018", "funding_kind": "equipment", "funding_source": "district"}, set()),
        ({"funding_year": "2017", "funding_kind": "subsidy"}, set()),
        ({"honour_year": "2018", "honour_level": "city"}, {"home"}),
        ({"honour_level": "city", "honour_status": "awarded"}, {"station"}),
        ({"honour_year": "2018", "honour_level": "district"}, set()),
        ({"activity_year": "2018", "activity_kind": "stress_relief"}, {"home"}),
        ({"activity_year": "2017"}, {"station"}),
        ({"activity_year": "2018", "activity_kind": "training"}, set()),
        ({"kind": "workers_home", "built_year": "2018", "is_24h": "true"}, {"home"}),
    ],
)
def test_list_filters_follow_the_contract(client_for, district_staff, contract_venues, params, expected):
    response = client_for(district_staff).get(reverse("stations:venue_list"), params)
    assert response.status_code == 200
    shown = {venue.pk for venue in response.context["object_list"]}
    assert shown == {contract_venues[key].pk for key in expected}


def test_list_filter_by_town_and_town_in_the_url_built_by_list_url(client_for, district_staff, contract_venues, town_b):
    from union_portal.figures import list_url

    url = list_url("stations:venue_list", kind=VenueKind.WARM_STATION, built_year=2017, town=town_b)
    response = client_for(district_staff).get(url)
    assert [venue.pk for venue in response.context["object_list"]] == [contract_venues["station"].pk]


def test_list_table_shows_code_kind_town_status_amenities_and_count(client_for, district_staff, contract_venues):
    response = client_for(district_staff).get(reverse("stations:venue_list"), {"kind": "workers_home"})
    page = response.content.decode()
    home = contract_venues["home"]
    assert home.code in page
    assert "2018-03-01" in page
    assert "微波炉" in page  # its amenity
    assert response.context["paginator"].count == 1


def test_pagination_links_keep_the_filters(client_for, district_staff, bulk_venues, town_a):
    bulk_venues(30, [town_a])
    response = client_for(district_staff).get(reverse("stations:venue_list"), {"kind": "warm_station"})
    assert len(response.context["object_list"]) == 25
    assert "kind=warm_station&amp;page=2" in response.content.decode()
    second = client_for(district_staff).get(reverse("stations:venue_list"), {"kind": "warm_station", "page": 2})
    assert len(second.context["object_list"]) == 5


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_list_runs_the_same_number_of_queries_for_10_and_500_venues(
    client_for, district_admin, bulk_venues, town_a, town_b
):
    client = client_for(district_admin)
    url = reverse("stations:venue_list")
    bulk_venues(10, [town_a, town_b])
    small = count_queries(client, url, {"amenity": "microwave", "funding_year": "2018"})
    small_plain = count_queries(client, url)
    bulk_venues(490, [town_a, town_b])
    assert count_queries(client, url, {"amenity": "microwave", "funding_year": "2018"}) == small
    assert count_queries(client, url) == small_plain


def test_detail_runs_the_same_number_of_queries_for_10_and_500_venues(
    client_for, district_admin, bulk_venues, town_a, venue_a, amenity
):
    venue_a.amenities.add(amenity("toilet"))
    VenueFunding.objects.create(venue=venue_a, year=2018, kind=FundingKind.SUBSIDY, amount=Decimal("10000"))
    VenueActivity.objects.bulk_create(
        VenueActivity(venue=venue_a, date=datetime.date(2018, 1, 1) + datetime.timedelta(days=i), kind="training")
        for i in range(30)
    )
    client = client_for(district_admin)
    url = url_of("detail", venue_a)
    bulk_venues(10, [town_a])
    small = count_queries(client, url)
    bulk_venues(490, [town_a])
    assert count_queries(client, url) == small


# The record page --------------------------------------------------------------------------


def test_detail_shows_contact_money_honours_activities_and_lifecycle(client_for, district_staff, contract_venues):
    home = contract_venues["home"]
    VenueActivity.objects.create(
        venue=home, date=datetime.date(2018, 9, 9), kind=ActivityKind.STRESS_RELIEF, sessions=3, person_times=120
    )
    response = client_for(district_staff).get(url_of("detail", home))
    page = response.content.decode()
    assert home.contact_phone in page  # full phone: staff who may see this venue
    assert "1.00万元" in page  # the subsidy in 万元
    assert "10000.00 元" in page  # and in 元
    assert "市级示范职工之家" in page
    assert "2018-09-09" in page
    assert "2017-10-01" in page and "2018-06-01" in page  # planned, accepted
    totals = response.context["activity_totals"]
    assert (totals["count"], totals["sessions"], totals["person_times"]) == (2, 4, 120)


def test_detail_caps_activities_per_page_and_gives_the_total(client_for, district_staff, venue_a):
    VenueActivity.objects.bulk_create(
        VenueActivity(venue=venue_a, date=datetime.date(2018, 1, 1) + datetime.timedelta(days=i), kind="training")
        for i in range(45)
    )
    response = client_for(district_staff).get(url_of("detail", venue_a))
    assert len(response.context["activity_page"].object_list) == 20
    assert response.context["activity_totals"]["count"] == 45
    last = client_for(district_staff).get(url_of("detail", venue_a), {"activity_page": 3})
    assert len(last.context["activity_page"].object_list) == 5


def test_detail_history_says_who_changed_which_field(
    client_for, district_admin, district_staff, venue_a, form_post_data
):
    client = client_for(district_admin)
    edit = client.get(url_of("edit", venue_a))
    client.post(url_of("edit", venue_a), form_post_data(edit, name="改名后的驿站"))

    response = client_for(district_staff).get(url_of("detail", venue_a))
    entries = response.context["history"]
    latest = entries[0]
    assert latest.by == latest.record.history_user == district_admin
    changed = {(change.label, change.old, change.new) for change in latest.changes}
    assert (str(Venue._meta.get_field("name").verbose_name), "瀛海暖心驿站", "改名后的驿站") in changed
    assert "改名后的驿站" in response.content.decode()


# Editing ---------------------------------------------------------------------------------


def test_district_staff_edit_a_venue_with_amenities_as_checkboxes(
    client_for, district_staff, venue_a, amenity, form_post_data
):
    client = client_for(district_staff)
    edit = client.get(url_of("edit", venue_a))
    assert re.search(r'type="checkbox"[^>]*name="amenities"', edit.content.decode())
    microwave, bed = amenity("microwave"), amenity("bed")
    data = form_post_data(edit, amenities=[str(microwave.pk), str(bed.pk)], opening_hours="周一至周日 8:00-20:00")

    response = client.post(url_of("edit", venue_a), data)

    assert response.status_code == 302
    assert response["Location"] == url_of("detail", venue_a)
    venue_a.refresh_from_db()
    assert set(venue_a.amenities.values_list("code", flat=True)) == {"microwave", "bed"}
    assert venue_a.opening_hours == "周一至周日 8:00-20:00"
    assert venue_a.version == 2


def test_second_of_two_concurrent_saves_is_refused_and_keeps_what_was_typed(
    client_for, district_admin, district_staff, venue_a, form_post_data
):
    first = client_for(district_admin)
    first_data = form_post_data(first.get(url_of("edit", venue_a)), name="甲改的名字")
    second = Client()  # another browser
    second.force_login(district_staff)
    second_data = form_post_data(second.get(url_of("edit", venue_a)), name="乙改的名字")
    assert first_data["version"] == second_data["version"] == "1"

    assert first.post(url_of("edit", venue_a), first_data).status_code == 302
    refused = second.post(url_of("edit", venue_a), second_data)

    assert refused.status_code == 200
    assert refused.context["form"].has_error(NON_FIELD_ERRORS, "stale")
    assert "乙改的名字" in refused.content.decode()
    venue_a.refresh_from_db()
    assert venue_a.name == "甲改的名字"
    assert venue_a.version == 2


def test_after_a_refused_save_saving_again_goes_through(
    client_for, district_admin, district_staff, venue_a, form_post_data
):
    first = client_for(district_admin)
    first_data = form_post_data(first.get(url_of("edit", venue_a)), name="甲改的名字")
    second = Client()
    second.force_login(district_staff)
    second_data = form_post_data(second.get(url_of("edit", venue_a)), name="乙改的名字")
    first.post(url_of("edit", venue_a), first_data)
    refused = second.post(url_of("edit", venue_a), second_data)

    again = second.post(url_of("edit", venue_a), form_post_data(refused))

    assert again.status_code == 302
    venue_a.refresh_from_db()
    assert venue_a.name == "乙改的名字"


def test_a_save_that_loses_the_race_at_the_database_is_refused_too(
    client_for, district_staff, venue_a, form_post_data, monkeypatch
):
    from union_portal.concurrency import VersionedModelForm

    client = client_for(district_staff)
    data = form_post_data(client.get(url_of("edit", venue_a)), name="迟到的修改")
    original_clean = VersionedModelForm.clean

    def clean_then_someone_else_saves(form):
        cleaned = original_clean(form)
        Venue.objects.filter(pk=venue_a.pk).update(version=5)  # another save lands between check and write
        return cleaned

    monkeypatch.setattr(VersionedModelForm, "clean", clean_then_someone_else_saves)
    response = client.post(url_of("edit", venue_a), data)

    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "stale")
    venue_a.refresh_from_db()
    assert venue_a.name == "瀛海暖心驿站"


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"planned_on": "2021-01-01", "built_on": "2020-01-01"}, "built_on"),
        ({"built_on": "2020-01-01", "accepted_on": "2019-12-01", "acceptance_result": "passed"}, "accepted_on"),
        ({"built_on": "2020-01-01", "closed_on": "2019-06-01", "closed_reason": "拆迁"}, "closed_on"),
        ({"built_on": "", "accepted_on": "2020-01-01", "acceptance_result": "passed"}, "accepted_on"),
    ],
)
def test_dates_out_of_order_are_refused_on_the_field_named(
    client_for, district_staff, venue_a, form_post_data, dates, field
):
    client = client_for(district_staff)
    data = form_post_data(client.get(url_of("edit", venue_a)), name="不应保存", **dates)

    response = client.post(url_of("edit", venue_a), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["form"].errors[field][0] in response.content.decode()
    venue_a.refresh_from_db()
    assert venue_a.name == "瀛海暖心驿站"
    assert venue_a.version == 1


def test_town_staff_may_only_choose_their_own_town(client_for, town_a_staff, town_a, town_b, form_post_data):
    client = client_for(town_a_staff)
    new = client.get(url_of("new", None))
    assert list(new.context["form"].fields["town"].queryset) == [town_a]

    data = form_post_data(new, kind="warm_station", name="越界驿站", town=str(town_b.pk), address="某路1号")
    response = client.post(url_of("new", None), data)

    assert response.status_code == 200
    assert "town" in response.context["form"].errors
    assert not Venue.objects.filter(name="越界驿站").exists()


def test_town_staff_create_a_venue_in_their_town_with_funding_and_activity(
    client_for, town_a_staff, town_a, form_post_data
):
    client = client_for(town_a_staff)
    new = client.get(url_of("new", None))
    data = form_post_data(
        new,
        kind="warm_station",
        name="新建暖心驿站",
        address="瀛海镇南海子路2号",
        built_on="2024-04-01",
        **{
            "funding-0-year": "2024",
            "funding-0-kind": "subsidy",
            "funding-0-source": "district",
            "funding-0-amount": "10000.00",
            "activity-0-date": "2024-05-01",
            "activity-0-kind": "training",
            "activity-0-sessions": "2",
            "activity-0-person_times": "40",
        },
    )

    response = client.post(url_of("new", None), data)

    assert response.status_code == 302
    venue = Venue.objects.get(name="新建暖心驿站")
    assert venue.town == town_a
    assert venue.code.startswith("WS-")
    assert venue.status == VenueStatus.BUILT
    assert venue.fundings.get().amount == Decimal("10000.00")
    assert venue.activities.get().person_times == 40
    assert response["Location"] == url_of("detail", venue)


def test_edit_page_adds_changes_and_deletes_honours(client_for, district_staff, venue_a, form_post_data):
    honour = VenueHonour.objects.create(venue=venue_a, year=2017, title="旧称号", level=HonourLevel.DISTRICT)
    client = client_for(district_staff)
    edit = client.get(url_of("edit", venue_a))
    data = form_post_data(
        edit,
        **{
            "honour-0-DELETE": "on",
            "honour-1-year": "2018",
            "honour-1-title": "市级示范职工之家",
            "honour-1-level": "city",
            "honour-1-status": "applied",
        },
    )
    assert data["honour-0-id"] == str(honour.pk)

    assert client.post(url_of("edit", venue_a), data).status_code == 302

    assert list(venue_a.honours.values_list("title", flat=True)) == ["市级示范职工之家"]


def test_a_bad_funding_row_saves_nothing(client_for, district_staff, venue_a, form_post_data):
    client = client_for(district_staff)
    data = form_post_data(
        client.get(url_of("edit", venue_a)),
        name="不应保存",
        **{"funding-0-year": "2018", "funding-0-kind": "subsidy", "funding-0-amount": "-5"},
    )

    response = client.post(url_of("edit", venue_a), data)

    assert response.status_code == 200
    venue_a.refresh_from_db()
    assert venue_a.name == "瀛海暖心驿站"
    assert not VenueFunding.objects.exists()


def test_a_signed_in_user_without_a_role_gets_403(client_for, venue_a, db):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="x-long-password-1")
    client = client_for(nobody)
    assert client.get(url_of("list", venue_a)).status_code == 403
    assert client.get(url_of("detail", venue_a)).status_code == 403
    assert client.get(url_of("edit", venue_a)).status_code == 403


def test_an_edit_naming_another_venues_funding_row_is_refused_and_saves_nothing(
    client_for, district_staff, venue_a, venue_b, form_post_data
):
    own = VenueFunding.objects.create(venue=venue_a, year=2018, kind=FundingKind.SUBSIDY, amount=Decimal("100"))
    other = VenueFunding.objects.create(venue=venue_b, year=2018, kind=FundingKind.SUBSIDY, amount=Decimal("900"))
    client = client_for(district_staff)
    data = form_post_data(
        client.get(url_of("edit", venue_a)), name="不应保存", **{"funding-0-id": str(other.pk), "funding-0-amount": "1"}
    )
    assert data["funding-INITIAL_FORMS"] == "1"

    response = client.post(url_of("edit", venue_a), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(NON_FIELD_ERRORS, "foreign_row")
    assert escape(form.non_field_errors()[0]) in response.content.decode()
    venue_a.refresh_from_db()
    assert venue_a.name == "瀛海暖心驿站"
    assert sorted(VenueFunding.objects.values_list("amount", flat=True)) == [Decimal("100"), Decimal("900")]
    assert own.pk in venue_a.fundings.values_list("pk", flat=True)


def test_the_venue_history_lists_amenity_changes_and_masks_the_phone_for_readers(venue_a, amenity, district_staff):
    from stations.history import venue_changes

    venue_a.contact_phone = "13711112222"
    venue_a.save()
    microwave = amenity("microwave")
    venue_a.amenities.add(microwave)

    shown = {(c.label, c.old, c.new) for entry in venue_changes(venue_a, show_personal=False) for c in entry.changes}
    phone, amenities = (str(Venue._meta.get_field(name).verbose_name) for name in ("contact_phone", "amenities"))
    assert (phone, "139****5678", "137****2222") in shown
    assert (amenities, "—", microwave.name) in shown
    assert all(change[0] != str(Venue._meta.get_field("version").verbose_name) for change in shown)


@pytest.mark.parametrize("towns", ["entered in their order", "reordered since", "two of the same order"])
def test_the_list_keeps_the_towns_order_however_the_towns_were_entered(client_for, district_staff, district, towns):
    """By the towns' order, then kind and name, on the first and the last page (read from the list's end): by the
    town's key when the towns' keys follow their order (an index serves it), else by the town's order itself."""
    entered = [TownFactory(district=district, name=name, order=order) for order, name in enumerate("甲乙丙", start=1)]
    if towns == "reordered since":
        Town.objects.filter(pk=entered[0].pk).update(order=9)  # 甲 now last
    elif towns == "two of the same order":
        Town.objects.filter(pk=entered[2].pk).update(order=2)  # 乙 and 丙 tied: their venues interleave
    for n in range(30):
        VenueFactory(town=entered[n % 3], kind=(VenueKind.WARM_STATION, VenueKind.WORKERS_HOME)[n % 2], name=f"{n % 5}")
    expected = [
        venue.pk
        for venue in sorted(Venue.objects.select_related("town"), key=lambda v: (v.town.order, v.kind, v.name, v.pk))
    ]
    client = client_for(district_staff)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("stations:venue_list")).context["object_list"]
    page_keys = next(q["sql"] for q in queries if q["sql"].startswith('SELECT "stations_venue"."id" AS "pk"'))
    last = client.get(reverse("stations:venue_list"), {"page": 2}).context["object_list"]
    assert [venue.pk for venue in [*first, *last]] == expected
    by_town_key = 'ORDER BY "stations_venue"."town_id" ASC' in page_keys
    assert by_town_key == (towns == "entered in their order"), page_keys
