"""The aid ledger's pages: two signatures and a reversal through the pages, the lists' counts and sums, totals equal
to the entries on random ledgers, the sign-off sheet and its xlsx, scoping, leadership refused, query counts."""

import datetime
import io
import random
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.db.models import Sum
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from benefits import ledger, sums
from benefits.models import AidPayment, FundingSource, HardshipFile, PaymentState, Programme
from benefits.services import aid_approve, aid_enter, aid_post, aid_reverse, aid_withdraw
from tests.benefits.test_ledger import PAID_ON, open_file
from tests.factories import make_staff
from union_portal.access import Role
from union_portal.validators import make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(town_a):
    return make_staff(Role.TOWN_STAFF, town_a, username="town_a_second")


@pytest.fixture
def household(town_a):
    return open_file(town_a)


def enter(file, user, amount="8000.00", programme=Programme.MEDICAL, paid_on=PAID_ON, **kwargs):
    return aid_enter(
        file=file,
        user=user,
        programme=programme,
        amount=Decimal(amount),
        paid_on=paid_on,
        funding_source=kwargs.pop("funding_source", FundingSource.DISTRICT),
        **kwargs,
    )


def posted(file, entered_by, approved_by, amount="8000.00", **kwargs):
    payment = enter(file, entered_by, amount, **kwargs)
    aid_approve(payment=payment, user=approved_by)
    return aid_post(payment=payment, user=approved_by)


def reversed_and_posted(payment, entered_by, approved_by, reason="金额录入错误"):
    reversal = aid_reverse(payment=payment, user=entered_by, reason=reason, on=payment.paid_on)
    aid_approve(payment=reversal, user=approved_by)
    return aid_post(payment=reversal, user=approved_by)


def step(client, name, payment, **data):
    return client.post(reverse(f"benefits:{name}", args=[payment.pk]), {"state": payment.state, **data})


def state_of(payment) -> str:
    return AidPayment.objects.values_list("state", flat=True).get(pk=payment.pk)


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# Two signatures and a reversal ------------------------------------------------------------------------------


def test_a_payment_entered_by_one_is_approved_and_posted_by_another_on_the_pages(
    client, household, town_a_staff, approver
):
    client.force_login(town_a_staff)
    response = client.post(
        reverse("benefits:payment_create", args=[household.pk]),
        {"programme": "medical", "amount": "8000.00", "paid_on": "2018-06-01", "funding_source": "district"},
    )
    payment = AidPayment.objects.get()
    assert response["Location"] == reverse("benefits:payment_detail", args=[payment.pk])
    page = client.get(response["Location"])
    assert page.context["steps"] == ["withdraw"]  # never approve one's own entry
    refused = step(client, "payment_approve", payment)
    assert refused.status_code == 200 and state_of(payment) == PaymentState.ENTERED
    assert gettext("A payment is approved by a second person: you entered this one.") in page_messages(refused)

    client.force_login(approver)
    assert "approve" in client.get(response["Location"]).context["steps"]
    assert step(client, "payment_approve", payment).status_code == 302
    payment.refresh_from_db()
    assert (payment.state, payment.approved_by) == (PaymentState.APPROVED, approver)
    assert step(client, "payment_post", payment).status_code == 302
    assert state_of(payment) == PaymentState.POSTED


def test_a_step_from_a_page_opened_before_another_step_is_refused(client, household, town_a_staff, approver):
    payment = enter(household, town_a_staff)
    client.force_login(approver)
    seen = payment.state
    aid_withdraw(payment=payment, user=town_a_staff)
    refused = client.post(reverse("benefits:payment_approve", args=[payment.pk]), {"state": seen})
    assert refused.status_code == 200 and state_of(payment) == PaymentState.WITHDRAWN
    assert refused.context["payment"] == payment


def test_a_step_sends_the_user_back_to_the_page_it_came_from_but_never_elsewhere(
    client, household, town_a_staff, approver
):
    payment = enter(household, town_a_staff)
    client.force_login(approver)
    response = step(client, "payment_approve", payment, next="/benefits/payments/?year=2018")
    assert response["Location"] == "/benefits/payments/?year=2018"
    response = step(client, "payment_withdraw", AidPayment.objects.get(), next="https://evil.example/")
    assert response["Location"] == reverse("benefits:payment_detail", args=[payment.pk])


