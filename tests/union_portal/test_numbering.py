"""The core's number sequences: numbers handed out once, per key; venue codes and case numbers built on them."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from disputes import services as dispute_services
from stations.models import Venue, VenueKind, next_venue_codes
from tests.factories import VenueFactory
from union_portal.models import Sequence
from union_portal.numbering import number_formatted, numbers_reserve

pytestmark = pytest.mark.django_db


def test_a_new_sequence_starts_at_one_and_never_repeats():
    assert numbers_reserve(key="card:2025") == [1]
    assert numbers_reserve(key="card:2025", count=3) == [2, 3, 4]
    assert numbers_reserve(key="card:2025") == [5]
    assert Sequence.objects.get(key="card:2025").last == 5


def test_each_key_counts_on_its_own():
    numbers_reserve(key="card:2025", count=10)
    assert numbers_reserve(key="voucher:2025") == [1]
    assert numbers_reserve(key="card:2026") == [1]


def test_asking_for_no_number_takes_none():
    assert numbers_reserve(key="card:2025", count=0) == []
    assert not Sequence.objects.exists()


def test_the_sequence_goes_on_after_a_number_in_use_outside_it():
    numbers_reserve(key="card:2025", count=2)
    assert numbers_reserve(key="card:2025", after=40) == [41]
    assert numbers_reserve(key="card:2025", after=5) == [42]


def test_numbers_of_a_transaction_that_rolled_back_are_handed_out_again():
    numbers_reserve(key="card:2025")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert numbers_reserve(key="card:2025") == [2]
        raise RuntimeError("the record was not saved")
    assert numbers_reserve(key="card:2025") == [2]


def test_a_number_is_formatted_with_its_prefix_and_padding():
    assert number_formatted(prefix="WS-", number=7, digits=5) == "WS-00007"
    assert number_formatted(prefix="K", number=123456, digits=4) == "K123456"


def test_case_numbers_use_one_sequence_per_prefix_and_year():
    assert dispute_services.case_numbers_reserve(prefix="大兴调", year=2018, count=2) == [1, 2]
    assert Sequence.objects.get(key="case:大兴调:2018").last == 2


def test_venue_codes_come_from_their_kinds_sequence(town_a):
    assert next_venue_codes(VenueKind.WARM_STATION, 2) == ["WS-00001", "WS-00002"]
    assert VenueFactory(town=town_a, kind=VenueKind.WARM_STATION).code == "WS-00003"
    assert VenueFactory(town=town_a, kind=VenueKind.WORKERS_HOME).code == "WH-00001"
    assert Sequence.objects.get(key="venue:WS").last == 3


def test_venue_codes_go_on_after_a_code_saved_by_hand(town_a):
    VenueFactory(town=town_a, kind=VenueKind.WARM_STATION, code="WS-00041")
    assert VenueFactory(town=town_a, kind=VenueKind.WARM_STATION).code == "WS-00042"


def test_a_venue_that_fails_to_save_forgets_its_code(town_a):
    venue = VenueFactory.build(town=town_a, kind=VenueKind.WARM_STATION, name=None)
    with pytest.raises(IntegrityError):
        venue.save()
    assert venue.code == ""
    assert not Venue.objects.exists()


def test_the_migration_starts_each_venue_sequence_after_the_highest_code(town_a):
    VenueFactory(town=town_a, kind=VenueKind.WARM_STATION, code="WS-00120")
    VenueFactory(town=town_a, kind=VenueKind.MOTHER_BABY_ROOM, code="MB-00007")
    Sequence.objects.all().delete()
    migration = importlib.import_module("stations.migrations.0004_venue_code_sequences")
    migration.sequences_from_highest_codes(django_apps, None)
    assert dict(Sequence.objects.values_list("key", "last")) == {"venue:WS": 120, "venue:MB": 7}


def test_district_admins_see_the_sequences_but_cannot_change_them(client_for, district_admin):
    district_admin.is_staff = district_admin.is_superuser = True
    district_admin.save()
    sequence = Sequence.objects.create(key="case:大兴调:2018", last=561)
    client = client_for(district_admin)
    listing = client.get(reverse("admin:union_portal_sequence_changelist"))
    assert "case:大兴调:2018" in listing.content.decode()
    assert client.get(reverse("admin:union_portal_sequence_add")).status_code == 403
    change = reverse("admin:union_portal_sequence_change", args=[sequence.pk])
    client.post(change, {"key": "case:大兴调:2018", "last": 0})
    sequence.refresh_from_db()
    assert sequence.last == 561
