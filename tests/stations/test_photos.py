"""Venue photos on the edit page: JPEG, PNG or WebP only, at most 5 MB; a bad file saves nothing at all."""

from pathlib import PurePath

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from stations.models import VenuePhoto
from tests.factories import VenueFactory
from tests.stations.conftest import image_bytes, upload
from tests.upload_samples import good_photo_17kb, png_bomb, truncated_jpeg


def edit_url(venue):
    return reverse("stations:venue_update", args=[venue.pk])


def post_with_photos(client, venue, form_post_data, files, **changes):
    data = form_post_data(client.get(edit_url(venue)), **changes)
    data["photos"] = files
    return client.post(edit_url(venue), data)


def test_a_good_png_is_saved_with_a_jpeg_thumbnail(client_for, district_staff, venue_a, form_post_data):
    client = client_for(district_staff)
    response = post_with_photos(
        client, venue_a, form_post_data, [upload("front.png", image_bytes("PNG", (1600, 1200)))]
    )

    assert response.status_code == 302
    photo = VenuePhoto.objects.get(venue=venue_a)
    assert photo.image.name.endswith(".png") and "front" not in photo.image.name  # stored under a random name
    with Image.open(photo.thumbnail.path) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert thumbnail.size[0] <= 480 and thumbnail.size[1] <= 360
    detail = client.get(reverse("stations:venue_detail", args=[venue_a.pk])).content.decode()
    assert photo.thumbnail.url in detail
    assert photo.image.url in detail  # the thumbnail links to the full photo


def test_several_good_photos_are_saved_in_order(client_for, district_staff, venue_a, form_post_data):
    files = [
        upload("a.jpg", image_bytes("JPEG"), "image/jpeg"),
        upload("b.webp", image_bytes("WEBP"), "image/webp"),
    ]
    response = post_with_photos(client_for(district_staff), venue_a, form_post_data, files)

    assert response.status_code == 302
    suffixes = [photo.image.name.rsplit(".", 1)[-1] for photo in VenuePhoto.objects.filter(venue=venue_a)]
    assert suffixes == ["jpg", "webp"]  # in the order chosen


@pytest.mark.parametrize(
    ("file", "code"),
    [
        (lambda: upload("notes.jpg", "这不是照片，只是一段文字。".encode() * 50, "image/jpeg"), "photo_format"),
        (lambda: upload("anim.gif", image_bytes("GIF"), "image/gif"), "photo_format"),
        (lambda: upload("huge.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024), "image/png"), "photo_too_big"),
    ],
    ids=["text-renamed-jpg", "gif", "over-5mb"],
)
def test_a_bad_file_is_refused_on_the_field_and_nothing_is_saved(
    client_for, district_staff, venue_a, form_post_data, file, code
):
    response = post_with_photos(client_for(district_staff), venue_a, form_post_data, [file()], name="不应保存的名字")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("photos", code)
    assert form.errors["photos"][0] in response.content.decode()
    assert not VenuePhoto.objects.exists()
    venue_a.refresh_from_db()
    assert venue_a.name == "瀛海暖心驿站"
    assert venue_a.version == 1


def test_one_bad_file_among_good_ones_saves_none_of_them(client_for, district_staff, venue_a, form_post_data):
    files = [upload("ok.png", image_bytes("PNG")), upload("bad.gif", image_bytes("GIF"), "image/gif")]
    response = post_with_photos(client_for(district_staff), venue_a, form_post_data, files)

    assert response.status_code == 200
    assert "bad.gif" in response.context["form"].errors["photos"][0]
    assert not VenuePhoto.objects.exists()


def test_a_failure_while_saving_a_photo_rolls_back_the_venue_changes(
    client_for, district_staff, venue_a, form_post_data, monkeypatch
):
    def broken_thumbnail(photo):
        raise OSError("disk full")

    monkeypatch.setattr(VenuePhoto, "_make_thumbnail", broken_thumbnail)
    client = client_for(district_staff)
    client.raise_request_exception = False
    response = post_with_photos(client, venue_a, form_post_data, [upload("ok.png", image_bytes())], name="半途而废")

    assert response.status_code == 500
    venue_a.refresh_from_db()
    assert venue_a.name == "瀛海暖心驿站"
    assert not VenuePhoto.objects.exists()


def test_a_photo_can_be_captioned_and_removed(
    client_for, district_staff, venue_a, form_post_data, django_capture_on_commit_callbacks
):
    client = client_for(district_staff)
    post_with_photos(
        client, venue_a, form_post_data, [upload("one.png", image_bytes()), upload("two.png", image_bytes())]
    )
    one, two = VenuePhoto.objects.filter(venue=venue_a)
    data = form_post_data(client.get(edit_url(venue_a)), **{"photo-0-caption": "正门", "photo-1-DELETE": "on"})

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit_url(venue_a), data).status_code == 302

    assert list(VenuePhoto.objects.values_list("pk", "caption")) == [(one.pk, "正门")]
    assert not two.image.storage.exists(two.image.name)
    assert not two.thumbnail.storage.exists(two.thumbnail.name)


def photo_of(venue, name="张三家门口.png"):
    return VenuePhoto.objects.create(venue=venue, image=upload(name, image_bytes("PNG")))


@pytest.mark.parametrize(
    ("persona", "in_service", "planned"),
    [
        (None, 200, 404),  # the public sees photos of venues the finder lists, nothing else
        ("district_staff", 200, 200),
        ("town_a_staff", 200, 200),  # their own town's venues
        ("town_b_staff", 200, 404),  # another town's unpublished venue stays hidden
        ("leadership", 200, 200),
    ],
)
def test_photo_files_are_served_only_where_the_venue_may_be_seen(
    request, client_for, town_a, persona, in_service, planned
):
    built = photo_of(VenueFactory(town=town_a))
    unpublished = photo_of(VenueFactory(town=town_a, built_on=None, planned_on="2026-01-05"))
    client = client_for(request.getfixturevalue(persona) if persona else None)

    for photo, expected in ((built, in_service), (unpublished, planned)):
        for field in (photo.image, photo.thumbnail):
            response = client.get(field.url)
            assert response.status_code == expected, (field.name, persona)
            if expected == 200:
                assert b"".join(response.streaming_content)[:4] in (
                    b"\x89PNG",
                    b"\xff\xd8\xff\xe0",
                    b"\xff\xd8\xff\xdb",
                )


def test_a_path_that_is_no_photo_is_not_served(client_for, district_admin, venue_a):
    photo_of(venue_a)
    client = client_for(district_admin)
    assert client.get("/media/venues/../private/secret.pdf").status_code == 404
    assert client.get("/media/venues/2018/01/not-a-photo.png").status_code == 404


# The shared upload check (union_portal.uploads) through the portal form, the admin and the service ---------------


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("平面图.png", png_bomb(12_000, 12_000), "photo_pixels"),
        ("half.jpg", truncated_jpeg(), "photo_damaged"),
        ("front.jpg", image_bytes("PNG"), "photo_name"),
    ],
    ids=["17 KB PNG of 12000x12000", "truncated jpeg", "png named jpg"],
)
def test_a_hostile_photo_is_refused_on_the_portal_form_naming_the_file(
    client_for, district_staff, venue_a, form_post_data, name, content, code
):
    response = post_with_photos(client_for(district_staff), venue_a, form_post_data, [upload(name, content)])

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("photos", code)
    assert name in form.errors["photos"][0]
    assert form.errors["photos"][0] in response.content.decode()
    assert not VenuePhoto.objects.exists()


