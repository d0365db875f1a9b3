"""Views of the benefits app: thin, each reading through `visible_to` and writing through `services`."""

from django.urls import reverse
from django.views.generic import TemplateView

from union_portal.views import StaffRequiredMixin


class StartView(StaffRequiredMixin, TemplateView):
    """The benefits start page: a card per part of the app, each listing its pages (START_SECTIONS)."""

    template_name = "benefits/home.html"

    def get_context_data(self, **kwargs):
        sections = [
            {"title": title, "links": [{"label": label, "url": reverse(name)} for label, name in links]}
            for title, links in START_SECTIONS
        ]
        return super().get_context_data(**kwargs, sections=sections)


# Each part of the app adds its section: (title, [(link label, URL name), ...]).
START_SECTIONS: list[tuple] = []


# Members, service cards, merchants, member-only activities ---------------------------------

# Hardship files, visits, re-checks, the allowance list --------------------------------------

# The aid ledger ---------------------------------------------------------------------------

# Services for all members -------------------------------------------------------------------
