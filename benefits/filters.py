"""Filters of the benefits app."""

# Members, service cards, merchants, member-only activities ---------------------------------
# The figures link to these parameters (benefits-common: member_list ?q, town; merchant_list ?active_in,
# ending; activity_list ?year, channel, town): keep their names.

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal import access
from union_portal.access import towns_for
from union_portal.spreadsheet_widgets import cell_plain

from .models import (
    RECHECK_INTERVAL,
    ActivityChannel,
    AidPayment,
    AllowanceKind,
    AllowanceListEntry,
    FileStatus,
    FundingSource,
    HardshipFile,
    HardshipLevel,
    HomeVisit,
    HouseholdMember,
    Member,
    MemberActivity,
    Merchant,
    MerchantCategory,
    MerchantStatus,
    PaymentState,
    Programme,
    ServiceCard,
)
from .resources import SERVICE_PROGRAMMES, ServiceProgramme


def visible_towns(request):
    return towns_for(request.user if request else None)


class ListFilter(django_filters.FilterSet):
    """A list's filters: `BAR` are shown in the filter bar; the others only travel in links (figures)."""

    BAR: tuple = ()

    def bar_fields(self):
        return [self.form[name] for name in self.BAR]

    def hidden_fields(self):
        data = self.form.data
        return [(name, data.get(name)) for name in self.filters if name not in self.BAR and data.get(name)]


class MemberFilter(ListFilter):
    """Search by name (contains), card number, ID number or phone (each exact: they are indexed)."""

    q = django_filters.CharFilter(
        label=_("search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("name, card number, ID number or phone")}),
    )
    town = django_filters.ModelChoiceFilter(label=_("town"), queryset=visible_towns)

    BAR = ("q", "town")

    class Meta:
        model = Member
        fields = []

    def filter_search(self, queryset, name, value):
        text = cell_plain(value)  # full-width digits as typed on a Chinese keyboard
        if not text:
            return queryset
        code = text.upper()
        by_card = ServiceCard.objects.filter(number=code).values("member_id")
        return queryset.filter(Q(name__icontains=text) | Q(id_number=code) | Q(phone=text) | Q(pk__in=by_card))


class MerchantFilter(ListFilter):
    category = django_filters.ChoiceFilter(label=_("category"), choices=MerchantCategory.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=MerchantStatus.choices)
    town = django_filters.ModelChoiceFilter(label=_("town"), queryset=visible_towns)
    active_in = django_filters.NumberFilter(label=_("under contract in year"), method="filter_active_in")
    ending = django_filters.NumberFilter(label=_("contract ends within (days)"), method="filter_ending")

    BAR = ("category", "status", "town", "active_in")

    class Meta:
        model = Merchant
        fields = []

    def filter_active_in(self, queryset, name, value):
        """Under contract at any time in the year: the contract starts by Dec 31 and ends on Jan 1 or later."""
        year = int(value)
        if not datetime.MINYEAR < year < datetime.MAXYEAR:
            return queryset.none()
        return queryset.filter(
            contract_start__lte=datetime.date(year, 12, 31), contract_end__gte=datetime.date(year, 1, 1)
        )

    def filter_ending(self, queryset, name, value):
        """Contracts still running that end within `value` days from today (the renewal list)."""
        days = max(0, min(int(value), 3660))
        today = timezone.localdate()
        ending = queryset.filter(contract_end__gte=today, contract_end__lte=today + datetime.timedelta(days=days))
        return ending.exclude(status=MerchantStatus.ENDED).order_by("contract_end", "name")


class ActivityFilter(ListFilter):
    year = django_filters.NumberFilter(label=_("year"), field_name="held_on", lookup_expr="year")
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=ActivityChannel.choices)
    town = django_filters.ModelChoiceFilter(label=_("town"), queryset=visible_towns)

    BAR = ("year", "channel", "town")

    class Meta:
        model = MemberActivity
        fields = []


# Hardship files, visits, re-checks, the allowance list --------------------------------------
# benefits-common: file_list ?status, level, town, q, recheck=due|overdue, visited_in; visit_list ?year, town.


RECHECK_NOTICE = datetime.timedelta(days=30)  # the "due" list: re-checks falling due within 30 days


