"""The case list's search box and filters (django-filter); the figures link to these parameters."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import towns_for
from .models import (
    OPEN_STATUSES,
    Case,
    ClaimKindCode,
    ClockState,
    DossierKind,
    HandlingBody,
    Outcome,
    Status,
)

YES_NO = [("1", _("yes")), ("0", _("no"))]


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

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.exclude(status__in=OPEN_STATUSES)

    def filter_clock(self, queryset, name, value):
        return queryset.clock(value)

    def filter_flag(self, queryset, name, value):
        return queryset.filter(**{name: value == "1"})

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
