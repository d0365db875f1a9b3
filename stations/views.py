"""Venue pages: the staff list, record, edit and poster under /stations/, the public finder under /venues/."""

from pathlib import PurePath

import qrcode
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, UpdateView, View
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView
from qrcode.image.svg import SvgPathImage

from union_portal.access import can_edit, can_edit_records
from union_portal.child_rows import formset_edits
from union_portal.concurrency import StaleEditViewMixin
from union_portal.errors import add_to_form
from union_portal.figures import figure_heading
from union_portal.pagination import PortalPaginator
from union_portal.views import EditorRequiredMixin, StaffRequiredMixin

from . import figures, map_links, nearby
from .filters import PublicVenueFilter, VenueFilter
from .forms import VenueForm, child_formsets
from .history import venue_changes
from .models import PUBLIC_STATUSES, Venue, VenueActivity, VenueFunding, VenuePhoto, staff_list_order
from .services import venue_save

ACTIVITIES_PER_PAGE = 20


def qr_svg(data: str) -> str:
    """An SVG QR code of `data`, made here (no external service); medium error correction survives a scuffed poster."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, image_factory=SvgPathImage)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode")


def photos_in_order():
    return Prefetch("photos", queryset=VenuePhoto.objects.order_by("order", "pk"), to_attr="photo_list")


class VenueListView(StaffRequiredMixin, FilterView):
    """Every venue the user may see, filtered by the contract's query parameters; opened from a figure
    (`?figure=key`, not a filter), headed with that figure's label and definition."""

    filterset_class = VenueFilter
    template_name = "stations/venue_list.html"
    paginate_by = 25
    paginator_class = PortalPaginator

    def get_queryset(self):
        return (
            Venue.objects.visible_to(self.request.user)
            .select_related("town")
            .prefetch_related("amenities", photos_in_order())
            .order_by(*staff_list_order())
        )

    # The child rows a list filtered by their parameters sums per venue: {model: ((annotation, field), ...)}.
    SUMMED_CHILDREN = {
        VenueFunding: (("funding_amount", "amount"),),
        VenueActivity: (("activity_sessions", "sessions"), ("activity_person_times", "person_times")),
    }

    def get_context_data(self, **kwargs):
        venues, columns = self.with_child_sums(kwargs.pop("object_list", self.object_list))
        self.object_list = venues
        context = super().get_context_data(
            **kwargs,
            object_list=venues,
            may_create=can_edit_records(self.request.user),
            figure_heading=figure_heading(self.request, figures.describe),
            summed_columns=columns,
        )
        if columns:
            # The totals of the whole filtered list (every page), in one aggregate statement.
            totals = venues.aggregate(**{f"total_{column['name']}": Sum(column["name"]) for column in columns})
            for column in columns:
                column["total"] = totals[f"total_{column['name']}"] or 0
            rows = list(context["object_list"])
            for venue in rows:
                venue.sums = [(getattr(venue, column["name"]), column["money"]) for column in columns]
            context["object_list"] = rows
        return context

    def with_child_sums(self, venues):
        """`venues` annotated, per venue, with the sums of the child rows matching the list's child-row filters
        (fundings, activities), and those columns: [{"name", "label", "money"}]. One subquery per sum, so that
        joins never multiply the sums; no statement per row."""
        columns = []
        for model, lookups in self.filterset.child_lookups().items():
            for name, field_name in self.SUMMED_CHILDREN.get(model, ()):
                field = model._meta.get_field(field_name)
                money = isinstance(field, DecimalField)
                output = DecimalField(max_digits=16, decimal_places=2) if money else IntegerField()
                rows = (
                    model.objects.filter(venue=OuterRef("pk"), **lookups)
                    .order_by()
                    .values("venue")
                    .annotate(total=Sum(field_name))
                    .values("total")
                )
                venues = venues.annotate(
                    **{name: Coalesce(Subquery(rows, output_field=output), Value(0), output_field=output)}
                )
                columns.append({"name": name, "label": field.verbose_name, "money": money})
        return venues, columns


class StaffVenueMixin(StaffRequiredMixin):
    """One venue the user may see: a guessed id of another town's venue answers 404."""

    model = Venue

    def get_queryset(self):
        return Venue.objects.visible_to(self.request.user).select_related("town", "enterprise")


class VenueDetailView(StaffVenueMixin, DetailView):
    template_name = "stations/venue_detail.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("amenities", photos_in_order(), "fundings", "honours")

    def get_context_data(self, **kwargs):
        venue = self.object
        activities = venue.activities.order_by("-date", "-pk")
        return super().get_context_data(
            **kwargs,
            may_edit=can_edit(self.request.user, venue),
            is_public=venue.status in PUBLIC_STATUSES,
            activity_page=Paginator(activities, ACTIVITIES_PER_PAGE).get_page(self.request.GET.get("activity_page")),
            activity_totals=activities.aggregate(
                count=Count("pk"), sessions=Sum("sessions"), person_times=Sum("person_times")
            ),
            shortfalls=venue.acceptance_shortfalls([amenity.code for amenity in venue.amenities.all()]),
            history=venue_changes(venue, show_personal=can_edit(self.request.user, venue)),
        )


class VenuePosterView(StaffVenueMixin, DetailView):
    """An A4 poster to hang at the venue: its QR code opens the public page."""

    template_name = "stations/venue_poster.html"

    def get_context_data(self, **kwargs):
        public_url = self.request.build_absolute_uri(self.object.get_public_url())
        return super().get_context_data(**kwargs, public_url=public_url, qr_svg=qr_svg(public_url))


