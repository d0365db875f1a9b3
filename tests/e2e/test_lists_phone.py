"""The staff lists in Chromium: cards without sideways scroll on a 390 px phone, whole words in the desktop's headers."""

import datetime
from pathlib import Path

import pytest

from benefits.models import Member, Merchant, MerchantCategory
from tests.disputes.factories import CaseFactory, id_number
from tests.e2e.test_disputes_journeys import log_in
from tests.factories import EnterpriseFactory, VenueFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SCREENS = Path("/work/screens")


@pytest.fixture
def records(town_a):
    """A page and more of each list, with the long names that squeeze a table."""
    employer = EnterpriseFactory(town=town_a, name="北京市大兴区瀛海镇某某建筑劳务工程有限责任公司")
    cases = [CaseFactory(town=town_a, employer=employer, amount_claimed=123456 + n) for n in range(30)]
    venues = VenueFactory.create_batch(30, town=town_a)
    members = Member.objects.bulk_create(
        Member(town=town_a, name=f"会员{n:02d}", id_number=id_number(500 + n), union_name="北京某某物流有限公司工会")
        for n in range(30)
    )
    today = datetime.date.today()
    merchants = Merchant.objects.bulk_create(
        Merchant(
            name=f"加盟商户{n}",
            category=MerchantCategory.HAIRCUT,
            offer="持卡会员凭卡享受理发、烫染等项目八折优惠，每月限用两次" * 2,
            contract_start=today - datetime.timedelta(days=30),
            contract_end=today + datetime.timedelta(days=300),
        )
        for n in range(5)
    )
    return {"cases": cases, "venues": venues, "members": members, "merchants": merchants}


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def first_card(page, selector):
    """The first record of the list, as the phone lays it out: a block about as wide as the screen."""
    row = page.locator(selector).first
    box = row.bounding_box()
    assert box["width"] <= PHONE["width"] and box["width"] > PHONE["width"] * 0.8
    assert page.locator("table.list-table thead").first.bounding_box()["height"] <= 1  # headers hidden
    return row


def test_the_lists_are_cards_on_a_phone(page, live_server, records, district_staff):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, district_staff, "/disputes/cases/")

    card = first_card(page, "tr.case-row")
    assert no_sideways_scroll(page)
    numbers = page.locator("tr.case-row td.card-head a")
    assert numbers.count() == 25 and all(numbers.nth(i).is_visible() for i in range(3))
    assert card.locator("td.card-head").inner_text().split()[0] in {case.number for case in records["cases"]}
    assert card.locator(".status-badge").is_visible()
    assert "北京市大兴区瀛海镇某某建筑劳务工程有限责任公司" in card.inner_text()
    assert page.locator("[data-testid=pagination]").is_visible()
    page.screenshot(path=str(SCREENS / "lists-case-list-phone-390.png"), full_page=False)

    page.goto(f"{live_server.url}/stations/")
    venue = first_card(page, "tr[data-testid=venue-row]")
    assert no_sideways_scroll(page)
    assert venue.locator("td.card-head a").is_visible()
    assert venue.locator("td.card-head").inner_text().strip() in {v.name for v in records["venues"]}

    page.goto(f"{live_server.url}/benefits/members/")
    member = first_card(page, "tr[data-member]")
    assert no_sideways_scroll(page)
    assert member.locator("td.card-head a").inner_text().startswith("会员")

    page.goto(f"{live_server.url}/benefits/merchants/")
    merchant = first_card(page, "tr[data-merchant]")
    assert no_sideways_scroll(page)
    assert merchant.locator("td.card-head a").inner_text().startswith("加盟商户")


def header_lines(page, table):
    """Each header of the table as lines of text: its height over its line height."""
    return page.evaluate(
        """(table) => [...document.querySelectorAll(table + ' thead th')].filter(th => th.innerText.trim()).map(th => {
            const style = getComputedStyle(th);
            const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
            return [th.innerText, (th.getBoundingClientRect().height - padding) / parseFloat(style.lineHeight)];
        })""",
        table,
    )


def test_desktop_headers_keep_their_words_whole(page, live_server, records, district_staff):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, district_staff, "/disputes/cases/")
    lines = header_lines(page, "table.case-table")
    assert len(lines) >= 8
    assert all(count < 1.5 for _, count in lines), lines
    assert no_sideways_scroll(page)  # a table too wide scrolls in its own box, not the page
    page.screenshot(path=str(SCREENS / "lists-case-list-desktop-1366.png"), full_page=False)

    page.goto(f"{live_server.url}/stations/")
    lines = header_lines(page, "table.venue-table")
    assert len(lines) >= 9
    assert all(count < 1.5 for _, count in lines), lines
    assert no_sideways_scroll(page)
