"""The reads the aid ledger's pages share: list rows, a payment's page and the file's panel, totals, the sign-off sheet.

Writes go through benefits/services.py (aid_*); these only read, each in a fixed number of statements.
"""

from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils.translation import gettext

from union_portal.access import can_edit

from .filters import SignoffFilter
from .forms import PaymentReverseForm
from .models import AidPayment, FundingSource, PaymentState, PaymentSum, Programme

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money(amount) -> Decimal:
    """A sum as the pages show it: yuan with two places (SQLite's SUM drops them), 0.00 for an empty one."""
    return (amount or ZERO).quantize(CENT)


def payment_url(payment) -> str:
    return reverse("benefits:payment_detail", args=[payment.pk])


def list_queryset(user):
    """Entries as list rows show them: the file, its town, the payment reversed."""
    payments = AidPayment.objects.visible_to(user).select_related("file", "town", "reverses")
    return payments.order_by("-paid_on", "-pk")


def detail_queryset(user):
    return AidPayment.objects.visible_to(user).select_related(
        "file__town", "town", "reverses", "entered_by", "approved_by"
    )


def with_reversal(payments):
    """Each entry with the voucher number and state of its reversal (None when it has none)."""
    reversal = AidPayment._base_manager.filter(reverses=OuterRef("pk")).exclude(state=PaymentState.WITHDRAWN)
    return payments.annotate(
        reversal_voucher=Subquery(reversal.values("voucher_number")[:1]),
        reversal_state=Subquery(reversal.values("state")[:1]),
    )


def steps_for(payment, user, editable: bool) -> list[str]:
    """The steps `user` may take on `payment` now: approve (never one's own entry), post, withdraw, reverse.

    A payment whose reversal exists in any state offers no second one (the link to it is unique).
    """
    if not editable:
        return []
    steps = []
    if payment.state == PaymentState.ENTERED and payment.entered_by_id != user.pk:
        steps.append("approve")
    if payment.state == PaymentState.APPROVED:
        steps.append("post")
    if payment.state in (PaymentState.ENTERED, PaymentState.APPROVED):
        steps.append("withdraw")
    if payment.state == PaymentState.POSTED and not payment.is_reversal and payment.reversal_state is None:
        steps.append("reverse")
    return steps


def payment_page(payment, user, reverse_form=None) -> dict:
    """What a payment's page shows besides the payment: its reversal, the steps offered, the reversal's form."""
    payment.reversal_entry = AidPayment.objects.filter(reverses=payment).exclude(state=PaymentState.WITHDRAWN).first()
    payment.reversal_state = payment.reversal_entry.state if payment.reversal_entry else None
    editable = can_edit(user, payment)
    steps = steps_for(payment, user, editable)
    if "reverse" in steps and reverse_form is None:
        reverse_form = PaymentReverseForm(initial={"state": payment.state}, auto_id=f"id_payment{payment.pk}_%s")
    return {"steps": steps, "show_personal": editable, "reverse_form": reverse_form}


def file_panel(file, user) -> dict:
    """The payments panel of a file's page: every entry with the steps offered, and the sum of posted entries."""
    editable = can_edit(user, file)
    payments = list(with_reversal(file.payments.select_related("reverses")))
    for payment in payments:
        payment.steps = steps_for(payment, user, editable)
    posted = sum((p.amount for p in payments if p.state == PaymentState.POSTED), ZERO)
    return {"file": file, "payments": payments, "posted_total": posted, "can_record": editable}


# The payment list's filters that the kept sums (benefits/sums.py) answer: each is a dimension of PaymentSum, or says
# which entries count (the posted ones, or those net of reversals). A filter added to PaymentFilter outside these
# makes the list sum its rows again until the sums keep it too.
KEPT_FILTERS = frozenset({"programme", "year", "town", "funding_source", "state", "net"})


