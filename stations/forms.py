"""Forms of the staff pages: the venue with its photos, money, honours and activities."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from union_portal.access import default_town, enterprises_for, towns_for
from union_portal.concurrency import VersionedModelForm
from union_portal.uploads import PHOTO, UploadField

from .models import Venue, VenueActivity, VenueFunding, VenueHonour, VenuePhoto

MAX_PHOTOS_PER_SAVE = 10
RECENT_ACTIVITIES = 20


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(UploadField):
    """Several photos at once; each must pass the shared photo check (type, name, size, pixels)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": PHOTO.accept_attribute}))
        super().__init__(*args, rule=PHOTO, **kwargs)

    def clean(self, data, initial=None):
        uploads = list(data) if isinstance(data, list | tuple) else [data] if data else []
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > MAX_PHOTOS_PER_SAVE:
            raise ValidationError(
                _("Add at most %(limit)d photos at a time."), params={"limit": MAX_PHOTOS_PER_SAVE}, code="too_many"
            )
        cleaned, errors = [], []
        for upload in uploads:
            try:
                cleaned.append(super().clean(upload, initial))
            except ValidationError as error:
                errors.extend(_naming_the_file(item, upload.name) for item in error.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _naming_the_file(error: ValidationError, name: str) -> ValidationError:
    """The photo check's messages name the file already; Django's own (an empty file...) get the name in front."""
    if error.code and error.code.startswith(f"{PHOTO.code}_"):
        return error
    return ValidationError(_("%(name)s: %(error)s"), params={"name": name, "error": error.messages[0]}, code=error.code)


class VenueForm(VersionedModelForm):
    """The venue itself, plus new photos; `user` limits the towns (and host enterprises) to choose from."""

    photos = MultiplePhotoField(
        label=_("Add photos"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB each; you may choose several files."),
    )

    class Meta:
        model = Venue
        fields = [
            "kind",
            "name",
            "town",
            "host_type",
            "host_name",
            "enterprise",
            "address",
            "latitude",
            "longitude",
            "opening_hours",
            "is_24h",
            "opens_at",
            "closes_at",
            "amenities",
            "seats",
            "is_mobile",
            "contact_name",
            "contact_phone",
            "public_phone",
            "description",
            "planned_on",
            "built_on",
            "accepted_on",
            "acceptance_result",
            "closed_on",
            "closed_reason",
        ]
        widgets = {
            "amenities": forms.CheckboxSelectMultiple,
            "opens_at": time_input(),
            "closes_at": time_input(),
            "planned_on": date_input(),
            "built_on": date_input(),
            "accepted_on": date_input(),
            "closed_on": date_input(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if town_id := default_town(user):  # one town to work on: no other choice
            self.fields["town"].queryset = towns_for(user)
            self.fields["town"].empty_label = None
            self.fields["town"].initial = town_id
            self.fields["enterprise"].queryset = enterprises_for(user)
        self.helper = self.build_helper()

    def build_helper(self):
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(
            Fieldset(
                _("The venue"),
                Row(Column("kind"), Column("name"), Column("town")),
                Row(Column("host_type"), Column("host_name"), Column("enterprise")),
            ),
            Fieldset(
                _("Where and when"),
                "address",
                Row(Column("latitude"), Column("longitude")),
                Row(Column("opening_hours"), Column("opens_at"), Column("closes_at")),
                "is_24h",
            ),
            Fieldset(_("Amenities"), "amenities", Row(Column("seats"), Column("is_mobile"))),
            Fieldset(
                _("Contact"),
                Row(Column("contact_name"), Column("contact_phone"), Column("public_phone")),
                "description",
            ),
            Fieldset(
                _("Lifecycle"),
                Row(Column("planned_on"), Column("built_on")),
                Row(Column("accepted_on"), Column("acceptance_result")),
                Row(Column("closed_on"), Column("closed_reason")),
            ),
            Fieldset(_("Photos"), "photos"),
            "version",
        )
        return helper


class FundingForm(forms.ModelForm):
    class Meta:
        model = VenueFunding
        fields = ["year", "kind", "source", "amount", "purpose"]


class HonourForm(forms.ModelForm):
    class Meta:
        model = VenueHonour
        fields = ["year", "title", "level", "status"]


class ActivityForm(forms.ModelForm):
    class Meta:
        model = VenueActivity
        fields = ["date", "kind", "title", "sessions", "person_times"]
        widgets = {"date": date_input()}


class PhotoForm(forms.ModelForm):
    class Meta:
        model = VenuePhoto
        fields = ["caption", "order"]


FundingFormSet = inlineformset_factory(Venue, VenueFunding, form=FundingForm, extra=1, can_delete=True)
HonourFormSet = inlineformset_factory(Venue, VenueHonour, form=HonourForm, extra=1, can_delete=True)
ActivityFormSet = inlineformset_factory(Venue, VenueActivity, form=ActivityForm, extra=1, can_delete=True)
PhotoFormSet = inlineformset_factory(Venue, VenuePhoto, form=PhotoForm, extra=0, can_delete=True)


def recent_activities(venue):
    """The activities the edit page offers: the most recent ones (older ones stay in the admin)."""
    if venue.pk is None:
        return VenueActivity.objects.none()
    recent = VenueActivity.objects.filter(venue=venue).order_by("-date", "-pk").values("pk")[:RECENT_ACTIVITIES]
    return VenueActivity.objects.filter(pk__in=recent).order_by("-date", "-pk")


def child_formsets(venue, data=None):
    """The formsets of the edit page, in the order they are shown: (title, formset)."""
    venue = venue or Venue()
    return [
        (_("Current photos"), PhotoFormSet(data, instance=venue, prefix="photo")),
        (_("Funding"), FundingFormSet(data, instance=venue, prefix="funding")),
        (_("Honours"), HonourFormSet(data, instance=venue, prefix="honour")),
        (
            _("Recent activities"),
            ActivityFormSet(data, instance=venue, prefix="activity", queryset=recent_activities(venue)),
        ),
    ]
