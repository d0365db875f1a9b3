"""我的导出与导入: a user's export and import jobs as one list, newest first, on the portal's pages.

The two kinds of job live in two tables. A page reads the keys of its jobs from both at once (one UNION ALL, ordered
by when they were asked for), then the jobs of those keys from each table: the same four statements for any page and
any number of jobs, each table read through its (owner, created_at) index.
"""

from django.conf import settings
from django.views.generic import ListView

from .imports.jobs import rows_done
from .models import ExportJob, ImportJob
from .pagination import PortalPaginator
from .views import StaffRequiredMixin


class OwnJobs:
    """The export and import jobs of `user` (theirs only), newest first: a sequence a paginator counts and slices."""

    def __init__(self, user):
        self.exports = ExportJob.objects.visible_to(user)
        # The rows an import still holds are the worker's, and its reasons are its page's: the list reads neither.
        self.imports = ImportJob.objects.visible_to(user).defer("rows", "errors")

    def _keys(self, queryset):
        return queryset.order_by().values_list("created_at", "pk")

    def count(self) -> int:
        return self._keys(self.exports).union(self._keys(self.imports), all=True).count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list:
        if not isinstance(page, slice):
            raise TypeError("OwnJobs is read a page (a slice) at a time")
        union = self._keys(self.exports).union(self._keys(self.imports), all=True)
        pks = [pk for _created_at, pk in union.order_by("-created_at", "-pk")[page]]
        found = {}
        for jobs in (self.exports, self.imports):
            found.update((job.pk, job) for job in (jobs.filter(pk__in=pks).order_by() if pks else ()))
        for job in found.values():
            if isinstance(job, ImportJob):
                job.rows_done = rows_done(job)  # a running import counts its rows in a file, not in its row
        return [found[pk] for pk in pks if pk in found]  # a job deleted between the two statements is left out


class MyJobsView(StaffRequiredMixin, ListView):
    """The jobs of the signed-in user: exports with their downloads until they expire, imports with their outcome."""

    template_name = "union_portal/my_jobs.html"
    context_object_name = "jobs"
    paginate_by = settings.PORTAL_PAGE_SIZE
    paginator_class = PortalPaginator

    def get_queryset(self):
        return OwnJobs(self.request.user)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "keep_hours": settings.EXPORT_KEEP_HOURS}
