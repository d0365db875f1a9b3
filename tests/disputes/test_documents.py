"""The documents of a case: the case sheet, the registration form and the mediation agreement (page and .docx)."""

import io
from decimal import Decimal

import docx
import pytest
from django.urls import reverse

from disputes import services
from disputes.models import HandlingBody, Status
from tests.disputes.factories import id_number
from tests.factories import EnterpriseFactory
from union_portal.chinese_numbers import amount_in_capitals
from union_portal.formatting import mask_id_number

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
WORKER_ID = id_number(4242)
TERMS = "被申请人于2018年4月30日前一次性支付申请人工资12000元。"

# --- 大写 --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("0", "零元整"),
        ("0.01", "壹分"),
        ("0.50", "伍角"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("10.05", "壹拾元零伍分"),
        ("10.50", "壹拾元伍角"),
        ("101", "壹佰零壹元整"),
        ("1010", "壹仟零壹拾元整"),
        ("12000", "壹万贰仟元整"),
        ("10105", "壹万零壹佰零伍元整"),
        ("100000.00", "壹拾万元整"),
        ("1000001.01", "壹佰万零壹元零壹分"),
        ("10001000", "壹仟万壹仟元整"),
        ("100010000", "壹亿零壹万元整"),
        ("123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"),
        ("0.005", "壹分"),  # rounded to the 分, half up
    ],
)
def test_an_amount_is_written_in_capital_figures_to_the_fen(amount, capitals):
    assert amount_in_capitals(Decimal(amount)) == capitals


def test_a_negative_amount_in_capitals_says_so():
    assert amount_in_capitals(Decimal("-3.20")) == "负叁元贰角"


# --- the documents ---------------------------------------------------------------------------------------------


def agreed(case, by, *, amount=Decimal("12000.00"), terms=TERMS):
    """`case` mediated to an agreement through the services, as the case page's moves do."""
    for status in (Status.ACCEPTED, Status.MEDIATING):
        services.case_transition(case=case, to_status=status, by=by)
    services.case_transition(case=case, to_status=Status.AGREEMENT, by=by, note=terms, amount_recovered=amount)
    case.refresh_from_db()
    return case


@pytest.fixture
def case_a(open_case, town_a):
    employer = EnterpriseFactory(town=town_a, name="瀛海精密机械有限公司")
    return open_case(
        town_a,
        employer=employer,
        facts="申请人于2017年3月入职，2018年1月至3月工资未发。",
        workers=[{"name": "王建国", "id_number": WORKER_ID, "phone": "13811112222"}],
    )


@pytest.fixture
def agreed_case(case_a, district_staff):
    return agreed(case_a, district_staff)


