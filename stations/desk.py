"""The venues part of the start page (union_portal/desk.py): venues whose acceptance or closing is overdue and,
for district admins, venues in service that the public finder cannot show well (no coordinates, no photo).

A venue records its steps as dates (planned → built → accepted with a result → closed with a reason), not as
deadlines. The deadlines below are the desk's rules; the venue list opens the same venues with `?needs=<key>`
(VenueFilter), from the same conditions.

- acceptance overdue: a mother-and-baby room (the kind that is accepted, 验收, DOMAIN.md §3) built more than
  ACCEPTANCE_DUE_DAYS ago, not closed, with no acceptance recorded;
- closing overdue: a venue whose acceptance failed more than CLOSING_DUE_DAYS ago and that was neither accepted
  since nor closed: it is to be brought up to standard and accepted, or closed;
- no coordinates / no photo: a venue in service (built or accepted) that the finder cannot place on a map or
  that its public page shows without a picture.
"""

import datetime
import functools
import operator

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.desk import DeskItem

from .models import PUBLIC_STATUSES, AcceptanceResult, Venue, VenueKind, VenuePhoto

DESK_ORDER = 20
DESK_TITLE = _("Venues")
ACCEPTANCE_DUE_DAYS = 90
CLOSING_DUE_DAYS = 90
ACCEPTED_KINDS = (VenueKind.MOTHER_BABY_ROOM,)


def needs_conditions(today: datetime.date | None = None) -> dict[str, Q]:
    """{key: the condition of the venues that need it} (the keys of VenueFilter's `needs`)."""
    today = today or timezone.localdate()
    in_service = Q(status__in=PUBLIC_STATUSES)
    return {
        "acceptance_overdue": Q(
            kind__in=ACCEPTED_KINDS,
            built_on__lt=today - datetime.timedelta(days=ACCEPTANCE_DUE_DAYS),
            accepted_on__isnull=True,
            closed_on__isnull=True,
        ),
        "closing_overdue": Q(
            acceptance_result=AcceptanceResult.FAILED,
            accepted_on__lt=today - datetime.timedelta(days=CLOSING_DUE_DAYS),
            closed_on__isnull=True,
        ),
        "no_coordinates": in_service & (Q(latitude__isnull=True) | Q(longitude__isnull=True)),
        "no_photo": in_service & ~Q(Exists(VenuePhoto.objects.filter(venue=OuterRef("pk")))),
    }


NEEDS_LABELS = {
    "acceptance_overdue": _("Acceptance overdue"),
    "closing_overdue": _("Failed acceptance, not redone or closed"),
    "no_coordinates": _("In service without coordinates"),
    "no_photo": _("In service without a photo"),
}
WORK = ("acceptance_overdue", "closing_overdue")
ATTENTION = ("no_coordinates", "no_photo")
TONES = {"acceptance_overdue": "danger", "closing_overdue": "danger"}


def desk_items(user, *, attention: bool = False) -> list[DeskItem]:
    """One aggregate over the venues `user` may see; with `attention`, the admin's counts in the same statement."""
    keys = WORK + (ATTENTION if attention else ())
    conditions = needs_conditions()
    # Only the venues some count holds are read: with the partial indexes of stations 0006, the staff's two
    # counts are two small index scans, not a pass over every venue of the district.
    counted = functools.reduce(operator.or_, (conditions[key] for key in keys))
    totals = (
        Venue.objects.visible_to(user)
        .filter(counted)
        .aggregate(**{key: Count("pk", filter=conditions[key]) for key in keys})
    )
    base = reverse("stations:venue_list")
    return [
        DeskItem(
            key=f"stations-{key}",
            label=str(NEEDS_LABELS[key]),
            count=totals[key],
            url=f"{base}?needs={key}",
            tone=TONES.get(key, "warning"),
            attention=key in ATTENTION,
        )
        for key in keys
    ]
