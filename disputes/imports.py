"""The imports of this app that run as jobs when long (union_portal.imports)."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from union_portal.access import towns_for
from union_portal.imports import ImportKind, register

from . import services
from .resources import DossierSheet


def write_dossiers(*, user, raw, columns, options, progress) -> tuple[int, int]:
    town = towns_for(user).filter(pk=options["town"]).first()
    if town is None:
        raise PermissionDenied
    sheet = DossierSheet(town=town, raw=raw, columns=columns)
    return services.dossier_import(user=user, sheet=sheet, progress=progress)


def dossier_list_url(options) -> str:
    return reverse("disputes:case_list") + f"?town={options['town']}&state=done"


DOSSIERS = register(
    ImportKind(
        key="disputes-dossiers",
        title=_("Dossier import"),
        write=write_dossiers,
        list_url=dossier_list_url,
        done=_("Import done: %(created)d dossiers added, %(updated)d updated."),
        import_view="disputes:dossier_import",
    )
)
