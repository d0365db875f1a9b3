"""Many people at once, on both databases: numbers handed out once, no "database is locked", stale edits refused.

Each thread has its own database connection (Django's are per thread), so these tests need a database
every connection sees: PostgreSQL, or on SQLite the test database file that settings.py names.
"""

import datetime
import time

import pytest

from disputes import services
from disputes.models import Case
from stations.models import Venue, VenueKind
from tests.disputes.factories import id_number
from tests.factories import EnterpriseFactory, VenueFactory
from tests.threads import at_once
from union_portal.concurrency import StaleEdit
from union_portal.errors import DomainError

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_venues_created_at_once_get_twenty_codes(town_a):
    def create(n):
        return VenueFactory(town=town_a, kind=VenueKind.WARM_STATION, name=f"同时驿站{n}").code

    codes, errors = at_once(create, 20)
    assert errors == []
    assert sorted(codes) == [f"WS-{n:05d}" for n in range(1, 21)]
    assert Venue.objects.count() == 20


def receive(town, by, n: int) -> Case:
    return services.case_open(
        town=town,
        handling_body="centre",
        employer=EnterpriseFactory(town=town, name=f"用人单位{n}"),
        received_on=datetime.date(2018, 6, 1),
        workers=[{"name": f"工人{n}", "id_number": id_number(700 + n)}],
        by=by,
    )


def test_twenty_cases_received_at_once_get_twenty_numbers(town_a, district_staff):
    numbers, errors = at_once(lambda n: receive(town_a, district_staff, n).number, 20)
    assert errors == []
    assert sorted(numbers) == [f"大兴调〔2018〕{n:04d}" for n in range(1, 21)]


def test_two_people_saving_one_case_at_once_one_is_told_it_is_stale(town_a, district_staff):
    case = receive(town_a, district_staff, 0)
    for attempt in range(10):
        copies = [Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)]

        def save(n, copies=copies, attempt=attempt):
            copies[n].facts = f"第{attempt}次，第{n}人"
            copies[n].save()
            return n

        saved, errors = at_once(save, 2)
        assert [type(error) for error in errors] == [StaleEdit], f"try {attempt}: {errors}"
        case.refresh_from_db()
        assert case.facts == f"第{attempt}次，第{saved[0]}人"


def test_two_files_naming_the_same_household_member_at_once_leave_one_open(town_a, town_b, district_staff, monkeypatch):
    """One open hardship file per person, members included: no row carries the rule, so the service locks the
    people it checks (advisory locks on PostgreSQL; SQLite's writers run one at a time)."""
    from benefits import services as benefits_services
    from benefits.models import HouseholdMember
    from union_portal.child_rows import RowEdits

    shared = id_number(900)
    save = benefits_services._file_save

    def slow_save(file):  # widen the window between the check and the commit, as a busy server would
        save(file)
        time.sleep(0.3)

    monkeypatch.setattr(benefits_services, "_file_save", slow_save)

    def open_file(n):
        fields = {
            "town": (town_a, town_b)[n % 2],
            "applicant_name": f"申请人{n}",
            "id_number": id_number(910 + n),
            "main_cause": "illness",
        }
        members = RowEdits(rows=[{"name": "共同家属", "id_number": shared, "relation": "child"}])
        return benefits_services.file_create(user=district_staff, fields=fields, members=members)

    files, errors = at_once(open_file, 4)
    assert len(files) == 1
    assert len(errors) == 3 and all(isinstance(error, DomainError) for error in errors), errors
    assert HouseholdMember.objects.filter(id_number=shared).count() == 1
