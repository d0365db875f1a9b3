"""The export's download or job, the job's page and its progress, the download of its file (the list of a user's
jobs is union_portal.my_jobs)."""

import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView

from ..access import can_export_personal_data
from ..models import ExportJob
from ..spreadsheet_files import XLSX_CONTENT_TYPE, dated_file_name, name_as_download
from ..views import StaffRequiredMixin
from .jobs import export_start, exports_expire, job_file
from .kinds import kind_for
from .writer import write_export


def export_response(request, key: str):
    """The export `key` of the list as `request` asks for it: the file at once, or a job and its page."""
    kind = kind_for(key)
    if kind.personal_data and not can_export_personal_data(request.user):
        raise PermissionDenied(kind.refused)
    rows = kind.rows(request)
    found = rows.count()
    if found > settings.EXPORT_INLINE_ROWS:
        job = export_start(owner=request.user, kind=kind, query=request.GET.urlencode(), rows_total=found)
        return redirect(job)
    # Written to a temporary file and streamed from it: the response never holds the sheet in memory.
    file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    write_export(kind, rows, file)
    file.seek(0)
    return file_download(file, dated_file_name(kind.title))


def file_download(file, file_name: str) -> FileResponse:
    return name_as_download(FileResponse(file, content_type=XLSX_CONTENT_TYPE), file_name)


class OwnJobMixin(StaffRequiredMixin):
    """A job is its owner's only: anyone else (whatever their role) gets 404."""

    context_object_name = "job"

    def get_queryset(self):
        return ExportJob.objects.visible_to(self.request.user)


class ExportJobView(OwnJobMixin, DetailView):
    template_name = "union_portal/export_job.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context["list_view"] = kind_for(self.object.kind).list_view
        except KeyError:
            context["list_view"] = None
        return context


class ExportProgressView(OwnJobMixin, DetailView):
    """The progress fragment the job's page polls (htmx) until the job finishes."""

    template_name = "union_portal/_export_progress.html"


class ExportDownloadView(OwnJobMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset(), pk=pk)
        if job.expires_at <= timezone.now() or job.state == ExportJob.State.EXPIRED:
            exports_expire()
            return render(request, "union_portal/export_expired.html", {"job": job}, status=410)
        path = job_file(job)
        if job.state != ExportJob.State.DONE or path is None or not path.is_file():
            return redirect(job)
        return file_download(path.open("rb"), job.file_name)
