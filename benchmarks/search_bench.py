"""Benchmark of the case list, its search and the start pages at city scale (issue 10): SQL time, never page time.

It reads the city-scale dataset of `benchmarks/city_data.py` and never builds or changes it: the database DATABASE_URL
names when it holds the dataset (its `bench_city_marker` table), else `city_data.DEFAULT_NAME` on the same server; with
neither (or without PostgreSQL) it prints that it skipped and exits 0. Each measurement opens a page once through the
Django test client as a demo user (district staff `staff`, town staff `yinghai`), captures its statements, then
replays them REPEATS times on the same connection in a transaction rolled back; it prints one line per measurement,
`<what>: <number> <unit>`: the SQL of the page (median of the replays' sums), its slowest statement and the count of
statements. The identifiers searched for are read from the dataset (a worker's ID number ending in X, typed in
lowercase; a phone; an employer's credit code; a case number).

`--explain` also prints EXPLAIN ANALYZE of each page's slowest statement.
"""

import os
import re
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
from django.urls import reverse  # noqa: E402

from benchmarks import city_data  # noqa: E402

REPEATS = 5
NOT_REPLAYED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "CLOSE ", "FETCH ", "BEGIN", "COMMIT")
# A server-side cursor (`.iterator()`) is replayed as the query it reads.
DECLARE = re.compile(r"^DECLARE \S+ (?:NO SCROLL )?CURSOR (?:WITH(?:OUT)? HOLD )?FOR ", re.S)


def find_dataset() -> str | None:
    """The database holding the city dataset (Django's default connection pointed at it), or None."""
    if connection.vendor != "postgresql":
        return None
    if _has_marker():
        return connection.settings_dict["NAME"]
    server = city_data._server_connection(connection.settings_dict)
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [city_data.DEFAULT_NAME])
            exists = cursor.fetchone() is not None
    finally:
        server.close()
    if not exists:
        return None
    city_data._use_database(city_data.DEFAULT_NAME)
    return city_data.DEFAULT_NAME if _has_marker() else None


def _has_marker() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_city_marker')")
        return cursor.fetchone()[0] is not None


def replay(statements: list[str]) -> list[float]:
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


def explain(sql: str) -> str:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}")
            plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def measure(client: Client, what: str, url: str, *, show_plan: bool) -> None:
    assert client.get(url).status_code == 200, url  # warm
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    statements = [DECLARE.sub("", q["sql"]) for q in captured.captured_queries if not q["sql"].startswith(NOT_REPLAYED)]
    replays = [replay(statements) for _ in range(REPEATS)]
    per_statement = [statistics.median(times) for times in zip(*replays, strict=True)]
    slowest = max(range(len(statements)), key=per_statement.__getitem__)
    print(f"{what} SQL: {statistics.median(sum(r) for r in replays) * 1000:.1f} ms")
    print(f"{what} slowest statement: {per_statement[slowest] * 1000:.1f} ms")
    print(f"{what} statements: {len(statements)} count")
    if show_plan:
        print(f"{what} plan of the slowest statement:\n{explain(statements[slowest])}")


def identifiers() -> dict[str, str]:
    """Values to search for, read from the dataset (the same rows every run)."""
    from disputes.models import Case, CaseWorker

    worker = CaseWorker.objects.filter(id_number__endswith="X").exclude(phone="").order_by("pk").first()
    case = Case.objects.filter(employer__credit_code__isnull=False).order_by("pk")[1000]
    return {
        "id_number": worker.id_number.lower(),
        "phone": worker.phone,
        "credit_code": case.employer.credit_code,
        "case_number": case.number,
        "employer_part": case.employer.name[2:6],  # 北京 left out: four characters of the employer's own name
    }


def main() -> None:
    name = find_dataset()
    if name is None:
        where = connection.settings_dict.get("NAME") if connection.vendor == "postgresql" else connection.vendor
        print(f"search bench: skipped (no city dataset: run `make bench` or benchmarks/city_data.py first; {where})")
        return
    setup_test_environment()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.contrib.auth import get_user_model

    from disputes.models import Case

    show_plan = "--explain" in sys.argv
    print(f"city dataset ({name}): {Case.objects.count()} cases")
    found = identifiers()
    cases = reverse("disputes:case_list")
    pages = {
        "staff": [
            ("case list first page", cases),
            ("case list middle page", f"{cases}?page={Case.objects.count() // settings.PORTAL_PAGE_SIZE // 2}"),
            ("case list last page", f"{cases}?page=last"),
            ("case list by next deadline", f"{cases}?sort=due"),
            ("search 张伟", f"{cases}?q=张伟"),
            ("search partial name 建国", f"{cases}?q=建国"),
            ("search employer name part 物流", f"{cases}?q=物流"),
            ("search employer name part 物流 last page", f"{cases}?q=物流&page=last"),
            ("search surname 李, one character", f"{cases}?q=李"),
            ("search employer name, four characters", f"{cases}?q={found['employer_part']}"),
            ("search ID number", f"{cases}?q={found['id_number']}"),
            ("search phone", f"{cases}?q={found['phone']}"),
            ("search credit code", f"{cases}?q={found['credit_code']}"),
            ("search case number", f"{cases}?q={found['case_number']}"),
            ("disputes start page", reverse("disputes:home")),
            ("venue list first page", reverse("stations:venue_list")),
            ("venue list last page", f"{reverse('stations:venue_list')}?page=last"),
        ],
        "yinghai": [
            ("town staff case list first page", cases),
            ("town staff search 张伟", f"{cases}?q=张伟"),
            ("town staff search 物流", f"{cases}?q=物流"),
            ("town staff disputes start page", reverse("disputes:home")),
        ],
    }
    client = Client()
    for username, measured in pages.items():
        client.force_login(get_user_model().objects.get(username=username))
        try:
            for what, url in measured:
                measure(client, what, url, show_plan=show_plan)
        finally:
            client.logout()  # the session row goes again: the dataset stays as it was


if __name__ == "__main__":
    main()
