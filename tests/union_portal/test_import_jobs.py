"""Big imports: the confirm of a sheet longer than IMPORT_INLINE_ROWS rows queues a job on the task runner, whose page
(its owner's only) shows the rows written and then the import's result; all rows or none (union_portal/imports)."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from benefits import services as benefits_services
from benefits.models import Member
from disputes.models import Case
from tests.benefits.test_members import make_member, row, sheet_file
from tests.disputes.factories import id_number
from tests.disputes.test_excel import GOOD, dossier_sheet
from tests.factories import make_staff
from union_portal.access import Role
from union_portal.imports import jobs
from union_portal.models import ImportJob

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
State = ImportJob.State


def preview(client, town, rows):
    response = client.post(reverse("benefits:member_import"), {"file": sheet_file(rows), "town": town.pk})
    assert response.status_code == 200 and not response.context["sheet"].errors
    return response.context["confirm"]["token"].value()


def confirm(client, town, token, repeated="refuse"):
    data = {"confirm": "1", "token": token, "town": town.pk, "repeated": repeated}
    return client.post(reverse("benefits:member_import"), data)


def run_worker():
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def long_sheets(settings):
    """Every sheet of more than two rows is long; jobs run as soon as they are queued."""
    settings.IMPORT_INLINE_ROWS = 2
    settings.TASKS = IMMEDIATE


@pytest.fixture
def done_job(long_sheets, client_for, town_b_staff, town_b):
    client = client_for(town_b_staff)
    confirm(client, town_b, preview(client, town_b, [row(n) for n in (1, 2, 3)]))
    return ImportJob.objects.get()


# --- short and long sheets ------------------------------------------------------------------------------------


def test_a_short_sheet_is_still_imported_at_once(long_sheets, client_for, town_b_staff, town_b):
    client = client_for(town_b_staff)
    response = confirm(client, town_b, preview(client, town_b, [row(1), row(2)]))
    assert response["Location"] == reverse("benefits:member_list") + f"?town={town_b.pk}"
    assert Member.objects.count() == 2 and not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_long_sheet_waits_in_the_queue_until_the_worker_writes_every_row(settings, client_for, town_b_staff, town_b):
    settings.IMPORT_INLINE_ROWS = 2
    settings.TASKS = DATABASE_QUEUE
    client = client_for(town_b_staff)
    response = confirm(client, town_b, preview(client, town_b, [row(n) for n in (1, 2, 3)]))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert (job.owner, job.state, job.rows_total) == (town_b_staff, State.QUEUED, 3)
    assert not Member.objects.exists()
    waiting = text(client.get(response["Location"]))
    assert f'hx-get="{reverse("imports:progress", args=[job.pk])}"' in waiting
    assert gettext("Waiting for its turn: %(total)s rows to write.") % {"total": 3} in waiting

    run_worker()

    assert sorted(Member.objects.values_list("id_number", flat=True)) == sorted(id_number(n) for n in (1, 2, 3))
    assert set(Member.objects.values_list("town", flat=True)) == {town_b.pk}
    assert Member.history.filter(history_user=town_b_staff).count() == 3
    done = text(client.get(reverse("imports:progress", args=[job.pk])))
    assert "hx-get=" not in done and 'aria-valuenow="100"' in done  # polling stops
    assert gettext("Import done: %(added)d members added, %(merged)d merged.") % {"added": 3, "merged": 0} in done
    assert f'href="{reverse("benefits:member_list")}?town={town_b.pk}"' in done
    job.refresh_from_db()
    assert job.state == State.DONE and job.rows is None  # the names and ID numbers are not kept past the job


def test_the_preview_leaves_the_cache_for_the_job(done_job, client_for, town_b_staff, town_b):
    from django.core.cache import cache

    assert cache.get(done_job.token) is None
    assert done_job.token.startswith("benefits-member-import-")


def test_a_long_sheet_merges_repeated_id_numbers_when_asked(long_sheets, client_for, town_b_staff, town_b):
    stored = make_member(town_b, 9, union_name="旧工会")
    client = client_for(town_b_staff)
    token = preview(client, town_b, [row(9, union="新工会"), row(10), row(11)])
    response = confirm(client, town_b, token, repeated="merge")
    assert ImportJob.objects.get().get_absolute_url() == response["Location"]
    stored.refresh_from_db()
    assert stored.union_name == "新工会" and Member.objects.count() == 3
    page = text(client.get(response["Location"]))
    assert gettext("Import done: %(added)d members added, %(merged)d merged.") % {"added": 2, "merged": 1} in page


@pytest.mark.parametrize("repeat", ["registered", "twice in the sheet"])
def test_a_long_sheet_with_repeated_id_numbers_refused_shows_the_choice_again_as_a_short_one_does(
    repeat, long_sheets, client_for, town_b_staff, town_b
):
    stored = make_member(town_b, 9, union_name="旧工会")
    rows = [row(9, union="新工会"), row(10), row(11)] if repeat == "registered" else [row(10), row(11), row(10)]
    client = client_for(town_b_staff)
    token = preview(client, town_b, rows)

    refused = confirm(client, town_b, token, repeated="refuse")

    assert refused.status_code == 200 and not ImportJob.objects.exists()  # no job: nothing to fail
    assert Member.objects.count() == 1 and Member.objects.get().union_name == "旧工会"
    page = text(refused)
    assert 'data-testid="import-errors"' in page and 'data-testid="import-repeated"' in page
    assert refused.context["sheet"].errors and refused.context["confirm"] is not None
    again = refused.context["confirm"]["token"].value()  # the refused preview is kept under a new token
    assert again != token
    merged = confirm(client, town_b, again, repeated="merge")
    job = ImportJob.objects.get()
    assert merged["Location"] == job.get_absolute_url() and job.state == State.DONE
    assert Member.objects.count() == 3
    stored.refresh_from_db()
    assert stored.union_name == ("新工会" if repeat == "registered" else "旧工会")


# --- twice, and all or nothing ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_confirming_the_same_preview_twice_imports_it_once(settings, client_for, town_b_staff, town_b):
    settings.IMPORT_INLINE_ROWS = 2
    settings.TASKS = DATABASE_QUEUE
    client = client_for(town_b_staff)
    token = preview(client, town_b, [row(n) for n in (1, 2, 3)])
    first, second = confirm(client, town_b, token), confirm(client, town_b, token)
    assert first["Location"] == second["Location"] == ImportJob.objects.get().get_absolute_url()
    run_worker()
    run_worker()
    assert Member.objects.count() == 3
    assert confirm(client, town_b, token)["Location"] == first["Location"]  # after it ran, too
    assert Member.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_row_gone_bad_before_the_job_runs_writes_nothing_and_the_page_says_why_in_chinese(
    settings, client_for, town_b_staff, town_a, town_b
):
    settings.IMPORT_INLINE_ROWS = 2
    settings.TASKS = DATABASE_QUEUE
    client = client_for(town_b_staff)
    job_url = confirm(client, town_b, preview(client, town_b, [row(n) for n in (1, 2, 3)]))["Location"]
    make_member(town_a, 2)  # meanwhile another town registers the second row's member

    run_worker()

    assert list(Member.objects.values_list("id_number", flat=True)) == [id_number(2)]
    page = text(client.get(job_url))
    assert 'data-state="failed"' in page and "hx-get=" not in page
    with translation.override("zh-hans"):
        reason = gettext("Row %(row)d, column “%(column)s”: %(reason)s") % {
            "row": 3,
            "column": gettext("ID number"),
            "reason": gettext("This ID number is already registered for a member of %(town)s.") % {"town": town_a.name},
        }
        assert reason.startswith("第") and reason in page  # the catalogue's Chinese, not the English msgid
        assert gettext("Nothing was written:") in page
    assert ImportJob.objects.get().rows is None


def test_a_failure_half_way_through_writes_nothing(long_sheets, client_for, town_b_staff, town_b, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(benefits_services, "history_copy", broken)  # after the members are written, in the transaction
    client = client_for(town_b_staff)
    job_url = confirm(client, town_b, preview(client, town_b, [row(n) for n in (1, 2, 3)]))["Location"]
    assert not Member.objects.exists()
    job = ImportJob.objects.get()
    assert job.state == State.FAILED
    page = text(client.get(job_url))
    assert jobs.failed_message() in page and "disk full" not in page


# --- progress -----------------------------------------------------------------------------------------------------


def test_rows_written_are_reported_batch_by_batch(long_sheets, client_for, town_b_staff, town_b, monkeypatch):
    monkeypatch.setattr(benefits_services, "IMPORT_BATCH", 2)
    seen = []
    recorded = jobs.job_progress

    def spy(job_id, done):
        recorded(job_id, done)
        seen.append((done, jobs.rows_done(ImportJob.objects.get(pk=job_id))))

    monkeypatch.setattr(jobs, "job_progress", spy)
    client = client_for(town_b_staff)
    confirm(client, town_b, preview(client, town_b, [row(n) for n in range(1, 6)]))
    assert seen == [(2, 2), (4, 4), (5, 5)]  # the count the page reads while the job runs
    assert not list(jobs.progress_file(ImportJob.objects.get().pk).parent.glob("*.progress"))  # gone at the end


def running_job(owner, *, done=0, total=10000) -> ImportJob:
    job = ImportJob.objects.create(
        owner=owner, kind="benefits-members", title="会员导入", token=f"t-{done}-{total}", rows_total=total
    )
    ImportJob.objects.filter(pk=job.pk).update(state=State.RUNNING)
    jobs.job_progress(job.pk, done)
    return job


def test_the_page_of_a_running_job_shows_rows_written_of_total_and_polls(client_for, town_b_staff):
    job = running_job(town_b_staff, done=3000)
    page = text(client_for(town_b_staff).get(job.get_absolute_url()))
    assert 'aria-valuenow="30"' in page and "progress-30" in page
    assert gettext("%(done)s of %(total)s rows written.") % {"done": 3000, "total": 10000} in page
    assert f'hx-get="{reverse("imports:progress", args=[job.pk])}"' in page


# --- only the owner ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("other", ["town_b_colleague", "district_admin", "district_staff", "leadership"])
def test_no_one_but_the_owner_sees_the_job(other, done_job, client_for, request, town_b):
    user = make_staff(Role.TOWN_STAFF, town_b, username="town_b_2") if other == "town_b_colleague" else None
    client = client_for(user or request.getfixturevalue(other))
    for name in ("imports:job", "imports:progress"):
        assert client.get(reverse(name, args=[done_job.pk])).status_code == 404, name


def test_another_user_confirming_the_preview_gets_no_job(long_sheets, client_for, town_b_staff, district_admin, town_b):
    token = preview(client_for(town_b_staff), town_b, [row(n) for n in (1, 2, 3)])
    response = confirm(client_for(district_admin), town_b, token)
    assert response["Location"] == reverse("benefits:member_import")  # "the preview has expired"
    assert not ImportJob.objects.exists() and not Member.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(done_job):
    response = Client().get(done_job.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", ["job", "progress"])
def test_the_job_pages_cost_the_same_statements_for_few_and_many_jobs_and_reasons(
    page, client_for, town_b_staff, django_assert_max_num_queries
):
    client = client_for(town_b_staff)

    def make(count, reasons):
        for n in range(count):
            ImportJob.objects.create(
                owner=town_b_staff, kind="benefits-members", title="会员导入", token=f"{count}-{n}", errors=reasons
            )
        return reverse(f"imports:{page}", args=[ImportJob.objects.first().pk])

    url = make(2, ["一"])
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    url = make(60, ["一"] * 100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- dossiers ----------------------------------------------------------------------------------------------------


def test_a_long_dossier_sheet_is_written_by_a_job_too(long_sheets, client_for, town_b_staff, town_b):
    settings_rows = [*GOOD, [*GOOD[0][:1], *GOOD[0][1:]]]
    settings_rows[2][0] = "亦庄规范〔2018〕002"
    client = client_for(town_b_staff)
    previewed = client.post(
        reverse("disputes:dossier_import"), {"file": dossier_sheet(settings_rows), "town": town_b.pk}
    )
    assert not previewed.context["sheet"].errors
    response = client.post(reverse("disputes:dossier_import"), {"confirm": "1", "token": previewed.context["token"]})
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.kind == "disputes-dossiers"
    assert Case.objects.filter(town=town_b, dossier_number__startswith="亦庄").count() == 3
    page = text(client.get(response["Location"]))
    assert (
        gettext("Import done: %(created)d dossiers added, %(updated)d updated.") % {"created": 3, "updated": 0} in page
    )
    assert f"?town={town_b.pk}&amp;state=done" in page


def dossier_rows(numbers) -> list[list]:
    """Good dossier rows, one per number (亦庄规范〔2018〕00n)."""
    rows = []
    for n in numbers:
        rows.append(list(GOOD[0]))
        rows[-1][0] = f"亦庄规范〔2018〕{n:03d}"
    return rows


def test_dossier_rows_written_are_reported_batch_by_batch_new_ones_then_updated_ones(
    long_sheets, client_for, town_b_staff, town_b, monkeypatch
):
    from disputes import services as disputes_services

    client = client_for(town_b_staff)

    def import_dossiers(rows):
        previewed = client.post(reverse("disputes:dossier_import"), {"file": dossier_sheet(rows), "town": town_b.pk})
        assert not previewed.context["sheet"].errors
        return client.post(reverse("disputes:dossier_import"), {"confirm": "1", "token": previewed.context["token"]})

    import_dossiers(dossier_rows([1, 2]))  # short: written at once, updated by the long sheet below
    assert not ImportJob.objects.exists()
    monkeypatch.setattr(disputes_services, "DOSSIER_BATCH", 2)
    seen = []
    recorded = jobs.job_progress

    def spy(job_id, done):
        recorded(job_id, done)
        seen.append((done, jobs.rows_done(ImportJob.objects.get(pk=job_id))))

    monkeypatch.setattr(jobs, "job_progress", spy)
    response = import_dossiers(dossier_rows([1, 2, 3, 4, 5]))
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert seen == [(2, 2), (3, 3), (5, 5)]  # three added (two batches), then two updated (one)
    assert (job.state, job.created_count, job.updated_count) == (State.DONE, 3, 2)
    numbers = Case.objects.filter(dossier_number__startswith="亦庄规范").order_by("dossier_number")
    assert numbers.count() == 5 and len(set(numbers.values_list("number", flat=True))) == 5
    assert not list(jobs.progress_file(job.pk).parent.glob("*.progress"))


def test_dates_in_the_sheet_survive_the_jobs_storage():
    raw = [(2, {"when": datetime.datetime(2018, 3, 1, 0, 0), "day": datetime.date(2018, 3, 2), "n": 3, "s": "x"})]
    assert jobs.cells_decode(jobs.cells_encode(raw)) == raw


@pytest.mark.parametrize(
    ("state", "done", "bar"),
    [
        ("queued", 0, 'progress-bar progress-0"'),
        ("running", 30, 'progress-bar progress-30 progress-bar-striped progress-bar-animated"'),
        ("done", 100, 'progress-bar progress-100 bg-success"'),
        ("failed", 30, 'progress-bar progress-30 bg-danger"'),
    ],
)
@pytest.mark.parametrize("model", ["export", "import"])
def test_both_job_pages_draw_the_same_bar_coloured_by_state(model, state, done, bar, client_for, town_b_staff):
    from union_portal.models import ExportJob

    if model == "import":
        job = ImportJob.objects.create(
            owner=town_b_staff, kind="benefits-members", title="会员导入", token="t", state=state, rows_total=10
        )
        job.rows_done = done // 10  # what the worker recorded (a running job's file may say more)
        ImportJob.objects.filter(pk=job.pk).update(rows_done=job.rows_done)
    else:
        now = datetime.datetime.now(datetime.UTC)
        job = ExportJob.objects.create(
            owner=town_b_staff,
            kind="disputes-cases",
            title="劳动争议案件",
            state=state,
            rows_done=done // 10,
            rows_total=10,
            file_name="x.xlsx",
            expires_at=now + datetime.timedelta(hours=1),
        )
    page = text(client_for(town_b_staff).get(reverse(f"{model}s:progress", args=[job.pk])))
    assert f'role="progressbar" aria-label="{gettext("Rows written")}" aria-valuenow="{done}"' in page
    assert f'<div class="{bar}></div>' in page
