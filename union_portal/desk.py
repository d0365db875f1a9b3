"""The start page (`/`) of each role: its desk (issue 9).

- staff (district staff, district admins) and town staff: the counts of each app's `desk.py` (open cases and
  their clocks, venues whose acceptance or closing is overdue, hardship files and payments waiting), each seen
  through `visible_to(user)`, so town staff count their own town only;
- district admins, besides: what needs their attention among imports, accounts and reference data
  (`ATTENTION`, and each app's items marked `attention`);
- leadership: the year's headline tiles of the annual summary (`summary/sections.py`), not recomputed here.

Every count is a link to the list that shows exactly those records. The counts cost a bounded number of SQL
statements: one aggregate per model an app counts, whatever the data size.

The core names no app (tests/union_portal/test_architecture.py): it finds the apps' `desk` modules the way the
admin finds `admin` modules, and an app's desk imports only its own modules and this one.
"""

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

from .access import Role, role_of

STAFF_DESK_ROLES = {Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF}


@dataclass(frozen=True)
class DeskItem:
    """One count on the desk: `url` opens the list of exactly `count` records."""

    key: str  # stable: "disputes-overdue" (the page's data-testid is "desk-<key>")
    label: str
    count: int
    url: str
    tone: str = "secondary"  # how a count above zero stands out: "danger", "warning" or "secondary"
    attention: bool = False  # a district admin's item (accounts, reference data), shown in their own panel


@dataclass
class DeskSection:
    key: str
    title: str
    items: list


def link(view_name: str, **params) -> str:
    """The URL of `view_name` with `params` as its query string."""
    url = reverse(view_name)
    return f"{url}?{urlencode(params)}" if params else url


# --- the apps' desks ------------------------------------------------------------------------


@cache
def app_desks() -> list:
    """The apps' `desk` modules, in their DESK_ORDER (then the order of INSTALLED_APPS)."""
    found = []
    for config in apps.get_app_configs():
        if config.name != "union_portal" and module_has_submodule(config.module, "desk"):
            found.append(import_module(f"{config.name}.desk"))
    return sorted(found, key=lambda module: getattr(module, "DESK_ORDER", 100))


def app_sections(user, *, attention: bool) -> tuple[list[DeskSection], list[DeskItem]]:
    """([a section per app with its work counts], [the apps' attention items]) for `user`."""
    work, extra = [], []
    for module in app_desks():
        items = module.desk_items(user, attention=attention)
        work.append(
            DeskSection(module.__name__.split(".")[0], str(module.DESK_TITLE), [i for i in items if not i.attention])
        )
        extra += [item for item in items if item.attention]
    return work, extra


# --- what a district admin must act on (accounts; the apps add theirs) ---------------------------


def locked_out_sign_ins(user) -> list[DeskItem]:
    """Sign-ins django-axes holds locked (a username at an address that failed AXES_FAILURE_LIMIT times within
    the cool-off time): the admin's list of access attempts, cut at the same limit and time."""
    from axes.helpers import get_cool_off  # axes reads its settings when first imported
    from axes.models import AccessAttempt

    params = {"failures_since_start__gte": settings.AXES_FAILURE_LIMIT}
    cool_off = get_cool_off()
    if cool_off is not None:  # None: a lock lasts until an admin lifts it
        params["attempt_time__gte"] = (timezone.now() - cool_off).isoformat(timespec="seconds")
    count = AccessAttempt.objects.filter(**params).count()
    url = link("admin:axes_accessattempt_changelist", **params)
    return [DeskItem("locked-out", str(_("Sign-ins locked out after failed passwords")), count, url, "danger", True)]


def users_without_role(user) -> list[DeskItem]:
    """Active accounts that are neither a superuser nor given a role: they sign in to a refusal (403)."""
    no_role = Q(is_active=True, is_superuser=False, staff_profile__isnull=True)
    count = get_user_model().objects.aggregate(n=Count("pk", filter=no_role))["n"]
    url = link("admin:auth_user_changelist", is_active__exact=1, is_superuser__exact=0, staff_profile__isnull="True")
    return [DeskItem("no-role", str(_("Accounts without a role")), count, url, "warning", True)]


# Each: user -> [DeskItem], one statement each. (Employers awaiting a credit code are the disputes desk's: every
# staff member who meets such an employer may fill its code in.)
ATTENTION = [locked_out_sign_ins, users_without_role]


def attention_items(user, from_apps: list[DeskItem]) -> list[DeskItem]:
    items = [item for source in ATTENTION for item in source(user)]
    return items + from_apps


# --- leadership: the year's headline tiles ---------------------------------------------------------


def headlines(year: int) -> dict:
    """The summary's headline tiles of `year` for the district, read as its page reads them (a year in progress
    through today); each part links to its list as on the summary."""
    from .summary import report, sections  # the summary imports the apps' figures: only when a leader asks

    through = report.year_through(year)
    figures = sections.by_key(sections.year_figures(year, None, through=through))
    return {"year": year, "through": through, "tiles": sections.headlines(figures)}


def headline_year() -> int:
    """The latest year with records, not after this one: when this year has nothing yet (the demo's 2018-2020, a
    portal brought in mid-way, the first days of January), a leader's desk should not open on a row of zeros."""
    from .summary import sections

    this_year = timezone.localdate().year
    years = [year for module in sections.MODULES.values() for year in module.years_with_records() if year <= this_year]
    return max(years, default=this_year)


# --- the desk --------------------------------------------------------------------------------------


def desk_for(user) -> dict:
    """What the start page shows `user`: {"role", "sections", "attention", "headlines"}."""
    role = role_of(user)
    desk = {"role": role, "sections": [], "attention": None, "headlines": None}
    if role in STAFF_DESK_ROLES:
        is_admin = role == Role.DISTRICT_ADMIN
        desk["sections"], from_apps = app_sections(user, attention=is_admin)
        if is_admin:
            desk["attention"] = attention_items(user, from_apps)
    if role == Role.LEADERSHIP:
        desk["headlines"] = headlines(timezone.localdate().year)
        if not any(tile.value for tile in desk["headlines"]["tiles"]):
            desk["headlines"] = headlines(headline_year())
    return desk
