"""The annual summary page: leadership, district admins and district staff see any town; town staff their own."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import RedirectView, TemplateView

from union_portal.access import NO_TOWN, town_scope, towns_for
from union_portal.models import District, Town
from union_portal.views import StaffRequiredMixin

from . import narrative, sections
from .town_table import town_table

# The first year offered in the year selector. The apps' figures do not (yet) say which years have records, so
# the selector offers this year to the current one rather than query the apps' tables (DESIGN.md, contract 2).
FIRST_YEAR = 2015


def last_complete_year() -> int:
    return timezone.localdate().year - 1


class SummaryLatestView(StaffRequiredMixin, RedirectView):
    """The last complete year's summary, the same town kept (the year's page decides which town is shown)."""

    def get_redirect_url(self, *args, **kwargs):
        url = reverse("summary_year", args=[last_complete_year()])
        town = self.request.GET.get("town", "")
        return f"{url}?town={town}" if town.isdigit() else url


class SummaryView(StaffRequiredMixin, TemplateView):
    template_name = "union_portal/summary/summary.html"

    def get_context_data(self, **kwargs):
        year = kwargs["year"]
        if not FIRST_YEAR <= year <= timezone.localdate().year:
            raise Http404
        town, forced = self.chosen_town()
        current = sections.year_figures(year, town)
        figures = sections.by_key(current)
        place = town.name if town else getattr(District.objects.only("name").first(), "name", "")
        return super().get_context_data(
            **kwargs,
            town=town,
            town_forced=forced,
            towns=[] if forced else Town.objects.all(),
            years=range(timezone.localdate().year, FIRST_YEAR - 1, -1),
            read_at=timezone.localtime(),
            headlines=sections.headlines(figures),
            sections=sections.section_rows(current, sections.year_figures(year - 1, town)),
            narrative=narrative.sentences(figures, year=year, place=place),
            table=None if town else town_table(year, Town.objects.all(), figures, self.request.GET.get("sort")),
        )

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
