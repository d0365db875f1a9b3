"""我的导出与导入: the signed-in user's export and import jobs in one list, newest first, on pages; theirs only
(union_portal/my_jobs.py)."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_staff
from union_portal.access import Role
from union_portal.imports import jobs as import_jobs
from union_portal.models import ExportJob, ImportJob

pytestmark = pytest.mark.django_db


def export_job(owner, *, minutes_ago, state=ExportJob.State.DONE, rows=3) -> ExportJob:
    asked = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return ExportJob.objects.create(
        owner=owner,
        kind="disputes-cases",
        title="劳动争议案件",
        state=state,
        rows_done=rows,
        rows_total=rows,
        file_name="劳动争议案件_2026-12-01.xlsx",
        created_at=asked,
        expires_at=asked + datetime.timedelta(hours=24),
    )


def import_job(owner, *, minutes_ago, state=ImportJob.State.DONE, kind="benefits-members", rows=3) -> ImportJob:
    titles = {"benefits-members": "会员导入", "disputes-dossiers": "档案导入"}
    return ImportJob.objects.create(
        owner=owner,
        kind=kind,
        title=titles[kind],
        token=f"{kind}-{minutes_ago}-{owner.pk}",
        state=state,
        rows_done=rows if state == ImportJob.State.DONE else 0,
        rows_total=rows,
        created_count=rows,
        list_url="/benefits/members/?town=1",
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def listed(response) -> list[tuple[str, str]]:
    return re.findall(r'data-job="([^"]+)" data-job-kind="([a-z]+)"', response.content.decode())


def row_of(response, job) -> str:
    page = re.sub(r"\s+", " ", response.content.decode())
    return re.search(rf'<tr data-job="{job.pk}".*?</tr>', page).group(0)


def test_exports_and_imports_are_listed_together_newest_first(client_for, town_b_staff):
    dossiers = import_job(town_b_staff, minutes_ago=1, kind="disputes-dossiers")
    export = export_job(town_b_staff, minutes_ago=2)
    members = import_job(town_b_staff, minutes_ago=3)
    response = client_for(town_b_staff).get(reverse("exports:mine"))
    assert response.status_code == 200
    assert listed(response) == [(str(dossiers.pk), "import"), (str(export.pk), "export"), (str(members.pk), "import")]
    page = response.content.decode()
    assert '<h1 class="h3">我的导出与导入</h1>' in page and "<title>我的导出与导入" in page


def test_an_import_row_says_what_was_imported_its_state_rows_and_when_and_links_to_its_job(client_for, town_b_staff):
    job = import_job(town_b_staff, minutes_ago=5, rows=2500)
    row = row_of(client_for(town_b_staff).get(reverse("exports:mine")), job)
    assert f'<a href="{job.get_absolute_url()}">会员导入</a>' in row
    assert ">导入</td>" in row and "2500 / 2500" in row
    assert timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M") in row
    assert "完成" in row and f'<a href="{job.list_url}">查看列表</a>' in row
    assert "exports:download" not in row and "/download/" not in row  # an import has no file


def test_an_export_row_keeps_its_download_and_expiry(client_for, town_b_staff):
    job = export_job(town_b_staff, minutes_ago=5)
    row = row_of(client_for(town_b_staff).get(reverse("exports:mine")), job)
    assert f'<a href="{job.get_absolute_url()}">劳动争议案件</a>' in row and ">导出</td>" in row
    assert f'href="{reverse("exports:download", args=[job.pk])}"' in row
    assert timezone.localtime(job.expires_at).strftime("%Y-%m-%d %H:%M") in row


def test_a_running_import_shows_the_rows_its_worker_has_written(client_for, town_b_staff):
    job = import_job(town_b_staff, minutes_ago=1, state=ImportJob.State.RUNNING, rows=10000)
    import_jobs.job_progress(job.pk, 3000)  # the count the worker writes beside the export files
    row = row_of(client_for(town_b_staff).get(reverse("exports:mine")), job)
    assert "3000 / 10000" in row and "进行中" in row and "查看列表" not in row


def test_failed_import_jobs_are_listed_without_a_way_to_the_list(client_for, town_b_staff):
    job = import_job(town_b_staff, minutes_ago=1, state=ImportJob.State.FAILED)
    row = row_of(client_for(town_b_staff).get(reverse("exports:mine")), job)
    assert "失败" in row and "查看列表" not in row


def test_both_kinds_are_paged_as_one_list(client_for, town_b_staff, settings):
    size = settings.PORTAL_PAGE_SIZE
    for n in range(size + 1):  # alternately an import and an export, one minute apart
        (import_job if n % 2 else export_job)(town_b_staff, minutes_ago=n)
    client = client_for(town_b_staff)
    first, second = client.get(reverse("exports:mine")), client.get(reverse("exports:mine"), {"page": 2})
    shown = listed(first) + listed(second)
    assert len(listed(first)) == size and len(listed(second)) == 1
    assert [kind for _pk, kind in shown] == ["import" if n % 2 else "export" for n in range(size + 1)]
    assert 'data-testid="pagination"' in first.content.decode() and "?page=2" in first.content.decode()
    assert f"共 {size + 1} 条" in first.content.decode()


def test_jobs_asked_for_at_the_same_moment_are_each_listed_once(client_for, town_b_staff, settings):
    """The order ends with the job's key, so no job is on two pages or on none."""
    size = settings.PORTAL_PAGE_SIZE
    export = export_job(town_b_staff, minutes_ago=0)
    ExportJob.objects.filter(pk=export.pk).delete()
    same = export.created_at
    for n in range(size + 1):
        job = (import_job if n % 2 else export_job)(town_b_staff, minutes_ago=n)
        type(job).objects.filter(pk=job.pk).update(created_at=same)
    client = client_for(town_b_staff)
    pks = [pk for pk, _kind in listed(client.get(reverse("exports:mine")))]
    pks += [pk for pk, _kind in listed(client.get(reverse("exports:mine"), {"page": 2}))]
    assert len(pks) == len(set(pks)) == size + 1


