"""Export jobs: started by the view, run by the task worker, swept when they expire."""

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from ..access import can_export_personal_data
from ..models import ExportJob
from ..spreadsheet_files import dated_file_name
from .kinds import ExportKind, job_request, kind_for
from .writer import write_export

logger = logging.getLogger(__name__)
State = ExportJob.State


def export_dir() -> Path:
    """Where job files live: private (under PRIVATE_MEDIA_ROOT, which no URL serves)."""
    return Path(settings.PRIVATE_MEDIA_ROOT) / "exports"


def job_file(job: ExportJob) -> Path | None:
    return export_dir() / job.file_path if job.file_path else None


def export_start(*, owner, kind: ExportKind, query: str, rows_total: int) -> ExportJob:
    """Queue an export of the list `query` (its query string) of `kind` for `owner`; expired files go first."""
    exports_expire()
    now = timezone.now()
    job = ExportJob(
        owner=owner,
        kind=kind.key,
        title=str(kind.title),
        query=query,
        rows_total=rows_total,
        file_name=dated_file_name(kind.title),
        created_at=now,
        expires_at=now + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    job.full_clean()
    job.save()
    # Views run in autocommit, so the job's row is there before a worker (of any backend) picks the task up.
    export_run.enqueue(str(job.pk))
    return job


@task()
def export_run(job_id: str) -> int:
    """Write the job's file, recording the rows written as it goes; returns the number of rows."""
    exports_expire()
    job = ExportJob.objects.select_related("owner").filter(pk=job_id, state=State.QUEUED).first()
    if job is None:  # gone, expired or already taken
        return 0
    if not ExportJob.objects.filter(pk=job.pk, state=State.QUEUED).update(state=State.RUNNING):
        return 0  # another worker took it between the two statements
    with translation.override(settings.LANGUAGE_CODE):
        try:
            return _write_job(job)
        except Exception as error:
            ExportJob.objects.filter(pk=job.pk).update(
                state=State.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
            )
            _unlink(_partial(job))
            raise


def _write_job(job: ExportJob) -> int:
    kind = kind_for(job.kind)
    if kind.personal_data and not can_export_personal_data(job.owner):
        raise PermissionError(f"{job.owner} may no longer export personal data")
    rows = kind.rows(job_request(job.owner, job.query))
    total = rows.count()  # again: the list may have changed since the job was queued
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
    partial = _partial(job)
    partial.parent.mkdir(parents=True, exist_ok=True)
    written = [0]

    def progress(done: int) -> None:
        written[0] = done
        job_progress(job.pk, done)

    write_export(kind, rows, partial, progress=progress)
    partial.rename(partial.with_suffix(".xlsx"))
    ExportJob.objects.filter(pk=job.pk).update(
        state=State.DONE,
        rows_done=written[0],
        rows_total=max(total, written[0]),
        file_path=partial.with_suffix(".xlsx").name,
        finished_at=timezone.now(),
    )
    return written[0]


def job_progress(job_id, done: int) -> None:
    """Record that `done` rows are written (the job's page polls this)."""
    ExportJob.objects.filter(pk=job_id).update(rows_done=done)


def _partial(job: ExportJob) -> Path:
    return export_dir() / f"{job.pk}.partial"


def _unlink(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of jobs past their expiry and mark those jobs EXPIRED; returns how many."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lte=now).exclude(state=State.EXPIRED).only("pk", "file_path"))
    for job in expired:
        _unlink(job_file(job))
        _unlink(_partial(job))
    if expired:
        ExportJob.objects.filter(pk__in=[job.pk for job in expired]).update(state=State.EXPIRED, file_path="")
    return len(expired)


def task_results_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the task queue's results (django-tasks-db keeps one row per task, export or import, and never prunes
    them) of tasks finished more than EXPORT_KEEP_HOURS ago; returns how many.

    The jobs keep what their pages show, so a result is of no use once read, and a failed one's traceback stays for
    as long as the export's file would. Tasks waiting or running are kept whatever their age. The same query as
    django-tasks-db's `prune_db_task_results`, whose ages are whole days.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    deleted, _by_model = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted
