"""The change log of a venue: who changed which field, when, from what to what (the latest entries only).

The core's builder (union_portal/changelog.py) reads them in a fixed number of statements; the
contact phone is masked for readers who may not change the venue (leadership).
"""

from union_portal.changelog import ChangeEntry, ChangeLog
from union_portal.formatting import mask_phone

from .models import Venue

HISTORY_ENTRIES = 20

VENUE_LOG = ChangeLog(model=Venue, many_to_many=("amenities",), personal={"contact_phone": mask_phone})


def venue_changes(venue, *, show_personal: bool = True) -> list[ChangeEntry]:
    """The latest HISTORY_ENTRIES entries of the venue's change log, newest first."""
    # One row more than shown: the oldest row read is the baseline of the oldest entry shown.
    newest = venue.history.select_related("history_user").order_by("-history_date", "-history_id")
    records = reversed(list(newest[: HISTORY_ENTRIES + 1]))
    entries = VENUE_LOG.entries(records, mask_personal=not show_personal)
    return entries[::-1][:HISTORY_ENTRIES]