class VenueQrView(StaffVenueMixin, SingleObjectMixin, View):
    """The poster's QR code alone, as an SVG file."""

    def get(self, request, *args, **kwargs):
        venue = self.get_object()
        response = HttpResponse(qr_svg(request.build_absolute_uri(venue.get_public_url())), "image/svg+xml")
        response["Content-Disposition"] = f'inline; filename="{venue.code}.svg"'
        return response


class VenueFormMixin:
    """The venue form and its child formsets, validated together and saved together (or not at all)."""

    model = Venue
    form_class = VenueForm
    template_name = "stations/venue_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_formsets(self):
        if not hasattr(self, "_formsets"):
            data = self.request.POST if self.request.method == "POST" else None
            self._formsets = child_formsets(self.object, data)
        return self._formsets

    def process(self):
        form = self.get_form()
        formsets = [formset for _title, formset in self.get_formsets()]
        valid = [form.is_valid()] + [formset.is_valid() for formset in formsets]
        return self.form_valid(form) if all(valid) else self.form_invalid(form)

    def form_valid(self, form):
        try:
            self.object = venue_save(venue=self.object, by=self.request.user, **self.save_kwargs(form))
        except ValidationError as error:
            add_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The venue %(name)s was saved.") % {"name": self.object.name})
        return redirect(self.object)

    # The service's name for the rows of each formset (by the formset's prefix).
    CHILD_ROWS = {"photo": "photo_edits", "funding": "fundings", "honour": "honours", "activity": "activities"}

    def save_kwargs(self, form) -> dict:
        """The cleaned data of the form and its formsets, as `venue_save` takes them."""
        data = form.cleaned_data
        kwargs = {
            "fields": {name: data[name] for name in form._meta.fields if name in data and name != "amenities"},
            "amenities": data.get("amenities") or [],
            "version": data.get("version"),
            "photos": data.get("photos") or [],
        }
        for _title, formset in self.get_formsets():
            kwargs[self.CHILD_ROWS[formset.prefix]] = formset_edits(formset)
        return kwargs

    def form_invalid(self, form):
        if self.object is not None and form.has_error(NON_FIELD_ERRORS, "stale"):
            # The message tells the user to look at the other changes and save again:
            # the form now carries the current version so that a second save goes through.
            form.data = form.data.copy()
            form.data["version"] = Venue.objects.filter(pk=self.object.pk).values_list("version", flat=True).first()
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        formsets = self.get_formsets()
        has_errors = any(formset.is_bound and not formset.is_valid() for _title, formset in formsets)
        return super().get_context_data(**kwargs, formsets=formsets, formsets_have_errors=has_errors)


class VenueCreateView(EditorRequiredMixin, VenueFormMixin, CreateView):
    def post(self, request, *args, **kwargs):
        self.object = None
        return self.process()


class VenueUpdateView(EditorRequiredMixin, StaleEditViewMixin, VenueFormMixin, UpdateView):
    def get_queryset(self):
        return Venue.objects.editable_by(self.request.user).select_related("town")

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.process()


class VenueFinderView(FilterView):
    """The public finder: venues in service, for anyone, on a phone; nearest first with `?near=<lat>,<lng>`
    (the visitor's position, asked by the "sort by distance" button), an invalid one ignored."""

    filterset_class = PublicVenueFilter
    template_name = "stations/finder.html"
    paginate_by = 20
    paginator_class = PortalPaginator

    def get_queryset(self):
        venues = Venue.objects.public().select_related("town").prefetch_related("amenities")
        self.near = nearby.near_parse(self.request.GET.get("near"))
        if self.near:
            return nearby.by_distance(venues, self.near)
        return venues.order_by("town__order", "kind", "name", "pk")

    def get_context_data(self, **kwargs):
        without_near = self.request.GET.copy()
        for name in ("near", "page"):
            without_near.pop(name, None)
        return super().get_context_data(
            **kwargs,
            near=nearby.near_format(self.near) if self.near else "",
            without_near=without_near.urlencode(),
        )


class PublicVenueView(DetailView):
    """A venue's public page: what a worker needs to get there, and the venue's public phone;
    never a person's name or phone."""

    template_name = "stations/public_venue.html"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return Venue.objects.public().select_related("town").prefetch_related("amenities", photos_in_order())

    def get_context_data(self, **kwargs):
        venue = self.object
        return super().get_context_data(
            **kwargs,
            photo=venue.photo_list[0] if venue.photo_list else None,
            more_photos=venue.photo_list[1:],
            phone_url=map_links.tel_url(venue.public_phone) if venue.public_phone else "",
            amap_url=map_links.amap_url(venue),
            baidu_url=map_links.baidu_url(venue),
        )


def venue_photo_file(request, path):
    """A venue photo or thumbnail: to everyone if the venue is in service (listed by the finder), otherwise only
    to staff who may see the venue. Nothing under MEDIA_ROOT is served without this check."""
    name = f"venues/{path}"
    visible = Q(venue__status__in=PUBLIC_STATUSES) | Q(venue__in=Venue.objects.visible_to(request.user))
    if not VenuePhoto.objects.filter(Q(image=name) | Q(thumbnail=name)).filter(visible).exists():
        raise Http404
    try:
        return FileResponse(default_storage.open(name), filename=PurePath(name).name)
    except FileNotFoundError:
        raise Http404
