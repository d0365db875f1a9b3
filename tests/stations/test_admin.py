"""The venue admin: who gets in, what they see, filters, query counts, date order, stale saves, photos, history."""

import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from stations.admin import BuiltYearFilter
from stations.models import Amenity, FundingKind, Venue, VenueActivity, VenueFunding, VenueHonour, VenueKind, VenuePhoto
from tests.factories import VenueFactory
from union_portal.concurrency import STALE_EDIT_MESSAGE

CHANGELIST_URL = "/admin/stations/venue/"
EXPORT_URL = "/admin/stations/venue/export/"


def change_url(venue):
    return f"/admin/stations/venue/{venue.pk}/change/"


@pytest.fixture
def site_admin(district_admin):
    """A district admin as the demo makes them: staff and superuser, so the admin site is open to them."""
    district_admin.is_staff = True
    district_admin.is_superuser = True
    district_admin.save()
    return district_admin


@pytest.fixture
def admin_client(client_for, site_admin):
    return client_for(site_admin)


def shown_names(response) -> set[str]:
    return {venue.name for venue in response.context["cl"].result_list}


def form_data(response) -> dict:
    """What the browser would post back from a change form, as rendered (inline management forms included)."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = str(value)
    for inline in response.context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{inline.formset.prefix}-{name}"] = management[name].value()
    return data


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize("persona", ["district_staff", "town_a_staff", "leadership", None])
def test_only_district_admins_get_into_the_venue_admin(request, client_for, persona, town_a):
    VenueFactory(town=town_a)
    user = request.getfixturevalue(persona) if persona else None

    response = client_for(user).get(CHANGELIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_district_admin_sees_every_town_in_the_changelist(admin_client, town_a, town_b):
    VenueFactory(town=town_a, name="瀛海驿站")
    VenueFactory(town=town_b, name="亦庄驿站")

    response = admin_client.get(CHANGELIST_URL)

    assert response.status_code == 200
    assert shown_names(response) == {"瀛海驿站", "亦庄驿站"}


@pytest.mark.parametrize("persona", ["district_staff", "town_a_staff", "leadership"])
def test_the_admin_stays_closed_to_other_roles_even_with_the_staff_flag_and_permissions(
    request, client_for, persona, town_a, town_b
):
    """The admin's history, revert and export pages reach every town: only district admins may use it, even if
    someone ticks "staff status" and grants model permissions to another role's account by mistake."""
    own = VenueFactory(town=town_a, name="瀛海驿站")
    other = VenueFactory(town=town_b, name="亦庄驿站")
    user = request.getfixturevalue(persona)
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_venue", "change_venue"]))
    client = client_for(user)

    record = other.history.first()
    for url in (
        "/admin/",
        CHANGELIST_URL,
        change_url(own),
        f"/admin/stations/venue/{other.pk}/history/",
        f"/admin/stations/venue/{other.pk}/history/{record.history_id}/",
        EXPORT_URL,
        "/admin/disputes/case/",
        "/admin/union_portal/enterprise/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


@pytest.mark.parametrize("size", [10, 500])
def test_changelist_runs_the_same_number_of_queries_for_10_and_500_venues(
    admin_client, town_a, town_b, size, django_assert_max_num_queries
):
    microwave = Amenity.objects.get(code="microwave")
    venues = [VenueFactory.build(town=(town_a, town_b)[n % 2], code=f"WS-{n:05d}") for n in range(size)]
    for venue in venues:
        venue.status = venue.derived_status()
    Venue.objects.bulk_create(venues)
    Venue.amenities.through.objects.bulk_create(
        [Venue.amenities.through(venue_id=venue.pk, amenity_id=microwave.pk) for venue in venues]
    )

    # ten, the district's name in the admin's brand, and a page of several read by its keys first (PortalPaginator)
    with django_assert_max_num_queries(12):
        response = admin_client.get(CHANGELIST_URL)
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = admin_client.get(CHANGELIST_URL, {"amenities__id__exact": microwave.pk, "built_year": "2018"})
    assert response.status_code == 200


def test_changelist_filters_and_search(admin_client, town_a, town_b):
    microwave = Amenity.objects.get(code="microwave")
    old_home = VenueFactory(
        town=town_a, kind=VenueKind.WORKERS_HOME, name="老职工之家", built_on=datetime.date(2016, 5, 1)
    )
    mobile = VenueFactory(town=town_b, name="流动驿站", is_mobile=True, built_on=datetime.date(2018, 5, 1))
    mobile.amenities.add(microwave)
    VenueFactory(town=town_b, name="规划驿站", built_on=None, address="荣华路8号")

    def names(**params):
        return shown_names(admin_client.get(CHANGELIST_URL, params))

    assert names(kind__exact="workers_home") == {"老职工之家"}
    assert names(town__id__exact=town_b.pk) == {"流动驿站", "规划驿站"}
    assert names(status__exact="planned") == {"规划驿站"}
    assert names(built_year="2016") == {"老职工之家"}
    assert names(amenities__id__exact=microwave.pk) == {"流动驿站"}
    assert names(is_mobile__exact="1") == {"流动驿站"}
    assert names(q="荣华路") == {"规划驿站"}
    assert names(q=old_home.code) == {"老职工之家"}
    changelist = admin_client.get(CHANGELIST_URL).context["cl"]
    year_filter = next(spec for spec in changelist.filter_specs if isinstance(spec, BuiltYearFilter))
    assert [choice["display"] for choice in year_filter.choices(changelist)][1:] == ["2018", "2016"]


def test_changelist_shows_import_and_export_and_the_change_form_shows_history(admin_client, town_a):
    venue = VenueFactory(town=town_a)

    changelist = admin_client.get(CHANGELIST_URL).content.decode()
    change_form = admin_client.get(change_url(venue)).content.decode()

    assert "/admin/stations/venue/import/" in changelist
    assert "/admin/stations/venue/export/" in changelist
    assert f"/admin/stations/venue/{venue.pk}/history/" in change_form


def test_change_form_saves_with_history_and_a_new_version(admin_client, site_admin, town_a):
    venue = VenueFactory(town=town_a, name="旧名")
    data = form_data(admin_client.get(change_url(venue)))
    data["name"] = "新名"

    response = admin_client.post(change_url(venue), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    venue.refresh_from_db()
    assert venue.name == "新名"
    assert venue.version == 2
    latest = venue.history.latest()
    assert latest.history_user == site_admin and latest.name == "新名"
    history_page = admin_client.get(f"/admin/stations/venue/{venue.pk}/history/")
    assert history_page.status_code == 200
    assert len(history_page.context["page_obj"].object_list) == 2


def test_change_form_refuses_dates_out_of_order_and_names_the_field(admin_client, town_a):
    venue = VenueFactory(town=town_a, built_on=datetime.date(2018, 6, 1))
    data = form_data(admin_client.get(change_url(venue)))
    data["accepted_on"] = "2018-05-01"
    data["acceptance_result"] = "passed"

    response = admin_client.post(change_url(venue), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["accepted_on"]
    with translation.override("zh-hans"):
        assert errors["accepted_on"] == [
            str(translation.gettext("The acceptance date cannot be before the build date."))
        ]
    venue.refresh_from_db()
    assert venue.accepted_on is None


def test_change_form_refuses_a_stale_save_and_keeps_the_other_change(admin_client, town_a):
    venue = VenueFactory(town=town_a, name="原名")
    data = form_data(admin_client.get(change_url(venue)))
    other = Venue.objects.get(pk=venue.pk)
    other.name = "别人改的"
    other.save()
    data["name"] = "我改的"

    response = admin_client.post(change_url(venue), data)

    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert str(STALE_EDIT_MESSAGE) in response.content.decode()
    venue.refresh_from_db()
    assert venue.name == "别人改的"


def test_photo_inline_takes_a_png_and_refuses_a_gif(admin_client, town_a):
    venue = VenueFactory(town=town_a)
    data = form_data(admin_client.get(change_url(venue)))
    data.update({"photos-TOTAL_FORMS": "1", "photos-0-caption": "门口", "photos-0-order": "0"})

    refused = admin_client.post(
        change_url(venue), {**data, "photos-0-image": SimpleUploadedFile("a.gif", gif_bytes(), "image/gif")}
    )
    assert refused.status_code == 200
    assert not VenuePhoto.objects.exists()

    data = form_data(admin_client.get(change_url(venue)))
    data.update({"photos-TOTAL_FORMS": "1", "photos-0-caption": "门口", "photos-0-order": "0"})
    saved = admin_client.post(
        change_url(venue), {**data, "photos-0-image": SimpleUploadedFile("a.png", png_bytes(), "image/png")}
    )
    assert saved.status_code == 302
    assert VenuePhoto.objects.get().thumbnail


def test_reverting_to_an_old_version_from_history_works(admin_client, town_a):
    venue = VenueFactory(town=town_a, name="第一版")
    first = venue.history.get()
    venue.name = "第二版"
    venue.save()
    url = f"/admin/stations/venue/{venue.pk}/history/{first.history_id}/"
    page = admin_client.get(url)
    assert page.status_code == 200
    data = form_data(page)

    response = admin_client.post(url, data)

    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.name == "第一版"
    assert venue.version == 3


def test_child_and_reference_changelists_open_with_their_year_filters(admin_client, town_a):
    venue = VenueFactory(town=town_a)
    VenueFunding.objects.create(venue=venue, year=2018, kind=FundingKind.SUBSIDY, amount="10000.00")
    VenueFunding.objects.create(venue=venue, year=2017, kind=FundingKind.SUBSIDY, amount="5000.00")
    VenueHonour.objects.create(venue=venue, year=2018, title="市级示范职工之家", level="city")
    VenueActivity.objects.create(venue=venue, date=datetime.date(2018, 3, 1), kind="stress_relief", person_times=40)

    fundings = admin_client.get("/admin/stations/venuefunding/", {"year": "2018"})
    assert fundings.status_code == 200
    assert [funding.year for funding in fundings.context["cl"].result_list] == [2018]
    assert admin_client.get("/admin/stations/venuehonour/", {"year": "2018", "level__exact": "city"}).status_code == 200
    activities = admin_client.get("/admin/stations/venueactivity/", {"year": "2018"})
    assert len(activities.context["cl"].result_list) == 1
    assert admin_client.get("/admin/stations/amenity/").status_code == 200
