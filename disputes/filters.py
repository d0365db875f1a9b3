"""The query strings of the disputes pages as django-filter FilterSets: the case list's search box and
filters, the bargaining lists, and the intake's look-ups. The figures link to these parameters."""

import calendar

import django_filters
from django import forms
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from union_portal.access import towns_for
from union_portal.models import Enterprise

from .models import (
    OPEN_STATUSES,
    BargainingInstructor,
    BargainingYear,
    Case,
    CaseTally,
    ClaimKindCode,
    ClockState,
    DossierKind,
    HandlingBody,
    InstructorLevel,
    Outcome,
    Status,
    SupervisionInspection,
    legal_aid_approved,
    renewal_horizon,
    roster_day,
    unions_inspected_in,
)

YES_NO = [("1", _("yes")), ("0", _("no"))]
MONTH = ["%Y-%m"]  # 2018-03
DAY = ["%Y-%m-%d"]  # 2018-03-16


def visible_towns(request):
    return towns_for(request.user) if request else towns_for(None)


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("search"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={"placeholder": _("case number, worker, employer, credit code, ID or phone number")}
        ),
    )
    year = django_filters.NumberFilter(label=_("year received"), field_name="received_on", lookup_expr="year")
    town = django_filters.ModelChoiceFilter(label=_("town"), queryset=visible_towns)
    handling_body = django_filters.ChoiceFilter(label=_("handling body"), choices=HandlingBody.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Status.choices)
    state = django_filters.ChoiceFilter(
        label=_("open or closed"),
        choices=[("open", _("open")), ("done", _("closed or archived"))],
        method="filter_state",
    )
    claim_kind = django_filters.ChoiceFilter(
        label=_("kind of claim"), field_name="claim_kinds__code", choices=ClaimKindCode.choices
    )
    clock = django_filters.ChoiceFilter(label=_("clock"), choices=ClockState.choices, method="filter_clock")
    outcome = django_filters.ChoiceFilter(label=_("outcome"), choices=Outcome.choices)
    dossier_kind = django_filters.ChoiceFilter(label=_("dossier kind"), choices=DossierKind.choices)
    collective = django_filters.ChoiceFilter(
        label=_("collective incident"), field_name="is_collective", choices=YES_NO, method="filter_flag"
    )
    mine = django_filters.ChoiceFilter(label=_("assigned to me"), choices=YES_NO, method="filter_mine")
    idle = django_filters.ChoiceFilter(label=_("no activity for 30 days"), choices=YES_NO, method="filter_idle")
    # The figures count by the date of the event they count: agreement, acceptance, archiving.
    closed_year = django_filters.NumberFilter(label=_("year closed"), field_name="closed_on", lookup_expr="year")
    accepted_year = django_filters.NumberFilter(label=_("year accepted"), field_name="accepted_on", lookup_expr="year")
    archived_year = django_filters.NumberFilter(label=_("year archived"), field_name="archived_on", lookup_expr="year")
    approved = django_filters.ChoiceFilter(label=_("legal aid approved"), choices=YES_NO, method="filter_approved")
    # The summary's chart of cases per month: ?received_month=2018-03, ?closed_month=2018-03.
    received_month = django_filters.DateFilter(
        label=_("month received"), field_name="received_on", method="filter_month", input_formats=MONTH
    )
    closed_month = django_filters.DateFilter(
        label=_("month closed"), field_name="closed_on", method="filter_month", input_formats=MONTH
    )
    # A year read through a day (the summary's year in progress, and the same days of the year before).
    through = django_filters.DateFilter(label=_("dated up to"), method="filter_cut", input_formats=DAY)
    sort = django_filters.ChoiceFilter(
        label=_("sort by"),
        choices=[("received", _("newest first")), ("due", _("next deadline")), ("number", _("case number"))],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Case
        fields = []

    # Filters always shown in the bar; the rest only travel in links (figures, start page).
    BAR = ("q", "year", "town", "handling_body", "status", "claim_kind", "clock", "sort")

    # The date each year or month filter reads: `through` cuts those given (with none given, the date received).
    CUT = {
        "year": "received_on",
        "received_month": "received_on",
        "closed_year": "closed_on",
        "closed_month": "closed_on",
        "accepted_year": "accepted_on",
        "archived_year": "archived_on",
    }

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    # The filters a CaseTally row can answer (`sort` only orders the list).
    TALLIED = {"year": "year", "town": "town", "handling_body": "handling_body", "status": "status"}

    def tally(self, user) -> dict | None:
        """{"count", "headcount", "amount_claimed"} of the filtered list read from the case tallies (PostgreSQL),
        when every filter set is one of TALLIED or `state` (the list's own scope: `visible_to(user)`); else None,
        and the list sums its cases."""
        if connection.vendor != "postgresql" or (self.is_bound and not self.is_valid()):
            return None
        # Unbound (the bare list): no filter, every case the user may see.
        cleaned = self.form.cleaned_data if self.is_bound else {}
        given = {name: value for name, value in cleaned.items() if value not in (None, "")}
        if set(given) - set(self.TALLIED) - {"state", "sort"}:
            return None
        rows = CaseTally.objects.visible_to(user).filter(
            **{column: given[name] for name, column in self.TALLIED.items() if name in given}
        )
        if "state" in given:
            rows = self.filter_state(rows, "state", given["state"])
        return rows.totals()

    def filter_month(self, queryset, name, value):
        last = calendar.monthrange(value.year, value.month)[1]
        return queryset.filter(**{f"{name}__range": (value.replace(day=1), value.replace(day=last))})

    def filter_cut(self, queryset, name, value):
        data = self.form.cleaned_data
        cut = {field for filter_name, field in self.CUT.items() if data.get(filter_name) not in (None, "")}
        for field in sorted(cut or {"received_on"}):
            queryset = queryset.filter(**{f"{field}__lte": value})
        return queryset

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.exclude(status__in=OPEN_STATUSES)

    def filter_clock(self, queryset, name, value):
        return queryset.clock(value)

    def filter_flag(self, queryset, name, value):
        return queryset.filter(**{name: value == "1"})

    def filter_approved(self, queryset, name, value):
        approved = legal_aid_approved()
        return queryset.filter(approved) if value == "1" else queryset.exclude(approved)

    def filter_mine(self, queryset, name, value):
        if value == "1" and self.request is not None:
            return queryset.filter(assigned_to=self.request.user)
        return queryset

    def filter_idle(self, queryset, name, value):
        return queryset.idle() if value == "1" else queryset

    def filter_sort(self, queryset, name, value):
        if value == "due":
            return queryset.by_due_date()
        if value == "number":
            return queryset.order_by("number")
        return queryset.order_by("-received_on", "-pk")

    def bar_fields(self):
        return [self.form[name] for name in self.BAR]

    def hidden_fields(self):
        """Link-only filters that are set: kept as hidden inputs so the bar does not drop them."""
        data = self.form.data
        return [(name, data.get(name)) for name in self.filters if name not in self.BAR and data.get(name)]


# Collective bargaining: the lists' parameters are a contract (disputes/figures.py links to them) -----

ONLY = [("1", _("yes"))]


class LargeEnterpriseFilter(django_filters.FilterSet):
    """`?lacking=1`: enterprises without a current wage agreement; else `?renewal=1`: those whose current
    agreement ends within the renewal notice, so bargaining for the next can start in time."""

    lacking = django_filters.ChoiceFilter(choices=ONLY, method="filter_lacking")
    renewal = django_filters.ChoiceFilter(choices=ONLY, method="filter_renewal")

    class Meta:
        model = Enterprise
        fields = []

    def filter_lacking(self, queryset, name, value):
        return queryset.filter(has_current=False)

    def filter_renewal(self, queryset, name, value):
        if self.shown() != "renewal":
            return queryset  # "lacking" wins: the two views are tabs of one list
        return queryset.filter(current_ends_on__lte=renewal_horizon())

    def shown(self) -> str:
        """The tab the list shows: "lacking", "renewal" or "" (all)."""
        data = getattr(self.form, "cleaned_data", {})  # validated once the list was filtered; unbound: all
        return next((name for name in ("lacking", "renewal") if data.get(name) == "1"), "")


def cut_in(data: dict, year: int):
    """The `through` day of a list's parameters when it is a day of `year` (else None: the whole year)."""
    through = data.get("through")
    return through if through and through.year == year else None


class CensusFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter()
    town = django_filters.NumberFilter(field_name="enterprise__town")
    model = django_filters.ChoiceFilter(choices=ONLY, field_name="meets_model_standard", method="filter_model")

    class Meta:
        model = BargainingYear
        fields = []

    def filter_model(self, queryset, name, value):
        return queryset.filter(meets_model_standard=True)


class InstructorFilter(django_filters.FilterSet):
    """`?year=`: the roster in post at that year's end (today for the year in progress); `?town=`: that town's
    own instructors, without those serving the whole district."""

    year = django_filters.NumberFilter(method="filter_year")
    level = django_filters.ChoiceFilter(choices=InstructorLevel.choices)
    town = django_filters.NumberFilter(field_name="town")
    through = django_filters.DateFilter(method="filter_nothing", input_formats=DAY)  # the roster of that day

    class Meta:
        model = BargainingInstructor
        fields = []

    def filter_year(self, queryset, name, value):
        if not 1 <= value <= 9999:
            return queryset.none()  # no roster outside the calendar (and no date to build)
        return queryset.in_post_on(roster_day(int(value), cut_in(self.form.cleaned_data, int(value))))

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_year


class InspectionFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="date", lookup_expr="year")
    town = django_filters.NumberFilter(field_name="town")

    class Meta:
        model = SupervisionInspection
        fields = []


