"""The core's bulk writes: history copied from the rows as stored, many-to-many links inserted as id pairs."""

import datetime

import pytest
from django.utils import timezone

from stations.models import Amenity, Venue
from tests.factories import VenueFactory
from union_portal.bulk_writes import history_copy, links_add

pytestmark = pytest.mark.django_db


def test_links_add_inserts_each_pair_once():
    venues = VenueFactory.create_batch(3)
    amenities = list(Amenity.objects.order_by("pk")[:2])

    links_add(
        field=Venue._meta.get_field("amenities"),
        pairs=[(venue.pk, amenity.pk) for venue in venues for amenity in amenities],
    )

    for venue in venues:
        assert list(venue.amenities.order_by("pk")) == amenities


def test_history_copy_records_each_row_as_stored_with_user_reason_date_and_links(district_admin):
    venues = VenueFactory.create_batch(3)
    microwave = Amenity.objects.get(code="microwave")
    links_add(field=Venue._meta.get_field("amenities"), pairs=[(venue.pk, microwave.pk) for venue in venues])
    Venue.objects.filter(pk__in=[venue.pk for venue in venues]).update(name="批量改名", version=2)  # no history
    moment = timezone.now() - datetime.timedelta(minutes=5)

    history_copy(
        model=Venue,
        pks=[venue.pk for venue in venues],
        history_type="~",
        user=district_admin,
        reason="导入 venues.xlsx",
        date=moment,
    )

    for venue in venues:
        first, record = venue.history.order_by("history_id")
        assert (record.history_type, record.name, record.version, record.code) == ("~", "批量改名", 2, venue.code)
        assert (record.history_user, record.history_change_reason) == (district_admin, "导入 venues.xlsx")
        assert record.history_date == moment
        assert [link.amenity for link in record.amenities.all()] == [microwave]
        assert (first.history_type, list(first.amenities.all())) == ("+", []), "the older record is left as it was"