def test_a_posted_payment_is_reversed_from_its_page_with_a_required_reason(client, household, town_a_staff, approver):
    payment = posted(household, town_a_staff, approver, "800.00")
    client.force_login(town_a_staff)
    page = client.get(reverse("benefits:payment_detail", args=[payment.pk]))
    assert page.context["steps"] == ["reverse"]
    refused = step(client, "payment_reverse", payment, reason="  ")
    assert refused.status_code == 200
    assert refused.context["reverse_form"].errors["reason"] == [gettext("State why the payment is reversed.")]
    assert AidPayment.objects.count() == 1

    too_long = step(client, "payment_reverse", payment, reason="长" * 501)
    assert too_long.status_code == 200 and "reason" in too_long.context["reverse_form"].errors
    done = step(client, "payment_reverse", payment, reason="少录一个零")
    reversal = AidPayment.objects.get(reverses=payment)
    assert done["Location"] == reverse("benefits:payment_detail", args=[reversal.pk])
    assert (reversal.amount, reversal.reason, reversal.state) == (Decimal("-800.00"), "少录一个零", "entered")
    client.force_login(approver)
    step(client, "payment_approve", reversal)
    step(client, "payment_post", AidPayment.objects.get(pk=reversal.pk))
    assert state_of(reversal) == PaymentState.POSTED
    page = client.get(reverse("benefits:payment_detail", args=[payment.pk]))
    assert page.context["steps"] == [] and page.context["payment"].reversal_entry == reversal
    assert AidPayment.objects.posted().filter(file=household).aggregate(t=Sum("amount"))["t"] == Decimal("0.00")


def test_the_files_payments_panel_shows_states_steps_and_the_total_of_posted_entries(
    rf, household, town_a_staff, approver
):
    wrong = posted(household, town_a_staff, approver, "800.00")
    reversed_and_posted(wrong, town_a_staff, approver)
    posted(household, town_a_staff, approver, "8000.00")
    waiting = enter(household, town_a_staff, "300.00", programme=Programme.SUMMER)
    html, context = render_panel(household, approver)
    assert context["posted_total"] == Decimal("8000.00")
    assert 'data-testid="file-posted-total">8000.00<' in html
    steps = {p.voucher_number: p.steps for p in context["payments"]}
    assert steps[waiting.voucher_number] == ["approve", "withdraw"]
    assert steps[wrong.voucher_number] == []  # reversed already
    assert reverse("benefits:payment_create", args=[household.pk]) in html
    assert f'name="next" value="/benefits/files/{household.pk}/"' in html


def render_panel(file, user, path=None):
    request = RequestFactory().get(path or f"/benefits/files/{file.pk}/")
    request.user = user
    template = Template("{% load benefits_ledger %}{% file_payments file %}")
    context = Context({"file": file, "request": request, "csrf_token": "token"})
    return template.render(context), ledger.file_panel(file, user)


def test_the_panel_runs_the_same_statements_for_few_and_many_payments(household, town_a_staff, approver):
    def count_for(n):
        for _ in range(n):
            posted(household, town_a_staff, approver, "100.00", programme=Programme.TEMPORARY, reason="再次救助")
        with CaptureQueriesContext(connection) as queries:
            render_panel(household, approver)
        return len(queries)

    assert count_for(2) == count_for(30)


# The entry form ---------------------------------------------------------------------------------------------


def test_a_second_payment_in_a_programme_and_year_shows_the_reason_field_and_keeps_the_reason(
    client, household, town_a_staff, approver
):
    posted(household, town_a_staff, approver, "500.00", programme=Programme.FESTIVAL)
    client.force_login(town_a_staff)
    url = reverse("benefits:payment_create", args=[household.pk])
    data = {"programme": "festival", "amount": "500.00", "paid_on": "2018-12-01", "funding_source": "district"}
    assert 'type="hidden" name="reason"' in client.get(url).content.decode()
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    assert '<textarea name="reason"' in refused.content.decode()
    saved = client.post(url, {**data, "reason": "春节再次慰问"})
    assert saved.status_code == 302
    assert AidPayment.objects.latest("pk").reason == "春节再次慰问"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"last_checked_on": datetime.date(2017, 5, 1)}, "re-checked"),
        ({"status": "reviewing"}, "approved, open"),
    ],
)
def test_the_rules_show_as_messages_on_the_form(client, town_a, town_a_staff, overrides, message):
    file = open_file(town_a, **overrides)
    client.force_login(town_a_staff)
    data = {"programme": "medical", "amount": "8000.00", "paid_on": "2018-06-01", "funding_source": "district"}
    refused = client.post(reverse("benefits:payment_create", args=[file.pk]), data)
    errors = refused.context["form"].non_field_errors()
    assert refused.status_code == 200 and len(errors) == 1
    assert not AidPayment.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "10.005", "abc"])
