"""Who sees what: the one access module, the navigation, and the login pages."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404

from disputes.models import BargainingInstructor, InstructorLevel
from stations.models import Venue
from tests.factories import EnterpriseFactory, VenueFactory, make_staff
from union_portal import access
from union_portal.access import Role, can_edit, role_of
from union_portal.context_processors import navigation_for
from union_portal.models import StaffProfile, Town


@pytest.fixture
def venues(town_a, town_b):
    return VenueFactory(town=town_a, name="瀛海驿站"), VenueFactory(town=town_b, name="亦庄驿站")


def test_district_roles_see_every_town(district_admin, district_staff, leadership, venues):
    for user in (district_admin, district_staff, leadership):
        assert Venue.objects.visible_to(user).count() == 2


def test_town_staff_see_only_their_town(town_a_staff, venues):
    assert list(Venue.objects.visible_to(town_a_staff)) == [venues[0]]


def test_anonymous_and_users_without_role_see_nothing(venues, db):
    from django.contrib.auth.models import AnonymousUser

    no_role = get_user_model().objects.create_user("norole", password="x-long-password-1")
    assert Venue.objects.visible_to(AnonymousUser()).count() == 0
    assert Venue.objects.visible_to(no_role).count() == 0


def test_leadership_reads_but_never_edits(leadership, venues):
    assert Venue.objects.editable_by(leadership).count() == 0
    assert not can_edit(leadership, venues[0])


def test_town_staff_edit_only_their_town(town_a_staff, venues):
    assert can_edit(town_a_staff, venues[0])
    assert not can_edit(town_a_staff, venues[1])


def test_superuser_counts_as_district_admin(db):
    user = get_user_model().objects.create_superuser("root", password="x-long-password-1")
    assert role_of(user) == Role.DISTRICT_ADMIN


def test_town_staff_must_have_a_town_and_district_roles_must_not(town_a):
    user = get_user_model().objects.create_user("someone", password="x-long-password-1")
    with pytest.raises(ValidationError):
        StaffProfile(user=user, role=Role.TOWN_STAFF).full_clean()
    with pytest.raises(ValidationError):
        StaffProfile(user=user, role=Role.DISTRICT_STAFF, town=town_a).full_clean()


def test_navigation_shows_each_role_what_it_may_use(district_admin, town_a_staff, leadership):
    from django.contrib.auth.models import AnonymousUser

    def urls(user):
        return {item["url"] for item in navigation_for(user)}

    assert "/admin/" in urls(district_admin)
    assert "/admin/" not in urls(town_a_staff)
    assert "/admin/" not in urls(leadership)
    assert "/stations/" in urls(town_a_staff)
    assert urls(AnonymousUser()) == {"/venues/"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("district_admin", 200), ("town_a_staff", 200), ("leadership", 200), (None, 302)],
)
def test_start_page(persona, expected, client_for, request):
    user = request.getfixturevalue(persona) if persona else None
    response = client_for(user).get("/")
    assert response.status_code == expected
    if user is None:
        assert response["Location"] == "/venues/"


def test_login_page_is_in_chinese(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_and_logout_through_the_pages(client, town_a):
    make_staff(Role.TOWN_STAFF, town_a, username="wang")
    response = client.post("/accounts/login/", {"username": "wang", "password": "test-password-123"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/")["Location"] == "/venues/"


def test_unknown_page_gets_the_chinese_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_a_refused_page_says_why_in_chinese(client_for, leadership, venues):
    """Leadership opening an edit page learns that their account reads only; a user without a role, that."""
    response = client_for(leadership).get(f"/stations/{venues[0].pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    assert "领导账号" in response.content.decode()

    no_role = get_user_model().objects.create_user("norole", password="x-long-password-1")
    response = client_for(no_role).get("/stations/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    assert "没有角色" in response.content.decode()


# --- the helpers that say "town staff work on their own town only" once -------------------

DISTRICT_ROLES = ["district_admin", "district_staff", "leadership"]


@pytest.fixture
def no_role(db):
    return get_user_model().objects.create_user("norole", password="x-long-password-1")


@pytest.mark.parametrize("persona", DISTRICT_ROLES)
def test_district_roles_work_on_every_town(request, persona, town_a, town_b):
    user = request.getfixturevalue(persona)
    assert access.town_scope(user) is None
    assert access.default_town(user) is None
    assert set(access.towns_for(user)) == {town_a, town_b}


def test_town_staff_work_on_their_own_town(town_a_staff, town_a, town_b):
    assert access.town_scope(town_a_staff) == town_a.pk
    assert access.default_town(town_a_staff) == town_a.pk
    assert list(access.towns_for(town_a_staff)) == [town_a]
    assert list(access.towns_for(town_a_staff, Town.objects.filter(pk=town_b.pk))) == []


def test_users_without_a_role_work_on_no_town(no_role, town_a):
    from django.contrib.auth.models import AnonymousUser

    for user in (no_role, AnonymousUser(), None):
        assert access.town_scope(user) == access.NO_TOWN
        assert access.default_town(user) is None
        assert list(access.towns_for(user)) == []
        assert list(access.enterprises_for(user)) == []
        assert list(access.assignable_staff(user)) == []


@pytest.fixture
def enterprises(town_a, town_b):
    return EnterpriseFactory(town=town_a, name="瀛海企业"), EnterpriseFactory(town=town_b, name="亦庄企业")


@pytest.mark.parametrize("persona", DISTRICT_ROLES)
def test_district_roles_choose_every_enterprise(request, persona, enterprises):
    assert list(access.enterprises_for(request.getfixturevalue(persona))) == list(enterprises)  # by town order


def test_town_staff_choose_their_towns_enterprises(town_a_staff, town_b_staff, enterprises):
    assert list(access.enterprises_for(town_a_staff)) == [enterprises[0]]
    assert list(access.enterprises_for(town_b_staff)) == [enterprises[1]]


@pytest.fixture
def everyone(district_admin, district_staff, town_a_staff, town_b_staff, leadership):
    return {"admin": district_admin, "staff": district_staff, "a": town_a_staff, "b": town_b_staff}


@pytest.mark.parametrize("persona", DISTRICT_ROLES)
def test_district_roles_assign_cases_to_any_staff_but_leadership(request, persona, everyone):
    assignable = set(access.assignable_staff(request.getfixturevalue(persona)))
    assert assignable == set(everyone.values())


def test_town_staff_assign_cases_to_their_towns_staff_and_the_districts(everyone):
    assert list(access.assignable_staff(everyone["a"])) == [everyone["admin"], everyone["staff"], everyone["a"]]


def test_inactive_staff_are_never_assignable(everyone):
    everyone["staff"].is_active = False
    everyone["staff"].save()
    assert everyone["staff"] not in access.assignable_staff(everyone["admin"])


@pytest.mark.parametrize(
    ("persona", "own", "other", "townless"),
    [
        ("district_admin", True, True, True),
        ("district_staff", True, True, True),
        ("town_a_staff", True, False, False),
        ("leadership", False, False, False),
    ],
)
def test_who_may_edit_a_towns_records(request, persona, own, other, townless, town_a, town_b):
    user = request.getfixturevalue(persona)
    assert access.can_edit_town(user, town_a.pk) is own
    assert access.can_edit_town(user, town_b.pk) is other
    assert access.can_edit_town(user, None) is townless


@pytest.fixture
def instructors(town_a, town_b):
    def make(name, town):
        return BargainingInstructor.objects.create(
            name=name, level=InstructorLevel.DISTRICT, town=town, appointed_on=datetime.date(2020, 1, 1)
        )

    return make("甲", town_a), make("乙", town_b), make("丙", None)


def test_records_without_a_town_are_seen_by_every_role_when_the_model_says_so(
    district_staff, leadership, town_a_staff, no_role, instructors
):
    own, other, townless = instructors
    assert set(BargainingInstructor.objects.visible_to(district_staff)) == {own, other, townless}
    assert set(BargainingInstructor.objects.visible_to(leadership)) == {own, other, townless}
    assert set(BargainingInstructor.objects.visible_to(town_a_staff)) == {own, townless}
    assert list(BargainingInstructor.objects.visible_to(no_role)) == []


def test_records_without_a_town_stay_hidden_from_town_staff_by_default(town_a_staff, town_b_staff, district_staff):
    staff_of = access.in_town_scope(StaffProfile.objects.all(), town_a_staff)
    assert [profile.user for profile in staff_of] == [town_a_staff]  # district staff have no town


# --- the admin mixin (the admin is for district admins; the mixin is the second line) --------


@pytest.fixture
def venue_admin():
    from django.contrib import admin

    return admin.site._registry[Venue]


def admin_request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_admin_changelist_and_town_choices_follow_visible_to(venue_admin, town_a_staff, district_admin, venues):
    request = admin_request(town_a_staff)
    assert list(venue_admin.get_queryset(request)) == [venues[0]]
    town_field = venue_admin.formfield_for_foreignkey(Venue._meta.get_field("town"), request)
    assert list(town_field.queryset) == [venues[0].town]
    everyone = venue_admin.formfield_for_foreignkey(Venue._meta.get_field("town"), admin_request(district_admin))
    assert everyone.queryset.count() == 2


def test_admin_venue_choices_of_a_child_follow_visible_to(town_a_staff, venues):
    from django.contrib import admin

    from stations.models import VenueFunding

    funding_admin = admin.site._registry[VenueFunding]
    field = funding_admin.formfield_for_foreignkey(VenueFunding._meta.get_field("venue"), admin_request(town_a_staff))
    assert list(field.queryset) == [venues[0]]


def test_admin_history_is_404_outside_the_users_towns_also_when_deleted_or_moved(
    venue_admin, town_a_staff, district_admin, venues, town_a
):
    own, other = venues
    venue_admin.check_visible(admin_request(town_a_staff), own.pk)
    venue_admin.check_visible(admin_request(district_admin), other.pk)
    with pytest.raises(Http404):
        venue_admin.check_visible(admin_request(town_a_staff), other.pk)
    with pytest.raises(Http404):
        venue_admin.check_visible(admin_request(town_a_staff), "x")

    other.town = town_a  # moved here: its history still holds the other town's rows
    other.save()
    with pytest.raises(Http404):
        venue_admin.check_visible(admin_request(town_a_staff), other.pk)

    own_pk = own.pk
    own.delete()  # deleted: only its history places it, in the user's town
    venue_admin.check_visible(admin_request(town_a_staff), own_pk)
