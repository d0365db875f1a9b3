"""The import job's page and the progress fragment it polls: its owner's only."""

from django.views.generic import DetailView

from ..models import ImportJob
from ..views import StaffRequiredMixin
from .jobs import rows_done
from .kinds import kind_for


class OwnImportJobMixin(StaffRequiredMixin):
    """A job is its owner's only: anyone else (whatever their role) gets 404."""

    context_object_name = "job"

    def get_queryset(self):
        # The rows it still holds are the worker's: the page never reads them.
        return ImportJob.objects.visible_to(self.request.user).defer("rows")

    def get_object(self, queryset=None):
        job = super().get_object(queryset)
        job.rows_done = rows_done(job)
        return job

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            kind = kind_for(self.object.kind)
        except KeyError:  # a kind since removed
            kind = None
        context["kind"] = kind
        if kind is not None and self.object.state == ImportJob.State.DONE:
            added, updated = self.object.created_count, self.object.updated_count
            # The kinds say it as their inline imports do, in their own words for the two counts.
            context["result"] = kind.done % {"added": added, "created": added, "updated": updated, "merged": updated}
        return context


class ImportJobView(OwnImportJobMixin, DetailView):
    template_name = "union_portal/import_job.html"


class ImportProgressView(OwnImportJobMixin, DetailView):
    """The progress fragment the job's page polls (htmx) until the job finishes."""

    template_name = "union_portal/_import_progress.html"
