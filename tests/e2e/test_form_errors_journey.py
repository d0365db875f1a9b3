"""A refused form in Chromium: the error summary shows at the top and the focus is on the first bad field."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "test-password-123"  # tests.factories.UserFactory's password


def log_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def focused_id(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def assert_summary_at_the_top(page, form_selector: str):
    summary = page.locator("[data-testid=form-errors]")
    assert summary.count() == 1 and summary.is_visible()
    # Once portal.js has moved the focus (which may scroll the page), both boxes are read in one script, so a
    # scroll between two separate reads cannot put them in different frames.
    page.wait_for_function("document.activeElement && document.activeElement.matches('input, select, textarea')")
    boxes = page.evaluate(
        """(form) => {
            const summary = document.querySelector("[data-testid=form-errors]").getBoundingClientRect();
            const fields = [...document.querySelectorAll(`${form} :is(input, select, textarea)`)]
                .filter((field) => field.getClientRects().length > 0 && getComputedStyle(field).visibility !== "hidden");
            return {top: summary.top, bottom: summary.bottom, field: fields[0].getBoundingClientRect().top,
                    viewport: window.innerHeight};
        }""",
        form_selector,
    )
    assert boxes["bottom"] <= boxes["field"]  # at the top of the form, above its first field
    assert -2 <= boxes["top"] < boxes["viewport"]  # and in sight, above the focused field
    return summary


def test_a_bad_venue_form_puts_the_focus_on_the_missing_name(page, live_server, district_staff, town_a):
    url = reverse("stations:venue_create")
    log_in(page, live_server, district_staff, url)
    page.select_option("#id_kind", index=1)
    page.select_option("#id_town", label="瀛海镇")
    page.fill("#id_address", "")  # two fields left empty: the name, then the address
    page.click("[data-testid=venue-form] button[type=submit]")
    page.wait_for_load_state()

    summary = assert_summary_at_the_top(page, "[data-testid=venue-form]")
    links = summary.locator("a[data-focus-field]")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["#id_name", "#id_address"]
    assert "名称" in links.first.inner_text()
    assert focused_id(page) == "id_name"
    assert page.evaluate("document.activeElement.getBoundingClientRect().top >= 0")

    links.nth(1).click()  # a link of the summary takes the user to its field
    assert focused_id(page) == "id_address"

    page.fill("#id_name", "南海子环卫工人休息点")  # what was chosen is still there after the refusal
    assert page.input_value("#id_town") != ""


def test_a_bad_merchant_form_puts_the_focus_on_the_contract_end(page, live_server, district_staff):
    url = reverse("benefits:merchant_create")
    log_in(page, live_server, district_staff, url)
    page.fill("#id_name", "照相馆")
    page.select_option("#id_category", "wedding_photo")
    page.fill("#id_offer", "九折")
    page.fill("#id_contract_start", "2018-06-01")
    page.fill("#id_contract_end", "2018-05-31")
    page.click("[data-testid=save]")
    page.wait_for_load_state()

    summary = assert_summary_at_the_top(page, "[data-testid=merchant-form]")
    assert summary.locator("a[data-focus-field]").first.get_attribute("href") == "#id_contract_end"
    assert focused_id(page) == "id_contract_end"
    assert page.input_value("#id_name") == "照相馆"


def test_a_wrong_password_puts_the_focus_on_the_summary(page, live_server, district_staff):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", district_staff.username)
    page.fill("#id_password", "wrong-password")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    assert page.locator("[data-testid=form-errors]").is_visible()
    assert focused_id(page) == "form-errors"  # the message is about the whole form: the summary has the focus
