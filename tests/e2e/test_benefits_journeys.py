"""Browser journeys through the benefits pages (Chromium via Playwright, against the live server)."""

import datetime

import pytest
from django.utils import timezone

from benefits.models import AidPayment, HardshipFile, MinimumAllowance
from tests.benefits.test_ledger import ledger_emptied
from tests.e2e.test_disputes_journeys import log_in
from tests.factories import make_staff
from union_portal.access import Role
from union_portal.validators import make_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _ledger_emptied_before_the_flush(live_server):
    """The flush after this test deletes every row, which SQLite's ledger trigger refuses for posted payments:
    empty the ledger first through the maintenance switch (torn down before the database fixture flushes)."""
    yield
    ledger_emptied()


def payment_row(voucher, state=""):
    return f"[data-testid=file-payments] tr[data-payment='{voucher}']" + (f"[data-state={state}]" if state else "")


def sign(page, file_url, voucher):
    """The second person approves the payment on the file page, then posts it."""
    page.goto(file_url)
    page.click(f"[data-testid=approve-{voucher}]")
    page.wait_for_selector(payment_row(voucher, "approved"))
    page.click(f"[data-testid=post-{voucher}]")
    page.wait_for_selector(payment_row(voucher, "posted"))


def record_payment(page, file_url, amount):
    page.goto(file_url)
    page.click("[data-testid=record-payment]")
    page.select_option("#id_programme", "medical")
    page.fill("#id_amount", amount)
    page.select_option("#id_funding_source", "district")
    page.click("[data-testid=save-payment]")
    page.wait_for_selector("[data-testid=payment-state][data-state=entered]")
    return AidPayment.objects.latest("pk")


def test_a_hardship_file_is_approved_and_an_emergency_aid_payment_is_posted_reversed_and_paid_right(
    page, browser, live_server, town_a, town_a_staff, district_staff
):
    year = timezone.localdate().year
    MinimumAllowance.objects.create(year=year, monthly_amount=1000)
    second = make_staff(Role.DISTRICT_STAFF, username="staff_second")

    # Town staff open the household's file and submit it.
    log_in(page, live_server, town_a_staff, "/benefits/files/new/")
    page.fill("#id_applicant_name", "王秀英")
    page.fill("#id_id_number", make_id_number(501, datetime.date(1972, 4, 5)))
    page.fill("#id_applicant_income", "800.00")
    page.select_option("#id_main_cause", "illness")
    page.click("[data-testid=save-file]")
    page.wait_for_selector("[data-testid=file-status][data-status=applying]")
    file = HardshipFile.objects.get()
    file_url = f"{live_server.url}/benefits/files/{file.pk}/"
    page.click("[data-step=submit] button")
    page.wait_for_selector("[data-testid=file-status][data-status=reviewing]")

    # District staff approve it, in a browser of their own.
    district = browser.new_context(locale="zh-CN").new_page()
    log_in(district, live_server, district_staff, f"/benefits/files/{file.pk}/")
    district.click("[data-step=approve] button")
    district.wait_for_selector("[data-testid=file-status][data-status=approved]")

    # District staff enter 8,000 元 of emergency medical aid; a second person approves and posts it.
    wrong = record_payment(district, file_url, "8000.00")
    assert district.locator("[data-testid=payment-steps] [data-testid^=approve-]").count() == 0  # not one's own
    checker = browser.new_context(locale="zh-CN").new_page()
    log_in(checker, live_server, second, f"/benefits/files/{file.pk}/")
    sign(checker, file_url, wrong.voucher_number)
    assert checker.inner_text("[data-testid=file-posted-total]") == "8000.00"

    # It was the wrong amount: town staff reverse it with the reason; the second person signs the reversal.
    page.goto(file_url)
    page.click(f"[data-testid=open-reverse-{wrong.voucher_number}]")
    page.fill(f"#id_payment{wrong.pk}_reason", "金额录入错误，应为6000元")
    page.click(f"[data-testid=reverse-{wrong.voucher_number}]")
    reversal = AidPayment.objects.get(reverses=wrong)
    page.wait_for_selector(payment_row(reversal.voucher_number, "entered"))
    sign(checker, file_url, reversal.voucher_number)

    # The right amount is recorded and signed: the file's total and the year's programme total show exactly it.
    right = record_payment(page, file_url, "6000.00")
    sign(checker, file_url, right.voucher_number)
    page.goto(file_url)
    assert page.inner_text("[data-testid=file-posted-total]") == "6000.00"
    page.goto(f"{live_server.url}/benefits/payments/totals/?year={year}")
    assert page.inner_text("[data-testid=by-programme] tr[data-programme=medical] [data-amount]") == "6000.00"
    assert page.inner_text("[data-testid=grand-total]") == "6000.00"
    assert AidPayment.objects.get(pk=reversal.pk).reason == "金额录入错误，应为6000元"
    page.goto(f"{live_server.url}/benefits/payments/?year={year}&programme=medical&net=1")
    assert page.inner_text("[data-testid=payment-sum]") == "6000.00"