class InspectedUnionFilter(django_filters.FilterSet):
    """Secondary unions covered by joint inspections: `?year=` in that year, `?town=` of that town's enterprises."""

    year = django_filters.NumberFilter(method="filter_year")
    town = django_filters.NumberFilter(field_name="town")
    through = django_filters.DateFilter(method="filter_nothing", input_formats=DAY)  # inspections up to that day

    class Meta:
        model = Enterprise
        fields = []

    def filter_year(self, queryset, name, value):
        if not 1 <= value <= 9999:
            return queryset.none()
        year = int(value)
        return queryset.filter(pk__in=unions_inspected_in(year, cut_in(self.form.cleaned_data, year)).values("pk"))

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_year


# The intake form's look-ups (htmx): the parameters are the intake form's own fields ------------------


class EmployerSearchFilter(django_filters.FilterSet):
    """Enterprises whose name or credit code holds the typed text (two characters at least)."""

    employer_name = django_filters.CharFilter(method="filter_nothing")
    q = django_filters.CharFilter(method="filter_nothing")

    class Meta:
        model = Enterprise
        fields = []

    def filter_nothing(self, queryset, name, value):
        return queryset  # both name the same text: filter_queryset reads them together

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        text = (data.get("employer_name") or "").strip() or (data.get("q") or "").strip()
        if len(text) < 2:
            return queryset.none()
        return queryset.filter(Q(name__icontains=text) | Q(credit_code__startswith=text.upper()))


