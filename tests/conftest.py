"""Personas and shared fixtures (STYLE.md §6): district admin, staff of town A and B, leadership, anonymous."""

import importlib
import os
import shutil

import pytest
from django.apps import apps as django_apps
from django.db.backends.signals import connection_created

from disputes.models import ClaimKind
from stations.models import Amenity
from tests.factories import DistrictFactory, TownFactory, make_staff
from union_portal.access import Role

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _ledger_maintenance(sender, connection, **kwargs):
    """Django's test flush empties every table with TRUNCATE, which the aid ledger's trigger refuses on PostgreSQL
    unless the connection sets this switch (benefits/models.py). The ledger tests turn it off where they try."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET portal.ledger_maintenance = 'on'")


connection_created.connect(_ledger_maintenance)


@pytest.fixture(autouse=True)
def _plain_http(settings, tmp_path):
    """Tests talk plain HTTP to the test client and live server; uploads go to a temporary folder;
    passwords are hashed cheaply (autouse, so before the persona fixtures create their users)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # PBKDF2 costs 0.6 s a user
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _reference_rows(request):
    """The rows that data migrations write (amenities, kinds of claim) exist in every test that uses the database.

    A transactional test (the browser journeys) ends by flushing every table, and pytest-django may run
    ordinary tests after it: they would find no amenity. Two cheap queries put the rows back when missing.
    """
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    ensure_reference_rows()


def ensure_reference_rows():
    """Write the data migrations' rows again where a flush removed them (also for module-scoped demo fixtures,
    which run before any test's own fixtures)."""
    if not Amenity.objects.exists():
        importlib.import_module("stations.migrations.0002_amenities").add_amenities(django_apps, None)
    ClaimKind.ensure_all()


@pytest.fixture
def district(db):
    return DistrictFactory()


@pytest.fixture
def town_a(district):
    return TownFactory(district=district, name="瀛海镇", order=1)


@pytest.fixture
def town_b(district):
    return TownFactory(district=district, name="亦庄镇", order=2)


@pytest.fixture
def district_admin(district):
    return make_staff(Role.DISTRICT_ADMIN, username="admin")


@pytest.fixture
def district_staff(district):
    return make_staff(Role.DISTRICT_STAFF, username="staff")


@pytest.fixture
def town_a_staff(town_a):
    return make_staff(Role.TOWN_STAFF, town_a, username="town_a")


@pytest.fixture
def town_b_staff(town_b):
    return make_staff(Role.TOWN_STAFF, town_b, username="town_b")


@pytest.fixture
def leadership(district):
    return make_staff(Role.LEADERSHIP, username="leader")


@pytest.fixture
def client_for(client):
    """client_for(user) logs the test client in as `user` (None: stays anonymous)."""

    def login(user):
        if user is not None:
            client.force_login(user)
        return client

    return login


# Browser journeys (tests/e2e): Debian's Chromium through Playwright. In CI a missing
# browser fails the run; elsewhere the journeys skip and say why.
def browser_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not browser_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the browser journeys, but {CHROMIUM} is missing (apt-get install chromium).")
        pytest.skip(
            f"{CHROMIUM} is not installed: apt-get install chromium fonts-wqy-microhei to run browser journeys."
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
