"""Intake in Chromium as a desk worker meets it: an employer known by name alone, completed later on the list of
employers awaiting a code; the headcount following the workers; a refused intake showing its error summary."""

from pathlib import Path

import pytest
from django.urls import reverse

from disputes.models import Case, ClaimKind
from tests.disputes.factories import id_number
from union_portal.models import Enterprise
from union_portal.validators import make_credit_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "test-password-123"  # tests.factories.UserFactory's password
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def log_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def fill_worker(page, row, name, number):
    page.fill(f"#id_workers-{row}-name", name)
    page.fill(f"#id_workers-{row}-id_number", number)


def test_a_case_is_logged_by_employer_name_alone_and_its_code_filled_in_later(page, live_server, town_a, town_a_staff):
    ClaimKind.ensure_all()
    log_in(page, live_server, town_a_staff, reverse("disputes:case_create"))
    page.fill("#id_received_on", "2018-03-01")
    page.check("input[name=claim_kinds] >> nth=0")
    page.fill("#id_employer_name", "北京只知其名有限公司")
    fill_worker(page, 0, "王建国", id_number(11))
    assert page.input_value("#id_headcount") == "1"  # the headcount follows the workers entered
    fill_worker(page, 1, "李秀英", id_number(12))
    assert page.input_value("#id_headcount") == "2"
    page.fill("#id_headcount", "40")  # a group: larger than the workers named, and kept
    fill_worker(page, 2, "张伟", id_number(13))
    assert page.input_value("#id_headcount") == "40"
    page.click("[data-testid=save-case]")
    page.wait_for_selector("[data-testid=case-number]")

    case = Case.objects.get()
    assert (case.headcount, case.employer.name, case.employer.credit_code) == (40, "北京只知其名有限公司", None)

    page.goto(f"{live_server.url}{reverse('disputes:employers_awaiting_code')}")
    row = page.locator(f"tr[data-enterprise='{case.employer.pk}']")
    assert row.locator("[data-testid=cases-count]").inner_text() == "1"
    code = make_credit_code(555101)
    row.locator("input[name$=credit_code]").fill(code)
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(f"tr[data-enterprise='{case.employer.pk}']").count() == 0
    assert Enterprise.objects.get().credit_code == code


def test_a_refused_intake_shows_the_error_summary_and_focuses_the_first_bad_field(
    page, live_server, town_a, town_a_staff
):
    ClaimKind.ensure_all()
    log_in(page, live_server, town_a_staff, reverse("disputes:case_create"))
    page.fill("#id_received_on", "")  # the first field of the form, left empty
    fill_worker(page, 0, "王建国", id_number(11))
    page.click("[data-testid=save-case]")
    page.wait_for_load_state()

    summary = page.locator("[data-testid=form-errors]")
    assert summary.count() == 1 and summary.is_visible()
    assert summary.bounding_box()["y"] < page.locator("#id_received_on").bounding_box()["y"]
    first = summary.locator("a[data-focus-field]").first
    assert first.get_attribute("href") == "#id_received_on"
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_received_on'")
    assert page.evaluate("document.activeElement.id") == "id_received_on"
    assert page.input_value("#id_workers-0-name") == "王建国"  # what was typed is kept
    assert not Case.objects.exists()


def test_axe_finds_no_input_without_a_label_on_the_intake_form(page, live_server, town_a_staff):
    if not AXE.exists():
        pytest.skip("axe-core is not vendored")
    log_in(page, live_server, town_a_staff, reverse("disputes:case_create"))
    page.evaluate(
        AXE.read_text(encoding="utf-8")
    )  # through the DevTools protocol: the page's CSP allows no inline script
    result = page.evaluate("axe.run(document, {runOnly: ['label']}).then(r => r.violations.map(v => v.nodes.length))")
    assert result == []