class IntakeDuplicateFilter(django_filters.FilterSet):
    """Open cases with the workers (by ID number) or the employer being typed into the intake form."""

    employer_credit_code = django_filters.CharFilter(method="filter_nothing")
    employer_name = django_filters.CharFilter(method="filter_nothing")

    class Meta:
        model = Case
        fields = []

    def filter_nothing(self, queryset, name, value):
        return queryset  # the employer is found from both fields in filter_queryset

    def filter_queryset(self, queryset):
        return queryset.open_duplicates(id_numbers=self.id_numbers(), employer=self.employer())

    def id_numbers(self) -> list[str]:
        """The complete ID numbers in the form's worker rows (workers-<n>-id_number: as many as it has)."""
        typed = (
            value.strip().upper()
            for key, value in self.data.items()
            if key.startswith("workers-") and key.endswith("-id_number")
        )
        return sorted({number for number in typed if len(number) == 18})

    def employer(self):
        """The registered employer named by credit code, or else by a name only one enterprise has."""
        code = (self.form.cleaned_data.get("employer_credit_code") or "").strip().upper()
        name = (self.form.cleaned_data.get("employer_name") or "").strip()
        if code:
            return Enterprise.objects.filter(credit_code=code).first()
        matches = list(Enterprise.objects.filter(name=name)[:2]) if name else []
        return matches[0] if len(matches) == 1 else None
