"""The start page in Chromium (issue 9): each role logs in through the login page, lands on its desk, clicks a
count and reaches a list that says the same number."""

import re

import pytest

from tests.union_portal.test_desk import benefits, cases, venues

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "test-password-123"  # tests.factories.UserFactory's password
NUMBER = re.compile(r"\d+")


def log_in_to_desk(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").count() == 1


def count_of(page, key: str) -> int:
    item = page.locator(f"[data-testid=desk-{key}]")
    shown = int(item.locator(".badge").inner_text())
    assert shown == int(item.get_attribute("data-count"))
    return shown


def first_number(page, selector: str) -> int:
    return int(NUMBER.search(page.locator(selector).first.inner_text()).group())


@pytest.fixture
def records(town_a, town_b, town_a_staff, town_b_staff):
    cases(town_a, town_a_staff)
    cases(town_b, town_b_staff, tag="B")
    venues(town_a)
    benefits(town_a, town_a_staff)
    benefits(town_b, town_b_staff)


def test_town_staff_open_their_overdue_cases_from_the_desk(page, live_server, records, town_a_staff):
    log_in_to_desk(page, live_server, town_a_staff)
    assert count_of(page, "disputes-overdue") == 1  # their town's only
    page.locator("[data-testid=desk-disputes-overdue]").click()
    page.wait_for_url(re.compile(r"/disputes/cases/\?clock=overdue"))
    assert first_number(page, "[data-testid=result-count]") == 1


def test_district_staff_open_the_rooms_whose_acceptance_is_overdue(page, live_server, records, district_staff):
    log_in_to_desk(page, live_server, district_staff)
    expected = count_of(page, "stations-acceptance_overdue")
    assert expected == 1
    assert count_of(page, "disputes-overdue") == 2  # every town's
    page.locator("[data-testid=desk-stations-acceptance_overdue]").click()
    page.wait_for_url(re.compile(r"/stations/\?needs=acceptance_overdue"))
    assert first_number(page, "[data-testid=result-count]") == expected


def test_a_district_admin_sees_what_needs_an_administrator_and_opens_the_waiting_payments(
    page, live_server, records, district_admin
):
    log_in_to_desk(page, live_server, district_admin)
    assert page.locator("[data-desk-section=attention] [data-testid=desk-no-role]").count() == 1
    expected = count_of(page, "benefits-payments_entered")
    assert expected == 2
    page.locator("[data-testid=desk-benefits-payments_entered]").click()
    page.wait_for_url(re.compile(r"/benefits/payments/\?state=entered"))
    assert first_number(page, "[data-testid=payment-totals]") == expected


def test_a_leader_reads_the_headlines_and_follows_cases_received(page, live_server, records, leadership):
    log_in_to_desk(page, live_server, leadership)
    tile = page.locator("[data-headline=cases_received]")
    value = int(tile.locator(".h4").inner_text().replace(",", ""))
    assert value == 10
    assert page.locator("[data-testid=open-summary]").is_visible()
    tile.locator("a").first.click()
    page.wait_for_url(re.compile(r"/disputes/cases/\?"))
    assert first_number(page, "[data-testid=result-count]") == value
