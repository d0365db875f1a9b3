"""Who sees what: the one access module, the navigation, and the login pages."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from stations.models import Venue
from tests.factories import VenueFactory, make_staff
from union_portal.access import Role, can_edit, role_of
from union_portal.context_processors import navigation_for
from union_portal.models import StaffProfile


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
