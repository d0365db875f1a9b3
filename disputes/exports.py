"""The case list's export (union_portal.exports): the rows the list shows, through CaseResource."""

from django.utils.translation import gettext_lazy as _

from union_portal.exports import ExportKind, register

from .filters import CaseFilter
from .resources import CaseResource
from .views import EXPORT_REFUSED, list_queryset


def case_rows(request):
    """The case list's rows as its filters and the user's scope give them, with what CaseResource reads."""
    queryset = list_queryset(request.user).order_by("-received_on", "-pk")
    filterset = CaseFilter(request.GET, queryset=queryset, request=request)
    return filterset.qs if filterset.is_valid() else queryset.none()


CASES = register(
    ExportKind(
        key="disputes-cases",
        title=_("dispute cases"),
        rows=case_rows,
        resource=CaseResource,
        list_view="disputes:case_list",
        refused=EXPORT_REFUSED,
    )
)
