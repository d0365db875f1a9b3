"""Benchmark of the annual summary at city scale (issue 8): `make bench` (speed is measured here, never by a test).

On the PostgreSQL server DATABASE_URL names, it uses the city-scale dataset of `benchmarks/city_data.py` (built
once into its own database and kept between runs; rebuilt when the schema or the dataset's version changes), then
measures the district summary page of the last year of the dataset and one town's page, as leadership opens them
through the Django test client:

- the page: the median time of REPEATS requests;
- its SQL alone: the statements one request ran, captured, then replayed with `cursor.execute` on the same
  connection after each of the timed requests, the sum of their times (median of REPEATS replays);
- the ratio page/SQL (the target is at most 1.5: the page spends little beyond its statements) and the count of
  statements.

Without PostgreSQL it prints that it skipped. It prints one line per measurement, `<what>: <number> <unit>`.
"""

import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "union_portal.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
django.setup()
warnings.filterwarnings("ignore", message="No directory at")

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from benchmarks import city_data  # noqa: E402

REPEATS = 7
TARGET_RATIO = 1.5
TOWN = "瀛海镇"
# Statements that only mark transactions: replaying them alone means nothing (their cost is in the page's time).
NOT_REPLAYED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def replay(statements: list[str]) -> list[float]:
    """The seconds each of `statements` takes run again on this connection, in a transaction rolled back (so a
    write leaves nothing)."""
    seconds = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            for sql in statements:
                started = time.perf_counter()
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
                seconds.append(time.perf_counter() - started)
        transaction.set_rollback(True)
    return seconds


def measure(client: Client, what: str, url: str) -> None:
    """The page's median time beside its statements' (captured from one request, replayed after each request:
    page and replay alternate, so a machine whose load drifts weighs on both alike)."""
    assert client.get(url).status_code == 200, url  # warm: templates compiled, any per-process caches filled
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    replayed = [sql for sql in statements if not sql.startswith(NOT_REPLAYED)]
    pages, replays = [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(url)
        pages.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        replays.append(replay(replayed))
    page = statistics.median(pages)
    sql_alone = statistics.median(sum(seconds) for seconds in replays)
    slowest = max(statistics.median(times) for times in zip(*replays, strict=True))
    print(f"{what}: {page * 1000:.0f} ms")
    print(f"{what} SQL alone: {sql_alone * 1000:.0f} ms")
    print(f"{what} page/SQL: {page / sql_alone:.2f} ratio (target ≤ {TARGET_RATIO})")
    print(f"{what} statements: {len(statements)} count")
    print(f"{what} slowest statement: {slowest * 1000:.0f} ms")


def main() -> None:
    if connection.vendor != "postgresql":
        print(f"summary bench: skipped (needs PostgreSQL in DATABASE_URL; this run uses {connection.vendor})")
        return
    setup_test_environment()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    city_data.ensure(city_data.DEFAULT_NAME)

    from django.contrib.auth import get_user_model

    from disputes.models import Case
    from union_portal.models import Town

    print(f"city dataset ({connection.settings_dict['NAME']}): {Case.objects.count()} cases")
    year = city_data.YEARS[-1]
    town = Town.objects.get(name=TOWN)
    client = Client()
    client.force_login(get_user_model().objects.get(username="leader"))
    try:
        measure(client, f"summary district page {year}", f"/summary/{year}/")
        measure(client, f"summary town page {year}", f"/summary/{year}/?town={town.pk}")
    finally:
        client.logout()  # the session row goes again: the dataset stays as built


if __name__ == "__main__":
    main()