def recheck_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(oldest, newest) last check of an approved file whose re-check is due within RECHECK_NOTICE, not overdue."""
    return today - RECHECK_INTERVAL, today - RECHECK_INTERVAL + RECHECK_NOTICE


def recheck_due_condition(today: datetime.date) -> Q:
    """Approved files whose yearly re-check falls due within the window (the list's filter and the desk's count)."""
    oldest, newest = recheck_window(today)
    return Q(status=FileStatus.APPROVED, last_checked_on__gte=oldest, last_checked_on__lte=newest)


def recheck_overdue_condition(today: datetime.date) -> Q:
    """No re-check for over a year (the national system's "档案一年未改"), as HardshipFile.recheck_overdue says."""
    stale = Q(last_checked_on__isnull=True) | Q(last_checked_on__lt=today - RECHECK_INTERVAL)
    return stale & Q(status=FileStatus.APPROVED)


def recheck_due(files, today: datetime.date):
    return files.filter(recheck_due_condition(today))


def recheck_overdue(files, today: datetime.date):
    return files.filter(recheck_overdue_condition(today))


class FileFilter(ListFilter):
    q = django_filters.CharFilter(
        label=_("search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("name, or ID number of applicant or member")}),
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=FileStatus.choices)
    level = django_filters.ChoiceFilter(label=_("hardship level"), choices=HardshipLevel.choices)
    town = django_filters.ModelChoiceFilter(label=_("town"), queryset=visible_towns)
    recheck = django_filters.ChoiceFilter(
        label=_("yearly re-check"),
        choices=[("due", _("due within 30 days")), ("overdue", _("overdue"))],
        method="filter_recheck",
    )
    visited_in = django_filters.NumberFilter(label=_("visited in year"), method="filter_visited_in")

    BAR = ("q", "status", "level", "town", "recheck", "visited_in")

    class Meta:
        model = HardshipFile
        fields = []

    def filter_search(self, queryset, name, value):
        text = cell_plain(value)
        if not text:
            return queryset
        code = text.upper()
        # Exists, not a join: a household's rows would repeat the file and break the list's counts.
        member = HouseholdMember.objects.filter(file=OuterRef("pk"), id_number=code)
        return queryset.filter(Q(applicant_name__icontains=text) | Q(id_number=code) | Exists(member))

    def filter_recheck(self, queryset, name, value):
        today = timezone.localdate()
        return recheck_due(queryset, today) if value == "due" else recheck_overdue(queryset, today)

    def filter_visited_in(self, queryset, name, value):
        visits = HomeVisit.objects.filter(file=OuterRef("pk"), visited_on__year=int(value))
        return queryset.filter(Exists(visits))


class VisitFilter(ListFilter):
    year = django_filters.NumberFilter(label=_("year"), field_name="visited_on", lookup_expr="year")
    town = django_filters.ModelChoiceFilter(label=_("town"), queryset=visible_towns, field_name="file__town")

    BAR = ("year", "town")

    class Meta:
        model = HomeVisit
        fields = []


class AllowanceFilter(ListFilter):
    q = django_filters.CharFilter(label=_("name or ID number"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=AllowanceKind.choices)

    BAR = ("q", "kind")

    class Meta:
        model = AllowanceListEntry
        fields = []

    def filter_search(self, queryset, name, value):
        text = cell_plain(value)
        return queryset.filter(Q(name__icontains=text) | Q(id_number=text.upper())) if text else queryset


# The aid ledger ---------------------------------------------------------------------------


LEDGER_YES = [("1", _("yes"))]


def net_of_reversals(payments):
    """Posted payments that are not reversals and whose reversal is not posted (the figures' count).

    Their sum equals the sum of every posted entry, reversals included: a reversed payment and its
    posted reversal cancel out, and both are left out here.
    """
    return payments.standing()


def ledger_towns(request):
    return access.towns_for(request.user if request else None)


class PaymentFilter(django_filters.FilterSet):
    """The payment list's parameters (the figures link to them). Without `state`, the posted entries;
    `net=1`: the posted payments net of reversals (`net_of_reversals`)."""

    programme = django_filters.ChoiceFilter(label=_("programme"), choices=Programme.choices)
    year = django_filters.NumberFilter(label=_("year"), field_name="paid_on", lookup_expr="year")
    town = django_filters.ModelChoiceFilter(label=_("town"), queryset=ledger_towns)
    state = django_filters.ChoiceFilter(label=_("state"), choices=PaymentState.choices, method="filter_state")
    funding_source = django_filters.ChoiceFilter(label=_("funding source"), choices=FundingSource.choices)
    net = django_filters.ChoiceFilter(label=_("net of reversals"), choices=LEDGER_YES, method="filter_net")

    class Meta:
        model = AidPayment
        fields = []

    def filter_state(self, queryset, name, value):
        return queryset  # applied with `net` in filter_queryset: both decide which entries count

    def filter_net(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("net") == "1":
            return net_of_reversals(queryset)
        return queryset.filter(state=data.get("state") or PaymentState.POSTED)


class SignoffFilter(django_filters.FilterSet):
    """The sign-off sheet (发放签收表): a programme's payments of one date, net of reversals."""

    programme = django_filters.ChoiceFilter(label=_("programme"), choices=Programme.choices, required=True)
    date = django_filters.DateFilter(
        label=_("date paid"), field_name="paid_on", required=True, widget=forms.DateInput(attrs={"type": "date"})
    )
    town = django_filters.ModelChoiceFilter(label=_("town"), queryset=ledger_towns)

    class Meta:
        model = AidPayment
        fields = []

    def filter_queryset(self, queryset):
        return net_of_reversals(super().filter_queryset(queryset))


class TotalsFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("year"), field_name="paid_on", lookup_expr="year")
    town = django_filters.ModelChoiceFilter(label=_("town"), queryset=ledger_towns)

    class Meta:
        model = AidPayment
        fields = []


# Services for all members -------------------------------------------------------------------
# One FilterSet per programme, built from its description (resources.SERVICE_PROGRAMMES): ?year=, ?town= (a town
# id) and ?category= where the programme has categories. The figures link to these parameters.


def service_programme_filter(programme: ServiceProgramme) -> type:
    field_name, _sep, lookup = programme.year_lookup.partition("__")
    attrs = {
        "year": django_filters.NumberFilter(label=_("year"), field_name=field_name, lookup_expr=lookup or "exact"),
        "town": django_filters.ModelChoiceFilter(label=_("town"), queryset=visible_towns),
        "BAR": ("year", "town"),
        "Meta": type("Meta", (), {"model": programme.model, "fields": []}),
    }
    if programme.category_field:
        field = programme.field(programme.category_field)
        attrs[programme.category_field] = django_filters.ChoiceFilter(label=field.verbose_name, choices=field.choices)
        attrs["BAR"] = ("year", "town", programme.category_field)
    return type(f"{programme.model.__name__}Filter", (ListFilter,), attrs)


SERVICE_PROGRAMME_FILTERS = {key: service_programme_filter(programme) for key, programme in SERVICE_PROGRAMMES.items()}
