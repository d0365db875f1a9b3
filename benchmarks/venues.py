"""Benchmark of the venue registry's speed targets: `make bench` (speed is measured here, never by a timed test).

Builds a throwaway test database (SQLite in memory, or `test_<name>` on the PostgreSQL that DATABASE_URL
names), loads the demo district and venues, then times, as a user meets them:

- a 5,000-row xlsx import of new venues through the admin's two steps (preview, then confirm), then
  the same 5,000 venues imported again by code with a changed phone (an update of each, with history);
- the staff list, a venue's page, the public finder and the admin changelist (median of several requests);
- the 2018 venue figures.

It prints one line per measurement, `<what>: <number> <unit>` (the SQL statement counts too), and writes
nothing outside the test database.
"""

import io
import os
import statistics
import sys
import tempfile
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

import openpyxl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

ROWS = 5000
REPEATS = 7
HEADERS = ["阵地编码", "名称", "类型", "镇街", "地址", "设施", "24小时开放", "联系电话", "规划日期", "建成日期"]
KINDS = ["暖心驿站", "职工之家", "母婴关爱室", "心灵驿站", "职工活动中心"]


def sheet(towns: list[str], codes: list[str] | None = None, phone: str = "13812345678") -> bytes:
    """The 5,000 rows: new venues, or (given their codes) the same venues again with `phone`."""
    book = openpyxl.Workbook()
    rows = book.active
    rows.append(HEADERS)
    for n in range(ROWS):
        town = towns[n % len(towns)]
        rows.append(
            [
                codes[n] if codes else "",
                f"基准阵地{n}",
                KINDS[n % 5],
                town,
                f"基准路{n}号",
                "微波炉、饮水机",
                "否",
                phone,
                None,
                "2018-06-01",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(action):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
    return result, seconds, len(queries)


def report(what: str, seconds: float, statements: int) -> None:
    print(f"{what} time: {seconds * 1000:.0f} ms")
    print(f"{what} SQL: {statements} statements")


def page(client: Client, url: str) -> None:
    timings = []
    for _ in range(REPEATS):
        response, seconds, statements = timed(lambda: client.get(url))
        assert response.status_code == 200, (url, response.status_code)
        timings.append(seconds)
    report(f"GET {url}", statements=statements, seconds=statistics.median(timings))  # time: median of REPEATS


def import_steps(client: Client, what: str, content: bytes) -> None:
    """The admin's two steps, each reported in rows per second; the confirmation must write every row."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from stations.models import Venue

    upload = SimpleUploadedFile("venues.xlsx", content)
    response, seconds, statements = timed(
        lambda: client.post("/admin/stations/venue/import/", {"import_file": upload, "format": "0", "resource": "0"})
    )
    assert response.status_code == 200 and "confirm_form" in response.context, "the preview was refused"
    print(f"{what} preview: {ROWS / seconds:.0f} rows/s")
    report(f"{what} preview", seconds, statements)
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    history = Venue.history.count()
    cpu = time.process_time()
    response, seconds, statements = timed(lambda: client.post("/admin/stations/venue/process_import/", data))
    cpu = time.process_time() - cpu
    assert response.status_code == 302, "the confirmation was refused"
    assert Venue.history.count() == history + ROWS, "the import did not write every row with its history"
    print(f"{what} confirm: {ROWS / seconds:.0f} rows/s")
    report(f"{what} confirm", seconds, statements)
    # This process's own share (the database server's is not in it): steadier than the time on a busy machine.
    print(f"{what} confirm CPU: {cpu * 1000:.0f} ms")


def main() -> None:
    from django.contrib.auth.models import User

    from stations import demo as venue_demo
    from stations.figures import figures
    from stations.models import Venue
    from union_portal import demo

    setup_test_environment()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    # As in the tests: no collectstatic manifest needed, uploads into a throwaway folder.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bench-media-"))
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        district = demo.load_district()
        venue_demo.load(district, io.StringIO())
        demo.load_users(district)
        print(f"database ({connection.vendor}) demo venues: {Venue.objects.count()} venues")

        client = Client()
        client.force_login(User.objects.get(username="admin"))
        towns = list(district.towns.order_by("order").values_list("name", flat=True))
        content = sheet(towns)

        before = Venue.objects.count()
        import_steps(client, "venue import", content)
        assert Venue.objects.count() == before + ROWS, "the import did not add every row"
        codes = dict(Venue.objects.filter(name__startswith="基准阵地").values_list("name", "code"))
        again = sheet(towns, codes=[codes[f"基准阵地{n}"] for n in range(ROWS)], phone="13900000000")
        import_steps(client, "venue re-import (update)", again)
        assert Venue.objects.count() == before + ROWS, "the re-import added venues instead of updating them"

        venue = Venue.objects.public().order_by("pk").first()
        for url in (
            "/stations/",
            "/stations/?kind=warm_station&town=" + str(district.towns.get(name="瀛海镇").pk),
            f"/stations/{venue.pk}/",
            "/venues/",
            "/venues/?amenity=microwave&is_24h=on",
            f"/venues/{venue.code}/",
            "/admin/stations/venue/",
        ):
            page(client, url)
        _result, seconds, statements = timed(lambda: figures(2018))
        report("venue figures for 2018", seconds, statements)
        print(f"venues in the database at the end: {Venue.objects.count()} venues")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
