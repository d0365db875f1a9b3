"""A case prints on A4 without forms, buttons or navigation, and its mediation agreement downloads as a .docx holding
the parties and the amount (Chromium via Playwright, against the live server)."""

import io
import os
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from django.utils import translation

from disputes import services
from disputes.models import ClaimKind, HandlingBody, Status
from tests.disputes.factories import id_number
from tests.factories import EnterpriseFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "test-password-123"  # tests.factories.UserFactory's password
SCREENS = Path(os.environ.get("PORTAL_SCREENS", "/work/screens"))
CONTROLS = "input, select, textarea, button, form"


def log_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


@pytest.fixture
def agreed_case(town_a, town_a_staff):
    ClaimKind.ensure_all()
    case = services.case_open(
        town=town_a,
        employer=EnterpriseFactory(town=town_a, name="瀛海精密机械有限公司"),
        workers=[
            {"name": "王建国", "id_number": id_number(801), "phone": "13811112222", "is_representative": True},
            {"name": "李秀英", "id_number": id_number(802), "phone": "13811113333"},
        ],
        handling_body=HandlingBody.TOWN_UNION,
        claim_kinds=ClaimKind.objects.filter(code="wage_arrears"),
        amount_claimed=Decimal("15000"),
        facts="两名职工被拖欠三个月工资。",
        by=town_a_staff,
    )
    for status in (Status.ACCEPTED, Status.MEDIATING):
        services.case_transition(case=case, to_status=status, by=town_a_staff)
    services.case_transition(
        case=case,
        to_status=Status.AGREEMENT,
        by=town_a_staff,
        note="企业于本月底前一次性支付拖欠工资。",
        amount_recovered=Decimal("12000.50"),
    )
    return case


def visible(page, selector: str) -> list[str]:
    """The elements matching `selector` that take up room on the page as it is rendered now."""
    return page.eval_on_selector_all(
        selector,
        """elements => elements.filter(e => {
            const box = e.getBoundingClientRect();
            return e.getClientRects().length > 0 && box.width > 0 && box.height > 0
                && getComputedStyle(e).visibility !== "hidden";
        }).map(e => e.outerHTML.slice(0, 120))""",
    )


def test_a_case_prints_without_controls_and_its_agreement_downloads(page, live_server, agreed_case, town_a_staff):
    url = agreed_case.get_absolute_url()
    log_in(page, live_server, town_a_staff, url)
    assert visible(page, CONTROLS), "on screen, the case page has its forms"
    assert visible(page, "[data-testid=case-documents] [data-print]")

    page.emulate_media(media="print")
    assert visible(page, CONTROLS) == []
    assert visible(page, "nav.navbar") == [] and visible(page, ".breadcrumb") == []
    assert visible(page, "[data-testid=case-number]") and visible(page, "[data-testid=timeline]")
    assert "王建国" in page.inner_text("main") and "瀛海精密机械有限公司" in page.inner_text("main")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=str(SCREENS / "case_print.png"), full_page=True)
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.click("[data-testid=case-documents] a[href$='agreement.docx']")
    download = download_info.value
    with translation.override("zh-hans"):  # 调解协议书 once the catalogue has the msgid
        assert download.suggested_filename == f"{agreed_case.number}_{translation.gettext('Mediation agreement')}.docx"
    document = docx.Document(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "王建国" in text and "李秀英" in text
    assert "瀛海精密机械有限公司" in text
    assert "12,000.50" in text and "壹万贰仟元伍角" in text


def test_the_agreement_print_page_prints_without_its_toolbar(page, live_server, agreed_case, town_a_staff):
    url = f"/disputes/cases/{agreed_case.pk}/agreement/"
    log_in(page, live_server, town_a_staff, url)
    assert visible(page, "[data-testid=document-toolbar] [data-print]")

    page.emulate_media(media="print")

    assert visible(page, CONTROLS) == [] and visible(page, "[data-testid=document-toolbar]") == []
    assert "壹万贰仟元伍角" in page.inner_text("[data-testid=agreement]")
    assert page.pdf(format="A4").startswith(b"%PDF")
