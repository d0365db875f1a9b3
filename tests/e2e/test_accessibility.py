"""Readable by all (issue 9): axe-core finds no serious or critical violation on the pages each role works in, and an
English-speaking browser gets the Chinese portal.

axe-core is vendored for the tests only (tests/e2e/vendor/README.md) and injected into each page after it loaded.
"""

import importlib
from pathlib import Path

import pytest

from disputes import services
from disputes.models import Case, ClaimKind, HandlingBody
from stations.models import Venue
from tests.conftest import ensure_reference_rows
from tests.disputes.factories import id_number
from tests.factories import EnterpriseFactory, make_staff
from union_portal import demo as core_demo
from union_portal.access import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "test-password-123"  # tests.factories.UserFactory's password
BLOCKING = {"serious", "critical"}

# WCAG 2.1 A and AA, and axe's best practices (landmarks, headings), as axe-core reports them.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


class Quiet:
    def write(self, text):
        pass


@pytest.fixture
def demo_district(live_server):
    """The demo district and its venues, as `make run` loads them, and a few cases opened at the intake desk
    (the disputes demo's 30,000 cases would take minutes to load and change nothing on these pages)."""
    ensure_reference_rows()
    district = core_demo.load_district()
    importlib.import_module("stations.demo").load(district, Quiet())
    town = district.towns.order_by("order").first()
    clerk = make_staff(Role.DISTRICT_STAFF, username="axe_clerk")
    for n in range(3):
        services.case_open(
            town=town,
            handling_body=HandlingBody.CENTRE,
            employer=EnterpriseFactory(town=town),
            workers=[{"name": f"工人{n}", "id_number": id_number(700 + n), "phone": "13800138000"}],
            by=clerk,
            claim_kinds=ClaimKind.objects.filter(code="wage_arrears"),
        )
    return district


@pytest.fixture
def axe_page(browser):
    """A page whose Content-Security-Policy lets the test inject axe-core (the portal's CSP forbids inline scripts)."""
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    yield context.new_page()
    context.close()


def violations(page, url) -> list[str]:
    """The serious and critical violations axe-core finds on `url`, one line each: id, impact, elements."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(AXE_RUN)
    return [
        f"{v['id']} ({v['impact']}: {v['help']}) at {', '.join(v['targets'])}" for v in found if v["impact"] in BLOCKING
    ]


def log_in(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_the_pages_each_role_works_in_have_no_serious_or_critical_violation(axe_page, live_server, demo_district):
    page = axe_page
    base = live_server.url
    town = demo_district.towns.order_by("order").first()
    case = Case.objects.order_by("pk").first()
    venue = Venue.objects.filter(town=town).order_by("pk").first()
    public_venue = Venue.objects.public().order_by("pk").first()
    admin = make_staff(Role.DISTRICT_ADMIN, username="axe_admin")
    staff = make_staff(Role.DISTRICT_STAFF, username="axe_staff")
    town_staff = make_staff(Role.TOWN_STAFF, town, username="axe_town")
    leader = make_staff(Role.LEADERSHIP, username="axe_leader")

    found = {}

    def check(name, path):
        problems = violations(page, f"{base}{path}")
        if problems:
            found[f"{name} ({path})"] = problems

    check("login page", "/accounts/login/")
    check("public finder", "/venues/")
    check("public venue page", f"/venues/{public_venue.code}/")
    for role, user in (("district admin", admin), ("district staff", staff), ("town staff", town_staff)):
        log_in(page, base, user)
        check(f"start page of {role}", "/")
    # town staff, logged in last: the pages of their daily work, in their town
    check("case list", "/disputes/cases/")
    check("intake form", "/disputes/cases/new/")
    check("case page", f"/disputes/cases/{case.pk}/")
    check("venue list", "/stations/")
    check("venue page", f"/stations/{venue.pk}/")
    log_in(page, base, leader)
    check("start page of leadership", "/")

    assert not found, "axe-core violations (serious or critical):\n" + "\n".join(
        f"{name}:\n  " + "\n  ".join(problems) for name, problems in found.items()
    )


def test_an_english_browser_sees_the_chinese_portal(browser, live_server, district):
    """A new browser context that asks for English (en-US), as some offices' machines are set up."""
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        assert page.evaluate("navigator.language") == "en-US"
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.get_attribute("html", "lang") == "zh-Hans"
        assert page.inner_text("main form button[type=submit]").strip() == "登录"
        brand = page.inner_text(".navbar-brand")
        assert brand == f"{district.name}总工会", brand
        page.goto(f"{live_server.url}/venues/")
        assert "查找工会阵地" in page.inner_text("nav.navbar")
    finally:
        context.close()