def test_a_wrong_amount_is_marked_on_its_field(client, household, town_a_staff, amount):
    client.force_login(town_a_staff)
    data = {"programme": "medical", "amount": amount, "paid_on": "2018-06-01", "funding_source": "district"}
    refused = client.post(reverse("benefits:payment_create", args=[household.pk]), data)
    assert refused.status_code == 200 and "amount" in refused.context["form"].errors
    assert not AidPayment.objects.exists()


# The list and the totals ------------------------------------------------------------------------------------


@pytest.fixture
def ledger_with_a_reversal(household, town_a, town_b, town_a_staff, approver, district_staff):
    """Town A: 800 posted then reversed, 8,000 posted, 300 entered, 200 withdrawn; town B: 500 posted."""
    wrong = posted(household, town_a_staff, approver, "800.00")
    reversed_and_posted(wrong, town_a_staff, approver)
    right = posted(household, town_a_staff, approver, "8000.00")
    enter(household, town_a_staff, "300.00", programme=Programme.SUMMER)
    aid_withdraw(payment=enter(household, town_a_staff, "200.00", programme=Programme.WINTER), user=town_a_staff)
    second = make_staff(Role.DISTRICT_STAFF, username="staff_second")
    other = posted(open_file(town_b, serial=2), district_staff, second, "500.00", programme=Programme.FESTIVAL)
    return {"wrong": wrong, "right": right, "other": other}


def test_the_list_shows_posted_entries_by_default_and_net_of_reversals_with_net(
    client, district_staff, ledger_with_a_reversal
):
    client.force_login(district_staff)
    listed = client.get(reverse("benefits:payment_list"), {"year": 2018, "programme": "medical"})
    assert listed.context["totals"] == {"count": 3, "amount": Decimal("8000.00")}  # 800, -800, 8,000
    net = client.get(reverse("benefits:payment_list"), {"year": 2018, "programme": "medical", "net": "1"})
    assert net.context["totals"] == {"count": 1, "amount": Decimal("8000.00")}
    assert [p.voucher_number for p in net.context["object_list"]] == [ledger_with_a_reversal["right"].voucher_number]
    entered = client.get(reverse("benefits:payment_list"), {"state": "entered"})
    assert entered.context["totals"] == {"count": 1, "amount": Decimal("300.00")}
    assert client.get(reverse("benefits:payment_list"), {"funding_source": "city"}).context["totals"]["count"] == 0


def test_the_list_masks_id_numbers(client, leadership, household, ledger_with_a_reversal):
    client.force_login(leadership)
    html = client.get(reverse("benefits:payment_list")).content.decode()
    assert household.id_number not in html and household.masked_id_number in html


def test_town_staff_list_only_their_towns_payments(client, town_a_staff, ledger_with_a_reversal):
    client.force_login(town_a_staff)
    listed = client.get(reverse("benefits:payment_list"))
    assert ledger_with_a_reversal["other"].voucher_number not in listed.content.decode()
    assert listed.context["totals"]["amount"] == Decimal("8000.00")


def test_the_totals_page_sums_every_posted_entry_reversals_included(client, district_staff, ledger_with_a_reversal):
    client.force_login(district_staff)
    page = client.get(reverse("benefits:payment_totals"), {"year": 2018})
    assert page.context["grand"] == {"amount": Decimal("8500.00"), "entries": 4}
    by_programme = {row["programme"]: row["amount"] for row in page.context["by_programme"]}
    assert by_programme == {"medical": Decimal("8000.00"), "festival": Decimal("500.00")}
    assert 'data-testid="grand-total">8500.00<' in page.content.decode()
    town_a = ledger_with_a_reversal["right"].town
    mine = client.get(reverse("benefits:payment_totals"), {"year": 2018, "town": town_a.pk})
    assert mine.context["grand"]["amount"] == Decimal("8000.00")
    assert client.get(reverse("benefits:payment_totals"), {"year": 2019}).context["grand"]["amount"] == 0


