"""The one change-log builder (union_portal/changelog.py), as the case and the venue pages use it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from disputes.history import CASE_LOG, WORKER_LOG, case_changes
from disputes.models import Case, CaseWorker, Channel
from stations.history import HISTORY_ENTRIES, venue_changes
from tests.disputes.factories import CaseFactory
from tests.factories import EnterpriseFactory, VenueFactory
from union_portal.formatting import person_name

pytestmark = pytest.mark.django_db


def label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def changes_of(entries):
    return {(c.label, c.old, c.new) for entry in entries for c in entry.changes}


def test_a_change_shows_names_labels_and_dates_as_a_reader_knows_them(town_a, district_staff):
    case = CaseFactory(town=town_a, channel=Channel.WALK_IN)
    first_employer, first_channel = case.employer, case.channel
    new_employer = EnterpriseFactory(town=town_a, name="新雇主有限公司")
    case.employer, case.channel, case.is_collective, case.assigned_to = (
        new_employer,
        Channel.HOTLINE,
        True,
        district_staff,
    )
    case.save()

    entries = CASE_LOG.entries(case.history.order_by("history_date", "history_id"), mask_personal=True)

    assert [entry.kind for entry in entries] == ["created", "changed"]
    shown = changes_of(entries)
    assert (label(Case, "employer"), first_employer.name, "新雇主有限公司") in shown
    assert (label(Case, "channel"), Channel(first_channel).label, Channel.HOTLINE.label) in shown
    assert (label(Case, "is_collective"), gettext("no"), gettext("yes")) in shown
    name = person_name(district_staff)
    assert (label(Case, "assigned_to"), "—", name) in shown
    assert label(Case, "version") not in {lab for lab, _old, _new in shown}  # bookkeeping stays out


def test_child_rows_are_named_masked_and_their_removal_is_listed(town_a):
    case = CaseFactory(town=town_a, workers=[{"name": "王建国", "id_number": "110115198501011237"}])
    worker = case.workers.get()
    worker.phone = "13900001111"
    worker.save()
    worker.delete()

    entries = WORKER_LOG.entries(
        CaseWorker.history.filter(case_id=case.pk).order_by("history_date", "history_id"), mask_personal=True
    )

    assert [(entry.kind, entry.subject) for entry in entries] == [
        ("created", entries[0].subject),
        ("changed", entries[0].subject),
        ("deleted", entries[0].subject),
    ]
    assert "王建国" in entries[0].subject
    phone = next(c for c in entries[1].changes if c.label == label(CaseWorker, "phone"))
    assert phone.new == "139****1111"
    assert "13900001111" not in {phone.old, phone.new}


def test_personal_fields_are_shown_whole_only_when_not_masked(town_a):
    venue = VenueFactory(town=town_a, contact_phone="13912345678")
    venue.contact_phone = "13711112222"
    venue.save()

    whole = changes_of(venue_changes(venue, show_personal=True))
    masked = changes_of(venue_changes(venue, show_personal=False))

    phone = label(type(venue), "contact_phone")
    assert (phone, "13912345678", "13711112222") in whole
    assert (phone, "139****5678", "137****2222") in masked


def test_a_window_of_the_newest_rows_keeps_its_oldest_row_as_the_baseline(town_a):
    venue = VenueFactory(town=town_a, name="名字0")
    for n in range(1, HISTORY_ENTRIES + 5):
        venue.name = f"名字{n}"
        venue.save()

    entries = venue_changes(venue)

    assert len(entries) == HISTORY_ENTRIES
    assert all(entry.kind == "changed" for entry in entries)  # the creation is older than the window
    newest = entries[0].changes[0]
    assert (newest.old, newest.new) == (f"名字{HISTORY_ENTRIES + 3}", f"名字{HISTORY_ENTRIES + 4}")


def test_the_builder_takes_the_same_statements_for_a_short_and_a_long_history(town_a, district_staff):
    def statements(case):
        with CaptureQueriesContext(connection) as queries:
            case_changes(case)
        return len(queries)

    # Both point at a user: a history that names no record of a kind spares that kind's statement.
    short = CaseFactory(town=town_a, assigned_to=district_staff)
    long = CaseFactory(town=town_a, assigned_to=district_staff)
    for n in range(15):
        long.facts, long.assigned_to = f"第{n}次补充", district_staff if n % 2 else None
        long.save()
    assert statements(long) == statements(short)
