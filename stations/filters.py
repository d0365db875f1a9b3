"""Filters of the venue lists: the staff list's query parameters are a contract (figures link to them)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal import access
from union_portal.models import Town

from . import desk
from .models import (
    AcceptanceResult,
    ActivityKind,
    Amenity,
    FundingKind,
    FundingSource,
    HonourLevel,
    HonourStatus,
    Venue,
    VenueActivity,
    VenueFunding,
    VenueHonour,
    VenueKind,
    VenueStatus,
)

YES = "true"
MOBILE_CHOICES = [(YES, _("mobile")), ("false", _("fixed"))]
YEAR_WIDGET = forms.NumberInput(attrs={"min": 2000, "max": 2100, "step": 1})


def towns_for(request):
    """Town choices: town staff only ever see their own town (django-filter passes the request)."""
    return access.towns_for(getattr(request, "user", None))


def has_amenities(queryset, codes):
    """Venues offering every amenity in `codes` (one EXISTS per amenity, no duplicate rows)."""
    through = Venue.amenities.through
    for code in codes:
        queryset = queryset.filter(Exists(through.objects.filter(venue=OuterRef("pk"), amenity__code=code)))
    return queryset


class VenueFilter(django_filters.FilterSet):
    """The staff list's filters (contract: /tmp/contract.md, used by stations/figures.py through list_url)."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=VenueKind.choices, empty_label=_("All kinds"))
    town = django_filters.ModelChoiceFilter(label=_("town"), queryset=towns_for, empty_label=_("All towns"))
    status = django_filters.ChoiceFilter(label=_("status"), choices=VenueStatus.choices, empty_label=_("Any status"))
    amenity = django_filters.ModelChoiceFilter(
        label=_("amenity"),
        queryset=Amenity.objects.all(),
        to_field_name="code",
        method="filter_amenity",
        empty_label=_("Any amenity"),
    )
    mobile = django_filters.ChoiceFilter(
        label=_("mobile or fixed"), choices=MOBILE_CHOICES, method="filter_mobile", empty_label=_("Either")
    )
    is_24h = django_filters.BooleanFilter(
        label=_("open 24 hours only"), widget=forms.CheckboxInput, method="filter_24h"
    )
    built_year = django_filters.NumberFilter(
        label=_("year built"), field_name="built_on", lookup_expr="year", widget=YEAR_WIDGET
    )
    accepted_year = django_filters.NumberFilter(
        label=_("year accepted (passed)"), method="filter_accepted_year", widget=YEAR_WIDGET
    )
    in_service_on = django_filters.DateFilter(
        label=_("in service on"),
        method="filter_in_service_on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    funding_year = django_filters.NumberFilter(label=_("funding year"), method="filter_later", widget=YEAR_WIDGET)
    funding_kind = django_filters.ChoiceFilter(
        label=_("funding kind"), choices=FundingKind.choices, method="filter_later", empty_label=_("Any")
    )
    funding_source = django_filters.ChoiceFilter(
        label=_("funding source"), choices=FundingSource.choices, method="filter_later", empty_label=_("Any")
    )
    honour_year = django_filters.NumberFilter(label=_("honour year"), method="filter_later", widget=YEAR_WIDGET)
    honour_level = django_filters.ChoiceFilter(
        label=_("honour level"), choices=HonourLevel.choices, method="filter_later", empty_label=_("Any")
    )
    honour_status = django_filters.ChoiceFilter(
        label=_("honour status"), choices=HonourStatus.choices, method="filter_later", empty_label=_("Any")
    )
    activity_year = django_filters.NumberFilter(label=_("activity year"), method="filter_later", widget=YEAR_WIDGET)
    activity_kind = django_filters.ChoiceFilter(
        label=_("activity kind"), choices=ActivityKind.choices, method="filter_later", empty_label=_("Any")
    )
    # The start page's counts (stations/desk.py): venues whose acceptance or closing is overdue, or that the
    # public finder cannot show well.
    needs = django_filters.ChoiceFilter(
        label=_("needs attention"), choices=list(desk.NEEDS_LABELS.items()), method="filter_needs"
    )

    # Parameters that together ask for a child row: {model: {parameter: lookup on that model}}.
    CHILD_FILTERS = {
        VenueFunding: {"funding_year": "year", "funding_kind": "kind", "funding_source": "source"},
        VenueHonour: {"honour_year": "year", "honour_level": "level", "honour_status": "status"},
        VenueActivity: {"activity_year": "date__year", "activity_kind": "kind"},
    }
    BASIC = ("q", "kind", "town", "status", "amenity", "mobile", "is_24h", "built_year")

    class Meta:
        model = Venue
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(code__icontains=value)
            | Q(address__icontains=value)
            | Q(host_name__icontains=value)
        )

    def filter_amenity(self, queryset, name, value):
        return has_amenities(queryset, [value.code]) if value else queryset

    def filter_mobile(self, queryset, name, value):
        return queryset.filter(is_mobile=value == YES) if value else queryset

    def filter_24h(self, queryset, name, value):
        return queryset.filter(is_24h=True) if value else queryset

    def filter_accepted_year(self, queryset, name, value):
        return queryset.filter(accepted_on__year=value, acceptance_result=AcceptanceResult.PASSED)

    def filter_in_service_on(self, queryset, name, value):
        return queryset.in_service_at(value)

    def filter_needs(self, queryset, name, value):
        return queryset.filter(desk.needs_conditions()[value])

    def filter_later(self, queryset, name, value):
        """The child-row parameters work in groups: filter_queryset applies them together."""
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        for model, lookups in self.child_lookups().items():
            queryset = queryset.filter(Exists(model.objects.filter(venue=OuterRef("pk"), **lookups)))
        return queryset

    def child_lookups(self) -> dict:
        """{child model: its lookups} of the child-row parameters given (a model with none given is absent)."""
        data = getattr(self.form, "cleaned_data", None) or {}
        found = {}
        for model, params in self.CHILD_FILTERS.items():
            lookups = {lookup: data[param] for param, lookup in params.items() if data.get(param) not in (None, "")}
            if lookups:
                found[model] = lookups
        return found

    def advanced_in_use(self) -> bool:
        """Whether the form's second row (dates, money, honours, activities) should start open."""
        if not self.is_bound:
            return False
        return any(self.data.get(name) for name in self.filters if name not in self.BASIC)


class PublicVenueFilter(django_filters.FilterSet):
    """The public finder: by town, kind, amenities, open now and 24 hours."""

    q = django_filters.CharFilter(label=_("Name or address"), method="filter_search")
    town = django_filters.ModelChoiceFilter(label=_("town"), queryset=Town.objects.all(), empty_label=_("All towns"))
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=VenueKind.choices, empty_label=_("All kinds"))
    amenity = django_filters.ModelMultipleChoiceFilter(
        label=_("amenities"),
        queryset=Amenity.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        method="filter_amenities",
    )
    open_now = django_filters.BooleanFilter(label=_("open now"), widget=forms.CheckboxInput, method="filter_open_now")
    is_24h = django_filters.BooleanFilter(label=_("open 24 hours"), widget=forms.CheckboxInput, method="filter_24h")

    class Meta:
        model = Venue
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)) if value else queryset

    def filter_amenities(self, queryset, name, value):
        return has_amenities(queryset, [amenity.code for amenity in value]) if value else queryset

    def filter_open_now(self, queryset, name, value):
        return queryset.open_at(timezone.now()) if value else queryset

    def filter_24h(self, queryset, name, value):
        return queryset.filter(is_24h=True) if value else queryset
