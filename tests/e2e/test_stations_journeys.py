"""Browser journeys through the venue registry: the admin adds a venue, a worker finds one on a phone."""

import datetime

import pytest
from PIL import Image
from playwright.sync_api import expect

from stations.models import Amenity, Venue, VenueKind, VenuePhoto
from tests.factories import VenueFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "test-password-123"  # tests.factories.UserFactory's password
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def amenities(db):
    """The amenities of the data migration, by code."""
    return {amenity.code: amenity for amenity in Amenity.objects.all()}


def log_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert page.inner_text("main form button[type=submit]").strip() == "登录"
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def a_jpeg(folder) -> str:
    path = folder / "驿站门口.jpg"
    Image.new("RGB", (640, 480), (180, 40, 40)).save(path, "JPEG", quality=85)
    return str(path)


NAME = "南海子环卫工人休息点"


def test_district_admin_adds_a_warm_station_with_a_photo_in_the_admin(
    page, live_server, town_a, town_b, district_admin, amenities, tmp_path
):
    district_admin.is_staff = district_admin.is_superuser = True  # as the demo's district admins: the admin site
    district_admin.save()
    log_in(page, live_server, district_admin, "/admin/")
    page.click("a[href='/admin/stations/venue/add/']")

    page.select_option("#id_kind", VenueKind.WARM_STATION)
    page.fill("#id_name", NAME)
    page.select_option("#id_town", label="瀛海镇")
    page.fill("#id_address", "北京市大兴区瀛海镇南海子路8号")
    page.check("#id_is_24h")
    page.check(f"input[name=amenities][value='{amenities['microwave'].pk}']")
    page.fill("#id_built_on", "2018-06-01")
    page.click("#photos-group .add-row a")
    page.set_input_files("#id_photos-0-image", a_jpeg(tmp_path))
    page.fill("#id_photos-0-caption", "驿站门口")
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/stations/venue/")

    venue = Venue.objects.get()
    assert venue.kind == VenueKind.WARM_STATION and venue.town == town_a and venue.is_24h
    assert page.locator(".messagelist .success").count() == 1
    admin_row = page.locator("#result_list tbody tr").filter(has_text=NAME)
    assert admin_row.count() == 1
    assert "暖心驿站" in admin_row.inner_text()

    # The name holds neither the kind nor the town: the row shows them in their own columns, in Chinese.
    page.goto(f"{live_server.url}/stations/")
    row = page.locator(f"tr[data-testid=venue-row][data-code='{venue.code}']")
    assert NAME in row.inner_text()
    assert "暖心驿站" in row.inner_text() and "瀛海镇" in row.inner_text()

    photo = VenuePhoto.objects.get(venue=venue)
    assert photo.image.storage.exists(photo.image.name) and photo.thumbnail
    page.goto(f"{live_server.url}/stations/{venue.pk}/")
    image = page.locator(f"img[src='{photo.thumbnail.url}']")
    assert image.count() == 1
    assert image.get_attribute("alt") == "驿站门口"
    expect(image).to_have_js_property("naturalWidth", 480)  # the thumbnail of the 640×480 photo, loaded


def fits_the_screen(page) -> bool:
    """No sideways scrolling: nothing on the page is wider than the phone's screen."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def warm_station(town, name, amenities, **fields):
    venue = VenueFactory(town=town, name=name, **fields)
    venue.amenities.set(amenities)
    return venue


@pytest.mark.browser_context_args(**PHONE)
def test_worker_finds_a_24_hour_warm_station_with_a_microwave_on_a_phone(page, live_server, town_a, town_b, amenities):
    microwave, charging = amenities["microwave"], amenities["charging"]
    wanted = warm_station(town_a, "瀛海镇全天暖心驿站", [microwave, charging], is_24h=True, address="瀛海镇瀛海路1号")
    day_only = warm_station(
        town_a,
        "瀛海镇白天暖心驿站",
        [microwave],
        opens_at=datetime.time(8),
        closes_at=datetime.time(18),
    )
    no_microwave = warm_station(town_a, "瀛海镇无微波炉驿站", [charging], is_24h=True)
    other_town = warm_station(town_b, "亦庄镇全天暖心驿站", [microwave], is_24h=True)
    other_kind = warm_station(town_a, "瀛海镇职工之家", [microwave], is_24h=True, kind=VenueKind.WORKERS_HOME)
    everyone = [wanted, day_only, no_microwave, other_town, other_kind]

    page.goto(f"{live_server.url}/venues/")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    cards = page.locator("[data-testid=venue-card]")
    assert cards.count() == len(everyone)

    page.select_option("#id_town", label="瀛海镇")
    page.select_option("#id_kind", label="暖心驿站")
    page.click(".finder-amenities summary")
    page.check("input[name=amenity][value=microwave]")
    page.check("#id_open_now")
    page.check("#id_is_24h")
    page.click("[data-testid=finder-filters] button[type=submit]")
    page.wait_for_url("**/venues/?*")

    assert cards.count() == 1
    card = cards.first
    assert card.locator(".card-title").inner_text() == wanted.name
    assert "24小时" in card.inner_text() and "微波炉" in card.inner_text()
    shown = page.locator("main").inner_text()
    for hidden in everyone[1:]:
        assert hidden.name not in shown
    assert fits_the_screen(page)

    card.click()
    page.wait_for_url(f"{live_server.url}/venues/{wanted.code}/")
    venue_page = page.locator("[data-testid=public-venue]")
    assert venue_page.locator("h1").inner_text() == wanted.name
    assert venue_page.locator("[data-testid=venue-address]").inner_text() == "瀛海镇瀛海路1号"
    facts = venue_page.locator(".public-venue-facts").inner_text()
    assert "24小时" in facts and "微波炉" in facts
    assert page.get_attribute("[data-testid=map-link]", "href").startswith("geo:")
    assert page.evaluate("window.innerWidth") == PHONE["viewport"]["width"]
    assert fits_the_screen(page)


def test_town_staff_add_a_venue_without_a_photo_on_the_portal_then_edit_it(page, live_server, town_a, town_a_staff):
    """The photo section is left out while a venue has no photo, yet its management form must be sent:
    without it the page said nothing was saved and marked no field (issue 6)."""
    log_in(page, live_server, town_a_staff, "/stations/new/")
    page.select_option("#id_kind", VenueKind.WARM_STATION)
    page.fill("#id_name", NAME)
    page.fill("#id_address", "北京市大兴区瀛海镇南海子路8号")
    page.fill("#id_built_on", "2018-06-01")
    page.click("[data-testid=venue-form] button[type=submit]")
    page.wait_for_url(lambda url: url.rstrip("/").rsplit("/", 1)[-1].isdigit())  # the new venue's page
    venue = Venue.objects.get(name=NAME)
    assert venue.town == town_a and not venue.photos.exists()

    page.goto(f"{live_server.url}/stations/{venue.pk}/edit/")
    page.fill("#id_name", "南海子环卫工人暖心驿站")
    page.click("[data-testid=venue-form] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/stations/{venue.pk}/")
    venue.refresh_from_db()
    assert venue.name == "南海子环卫工人暖心驿站"
