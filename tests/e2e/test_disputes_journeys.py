"""Browser journeys through the disputes pages (Chromium via Playwright, against the live server)."""

import datetime

import pytest
from django.utils import timezone

from disputes.models import Case, ClaimKind, DossierKind, Status
from tests.factories import EnterpriseFactory
from union_portal.formatting import person_name
from union_portal.validators import make_credit_code, make_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "test-password-123"  # tests.factories.UserFactory's password


def log_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def move(page, status, fill=None, select=None):
    """Open the move's form on the case page, fill it in and submit it."""
    form = page.locator(f"form[data-move={status}]")
    if form.locator("details").get_attribute("open") is None:
        form.locator("summary").click()
    for name, value in (fill or {}).items():
        form.locator(f"[name='move-{status}-{name}']").fill(value)
    for name, value in (select or {}).items():
        form.locator(f"[name='move-{status}-{name}']").select_option(value)
    form.locator(f"[data-testid=move-{status}]").click()
    page.wait_for_selector(f"[data-testid=case-status][data-status={status}]")


def test_town_staff_log_a_wage_arrears_case_mediate_and_close_it(page, live_server, town_a, town_a_staff):
    ClaimKind.ensure_all()
    log_in(page, live_server, town_a_staff, "/disputes/")
    page.click("a[href='/disputes/cases/new/']")

    page.check(f"input[name=claim_kinds][value='{ClaimKind.objects.get(code='wage_arrears').pk}']")
    page.fill("#id_amount_claimed", "15000")
    page.fill("#id_facts", "三名职工被拖欠两个月工资")
    page.fill("#id_employer_name", "北京欠薪测试有限公司")
    page.fill("#id_employer_credit_code", make_credit_code(880001))
    for i, name in enumerate(["王建国", "李秀英", "张伟"]):
        page.fill(f"#id_workers-{i}-name", name)
        page.fill(f"#id_workers-{i}-id_number", make_id_number(100 + i, datetime.date(1985, 3, 1 + i)))
        page.fill(f"#id_workers-{i}-phone", f"1381111000{i}")
    page.click("[data-testid=save-case]")
    page.wait_for_selector("[data-testid=case-number]")

    case = Case.objects.get()
    assert page.inner_text("[data-testid=case-number]") == case.number
    assert case.number.startswith(f"{town_a.name}调〔{timezone.localdate().year}〕")  # the town union's own sequence
    assert case.town == town_a and case.workers.count() == 3 and case.headcount == 3

    page.select_option("#id_kind", "mediation_session")
    page.fill("#id_text", "第一次调解：双方到场，企业同意分期支付")
    page.click("[data-testid=timeline-form] button[type=submit]")
    page.wait_for_selector("[data-testid=timeline] [data-kind=mediation_session]")

    move(page, "accepted")
    move(page, "mediating")
    move(page, "agreement", fill={"amount_recovered": "12000"})
    assert "12000" in page.inner_text("[data-testid=amount-recovered]")
    move(page, "archived", select={"dossier_kind": DossierKind.SIMPLE})
    case.refresh_from_db()

    assert case.status == Status.ARCHIVED
    assert case.amount_recovered == 12000
    page.click("details.case-history summary")
    moves = page.locator("[data-testid=changes] [data-change=changed]")
    assert moves.count() == 4  # received → accepted → mediating → agreement → archived, each with who and when
    assert person_name(town_a_staff) in moves.first.inner_text()
    page.goto(f"{live_server.url}/disputes/cases/")
    row = page.locator(f"tr[data-case='{case.number}']")
    assert row.count() == 1
    assert row.locator("[data-dossier]").get_attribute("data-dossier") == DossierKind.SIMPLE
    assert row.locator("[data-dossier]").inner_text().strip() != ""


def test_an_overdue_case_stands_out_on_the_start_page(page, live_server, town_a, town_a_staff):
    received = timezone.localdate() - datetime.timedelta(days=20)
    year = timezone.localdate().year
    late = Case(
        number=f"{town_a.name}调〔{year}〕0999",
        town=town_a,
        handling_body="town_union",
        received_on=received,
        employer=EnterpriseFactory(town=town_a),
        status=Status.MEDIATING,
    )
    late.save()
    on_time = Case(
        number=f"{town_a.name}调〔{year}〕0998",
        town=town_a,
        handling_body="town_union",
        received_on=timezone.localdate(),
        employer=late.employer,
        status=Status.RECEIVED,
    )
    on_time.save()
    log_in(page, live_server, town_a_staff, "/disputes/")

    overdue = page.locator("[data-panel=overdue]")
    assert overdue.locator(f"[data-case='{late.number}']").count() == 1
    assert overdue.locator(f"[data-case='{on_time.number}']").count() == 0
    assert overdue.locator("[data-testid=total-overdue]").inner_text() == "1"
    item = overdue.locator(f"[data-case='{late.number}']")
    background = item.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background == "rgb(253, 236, 234)"
    badge = item.locator("[data-clock=overdue]")
    assert badge.evaluate("element => getComputedStyle(element).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert str((timezone.localdate() - late.mediation_deadline).days) in badge.inner_text()  # overdue by 5 days