def docx_text(response) -> str:
    """Every paragraph and table cell of a .docx answer, as one text."""
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    document = docx.Document(io.BytesIO(response.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def test_the_agreement_docx_holds_the_parties_and_the_amount_in_figures_and_capitals(
    client_for, town_a_staff, agreed_case
):
    response = client_for(town_a_staff).get(reverse("disputes:case_agreement_docx", args=[agreed_case.pk]))

    text = docx_text(response)
    assert "王建国" in text
    assert WORKER_ID in text  # town staff work the case: the number in full, as on the case page
    assert "瀛海精密机械有限公司" in text
    assert agreed_case.employer.credit_code in text
    assert "12,000.00" in text
    assert "壹万贰仟元整" in text
    assert TERMS in text
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert 'filename="' in response["Content-Disposition"]  # the ASCII fallback


def test_the_agreement_docx_is_a4_in_songti(client_for, town_a_staff, agreed_case):
    response = client_for(town_a_staff).get(reverse("disputes:case_agreement_docx", args=[agreed_case.pk]))

    document = docx.Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert document.styles["Normal"].font.name == "宋体"
    assert 'w:eastAsia="宋体"' in document.styles["Normal"].element.xml


def test_the_agreement_page_shows_the_parties_the_terms_and_the_amount(client_for, district_staff, agreed_case):
    response = client_for(district_staff).get(reverse("disputes:case_agreement", args=[agreed_case.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "王建国" in page and WORKER_ID in page
    assert "瀛海精密机械有限公司" in page
    assert "12,000.00" in page and "壹万贰仟元整" in page
    assert TERMS in page
    assert "data-print" in page
    assert reverse("disputes:case_agreement_docx", args=[agreed_case.pk]) in page


def test_an_employer_without_credit_code_is_to_be_completed_on_the_agreement(
    client_for, district_staff, open_case, town_a
):
    employer = EnterpriseFactory(town=town_a, name="只知道名字的公司", credit_code=None)
    case = agreed(open_case(town_a, employer=employer), district_staff)

    response = client_for(district_staff).get(reverse("disputes:case_agreement_docx", args=[case.pk]))

    assert "只知道名字的公司" in docx_text(response)
    assert "待补全" in docx_text(response) or "to be completed" in docx_text(response)


@pytest.mark.parametrize("name", ["disputes:case_agreement", "disputes:case_agreement_docx"])
def test_a_case_without_agreement_has_no_agreement(client_for, district_staff, case_a, name):
    response = client_for(district_staff).get(reverse(name, args=[case_a.pk]))

    assert response.status_code == 404
    assert 'data-testid="no-agreement"' in response.content.decode()


def test_a_legal_aid_case_closed_with_an_agreement_has_none_from_the_union(
    client_for, district_staff, open_case, town_a
):
    case = open_case(town_a, handling_body=HandlingBody.LEGAL_AID)
    for status in (Status.APPROVED, Status.REPRESENTING):
        services.case_transition(case=case, to_status=status, by=district_staff)
    services.case_transition(
        case=case, to_status=Status.CLOSED, by=district_staff, outcome="agreement", amount_recovered=Decimal("5")
    )

    response = client_for(district_staff).get(reverse("disputes:case_agreement", args=[case.pk]))

    assert response.status_code == 404


def test_an_archived_agreement_case_keeps_its_agreement(client_for, district_staff, agreed_case):
    services.case_transition(case=agreed_case, to_status=Status.ARCHIVED, by=district_staff, dossier_kind="simple")

    response = client_for(district_staff).get(reverse("disputes:case_agreement_docx", args=[agreed_case.pk]))

    assert "壹万贰仟元整" in docx_text(response)


@pytest.mark.parametrize(
    "name",
    [
        "disputes:case_print",
        "disputes:case_agreement",
        "disputes:case_agreement_docx",
        "disputes:case_registration",
        "disputes:case_registration_docx",
    ],
)
def test_town_b_staff_get_404_for_town_as_documents(client_for, town_b_staff, agreed_case, name):
    assert client_for(town_b_staff).get(reverse(name, args=[agreed_case.pk])).status_code == 404


@pytest.mark.parametrize("name", ["disputes:case_print", "disputes:case_agreement", "disputes:case_registration"])
def test_leadership_reads_the_documents_with_masked_id_numbers(client_for, leadership, agreed_case, name):
    page = client_for(leadership).get(reverse(name, args=[agreed_case.pk])).content.decode()

    assert "王建国" in page
    assert WORKER_ID not in page
    assert mask_id_number(WORKER_ID) in page
    assert "13811112222" not in page


def test_leadership_gets_the_agreement_docx_masked(client_for, leadership, agreed_case):
    text = docx_text(client_for(leadership).get(reverse("disputes:case_agreement_docx", args=[agreed_case.pk])))

    assert WORKER_ID not in text
    assert mask_id_number(WORKER_ID) in text


def test_the_registration_form_holds_the_intake_facts(client_for, town_a_staff, case_a):
    client = client_for(town_a_staff)

    page = client.get(reverse("disputes:case_registration", args=[case_a.pk])).content.decode()
    text = docx_text(client.get(reverse("disputes:case_registration_docx", args=[case_a.pk])))

    for shown in (page, text):
        assert case_a.number in shown
        assert "王建国" in shown and WORKER_ID in shown and "13811112222" in shown
        assert "瀛海精密机械有限公司" in shown
        assert "申请人于2017年3月入职" in shown


def test_the_case_sheet_has_no_form_and_holds_the_case(client_for, district_staff, agreed_case):
    page = client_for(district_staff).get(reverse("disputes:case_print", args=[agreed_case.pk])).content.decode()
    sheet = page.split('data-testid="case-sheet"', 1)[1]

    for control in ("<form", "<input", "<select", "<textarea"):
        assert control not in sheet
    assert "王建国" in sheet and "瀛海精密机械有限公司" in sheet
    assert TERMS in sheet  # the timeline
    assert 'data-testid="clocks"' in sheet


def test_the_case_page_links_only_the_documents_that_apply(client_for, district_staff, case_a):
    client = client_for(district_staff)
    agreement = reverse("disputes:case_agreement_docx", args=[case_a.pk])

    before = client.get(case_a.get_absolute_url()).content.decode()
    agreed(case_a, district_staff)
    after = client.get(case_a.get_absolute_url()).content.decode()

    assert 'data-testid="case-documents"' in before
    assert reverse("disputes:case_registration_docx", args=[case_a.pk]) in before
    assert reverse("disputes:case_print", args=[case_a.pk]) in before
    assert agreement not in before
    assert agreement in after
    assert "data-print" in after


def test_the_documents_cost_a_bounded_number_of_statements(
    client_for, district_staff, open_case, town_a, django_assert_max_num_queries
):
    client = client_for(district_staff)
    for size in (1, 8):
        workers = [{"name": f"工人{n}", "id_number": id_number(7000 + size * 10 + n)} for n in range(size)]
        case = agreed(open_case(town_a, workers=workers, headcount=size), district_staff)
        for name in ("disputes:case_print", "disputes:case_agreement_docx", "disputes:case_registration_docx"):
            with django_assert_max_num_queries(14):
                assert client.get(reverse(name, args=[case.pk])).status_code == 200
