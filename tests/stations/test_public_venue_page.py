"""The public venue page (issue 9): the photo, the venue's public phone (never a person's), map links that
open on Chinese phones and the address to copy; `public_phone` in the staff form, the admin and the sheets."""

import io
import re
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.urls import reverse

from stations.models import Venue, VenuePhoto
from stations.resources import VenueResource, VenueXLSX
from tests.factories import VenueFactory
from tests.html_forms import submit

from .conftest import image_bytes, upload

VENUE_FORM = "[data-testid=venue-form]"


@pytest.fixture
def venue(town_a):
    return VenueFactory(
        town=town_a,
        name="瀛海暖心驿站",
        address="北京市大兴区瀛海镇南海子路8号",
        contact_name="甄小明",
        contact_phone="13912345678",
        public_phone="010-69241234",
        latitude="39.726929",
        longitude="116.341395",
    )


def page_of(client, venue) -> str:
    response = client.get(reverse("venues:venue", args=[venue.code]))
    assert response.status_code == 200
    return response.content.decode()


def link(page: str, testid: str) -> str:
    match = re.search(rf'<a [^>]*href="([^"]+)"[^>]*data-testid="{testid}"', page)
    assert match, f"no link {testid}"
    return match[1].replace("&amp;", "&")


def query(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


# --- the photo ------------------------------------------------------------------------------


def test_the_page_shows_the_photo_as_its_thumbnail_with_alt_text_and_anyone_may_load_it(client, venue):
    photo = VenuePhoto.objects.create(
        venue=venue, image=upload("门口.png", image_bytes(size=(1600, 1200))), caption="驿站门口"
    )

    page = page_of(client, venue)

    assert f'src="{photo.thumbnail.url}"' in page, "the thumbnail (at most 480×360), not the 1600×1200 photo"
    assert 'alt="驿站门口"' in page
    assert f'href="{photo.image.url}"' in page, "the full photo one tap away"
    loaded = client.get(photo.thumbnail.url)
    assert loaded.status_code == 200 and loaded["Content-Type"] == "image/jpeg"


def test_a_photo_without_a_caption_is_described_by_the_venue_name(client, venue):
    VenuePhoto.objects.create(venue=venue, image="venues/x/door.jpg", thumbnail="venues/thumbs/door.jpg")
    assert f'alt="{venue.name}"' in page_of(client, venue)


def test_a_venue_without_a_photo_shows_no_image(client, venue):
    page = page_of(client, venue)
    assert 'data-testid="venue-photo"' not in page
    assert "/media/" not in page


# --- the phone ------------------------------------------------------------------------------


def test_the_public_phone_is_a_tel_link_and_the_contact_person_and_their_phone_are_not_shown(client, venue):
    page = page_of(client, venue)
    assert link(page, "public-phone") == "tel:010-69241234"
    assert "13912345678" not in page and "1391" not in page
    assert "甄小明" not in page


def test_a_venue_without_a_public_phone_shows_no_phone_even_with_a_contact_phone(client, venue):
    venue.public_phone = ""
    venue.save()
    page = page_of(client, venue)
    assert "tel:" not in page
    assert "13912345678" not in page


def test_a_landline_extension_is_dialled_after_the_number(client, venue):
    venue.public_phone = "010-69241234-801"
    venue.save()
    assert link(page_of(client, venue), "public-phone") == "tel:010-69241234;ext=801"


# --- getting there -------------------------------------------------------------------------


def test_map_links_pass_the_wgs84_coordinates_to_amap_and_baidu(client, venue):
    page = page_of(client, venue)

    amap = link(page, "amap-link")
    assert amap.startswith("https://uri.amap.com/marker?")
    assert query(amap) | {"src": ""} == {
        "position": "116.341395,39.726929",  # longitude first
        "name": "瀛海暖心驿站",
        "coordinate": "wgs84",
        "callnative": "1",
        "src": "",
    }
    baidu = link(page, "baidu-link")
    assert baidu.startswith("https://api.map.baidu.com/marker?")
    params = query(baidu)
    assert params["location"] == "39.726929,116.341395"  # latitude first
    assert (params["title"], params["content"]) == ("瀛海暖心驿站", venue.address)
    assert (params["coord_type"], params["output"]) == ("wgs84", "html")
    assert params["src"].startswith("webapp.")
    assert link(page, "map-link").startswith("geo:39.726929,116.341395")


def test_without_coordinates_the_map_apps_search_for_the_address(client, venue):
    venue.latitude = venue.longitude = None
    venue.save()
    page = page_of(client, venue)

    amap, baidu = link(page, "amap-link"), link(page, "baidu-link")
    assert amap.startswith("https://uri.amap.com/search?") and query(amap)["keyword"] == venue.address
    assert baidu.startswith("https://api.map.baidu.com/geocoder?") and query(baidu)["address"] == venue.address


def test_the_copy_button_copies_the_address_element(client, venue):
    page = page_of(client, venue)
    assert re.search(r'<button type="button"[^>]*data-copy="venue-address"', page)
    assert f'<span id="venue-address" data-testid="venue-address">{venue.address}</span>' in page


def test_the_page_loads_nothing_from_outside_and_has_no_inline_script(client, venue):
    VenuePhoto.objects.create(venue=venue, image="venues/x/door.jpg", thumbnail="venues/thumbs/door.jpg")
    page = page_of(client, venue)
    for tag, attribute in (("script", "src"), ("img", "src"), ("link", "href")):
        for url in re.findall(rf"<{tag} [^>]*{attribute}=\"([^\"]+)\"", page):
            assert url.startswith("/"), f"<{tag}> loads {url}"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "the CSP forbids inline scripts"


# --- public_phone on the staff side ---------------------------------------------------------


def test_staff_enter_the_public_phone_on_the_venue_form(client_for, district_staff, venue):
    client = client_for(district_staff)
    page = client.get(reverse("stations:venue_update", args=[venue.pk]))
    assert "shown to the public" in page.content.decode().lower() or "公开" in page.content.decode()

    response = submit(client, page, VENUE_FORM, fill={"public_phone": "010-69249999"})

    assert response.status_code == 302, response.context and response.context["form"].errors
    venue.refresh_from_db()
    assert venue.public_phone == "010-69249999"
    assert venue.contact_phone == "13912345678"


def test_a_public_phone_that_is_no_phone_number_is_refused_on_its_field(client_for, district_staff, venue):
    client = client_for(district_staff)
    page = client.get(reverse("stations:venue_update", args=[venue.pk]))

    response = submit(client, page, VENUE_FORM, fill={"public_phone": "12345"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["public_phone"]
    venue.refresh_from_db()
    assert venue.public_phone == "010-69241234"


def test_the_admin_change_form_has_the_public_phone(client_for, district_admin, venue):
    district_admin.is_staff = district_admin.is_superuser = True
    district_admin.save()
    page = client_for(district_admin).get(reverse("admin:stations_venue_change", args=[venue.pk]))
    assert page.status_code == 200
    assert 'name="public_phone"' in page.content.decode()


def test_the_export_holds_the_public_phone_unmasked_and_an_import_without_the_column_keeps_it(
    district_admin, town_a, venue
):
    resource = VenueResource(user=district_admin)
    column = resource.column("public_phone")
    dataset = resource.export(Venue.objects.all())
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row[column] == "010-69241234"
    assert row[resource.column("contact_phone")] == "139****5678"
    assert column in resource.template_headers()

    headers = [header for header in dataset.headers if header not in (column, resource.column("status"))]
    values = [row[header] for header in headers]
    values[headers.index(resource.column("name"))] = "新名驿站"
    result = import_rows(district_admin, headers, [values])

    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    venue.refresh_from_db()
    assert (venue.name, venue.public_phone) == ("新名驿站", "010-69241234")


def test_an_import_sets_the_public_phone_and_refuses_one_that_is_no_phone_number(district_admin, town_a, venue):
    resource = VenueResource(user=district_admin)
    headers = [resource.column(name) for name in ("code", "name", "kind", "town", "address", "public_phone")]
    row = [venue.code, venue.name, venue.get_kind_display(), town_a.name, venue.address]

    assert not import_rows(district_admin, headers, [[*row, "13800001111"]]).has_validation_errors()
    venue.refresh_from_db()
    assert venue.public_phone == "13800001111"

    refused = import_rows(district_admin, headers, [[*row, "12345"]])
    assert refused.has_validation_errors()
    assert list(refused.invalid_rows[0].error_dict) == [resource.column("public_phone")]
    venue.refresh_from_db()
    assert venue.public_phone == "13800001111"


def import_rows(user, headers, rows):
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    dataset = VenueXLSX().create_dataset(out.getvalue())
    return VenueResource(user=user).import_data(dataset, dry_run=False, rollback_on_validation_errors=True)