def test_totals_equal_the_sum_of_the_entries_on_random_ledgers(client, town_a, town_b, district_staff):
    second = make_staff(Role.DISTRICT_STAFF, username="staff_second")
    rng = random.Random(7)
    files = [open_file(town, serial=n) for n, town in enumerate([town_a, town_b] * 3, start=1)]
    for _ in range(50):
        payment = enter(
            rng.choice(files),
            district_staff,
            str(Decimal(rng.randint(1, 2_000_000)) / 100),
            programme=rng.choice(list(Programme)),
            paid_on=datetime.date(2018, rng.randint(1, 12), rng.randint(1, 28)),
            funding_source=rng.choice(list(FundingSource)),
            reason="随机账目",
        )
        fate = rng.random()
        if fate < 0.15:
            aid_withdraw(payment=payment, user=district_staff)
            continue
        if fate < 0.3:
            continue  # left waiting: counts nowhere
        aid_approve(payment=payment, user=second)
        aid_post(payment=payment, user=second)
        if fate > 0.8:
            reversed_and_posted(payment, district_staff, second)
    client.force_login(district_staff)
    page = client.get(reverse("benefits:payment_totals"), {"year": 2018}).context
    entries = AidPayment.objects.filter(state=PaymentState.POSTED, paid_on__year=2018)
    for key, rows in (("programme", "by_programme"), ("town", "by_town"), ("funding_source", "by_source")):
        expected: dict = {}
        for value, amount in entries.values_list(key, "amount"):
            expected[value] = expected.get(value, Decimal("0")) + amount
        assert {row[key]: row["amount"] for row in page[rows]} == expected, key
    assert page["grand"]["amount"] == sum(entries.values_list("amount", flat=True))
    # The net list of each programme holds the same money as the programme's total.
    for row in page["by_programme"]:
        net = client.get(reverse("benefits:payment_list"), {"year": 2018, "programme": row["programme"], "net": "1"})
        assert net.context["totals"]["amount"] == row["amount"]


# The sign-off sheet -----------------------------------------------------------------------------------------


@pytest.fixture
def festival_day(household, town_a, town_a_staff, approver):
    others = [open_file(town_a, serial=n, applicant_name=name) for n, name in ((5, "李秀英"), (6, "=HYPERLINK(1)"))]
    payments = [posted(f, town_a_staff, approver, "500.00", programme=Programme.FESTIVAL) for f in [household, *others]]
    reversed_and_posted(payments[1], town_a_staff, approver)  # not paid after all: off the sheet
    enter(household, town_a_staff, "300.00", programme=Programme.SUMMER)  # another programme
    return payments


def test_the_sign_off_sheet_lists_names_masked_id_numbers_amounts_and_a_signature_column(
    client, town_a_staff, household, festival_day
):
    client.force_login(town_a_staff)
    page = client.get(reverse("benefits:signoff_sheet"), {"programme": "festival", "date": "2018-06-01"})
    html = page.content.decode()
    shown = {p.voucher_number for p in page.context["payments"]}
    assert shown == {festival_day[0].voucher_number, festival_day[2].voucher_number}
    assert page.context["total"] == Decimal("1000.00")
    assert household.id_number not in html and household.masked_id_number in html
    assert html.count("data-signature") == 2 and gettext("signature") in html
    assert "data-print" in html


def test_the_sign_off_sheet_asks_for_a_programme_and_date_first(client, town_a_staff):
    client.force_login(town_a_staff)
    page = client.get(reverse("benefits:signoff_sheet"))
    assert page.status_code == 200 and not page.context["chosen"]
    assert client.get(reverse("benefits:signoff_export"))["Location"] == reverse("benefits:signoff_sheet")


def test_the_sign_off_sheet_exports_to_xlsx_with_masked_id_numbers_and_an_empty_signature_column(
    client, town_a_staff, household, festival_day
):
    client.force_login(town_a_staff)
    response = client.get(reverse("benefits:signoff_export"), {"programme": "festival", "date": "2018-06-01"})
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.title == gettext("sign-off sheet")
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == gettext("signature")
    body, total = rows[1:-1], rows[-1]
    assert len(body) == 2 and all(row[-1] in (None, "") for row in body)
    ids = {row[2] for row in body}
    assert household.masked_id_number in ids and household.id_number not in ids
    assert "'=HYPERLINK(1)" in {row[1] for row in body}  # a formula is never a formula in the sheet
    assert Decimal(str(total[4])) == Decimal("1000.00")


# Who may do what --------------------------------------------------------------------------------------------


def test_town_b_staff_get_404_for_town_as_payment_and_file(client, town_b_staff, household, town_a_staff):
    payment = enter(household, town_a_staff)
    client.force_login(town_b_staff)
    assert client.get(reverse("benefits:payment_detail", args=[payment.pk])).status_code == 404
    assert client.get(reverse("benefits:payment_create", args=[household.pk])).status_code == 404
    for name in ("payment_approve", "payment_post", "payment_withdraw", "payment_reverse"):
        assert step(client, name, payment, reason="x").status_code == 404
    assert state_of(payment) == PaymentState.ENTERED


