"""Writes that span a venue and its child rows: all or nothing (STYLE.md §2)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from union_portal.access import can_edit
from union_portal.child_rows import RowEdits, rows_apply
from union_portal.concurrency import StaleEdit

from .models import Venue, VenueActivity, VenueFunding, VenueHonour, VenuePhoto

NO_EDITS = RowEdits()


def venue_save(
    *,
    venue: Venue | None = None,
    fields: dict,
    amenities=(),
    version: int | None = None,
    photo_edits: RowEdits = NO_EDITS,
    fundings: RowEdits = NO_EDITS,
    honours: RowEdits = NO_EDITS,
    activities: RowEdits = NO_EDITS,
    photos=(),
    by=None,
) -> Venue:
    """Record a new venue (`venue` None) or save an edit of one, with its child rows and new photos, at once.

    `fields` are the venue's own field values; `amenities` the amenities it offers. An edit names the
    `version` its form showed and is refused (StaleEdit) when someone saved the venue since. The child
    rows (`photo_edits`: captions and order, `fundings`, `honours`, `activities`) must be the venue's own.
    Files of deleted photos are removed only once the transaction has committed.
    """
    with transaction.atomic():
        venue = _venue_write(venue, fields, amenities, version, by)
        removed_files = []
        for model, edits in (
            (VenuePhoto, photo_edits),
            (VenueFunding, fundings),
            (VenueHonour, honours),
            (VenueActivity, activities),
        ):
            removed = rows_apply(parent=venue, model=model, edits=edits)
            removed_files += [name for obj in removed for name in _photo_files(obj)]
        next_order = _next_photo_order(venue)
        for offset, upload in enumerate(photos):
            photo_add(venue=venue, image=upload, order=next_order + offset)
        transaction.on_commit(lambda: _delete_files(removed_files))
    return venue


def _venue_write(venue, fields, amenities, version, by) -> Venue:
    """The venue row itself: a new one, or the current one locked and checked against the form's version."""
    if venue is None or venue.pk is None:
        venue = Venue(**fields)
    else:
        venue = Venue.objects.select_for_update().get(pk=venue.pk)
        if version is not None and version != venue.version:
            raise StaleEdit
        for name, value in fields.items():
            setattr(venue, name, value)
    if by is not None and not can_edit(by, venue):
        raise PermissionDenied  # the form offers only the user's towns: this is a forged post
    venue.full_clean(exclude=["code"] if venue._state.adding else None)
    venue.save()
    venue.amenities.set(amenities)
    return venue


def photo_add(*, venue: Venue, image, caption: str = "", order: int = 0) -> VenuePhoto:
    """Attach one photo (validated again by the model) and make its thumbnail."""
    photo = VenuePhoto(venue=venue, image=image, caption=caption, order=order)
    photo.full_clean()
    photo.save()
    return photo


def _next_photo_order(venue: Venue) -> int:
    last = venue.photos.order_by("-order").values_list("order", flat=True).first()
    return 0 if last is None else last + 1


def _photo_files(obj):
    if not isinstance(obj, VenuePhoto):
        return []
    return [(field.storage, field.name) for field in (obj.image, obj.thumbnail) if field]


def _delete_files(files):
    for storage, name in files:
        storage.delete(name)
