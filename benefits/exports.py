"""The member list's export (union_portal.exports): the rows the list shows, through MemberResource."""

from django.utils.translation import gettext_lazy as _

from union_portal.exports import ExportKind, register

from .filters import MemberFilter
from .resources import MemberResource
from .views import MEMBER_EXPORT_REFUSED, member_rows


def member_export_rows(request):
    """The member list's rows as its filters and the user's scope give them, cards prefetched."""
    queryset = member_rows(request.user)
    filterset = MemberFilter(request.GET, queryset=queryset, request=request)
    return filterset.qs if filterset.is_valid() else queryset.none()


MEMBERS = register(
    ExportKind(
        key="benefits-members",
        title=_("members"),
        rows=member_export_rows,
        resource=MemberResource,
        list_view="benefits:member_list",
        refused=MEMBER_EXPORT_REFUSED,
    )
)