def test_leadership_reads_the_ledger_and_is_refused_every_action(client, leadership, household, town_a_staff, approver):
    entered = enter(household, town_a_staff, programme=Programme.SUMMER)
    done = posted(household, town_a_staff, approver)
    client.force_login(leadership)
    assert client.get(reverse("benefits:payment_detail", args=[done.pk])).context["steps"] == []
    for name, payment in (
        ("payment_approve", entered),
        ("payment_withdraw", entered),
        ("payment_post", entered),
        ("payment_reverse", done),
    ):
        assert step(client, name, payment, reason="x").status_code == 403, name
    assert client.get(reverse("benefits:payment_create", args=[household.pk])).status_code == 403
    assert client.post(reverse("benefits:payment_create", args=[household.pk]), {}).status_code == 403
    query = {"programme": "medical", "date": "2018-06-01"}
    assert client.get(reverse("benefits:signoff_export"), query).status_code == 403
    assert client.get(reverse("benefits:signoff_sheet"), query).status_code == 200
    assert [state_of(entered), state_of(done)] == [PaymentState.ENTERED, PaymentState.POSTED]
    assert AidPayment.objects.count() == 2


# Query counts -----------------------------------------------------------------------------------------------


def fill_ledger(town, staff, second, n):
    start = AidPayment.objects.count()
    for serial in range(start, start + n):
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=serial)
        file = open_file(town, id_number=make_id_number(serial, birth))
        payment = posted(file, staff, second, "500.00", programme=Programme.FESTIVAL)
        if serial % 3 == 0:
            reversed_and_posted(payment, staff, second)


def posted_in_bulk(town, staff, second, count):
    """`count` more posted festival payments of 2018-06-01, written in bulk (inserting posted rows is allowed), and
    the kept sums rebuilt from the rows."""
    start = AidPayment.objects.count()
    files = HardshipFile.objects.bulk_create(
        HardshipFile(
            town=town,
            applicant_name=f"职工{n}",
            id_number=make_id_number(n, datetime.date(1970, 1, 1) + datetime.timedelta(days=n)),
            main_cause="illness",
            status="approved",
            level="deep",
            last_checked_on=datetime.date(2018, 1, 1),
        )
        for n in range(start, start + count)
    )
    AidPayment.objects.bulk_create(
        AidPayment(
            file=file, town=town, programme=Programme.FESTIVAL, amount=Decimal("500.00"),
            paid_on=datetime.date(2018, 6, 1), funding_source="district", voucher_number=f"BF2018-8{k:05d}",
            level="deep", state="posted", entered_by=staff, approved_by=second,
        )
        for k, file in enumerate(files)
    )  # fmt: skip
    sums.rebuild()  # rows written without aid_post: their kept sums too, as the demo loader does


LEDGER_PAGE_STATEMENTS = 12  # session, user, role, the district's name, town choices, then the page's own reads


def statements(client, url, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("benefits:payment_list", {}),
        ("benefits:payment_list", {"net": "1", "year": "2018"}),
        ("benefits:payment_totals", {"year": "2018"}),
        ("benefits:signoff_sheet", {"programme": "festival", "date": "2018-06-01"}),
    ],
)
def test_the_ledger_pages_run_the_same_statements_for_10_and_1000_payments(
    client, town_a, town_a_staff, approver, name, query, django_assert_max_num_queries
):
    client.force_login(town_a_staff)
    fill_ledger(town_a, town_a_staff, approver, 8)  # with their reversals: 10 posted entries or more
    few = statements(client, reverse(name), query)
    fill_ledger(town_a, town_a_staff, approver, 70)
    posted_in_bulk(town_a, town_a_staff, approver, 1000 - AidPayment.objects.count())
    with django_assert_max_num_queries(LEDGER_PAGE_STATEMENTS):
        assert statements(client, reverse(name), query) == few


def test_a_list_parameter_that_does_not_parse_is_ignored(client, district_staff, ledger_with_a_reversal):
    client.force_login(district_staff)
    listed = client.get(reverse("benefits:payment_list"), {"year": "abc", "state": "nonsense", "programme": "medical"})
    assert listed.status_code == 200 and listed.context["totals"]["count"] == 3
    assert client.get(reverse("benefits:payment_totals"), {"year": "abc"}).status_code == 200
    assert client.get(reverse("benefits:signoff_sheet"), {"programme": "x", "date": "y"}).context["chosen"] is False
