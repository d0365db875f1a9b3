"""The disputes part of the start page (union_portal/desk.py): the panels of `/disputes/` as counts.

The same statement and the same list links as the disputes start page (`Case.objects.visible_to(user).desk_counts`,
`StartView.PANELS`): my open cases, due within 3 days, overdue, no activity for 30 days; and, in a second
statement, the employers that intake named without a credit code (their town's for town staff), to be completed.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from union_portal.access import enterprises_for
from union_portal.desk import DeskItem

from .models import DESK_PANELS, Case
from .views import StartView

DESK_ORDER = 10
DESK_TITLE = _("Dispute cases")
TONES = {"overdue": "danger", "due_soon": "warning", "idle": "warning"}


def desk_items(user, *, attention: bool = False) -> list[DeskItem]:
    """Two statements: the counts of every panel among the cases `user` may see, and the employers awaiting a code."""
    totals = Case.objects.visible_to(user).desk_counts(user)
    base = reverse("disputes:case_list")
    awaiting = DeskItem(
        key="disputes-awaiting-code",
        label=str(_("Employers awaiting a credit code")),
        count=enterprises_for(user).awaiting_code().order_by().count(),
        url=reverse("disputes:employers_awaiting_code"),
        tone="warning",
    )
    return [
        DeskItem(
            key=f"disputes-{key}",
            label=str(StartView.PANELS[key][0]),
            count=totals[key],
            url=f"{base}?{StartView.PANELS[key][1]}",
            tone=TONES.get(key, "secondary"),
        )
        for key in DESK_PANELS
    ] + [awaiting]