def test_neither_the_stored_photo_nor_its_thumbnail_is_named_after_the_upload(
    client_for, district_staff, venue_a, form_post_data
):
    name = "身份证-张三-110115198501011237.JPEG"
    response = post_with_photos(
        client_for(district_staff), venue_a, form_post_data, [upload(name, good_photo_17kb(), "image/jpeg")]
    )

    assert response.status_code == 302
    photo = VenuePhoto.objects.get()
    for stored in (photo.image.name, photo.thumbnail.name, photo.image.url, photo.thumbnail.url):
        assert "张三" not in stored and "110115" not in stored and "身份证" not in stored
    assert photo.image.name.endswith(".jpg")  # the extension of the content, not the one typed
    assert photo.thumbnail.name.startswith("venues/thumbs/") and photo.thumbnail.name.endswith(".jpg")
    assert PurePath(photo.thumbnail.name).stem != PurePath(photo.image.name).stem  # not guessable from the photo


def test_the_model_refuses_a_hostile_photo_for_services_too(venue_a):
    from stations.services import photo_add

    with pytest.raises(ValidationError) as caught:
        photo_add(venue=venue_a, image=upload("平面图.png", png_bomb(12_000, 12_000)))
    assert caught.value.error_dict["image"][0].code == "photo_pixels"
    assert not VenuePhoto.objects.exists()


@pytest.fixture
def photo_admin(client_for, district_admin):
    district_admin.is_staff = district_admin.is_superuser = True
    district_admin.save()
    return client_for(district_admin)


def admin_post_photo(client, venue, file):
    from tests.stations.test_admin import change_url, form_data

    data = form_data(client.get(change_url(venue)))
    data.update({"photos-TOTAL_FORMS": "1", "photos-0-caption": "门口", "photos-0-order": "0"})
    return client.post(change_url(venue), {**data, "photos-0-image": file})


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("平面图.png", png_bomb(12_000, 12_000), "photo_pixels"),
        ("half.jpg", truncated_jpeg(), "photo_damaged"),
        ("front.jpg", image_bytes("PNG"), "photo_name"),
        ("big.jpg", b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024), "photo_too_big"),
    ],
    ids=["17 KB PNG of 12000x12000", "truncated jpeg", "png named jpg", "over 5 MB"],
)
def test_the_admin_refuses_a_hostile_photo_naming_the_file(photo_admin, venue_a, name, content, code):
    response = admin_post_photo(photo_admin, venue_a, upload(name, content))

    assert response.status_code == 200
    photo_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert photo_form.has_error("image", code)
    assert name in photo_form.errors["image"][0]
    assert not VenuePhoto.objects.exists()


def test_the_admin_takes_a_good_photo_under_random_names(photo_admin, venue_a):
    response = admin_post_photo(photo_admin, venue_a, upload("张三门口.jpg", good_photo_17kb(), "image/jpeg"))

    assert response.status_code == 302
    photo = VenuePhoto.objects.get()
    assert "张三" not in photo.image.name and "张三" not in photo.thumbnail.name
    assert photo.image.name.endswith(".jpg")