def kept_list_totals(user, filterset) -> dict | None:
    """{"count", "amount"} of the payment list that `filterset` (a PaymentFilter over `list_queryset(user)`) gives,
    read from the kept sums in one small statement whatever the ledger's length; None when the sums cannot answer
    (a state other than posted, a filter they do not keep): then the view sums the rows.

    The sums are scoped by `visible_to(user)` as the entries are, and filtered by the same cleaned values the
    filterset applies to the rows (a value that does not parse is left out of both).
    """
    if not KEPT_FILTERS.issuperset(filterset.filters):
        return None
    filterset.is_valid()
    data = filterset.form.cleaned_data
    if data.get("net") == "1":
        count, amount = "standing_count", "standing_amount"
    elif (data.get("state") or PaymentState.POSTED) == PaymentState.POSTED:
        count, amount = "posted_count", "posted_amount"
    else:
        return None
    sums = _kept_sums(user, data)
    if sums is None:
        return None
    for name in ("programme", "funding_source"):
        if data.get(name):
            sums = sums.filter(**{name: data[name]})
    kept = sums.aggregate(count=Sum(count), amount=Sum(amount))
    return {"count": kept["count"] or 0, "amount": kept["amount"]}


def _kept_sums(user, data: dict):
    """The kept sums `user` sees, of the year and town in `data`; None for a year that is not a whole number."""
    sums = PaymentSum.objects.visible_to(user)
    year = data.get("year")
    if year is not None:
        if year != int(year):
            return None
        sums = sums.filter(year=int(year))
    if data.get("town"):
        sums = sums.filter(town=data["town"])
    return sums


def totals(user, filterset) -> dict:
    """The posted entries of the year (and town) that `filterset` (a TotalsFilter) chose, summed by programme, town and
    funding source, and in all (reversals included, so a reversed payment counts nothing): four grouped statements
    over the kept sums (benefits/sums.py), a few hundred rows at most whatever the ledger's length."""
    valid = filterset.is_valid()
    data = filterset.form.cleaned_data if valid else {}
    sums = _kept_sums(user, data) if valid else None
    if sums is None:
        sums = PaymentSum.objects.none()
    grand = sums.aggregate(amount=Sum("posted_amount"), entries=Sum("posted_count"))
    return {
        "year": int(data["year"]) if data.get("year") else None,
        "town": data.get("town"),
        "grand": {"amount": money(grand["amount"]), "entries": grand["entries"] or 0},
        "by_programme": _grouped(sums, "programme", labels=dict(Programme.choices)),
        "by_town": _grouped(sums, "town", "town__name", order="town__order"),
        "by_source": _grouped(sums, "funding_source", labels=dict(FundingSource.choices)),
    }


def _grouped(sums, key: str, *more: str, labels=None, order: str = "") -> list[dict]:
    rows = sums.values(key, *more).annotate(amount=Sum("posted_amount"), entries=Sum("posted_count"))
    rows = rows.order_by(order or key, key)
    return [{**row, "amount": money(row["amount"]), "label": (labels or {}).get(row[key], "")} for row in rows]


def signoff(request) -> dict:
    """The sign-off sheet of `?programme=&date=` (and `town`): the payments net of reversals, by town and name."""
    payments = AidPayment.objects.visible_to(request.user).select_related("file", "town")
    filterset = SignoffFilter(request.GET or None, queryset=payments, request=request)
    if not filterset.is_bound or not filterset.is_valid():
        return {"filter": filterset, "chosen": False, "payments": [], "total": ZERO, "title": ""}
    rows = filterset.qs.order_by("town__order", "file__applicant_name", "pk")
    shown = list(rows[: settings.IMPORT_MAX_ROWS])
    data = filterset.form.cleaned_data
    title = gettext("%(programme)s sign-off sheet %(date)s") % {
        "programme": Programme(data["programme"]).label,
        "date": data["date"].isoformat(),
    }
    return {
        "filter": filterset,
        "chosen": True,
        "payments": shown,
        "total": sum((p.amount for p in shown), ZERO),
        "title": title,
        "town": data.get("town"),
        "date": data["date"],
        "programme_label": Programme(data["programme"]).label,
        "cut": rows.count() > len(shown) if len(shown) == settings.IMPORT_MAX_ROWS else False,
    }
