"""Change logs of the benefits pages, read by the core's builder (union_portal/changelog.py).

Each part of the app keeps its own section below, as in views.py.
"""

# Members, service cards, merchants, member-only activities ---------------------------------

# Hardship files, visits, re-checks, the allowance list --------------------------------------

from django.utils.translation import gettext_lazy as _

from union_portal.changelog import BOOKKEEPING, ChangeEntry, ChangeLog
from union_portal.formatting import mask_id_number, mask_phone

from .models import HardshipFile, HouseholdMember

FILE_LOG = ChangeLog(
    model=HardshipFile,
    hidden=BOOKKEEPING | {"created_at"},
    personal={"id_number": mask_id_number, "phone": mask_phone, "bank_account": mask_id_number},
)
HOUSEHOLD_LOG = ChangeLog(
    model=HouseholdMember,
    fields=("name", "id_number", "relation", "monthly_income", "health"),
    personal={"id_number": mask_id_number},
    subject=lambda record: str(_("household member %(name)s") % {"name": record.name}),
)


def file_changes(file: HardshipFile, *, mask_personal: bool) -> list[ChangeEntry]:
    """The file's change log and its household's, newest first: each workflow step shows who and when."""
    records = file.history.select_related("history_user").order_by("history_date", "history_id")
    members = HouseholdMember.history.filter(file_id=file.pk).select_related("history_user")
    entries = FILE_LOG.entries(records, mask_personal=mask_personal) + HOUSEHOLD_LOG.entries(
        members.order_by("history_date", "history_id"), mask_personal=mask_personal
    )
    return sorted(entries, key=lambda e: e.at, reverse=True)


# The aid ledger ---------------------------------------------------------------------------

# Services for all members -------------------------------------------------------------------
