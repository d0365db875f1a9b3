"""Exports of any size: a short list downloads at once, a long one becomes a job with a progress page whose file only
its owner downloads, until it expires (union_portal/exports)."""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from benefits.models import Member
from disputes.models import Case
from tests.disputes.factories import CaseFactory, id_number
from tests.factories import make_staff
from union_portal.access import Role
from union_portal.exports import jobs
from union_portal.models import ExportJob

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def sheet(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def cases_with_workers(town, count, start=1):
    return [
        CaseFactory(
            town=town,
            number=f"大兴调〔2018〕{n:04d}",
            workers=[{"name": f"工人{n}", "id_number": "110115198501011237", "phone": "13811112222"}],
        )
        for n in range(start, start + count)
    ]


@pytest.fixture
def long_list(settings, town_a):
    """Three cases, and every list longer than two rows exported by a job that runs at once."""
    settings.EXPORT_INLINE_ROWS = 2
    settings.TASKS = IMMEDIATE
    return cases_with_workers(town_a, 3)


@pytest.fixture
def done_job(long_list, client_for, town_a_staff):
    response = client_for(town_a_staff).get(reverse("disputes:case_export"))
    return ExportJob.objects.get(pk=response["Location"].strip("/").split("/")[-1])


# --- short and long lists -------------------------------------------------------------------------------------


def test_a_short_list_still_downloads_at_once(client_for, town_a_staff, town_a):
    cases_with_workers(town_a, 2)
    response = client_for(town_a_staff).get(reverse("disputes:case_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(sheet(response)) == 3
    assert not ExportJob.objects.exists()


def test_a_long_list_becomes_a_job_and_its_file_holds_every_row_of_the_list_masked(long_list, client_for, town_a_staff):
    client = client_for(town_a_staff)
    response = client.get(reverse("disputes:case_export"), {"q": "大兴调"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    assert job.owner == town_a_staff and job.query == "q=%E5%A4%A7%E5%85%B4%E8%B0%83"
    assert (job.state, job.rows_done, job.rows_total) == (ExportJob.State.DONE, 3, 3)
    page = client.get(response["Location"]).content.decode()
    assert 'aria-valuenow="100"' in page and job.file_name in page
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    assert "filename*=utf-8''" in download["Content-Disposition"] and download["Cache-Control"] == "private, no-store"
    _header, *rows = sheet(download)
    assert sorted(row[0] for row in rows) == sorted(Case.objects.values_list("number", flat=True))
    flat = " ".join(str(value) for row in rows for value in row)
    assert "110115198501011237" not in flat and "13811112222" not in flat
    assert flat.count("110115********1237") == 3 and flat.count("138****2222") == 3


def test_a_long_member_list_becomes_a_job_too(settings, client_for, town_a_staff, town_a):
    settings.EXPORT_INLINE_ROWS = 1
    settings.TASKS = IMMEDIATE
    for n in (1, 2):
        Member.objects.create(town=town_a, name=f"会员{n}", id_number=id_number(n), union_name="工会")
    response = client_for(town_a_staff).get(reverse("benefits:member_export"))
    job = ExportJob.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.rows_done == 2
    assert len(sheet(client_for(town_a_staff).get(reverse("exports:download", args=[job.pk])))) == 3


def test_the_file_lives_in_the_private_directory(done_job, settings):
    path = jobs.job_file(done_job)
    assert path.is_file() and path.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not path.is_relative_to(settings.MEDIA_ROOT)


# --- the queue and its worker -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_job_waits_in_the_database_queue_until_the_worker_writes_it(settings, client_for, town_a_staff, town_a):
    settings.EXPORT_INLINE_ROWS = 2
    settings.TASKS = DATABASE_QUEUE
    cases_with_workers(town_a, 3)
    client = client_for(town_a_staff)
    job_url = client.get(reverse("disputes:case_export"))["Location"]
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.QUEUED and DBTaskResult.objects.count() == 1
    waiting = client.get(job_url).content.decode()
    assert 'hx-get="' in waiting and 'data-testid="export-download"' not in waiting
    assert client.get(reverse("exports:download", args=[job.pk]))["Location"] == job_url  # not ready: its page

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    job.refresh_from_db()
    assert (job.state, job.rows_done) == (ExportJob.State.DONE, 3)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    ready = client.get(reverse("exports:progress", args=[job.pk])).content.decode()
    assert 'hx-get="' not in ready and 'data-testid="export-download"' in ready  # polling stops
    assert len(sheet(client.get(reverse("exports:download", args=[job.pk])))) == 4


def test_a_job_that_fails_says_so_and_leaves_no_file(long_list, client_for, town_a_staff, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "write_export", broken)
    client = client_for(town_a_staff)
    job_url = client.get(reverse("disputes:case_export"))["Location"]
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.FAILED and "disk full" in job.error and not job.file_path
    assert 'data-state="failed"' in client.get(job_url).content.decode()
    assert not list(jobs.export_dir().glob("*"))


def test_a_job_another_worker_took_meanwhile_is_not_written_twice(
    settings, client_for, town_a_staff, town_a, monkeypatch
):
    settings.EXPORT_INLINE_ROWS = 2
    settings.TASKS = DATABASE_QUEUE
    cases_with_workers(town_a, 3)
    client_for(town_a_staff).get(reverse("disputes:case_export"))
    job = ExportJob.objects.get()
    original_first = QuerySet.first

    def found_then_taken_by_another_worker(self):
        found = original_first(self)
        if self.model is ExportJob and found is not None:
            ExportJob.objects.filter(pk=found.pk).update(state=ExportJob.State.RUNNING)
        return found

    monkeypatch.setattr(QuerySet, "first", found_then_taken_by_another_worker)
    written = []
    monkeypatch.setattr(jobs, "_write_job", lambda job: written.append(job) or 3)
    assert jobs.export_run.call(str(job.pk)) == 0
    assert written == []


# --- progress ------------------------------------------------------------------------------------------------------


def test_rows_done_move_as_the_file_is_written(long_list, settings, client_for, town_a_staff, town_a, monkeypatch):
    settings.EXPORT_CHUNK_SIZE = 2
    cases_with_workers(town_a, 2, start=4)  # five cases in all: progress after two, four and five rows
    seen = []
    recorded = jobs.job_progress

    def spy(job_id, done):
        recorded(job_id, done)
        seen.append(ExportJob.objects.values_list("rows_done", "rows_total").get(pk=job_id))

    monkeypatch.setattr(jobs, "job_progress", spy)
    client_for(town_a_staff).get(reverse("disputes:case_export"))
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_the_page_of_a_running_job_shows_rows_done_of_total_and_polls(client_for, town_a_staff):
    now = timezone.now()
    job = ExportJob.objects.create(
        owner=town_a_staff,
        kind="disputes-cases",
        title="劳动争议案件",
        state=ExportJob.State.RUNNING,
        rows_done=3000,
        rows_total=10000,
        file_name="劳动争议案件_2026-12-01.xlsx",
        expires_at=now + datetime.timedelta(hours=24),
    )
    page = client_for(town_a_staff).get(job.get_absolute_url()).content.decode()
    assert 'aria-valuenow="30"' in page and "progress-30" in page
    assert re.search(r"3000\D+10000", page)
    assert f'hx-get="{reverse("exports:progress", args=[job.pk])}"' in page
    assert 'data-testid="export-download"' not in page


# --- only the owner ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "other", ["town_a_colleague", "district_admin", "district_staff", "leadership", "town_b_staff"]
)
def test_no_one_but_the_owner_sees_the_job_or_its_file(other, done_job, client_for, request, town_a):
    user = make_staff(Role.TOWN_STAFF, town_a, username="town_a_2") if other == "town_a_colleague" else None
    client = client_for(user or request.getfixturevalue(other))
    for name in ("exports:job", "exports:progress", "exports:download"):
        assert client.get(reverse(name, args=[done_job.pk])).status_code == 404, name
    assert str(done_job.pk) not in client.get(reverse("exports:mine")).content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(done_job):
    response = Client().get(reverse("exports:download", args=[done_job.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- expiry -------------------------------------------------------------------------------------------------------


def expire(job):
    """Make `job` as it will be once its keeping time is over."""
    past = timezone.now() - datetime.timedelta(hours=25)
    ExportJob.objects.filter(pk=job.pk).update(created_at=past, expires_at=past + datetime.timedelta(hours=24))


def test_an_expired_file_is_gone_and_its_download_says_so(done_job, client_for, town_a_staff):
    path = jobs.job_file(done_job)
    expire(done_job)
    response = client_for(town_a_staff).get(reverse("exports:download", args=[done_job.pk]))
    assert response.status_code == 410
    assert gettext("Export expired") in response.content.decode()
    assert not path.exists()
    done_job.refresh_from_db()
    assert done_job.state == ExportJob.State.EXPIRED and not done_job.file_path


def test_expire_exports_deletes_the_files_past_their_time_and_keeps_the_others(
    done_job, client_for, town_a_staff, settings
):
    client_for(town_a_staff).get(reverse("disputes:case_export"), {"q": "大兴调"})
    fresh = ExportJob.objects.exclude(pk=done_job.pk).get()
    old_file = jobs.job_file(done_job)
    expire(done_job)
    out = io.StringIO()
    call_command("expire_exports", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert not old_file.exists() and jobs.job_file(fresh).is_file()
    assert ExportJob.objects.get(pk=done_job.pk).state == ExportJob.State.EXPIRED


def task_result(status, *, finished_hours_ago=None, enqueued_hours_ago=0):
    now = timezone.now()
    result = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": ["x"], "kwargs": {}},
        task_path="union_portal.exports.jobs.export_run",
        backend_name="default",
        run_after=now,
        finished_at=None if finished_hours_ago is None else now - datetime.timedelta(hours=finished_hours_ago),
    )
    DBTaskResult.objects.filter(pk=result.pk).update(enqueued_at=now - datetime.timedelta(hours=enqueued_hours_ago))
    return result


def test_expire_exports_prunes_the_results_of_tasks_finished_longer_ago_than_an_export_is_kept(settings):
    settings.EXPORT_KEEP_HOURS = 24
    old_done = task_result("SUCCESSFUL", finished_hours_ago=25, enqueued_hours_ago=26)
    old_failed = task_result("FAILED", finished_hours_ago=25, enqueued_hours_ago=26)
    kept = [
        task_result("SUCCESSFUL", finished_hours_ago=23, enqueued_hours_ago=26),  # within the keeping time
        task_result("READY", enqueued_hours_ago=48),  # waiting for a worker, however long
        task_result("RUNNING", enqueued_hours_ago=48),
    ]
    out = io.StringIO()
    call_command("expire_exports", stdout=out)
    assert "2 finished task result(s) pruned." in out.getvalue()
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {result.pk for result in kept}
    assert not DBTaskResult.objects.filter(pk__in=[old_done.pk, old_failed.pk]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_pruned_task_result_leaves_its_export_job_and_file_as_they_were(settings, client_for, town_a_staff, town_a):
    settings.EXPORT_INLINE_ROWS = 2
    settings.TASKS = DATABASE_QUEUE
    cases_with_workers(town_a, 3)
    client = client_for(town_a_staff)
    client.get(reverse("disputes:case_export"))
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job = ExportJob.objects.get()
    DBTaskResult.objects.update(finished_at=timezone.now() - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS + 1))

    call_command("expire_exports", stdout=io.StringIO())

    assert not DBTaskResult.objects.exists()
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE  # the job (created just now) keeps its file until its own expiry
    assert len(sheet(client.get(reverse("exports:download", args=[job.pk])))) == 4


def test_a_job_expires_after_the_hours_the_settings_keep_it(done_job, settings):
    assert done_job.expires_at - done_job.created_at == datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)


# --- my exports and statement counts --------------------------------------------------------------------------


def add_jobs(owner, count):
    now = timezone.now()
    ExportJob.objects.bulk_create(
        ExportJob(
            owner=owner,
            kind="disputes-cases",
            title="劳动争议案件",
            state=ExportJob.State.DONE,
            rows_done=n,
            rows_total=n,
            file_name=f"劳动争议案件_{n}.xlsx",
            created_at=now - datetime.timedelta(minutes=n),
            expires_at=now + datetime.timedelta(hours=24),
        )
        for n in range(count)
    )


def test_my_exports_lists_mine_newest_first_on_pages(client_for, town_a_staff, town_b_staff, settings):
    add_jobs(town_a_staff, settings.PORTAL_PAGE_SIZE + 1)
    add_jobs(town_b_staff, 1)
    client = client_for(town_a_staff)
    first = client.get(reverse("exports:mine"))
    jobs_shown = re.findall(r'data-job="([^"]+)"', first.content.decode())
    assert len(jobs_shown) == settings.PORTAL_PAGE_SIZE
    assert jobs_shown[0] == str(ExportJob.objects.filter(owner=town_a_staff).first().pk)
    assert 'aria-label="' in first.content.decode() and "?page=2" in first.content.decode()
    second = client.get(reverse("exports:mine"), {"page": 2})
    assert len(re.findall(r'data-job="', second.content.decode())) == 1


@pytest.mark.parametrize("page", ["mine", "job", "progress"])
def test_the_export_pages_cost_the_same_statements_for_few_and_many_jobs(
    page, client_for, town_a_staff, django_assert_max_num_queries
):
    client = client_for(town_a_staff)
    add_jobs(town_a_staff, 2)

    def url():
        job = ExportJob.objects.first()
        return reverse(f"exports:{page}", args=[] if page == "mine" else [job.pk])

    with django_assert_max_num_queries(12) as few:
        assert client.get(url()).status_code == 200
    add_jobs(town_a_staff, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url()).status_code == 200


def test_my_exports_and_imports_is_in_the_menu_of_whoever_may_export(
    client_for, town_a_staff, district_staff, leadership
):
    for user in (town_a_staff, district_staff):
        page = client_for(user).get(reverse("disputes:home")).content.decode()
        assert f'href="{reverse("exports:mine")}" data-testid="my-exports">我的导出与导入</a>' in page
    assert 'data-testid="my-exports"' not in client_for(leadership).get("/").content.decode()