def test_an_empty_list_says_so(client_for, town_b_staff):
    assert "暂无导出或导入。" in client_for(town_b_staff).get(reverse("exports:mine")).content.decode()


@pytest.mark.parametrize(
    "other", ["town_b_colleague", "district_admin", "district_staff", "leadership", "town_a_staff"]
)
def test_no_one_but_the_owner_sees_the_jobs_in_the_list_or_opens_them(other, client_for, request, town_b_staff, town_b):
    mine = [import_job(town_b_staff, minutes_ago=1), export_job(town_b_staff, minutes_ago=2)]
    user = make_staff(Role.TOWN_STAFF, town_b, username="town_b_2") if other == "town_b_colleague" else None
    client = client_for(user or request.getfixturevalue(other))
    response = client.get(reverse("exports:mine"))
    assert response.status_code == 200
    for job in mine:
        assert str(job.pk) not in response.content.decode()
        assert client.get(job.get_absolute_url()).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page():
    response = Client().get(reverse("exports:mine"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_list_costs_the_same_statements_for_few_and_many_jobs_of_both_kinds(
    client_for, town_b_staff, town_a_staff, django_assert_max_num_queries
):
    client = client_for(town_b_staff)

    def add(count, start):
        for n in range(start, start + count):
            import_job(town_b_staff, minutes_ago=2 * n)
            export_job(town_b_staff, minutes_ago=2 * n + 1)
            import_job(town_a_staff, minutes_ago=2 * n)  # another's: never read

    add(2, 0)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("exports:mine")).status_code == 200
    add(60, 2)
    for page in (1, 2, 5):
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(reverse("exports:mine"), {"page": page}).status_code == 200
