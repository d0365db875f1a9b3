"""A worker on a phone lets the finder use their location, finds the nearest venue, and gets there (issue 9)."""

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from stations.models import VenuePhoto
from tests.factories import VenueFactory
from tests.stations.conftest import image_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
HERE = {"latitude": 39.7271, "longitude": 116.3412}  # the visitor, near the district centre


@pytest.fixture
def phone_with_location(browser):
    """A phone whose visitor allows the finder to use their location (and the page to copy to the clipboard)."""
    context = browser.new_context(
        **PHONE,
        locale="zh-CN",
        geolocation=HERE,
        permissions=["geolocation", "clipboard-read", "clipboard-write"],
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def venues(town_a, town_b):
    far = VenueFactory(name="魏善庄暖心驿站", town=town_a, is_24h=True, latitude="39.650000", longitude="116.400000")
    near = VenueFactory(
        name="兴丰街道暖心驿站",
        town=town_b,
        is_24h=True,
        latitude="39.731000",
        longitude="116.343000",
        address="北京市大兴区兴丰街道兴华大街12号",
        contact_name="甄小明",
        contact_phone="13912345678",
        public_phone="010-69241234",
    )
    unplaced = VenueFactory(name="流动暖心驿站", town=town_a, is_24h=True, latitude=None, longitude=None)
    VenuePhoto.objects.create(
        venue=near,
        image=SimpleUploadedFile("门口.jpg", image_bytes("JPEG", size=(1280, 960)), content_type="image/jpeg"),
        caption="驿站门口",
    )
    return {"far": far, "near": near, "unplaced": unplaced}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_worker_sorts_by_distance_and_opens_the_nearest_venue_with_photo_phone_and_map_links(
    phone_with_location, live_server, venues
):
    page = phone_with_location
    page.goto(f"{live_server.url}/venues/")
    cards = page.locator("[data-testid=venue-card]")
    assert cards.count() == 3
    assert cards.first.locator(".card-title").inner_text() != venues["near"].name  # by town: town A first

    page.click("[data-testid=sort-near]")
    page.wait_for_url("**/venues/?near=*")

    near = parse_qs(urlsplit(page.url).query)["near"][0]
    assert near == "39.727,116.341", "the position is rounded to 3 decimals before it leaves the phone"
    names = [title.strip() for title in cards.locator(".card-title").all_inner_texts()]
    assert names == [venues["near"].name, venues["far"].name, venues["unplaced"].name]
    distance = cards.first.locator("[data-testid=venue-distance]").inner_text()
    assert distance.startswith("0.5"), distance
    assert fits_the_screen(page)

    cards.first.click()
    page.wait_for_url(f"{live_server.url}/venues/{venues['near'].code}/")

    photo = page.locator("[data-testid=venue-photo] img").first
    expect(photo).to_have_attribute("alt", "驿站门口")
    expect(photo).to_have_js_property("naturalWidth", 480)  # the thumbnail, loaded from the portal itself
    assert page.get_attribute("[data-testid=public-phone]", "href") == "tel:010-69241234"
    shown = page.locator("main").inner_text()
    assert "13912345678" not in shown and "甄小明" not in shown

    amap = page.get_attribute("[data-testid=amap-link]", "href")
    assert amap.startswith("https://uri.amap.com/marker?") and "coordinate=wgs84" in amap
    baidu = page.get_attribute("[data-testid=baidu-link]", "href")
    assert baidu.startswith("https://api.map.baidu.com/marker?") and "coord_type=wgs84" in baidu
    assert page.get_attribute("[data-testid=map-link]", "href").startswith("geo:")

    copy = page.locator("[data-testid=copy-address]")
    copied_label = copy.get_attribute("data-copied")
    copy.click()
    expect(copy).to_have_text(copied_label)
    assert page.evaluate("navigator.clipboard.readText()") == venues["near"].address
    assert fits_the_screen(page)

    if screens := os.environ.get("SCREENS_DIR"):  # the issue note's screenshot (LOCALE_DIR with the new strings)
        page.screenshot(path=str(Path(screens) / "public-venue-390.png"), full_page=True)


def test_a_visitor_who_refuses_the_location_is_told_and_keeps_the_list(browser, live_server, venues):
    context = browser.new_context(**PHONE, locale="zh-CN")  # no permission: the browser refuses the position
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/venues/")
        page.click("[data-testid=sort-near]")
        status = page.locator("[data-testid=near-status]")
        expect(status).to_have_text(page.get_attribute("[data-testid=sort-near]", "data-failed"))
        assert "near=" not in page.url
        assert page.locator("[data-testid=venue-card]").count() == 3
    finally:
        context.close()
