"""The annual summary page: leadership, district admins and district staff see any town; town staff their own."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import RedirectView, TemplateView

from union_portal.access import NO_TOWN, town_scope, towns_for
from union_portal.models import Town
from union_portal.views import StaffRequiredMixin

from . import charts, report, sections

# The first year a summary can be asked for; the selector offers the years that have records (and this year).
FIRST_YEAR = 2000


def last_complete_year() -> int:
    return timezone.localdate().year - 1


class SummaryLatestView(StaffRequiredMixin, RedirectView):
    """The last complete year's summary, the same town kept (the year's page decides which town is shown)."""

    def get_redirect_url(self, *args, **kwargs):
        url = reverse("summary_year", args=[last_complete_year()])
        town = self.request.GET.get("town", "")
        return f"{url}?town={town}" if town.isdigit() else url


class SummaryScopeMixin(StaffRequiredMixin):
    """The town a summary page or export shows: town staff their own, whatever ?town= says; district roles the
    town asked for or the district. The page and its exports (`exports.py`) choose alike."""

    def chosen_town(self) -> tuple[Town | None, bool]:
        """(the town shown or None for the district, whether the viewer's role fixes it)."""
        scope = town_scope(self.request.user)
        if scope == NO_TOWN:
            raise PermissionDenied
        if scope is not None:  # town staff: their own town, whatever ?town= says
            return Town.objects.get(pk=scope), True
        chosen = self.request.GET.get("town", "")
        if not chosen.isdigit():
            return None, False
        town = towns_for(self.request.user).filter(pk=chosen).first()
        if town is None:
            raise Http404
        return town, False


class SummaryView(SummaryScopeMixin, TemplateView):
    template_name = "union_portal/summary/summary.html"

    def get_context_data(self, **kwargs):
        year = kwargs["year"]
        if not FIRST_YEAR <= year <= timezone.localdate().year:
            raise Http404
        town, forced = self.chosen_town()
        shown = report.build(year, town)
        return super().get_context_data(
            **kwargs,
            report=shown,
            town=town,
            town_forced=forced,
            towns=[] if forced else (shown.towns or Town.objects.order_by("order", "pk")),
            years=sections.years_offered(year),
            read_at=shown.read_at,
            through=shown.through,
            previous_through=shown.previous_through,
            headlines=shown.headlines(),
            sections=shown.sections(),
            narrative=shown.narrative(),
            table=shown.table(self.request.GET.get("sort")),
            charts=charts.chart_data(shown),
        )
