"""Import jobs: queued by the confirm of a long preview, run by the task worker, all rows or none."""

import datetime
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task

from ..models import ImportJob
from .kinds import ImportKind, kind_for

logger = logging.getLogger(__name__)
State = ImportJob.State


def import_job_for(*, user, kind: str, stash_key: str, options: dict) -> ImportJob | None:
    """The job writing the preview kept in the cache under `stash_key`, if it is long (more rows than
    IMPORT_INLINE_ROWS) or was confirmed already; None for a short one, which the view writes at once, as before.

    `options`: what the confirm adds to the rows (the town, the choice for repeated records), JSON values.
    The rows leave the cache for the job: from now on the job owns them, and nothing can expire in between.
    """
    job = import_job_of(user=user, stash_key=stash_key)
    if job is not None:
        return job
    stored = cache.get(stash_key) if stash_key else None
    if not stored or stored.get("user") != user.pk or len(stored["raw"]) <= settings.IMPORT_INLINE_ROWS:
        return None
    job = import_start(owner=user, kind=kind_for(kind), token=stash_key, stored=stored, options=options)
    cache.delete(stash_key)
    return job


def import_job_of(*, user, stash_key: str) -> ImportJob | None:
    """The job a confirm of this preview queued already (a double click, the back button), if any."""
    return ImportJob.objects.visible_to(user).filter(token=stash_key).first() if stash_key else None


def import_job_queue(*, user, kind: str, stash_key: str, raw: list, columns: list, options: dict) -> ImportJob | None:
    """The job writing a preview the view has taken from the cache and checked again (`raw`, `columns`), if it is
    long; None for a short one, which the view writes at once.

    For an import whose confirm may refuse what the preview showed (a choice the user makes, as for repeated ID
    numbers): the view checks the rows with that choice first and shows the preview again if refused, as it does for
    a short sheet, instead of a job that could only fail.
    """
    if len(raw) <= settings.IMPORT_INLINE_ROWS:
        return None
    stored = {"raw": raw, "columns": columns}
    return import_start(owner=user, kind=kind_for(kind), token=stash_key, stored=stored, options=options)


def import_start(*, owner, kind: ImportKind, token: str, stored: dict, options: dict) -> ImportJob:
    """Queue the import of the previewed rows `stored` ({"raw", "columns", "user"} and what else the preview kept, as
    the town) for `owner`; one job per preview."""
    kept = {name: value for name, value in stored.items() if name not in {"raw", "columns", "user"}}  # a town
    rows = {"raw": cells_encode(stored["raw"]), "columns": stored.get("columns", []), "options": {**kept, **options}}
    job = ImportJob(
        owner=owner,
        kind=kind.key,
        title=str(kind.title),
        token=token,
        rows=rows,
        rows_total=len(stored["raw"]),
        list_url=kind.list_url(rows["options"]),
    )
    job.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:  # two confirms at the same moment: the other made the job
        return ImportJob.objects.get(owner=owner, token=token)
    # Views run in autocommit, so the job's row is there before a worker (of any backend) picks the task up.
    import_run.enqueue(str(job.pk))
    return job


@task()
def import_run(job_id: str) -> int:
    """Write the job's rows through its kind (one transaction); returns the number of rows written."""
    if not ImportJob.objects.filter(pk=job_id, state=State.QUEUED).update(state=State.RUNNING):
        return 0  # gone, or taken by another worker
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            added, updated = _write(job)
        except ValidationError as error:  # a row went bad since the preview, or the rule refused: nothing written
            _finish(job, state=State.FAILED, errors=reasons(error.messages))
            return 0
        except PermissionDenied:
            _finish(job, state=State.FAILED, errors=[gettext("You may no longer import into this town.")])
            return 0
        except Exception:
            logger.exception("import job %s failed", job_id)
            _finish(job, state=State.FAILED, errors=[failed_message()])
            raise
    _finish(job, state=State.DONE, created_count=added, updated_count=updated, rows_done=job.rows_total)
    return job.rows_total


SHOWN_REASONS = 100


def reasons(messages: list) -> list[str]:
    """The first reasons (a sheet of 20,000 bad rows would make a page nobody reads), and how many more."""
    shown = [str(message) for message in messages[:SHOWN_REASONS]]
    if len(messages) > SHOWN_REASONS:
        shown.append(gettext("… and %(count)d more.") % {"count": len(messages) - SHOWN_REASONS})
    return shown


def failed_message() -> str:
    return gettext("The import failed and nothing was written. Try again; if it fails again, tell a district admin.")


def _write(job: ImportJob) -> tuple[int, int]:
    kind = kind_for(job.kind)
    stored = job.rows
    return kind.write(
        user=job.owner,
        raw=cells_decode(stored["raw"]),
        columns=stored["columns"],
        options=stored["options"],
        progress=lambda done: job_progress(job.pk, done),
    )


def _finish(job: ImportJob, *, state: str, **outcome) -> None:
    """The job's outcome; its rows (names, ID numbers) are dropped, whatever it was."""
    ImportJob.objects.filter(pk=job.pk).update(state=state, rows=None, finished_at=timezone.now(), **outcome)
    progress_file(job.pk).unlink(missing_ok=True)


# Progress. The rows are written inside the import's one transaction, where an update of the job's row would stay
# unseen by its page until the end; so the count goes to a small file beside the export files (the worker and the
# web processes share PRIVATE_MEDIA_ROOT already), replaced whole each time.


def progress_file(job_id) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "imports" / f"{job_id}.progress"


def job_progress(job_id, done: int) -> None:
    """Record that `done` rows are written (the job's page polls this)."""
    path = progress_file(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(str(done))
    os.replace(partial, path)


def rows_done(job: ImportJob) -> int:
    """The rows written so far: the running job's file, else what the job recorded."""
    if job.state != State.RUNNING:
        return job.rows_done
    try:
        return max(job.rows_done, int(progress_file(job.pk).read_text()))
    except (OSError, ValueError):
        return job.rows_done


# The previewed cells as JSON: openpyxl reads dates and times as Python values, which JSON has not.

_CELL_TYPES = {"datetime": datetime.datetime, "date": datetime.date, "time": datetime.time}


def cells_encode(raw: list) -> list:
    return [[number, {name: _cell_encode(value) for name, value in cells.items()}] for number, cells in raw]


def cells_decode(raw: list) -> list:
    return [(number, {name: _cell_decode(value) for name, value in cells.items()}) for number, cells in raw]


def _cell_encode(value):
    for name, kind in _CELL_TYPES.items():  # datetime before date: a datetime is a date too
        if isinstance(value, kind):
            return {"type": name, "value": value.isoformat()}
    return value


def _cell_decode(value):
    if isinstance(value, dict):
        return _CELL_TYPES[value["type"]].fromisoformat(value["value"])
    return value
