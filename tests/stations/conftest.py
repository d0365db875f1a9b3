"""Fixtures for the venue pages: a venue in each persona's town, amenities, photo files, bulk venues."""

import datetime
import io

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stations.models import Amenity, Venue, VenueKind, VenuePhoto, VenueStatus, next_venue_codes
from tests.factories import VenueFactory


def image_bytes(fmt: str = "PNG", size=(800, 600), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def amenity(db):
    """amenity("microwave") -> the Amenity with that code (the migration's reference rows, or a new one)."""

    def get(code: str) -> Amenity:
        return Amenity.objects.get_or_create(code=code, defaults={"name": code, "order": 99})[0]

    return get


@pytest.fixture
def venue_a(town_a):
    return VenueFactory(town=town_a, name="瀛海暖心驿站", contact_name="甄小明", contact_phone="13912345678")


@pytest.fixture
def venue_b(town_b):
    return VenueFactory(town=town_b, name="亦庄暖心驿站", contact_name="贾小红", contact_phone="13787654321")


@pytest.fixture
def bulk_venues(amenity):
    """bulk_venues(n, towns) creates n built venues spread over `towns`, each with two amenities and a photo."""

    def create(count: int, towns) -> list[Venue]:
        codes = next_venue_codes(VenueKind.WARM_STATION, count)
        built = datetime.date(2018, 5, 1)
        venues = Venue.objects.bulk_create(
            Venue(
                code=code,
                kind=VenueKind.WARM_STATION,
                name=f"批量驿站{code}",
                town=towns[i % len(towns)],
                address=f"测试路{i}号",
                status=VenueStatus.BUILT,
                built_on=built,
                is_24h=i % 2 == 0,
                contact_phone="13812345678",
            )
            for i, code in enumerate(codes)
        )
        microwave, charging = amenity("microwave"), amenity("charging")
        through = Venue.amenities.through
        through.objects.bulk_create(
            through(venue=venue, amenity=item) for venue in venues for item in (microwave, charging)
        )
        VenuePhoto.objects.bulk_create(
            VenuePhoto(venue=venue, image=f"venues/bulk/{venue.code}.jpg", thumbnail=f"venues/thumbs/{venue.code}.jpg")
            for venue in venues
        )
        return venues

    return create


def _post_value(bound_field):
    """What a browser would send for a rendered field (None: the field is left out, like an unticked box)."""
    value = bound_field.value()
    if isinstance(bound_field.field, forms.FileField):
        return None
    if isinstance(bound_field.field.widget, forms.CheckboxInput):
        return "on" if value else None
    if getattr(bound_field.field.widget, "allow_multiple_selected", False) and not value:
        return None  # nothing ticked: the browser sends nothing
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


@pytest.fixture
def form_post_data():
    """form_post_data(response, **changes): the POST a browser sends for the venue form page as rendered, changed."""

    def build(response, **changes):
        data = {}
        forms_on_page = [response.context["form"]]
        for _title, formset in response.context["formsets"]:
            forms_on_page += [formset.management_form, *formset]
        for form in forms_on_page:
            for bound_field in form:
                value = _post_value(bound_field)
                if value is not None:
                    data[bound_field.html_name] = value
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return data

    return build
