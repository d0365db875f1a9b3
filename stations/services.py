"""Writes that span a venue and its child rows: all or nothing."""

from django.db import transaction

from .models import Venue, VenuePhoto


def venue_save(*, form, formsets=(), photos=()) -> Venue:
    """Save a validated venue form, its child formsets and new photos in one transaction.

    Everything was validated before this runs; the transaction still makes a late failure
    (a stale version, a damaged photo Pillow chokes on) leave nothing half-saved.
    Files of deleted photos are removed only once the transaction has committed.
    """
    with transaction.atomic():
        venue = form.save()
        removed_files = []
        for formset in formsets:
            formset.instance = venue
            formset.save()
            removed_files += [name for obj in formset.deleted_objects for name in _photo_files(obj)]
        next_order = _next_photo_order(venue)
        for offset, upload in enumerate(photos):
            photo_add(venue=venue, image=upload, order=next_order + offset)
        transaction.on_commit(lambda: _delete_files(removed_files))
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
