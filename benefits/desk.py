"""The benefits part of the start page (union_portal/desk.py): hardship files whose yearly re-check is due or
overdue, files waiting for the district's review, and aid payments waiting for their second signature.

The re-check counts use the file list's own conditions (filters.recheck_due, recheck_overdue), so each count
equals the list its link opens. One aggregate over the files and one count of the payments waiting.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.desk import DeskItem

from .filters import recheck_due_condition, recheck_overdue_condition
from .models import AidPayment, FileStatus, HardshipFile, PaymentState

DESK_ORDER = 30
DESK_TITLE = _("Hardship files and aid")


def file_conditions(today) -> dict[str, Q]:
    """{key: condition} of the files counted, each the file list's own filter."""
    return {
        "recheck_due": recheck_due_condition(today),
        "recheck_overdue": recheck_overdue_condition(today),
        "reviewing": Q(status=FileStatus.REVIEWING),
    }


def desk_items(user, *, attention: bool = False) -> list[DeskItem]:
    conditions = file_conditions(timezone.localdate())
    # Only the files some count can hold are read (not the closed and rejected ones), and only the payments waiting
    # (a partial index of the ledger's few entered payments: the ledger grows by every payment ever posted).
    files = (
        HardshipFile.objects.visible_to(user)
        .filter(status__in=[FileStatus.APPROVED, FileStatus.REVIEWING])
        .aggregate(**{k: Count("pk", filter=q) for k, q in conditions.items()})
    )
    entered = AidPayment.objects.visible_to(user).filter(state=PaymentState.ENTERED).count()
    file_list, payment_list = reverse("benefits:file_list"), reverse("benefits:payment_list")
    return [
        DeskItem(
            "benefits-recheck_due",
            str(_("Re-check due within 30 days")),
            files["recheck_due"],
            f"{file_list}?recheck=due",
            "warning",
        ),
        DeskItem(
            "benefits-recheck_overdue",
            str(_("Re-check overdue")),
            files["recheck_overdue"],
            f"{file_list}?recheck=overdue",
            "danger",
        ),
        DeskItem(
            "benefits-reviewing",
            str(_("Files waiting for review")),
            files["reviewing"],
            f"{file_list}?status={FileStatus.REVIEWING}",
            "warning",
        ),
        DeskItem(
            "benefits-payments_entered",
            str(_("Payments waiting for approval")),
            entered,
            f"{payment_list}?state={PaymentState.ENTERED}",
            "warning",
        ),
    ]
