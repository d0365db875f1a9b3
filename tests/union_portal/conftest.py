"""Fixtures of the core's tests: the demo district with every app's records, for the annual summary's tests."""

import importlib

import pytest
from django.db import connection, transaction

from tests.conftest import ensure_reference_rows
from union_portal import demo as core_demo

APPS_WITH_DEMOS = ("stations", "disputes", "benefits")


class Quiet:
    def write(self, text):
        pass


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The demo district with every app's records, loaded once per module that asks (and rolled back after)."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_rows()  # a transactional test before this module may have flushed them
        district = core_demo.load_district()
        for app in APPS_WITH_DEMOS:
            importlib.import_module(f"{app}.demo").load(district, Quiet())
        # Check the deferred foreign keys now, once: on PostgreSQL each test's teardown checks them again
        # otherwise (the events return when the test's savepoint rolls back), some 15 s a test.
        connection.check_constraints()
        yield district
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_db, db):
    return demo_db
