"""Who may see and change what: the one place that decides (DESIGN.md, contract 1).

Every model that holds people or town-owned records uses `TownScopedQuerySet` (or a
subclass naming its `town_lookup`), so `Model.objects.visible_to(user)` is the only way
views, exports, imports, admin changelists and figures ask for records.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("district admin")
    DISTRICT_STAFF = "district_staff", _("district staff")
    TOWN_STAFF = "town_staff", _("town staff")
    LEADERSHIP = "leadership", _("leadership")


DISTRICT_WIDE = {Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.LEADERSHIP}
EDITORS = {Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF}


def role_of(user) -> Role | None:
    """The user's role; a superuser is a district admin; anonymous users and users without a profile have none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.DISTRICT_ADMIN
    profile = getattr(user, "staff_profile", None)
    return Role(profile.role) if profile else None


def town_id_of(user) -> int | None:
    profile = getattr(user, "staff_profile", None)
    return profile.town_id if profile else None


def is_staff_member(user) -> bool:
    """Anyone who works in the portal's staff pages (every role, leadership included)."""
    return role_of(user) is not None


def can_edit_records(user) -> bool:
    return role_of(user) in EDITORS


def can_export_personal_data(user) -> bool:
    """May `user` download records that name people (an xlsx of cases, say)?

    The roles that work the records (district admin, district staff, town staff: each within
    what `visible_to` lets them see). Leadership reads lists and figures on the screen but takes
    no personal data away (DOMAIN.md §1).
    """
    return can_edit_records(user)


def is_district_admin(user) -> bool:
    return role_of(user) == Role.DISTRICT_ADMIN


def can_edit(user, record) -> bool:
    """May `user` change `record` (anything with a `town_id`)?"""
    role = role_of(user)
    if role in (Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF):
        return True
    if role == Role.TOWN_STAFF:
        return record.town_id is not None and record.town_id == town_id_of(user)
    return False


class TownScopedQuerySet(models.QuerySet):
    """A queryset of records that belong to one town each."""

    town_lookup = "town"

    def visible_to(self, user):
        """District roles see every town; town staff their own town only; anyone else nothing."""
        role = role_of(user)
        if role in DISTRICT_WIDE:
            return self
        if role == Role.TOWN_STAFF and town_id_of(user):
            return self.filter(**{f"{self.town_lookup}_id": town_id_of(user)})
        return self.none()

    def editable_by(self, user):
        if role_of(user) == Role.LEADERSHIP:
            return self.none()
        return self.visible_to(user)

    def in_town(self, town):
        return self.filter(**{self.town_lookup: town}) if town else self
