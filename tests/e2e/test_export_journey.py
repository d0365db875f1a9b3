"""A long list's export in Chromium (issue 10): district staff export the case list, which becomes a background job;
its page follows the worker by itself (htmx) to a file they download, and no one else may open the job."""

import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.disputes.factories import CaseFactory, id_number
from union_portal.formatting import mask_id_number
from union_portal.models import ExportJob

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "test-password-123"  # tests.factories.UserFactory's password
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
JOB_URL = re.compile(r"/exports/(?P<pk>[0-9a-f-]{36})/$")


def log_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


@pytest.fixture
def long_case_list(settings, town_a, town_b):
    """Six cases in two towns, each with a worker whose ID number is known, and a list longer than two rows
    exported by a job on the database queue (which only the worker empties)."""
    settings.EXPORT_INLINE_ROWS = 2
    settings.TASKS = DATABASE_QUEUE
    return {
        CaseFactory(town=town, number=f"{town.name}调〔2025〕{n:04d}", workers=[{"id_number": id_number(n)}]).number: (
            id_number(n)
        )
        for n, town in enumerate([town_a, town_b] * 3, start=1)
    }


def read_sheet(path) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_district_staff_export_a_long_case_list_as_a_job_and_download_it_when_done(
    page, live_server, long_case_list, district_staff
):
    log_in(page, live_server, district_staff, "/disputes/cases/")
    page.click("[data-testid=export]")
    page.wait_for_url(JOB_URL)
    job = ExportJob.objects.get(pk=JOB_URL.search(page.url)["pk"])
    assert (job.owner, job.state, job.rows_total) == (district_staff, ExportJob.State.QUEUED, 6)

    progress = page.locator("[data-testid=export-progress]")
    bar = progress.get_by_role("progressbar")
    expect(progress).to_have_attribute("data-state", "queued")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(page.locator("[data-testid=export-rows]")).to_contain_text("6")
    expect(page.locator("[data-testid=export-download]")).to_have_count(0)
    loads = []
    page.on("load", lambda _: loads.append(page.url))

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    expect(progress).to_have_attribute("data-state", "done", timeout=10_000)  # the next poll (every 2 s)
    expect(bar).to_have_attribute("aria-valuenow", "100")
    assert loads == []  # htmx swapped the fragment in: no reload
    expect(page.locator("[data-testid=export-rows]")).to_contain_text("6")
    with page.expect_download() as download_info:
        page.click("[data-testid=export-download]")
    download = download_info.value
    job.refresh_from_db()
    assert download.suggested_filename == job.file_name and job.file_name.endswith(".xlsx")

    _header, *rows = read_sheet(download.path())
    assert sorted(row[0] for row in rows) == sorted(long_case_list)
    cells = " ".join(str(value) for row in rows for value in row)
    for number, id_number_ in long_case_list.items():
        assert id_number_ not in cells, number
        assert mask_id_number(id_number_) in cells, number

    page.get_by_test_id("my-exports").click()  # the menu's way back to a job left running
    page.wait_for_url(f"{live_server.url}/exports/")
    row = page.locator(f"tr[data-job='{job.pk}']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(job.get_state_display())
    expect(row.get_by_role("link", name=zh("Download"))).to_have_attribute("href", f"/exports/{job.pk}/download/")


def test_town_staff_opening_someone_elses_job_get_the_not_found_page(
    page, new_context, live_server, long_case_list, district_staff, town_b_staff
):
    log_in(page, live_server, district_staff, "/disputes/cases/")
    page.click("[data-testid=export]")
    page.wait_for_url(JOB_URL)
    job_path = JOB_URL.search(page.url)[0]

    other = new_context().new_page()
    log_in(other, live_server, town_b_staff, "/")
    response = other.goto(f"{live_server.url}{job_path}")
    assert response.status == 404
    expect(other.locator("h1")).to_have_text(zh("Page not found"))
    expect(other.locator("[data-testid=export-progress]")).to_have_count(0)
    assert other.goto(f"{live_server.url}{job_path}download/").status == 404
