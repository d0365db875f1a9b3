"""Who may see and change what: the one place that decides (DESIGN.md, contract 1).

The rule is "district roles work on every town, town staff on their own town only, anyone else
on nothing". `town_scope` says it once; everything below applies it:

- querysets: every model that holds people or town-owned records uses `TownScopedQuerySet` (or a
  subclass naming its `town_lookup`), so `Model.objects.visible_to(user)` is the only way views,
  exports, imports, admin changelists and figures ask for records;
- form choices: `towns_for`, `enterprises_for`, `assignable_staff`, and `default_town` for the
  initial town of a form;
- the admin: `union_portal.admin.TownScopedAdminMixin`.

Apps use these and never compare a user's role themselves (tests/union_portal/test_architecture.py).
"""

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("district admin")
    DISTRICT_STAFF = "district_staff", _("district staff")
    TOWN_STAFF = "town_staff", _("town staff")
    LEADERSHIP = "leadership", _("leadership")


DISTRICT_WIDE = {Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.LEADERSHIP}
EDITORS = {Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF}
NO_TOWN = 0  # no town has this id: a user with no role works on no town


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


def town_scope(user) -> int | None:
    """The towns `user` works on: None for every town (district roles), else the id of their one town.

    Users without a role get `NO_TOWN`, which matches no record.
    """
    role = role_of(user)
    if role in DISTRICT_WIDE:
        return None
    if role == Role.TOWN_STAFF:
        return town_id_of(user) or NO_TOWN
    return NO_TOWN


def town_condition(user, lookup: str = "town_id", *, include_townless: bool = False) -> Q | None:
    """The filter keeping what `user` may see of records whose town id is at `lookup`; None: keep all.

    `include_townless`: records without a town (district-wide ones) are seen by every role.
    """
    scope = town_scope(user)
    if scope is None:
        return None
    condition = Q(**{lookup: scope})
    return condition | Q(**{f"{lookup}__isnull": True}) if include_townless and scope != NO_TOWN else condition


def in_town_scope(queryset, user, lookup: str = "town_id", *, include_townless: bool = False):
    """`queryset` cut to the towns `user` works on (see `town_condition`)."""
    if town_scope(user) == NO_TOWN:
        return queryset.none()
    condition = town_condition(user, lookup, include_townless=include_townless)
    return queryset if condition is None else queryset.filter(condition)


def default_town(user) -> int | None:
    """The initial town of a form: a town staff member's own town; None for district roles."""
    return town_scope(user) or None


def towns_for(user, queryset=None):
    """The towns `user` may choose (in a form, a filter, an import): all for district roles, their own for town staff."""
    from .models import Town  # the models import this module

    return in_town_scope(Town.objects.all() if queryset is None else queryset, user, "pk")


def enterprises_for(user, queryset=None):
    """The enterprises `user` may choose: all for district roles, their town's for town staff.

    Ordered by town, then name, with the town loaded (choice labels name it).
    """
    from .models import Enterprise  # the models import this module

    if queryset is None:
        queryset = Enterprise.objects.select_related("town").order_by("town__order", "name")
    return in_town_scope(queryset.visible_to(user), user)


def assignable_staff(user):
    """The users `user` may assign a case to: active staff but leadership (who read only).

    Town staff choose among their own town's staff and the district's (who have no town).
    """
    staff = get_user_model().objects.filter(is_active=True, staff_profile__isnull=False)
    staff = staff.exclude(staff_profile__role=Role.LEADERSHIP).order_by("username")
    return in_town_scope(staff, user, "staff_profile__town_id", include_townless=True)


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


def can_edit_town(user, town_id: int | None) -> bool:
    """May `user` change records of the town `town_id` (None: a record without a town)?"""
    if not can_edit_records(user):
        return False
    scope = town_scope(user)
    return scope is None or (town_id is not None and town_id == scope)


def can_edit(user, record) -> bool:
    """May `user` change `record` (anything with a `town_id`)?"""
    return can_edit_town(user, record.town_id)


class TownScopedQuerySet(models.QuerySet):
    """A queryset of records that belong to one town each (at `town_lookup`).

    `include_townless = True` in a subclass: records may have no town (district-wide ones), and
    every role sees those.
    """

    town_lookup = "town"
    include_townless = False

    def visible_to(self, user):
        """District roles see every town; town staff their own town only; anyone else nothing."""
        return in_town_scope(self, user, f"{self.town_lookup}_id", include_townless=self.include_townless)

    def editable_by(self, user):
        if role_of(user) == Role.LEADERSHIP:
            return self.none()
        return self.visible_to(user)

    def in_town(self, town):
        return self.filter(**{self.town_lookup: town}) if town else self
