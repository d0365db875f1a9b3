"""Big imports (issue 10): the confirm of a sheet import of more than IMPORT_INLINE_ROWS rows runs as a job.

- An app's import stays upload → preview → confirm (`union_portal.sheet_imports`); at the confirm, its view first
  asks `import_job_for(...)`: for a long preview that queues an `ImportJob` (run by the task worker, django-tasks'
  `manage.py db_worker`, as the export jobs are) and the view sends the user to its page; for a short one it
  answers None and the view writes the rows at once, as before.
- Each app declares its kinds in its own `imports.py` (`register(ImportKind(...))`): how the worker writes the
  rows (the app's own import service: one transaction, all rows or none) and where the result is listed.
- An import whose confirm may refuse the preview by the user's choice (members: repeated ID numbers refused) checks
  the rows again with that choice first, as a short sheet's confirm does, and shows the preview and the choice again
  when refused; only a sheet the check accepts is queued (`import_job_of`, `import_job_queue`).
- The job owns the previewed rows from the confirm on (they leave the cache then, so nothing can expire in
  between) and drops them when it ends; a second confirm of the same preview finds the same job.
- A job is its owner's only (`ImportJob.objects.visible_to`: anyone else gets 404).
"""

from .jobs import import_job_for, import_job_of, import_job_queue
from .kinds import ImportKind, kind_for, register

__all__ = ["ImportKind", "import_job_for", "import_job_of", "import_job_queue", "kind_for", "register"]
