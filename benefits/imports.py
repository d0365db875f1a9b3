"""The imports of this app that run as jobs when long (union_portal.imports)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from union_portal.imports import ImportKind, register
from union_portal.models import Town

from . import services
from .resources import MemberSheet


def write_members(*, user, raw, columns, options, progress) -> tuple[int, int]:
    sheet = MemberSheet(user=user, town=Town.objects.get(pk=options["town"]), raw=raw, columns=columns)
    return services.member_import(user=user, sheet=sheet, merge=options["merge"], progress=progress)


def member_list_url(options) -> str:
    return reverse("benefits:member_list") + f"?town={options['town']}"


MEMBERS = register(
    ImportKind(
        key="benefits-members",
        title=_("Member import"),
        write=write_members,
        list_url=member_list_url,
        done=_("Import done: %(added)d members added, %(merged)d merged."),
        import_view="benefits:member_import",
    )
)
