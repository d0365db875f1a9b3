"""Exports of any size (issue 10): a list's rows streamed into an xlsx, at once or as a background job.

- Each app declares its exports in its own `exports.py` (`register(ExportKind(...))`): the title (the sheet's
  and the file's name), the list's rows for a request (its filters, `visible_to` the user, the prefetches the
  resource needs) and the django-import-export resource that writes a row. The core finds those modules at run
  time, as the admin finds `admin` modules, and names no app.
- `export_response(request, key)` is the whole view: a list of at most EXPORT_INLINE_ROWS rows downloads at once,
  written to a temporary file and streamed from it; a longer one becomes an `ExportJob` run by the task worker
  (django-tasks, `manage.py db_worker`), and the user is sent to its page, which shows the progress and then the
  download.
- The writer (`writer.py`) reads the rows with `iterator(chunk_size=...)` (prefetching per chunk) and writes
  each through the resource into openpyxl's write-only workbook, so memory stays bounded whatever the size.
- A job's file is its owner's only (`ExportJob.objects.visible_to`: anyone else gets 404) and expires after
  EXPORT_KEEP_HOURS (`exports_expire`, run by `manage.py expire_exports`, by each job and each new job);
  `manage.py expire_exports` prunes the task queue's results finished as long ago (`task_results_prune`).
"""

from .kinds import ExportKind, kind_for, register
from .views import export_response

__all__ = ["ExportKind", "export_response", "kind_for", "register"]
