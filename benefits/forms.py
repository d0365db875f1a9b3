"""Forms of the benefits app."""

# Members, service cards, merchants, member-only activities ---------------------------------

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from union_portal.access import default_town, towns_for
from union_portal.child_rows import RowEdits, formset_edits
from union_portal.concurrency import VersionedModelForm
from union_portal.errors import DomainError, add_to_form
from union_portal.models import Town
from union_portal.spreadsheet_widgets import cell_plain
from union_portal.validators import validate_id_number, validate_phone

from . import services
from .models import (
    CardStatus,
    CloseReason,
    FundingSource,
    HardshipCause,
    HardshipFile,
    HomeVisit,
    HouseholdMember,
    Member,
    MemberActivity,
    Merchant,
    PaymentState,
    Programme,
)
from .resources import ServiceProgramme, service_programme_form_field

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def inner_helper() -> FormHelper:
    """Crispy renders the fields; the template holds the <form>, its CSRF token and buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class MemberForm(VersionedModelForm):
    class Meta:
        model = Member
        fields = ["town", "name", "id_number", "phone", "union_name", "workplace"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for(user)
        if not self.instance.pk:
            self.fields["town"].initial = default_town(user)
        self.helper = inner_helper()

    def clean_id_number(self):
        number = cell_plain(self.cleaned_data["id_number"]).upper()  # full-width digits and a small x
        validate_id_number(number)
        return number

    def clean_phone(self):
        phone = cell_plain(self.cleaned_data["phone"])
        if phone:
            validate_phone(phone)
        return phone

    def validate_unique(self):
        """The service refuses a registered ID number, naming the member's town (the view links to the member)."""

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class CardStatusForm(forms.Form):
    """Suspend, re-activate or cancel a card: the button sends the status."""

    status = forms.ChoiceField(
        label=_("status"), choices=[(s.value, s.label) for s in CardStatus if s != CardStatus.LOST]
    )


class CardLostForm(forms.Form):
    confirm = forms.BooleanField(label=_("The member has reported this card lost: issue a new card."))


class MemberImportForm(forms.Form):
    file = forms.FileField(label=_("Excel sheet (.xlsx)"))
    town = forms.ModelChoiceField(label=_("town"), queryset=Town.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for(user)
        self.fields["town"].initial = default_town(user)
        self.helper = inner_helper()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The sheet is too big: at most %(limit)d MB."),
                params={"limit": settings.IMPORT_MAX_BYTES // 1024 // 1024},
            )
        upload.seek(0)
        if upload.read(4) != b"PK\x03\x04":
            raise ValidationError(_("This is not an Excel .xlsx file."))
        upload.seek(0)
        return upload


class MemberImportConfirmForm(forms.Form):
    """The preview's confirm step: what to do with an ID number already stored, or twice in the sheet."""

    REFUSE, MERGE = "refuse", "merge"

    token = forms.CharField(widget=forms.HiddenInput)
    town = forms.ModelChoiceField(queryset=Town.objects.none(), widget=forms.HiddenInput)
    repeated = forms.ChoiceField(
        label=_("repeated ID numbers"),
        choices=[
            (REFUSE, _("refuse the sheet: nothing is saved")),
            (MERGE, _("merge: the stored member takes the row's phone, union and workplace")),
        ],
        initial=REFUSE,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for(user)

    @property
    def merge(self) -> bool:
        return self.cleaned_data.get("repeated") == self.MERGE


class ProgrammeRecordForm(forms.ModelForm):
    """A merchant or an activity: the town offered is the user's (district roles: any, or none for district-wide)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for(user)
        if default_town(user):
            self.fields["town"].required = True
            if not self.instance.pk:
                self.fields["town"].initial = default_town(user)
        self.helper = inner_helper()

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields}


class MerchantForm(ProgrammeRecordForm):
    class Meta:
        model = Merchant
        fields = ["name", "category", "offer", "contract_start", "contract_end", "status", "town", "contact_phone"]
        widgets = {"contract_start": DATE_INPUT, "contract_end": DATE_INPUT}

    def clean_contact_phone(self):
        phone = cell_plain(self.cleaned_data["contact_phone"])
        if phone:
            validate_phone(phone)
        return phone

    def clean(self):
        cleaned = super().clean()
        try:
            services.merchant_dates_check(
                contract_start=cleaned.get("contract_start"), contract_end=cleaned.get("contract_end")
            )
        except ValidationError as error:
            add_to_form(self, error)
        return cleaned


class ActivityForm(ProgrammeRecordForm):
    class Meta:
        model = MemberActivity
        fields = ["title", "held_on", "channel", "person_times", "beneficiaries", "town"]
        widgets = {"held_on": DATE_INPUT}


# Hardship files, visits, re-checks, the allowance list --------------------------------------


def _id_number(value) -> str:
    number = cell_plain(value).upper()  # full-width digits and a small x, as typed on a Chinese keyboard
    validate_id_number(number)
    return number


class HardshipFileForm(VersionedModelForm):
    """A household's file; the service writes it (and refuses a second open file for anyone in it)."""

    secondary_causes = forms.MultipleChoiceField(
        label=_("secondary causes"),
        choices=HardshipCause.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Up to three, besides the main cause."),
    )
    confirm_duplicates = forms.BooleanField(
        label=_("I have checked the files listed above: this household needs a file of its own."), required=False
    )

    class Meta:
        model = HardshipFile
        fields = list(services.FILE_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for(user)
        if not self.instance.pk:
            self.fields["town"].initial = default_town(user)
        self.helper = inner_helper()

    def clean_id_number(self):
        return _id_number(self.cleaned_data["id_number"])

    def clean_phone(self):
        phone = cell_plain(self.cleaned_data["phone"])
        if phone:
            validate_phone(phone)
        return phone

    def clean_bank_account(self):
        return cell_plain(self.cleaned_data["bank_account"]).replace(" ", "")

    def clean(self):
        cleaned = super().clean()
        try:
            services.file_causes_check(cleaned)
        except ValidationError as error:
            add_to_form(self, error)
        return cleaned

    def save(self, commit=True):
        raise NotImplementedError("The form only validates: services.file_create and file_update write.")

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.FILE_FIELDS}


class HouseholdMemberForm(forms.ModelForm):
    class Meta:
        model = HouseholdMember
        fields = ["name", "id_number", "relation", "monthly_income", "health"]

    def clean_id_number(self):
        return _id_number(self.cleaned_data["id_number"])


class BaseHouseholdFormSet(forms.BaseInlineFormSet):
    error_row_label = _("Household member %(number)s")  # the error summary's row name

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        for number in self.id_numbers():
            if number in seen:
                raise ValidationError(_("The same ID number is listed twice: %(id)s."), params={"id": number})
            seen.add(number)

    def id_numbers(self) -> list[str]:
        return [
            form.cleaned_data["id_number"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("id_number")
        ]

    def edits(self) -> RowEdits:
        return formset_edits(self)


HouseholdFormSet = forms.inlineformset_factory(
    HardshipFile,
    HouseholdMember,
    form=HouseholdMemberForm,
    formset=BaseHouseholdFormSet,
    extra=2,
    can_delete=True,
    max_num=30,
)


def household_formset_helper() -> FormHelper:
    helper = FormHelper()
    helper.template = "bootstrap5/table_inline_formset.html"
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class RejectForm(forms.Form):
    comment = forms.CharField(label=_("reason for rejection"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = inner_helper()


class RecheckForm(forms.Form):
    checked_on = forms.DateField(label=_("date of re-check"), widget=DATE_INPUT, initial=timezone.localdate)
    visit = forms.ModelChoiceField(
        label=_("home visit"),
        queryset=HomeVisit.objects.none(),
        required=False,
        help_text=_("Needed when the level changes."),
    )
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, file, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit"].queryset = file.visits.order_by("-visited_on", "-pk")
        self.fields["visit"].label_from_instance = lambda visit: f"{visit.visited_on:%Y-%m-%d} {visit.visitors}"
        self.helper = inner_helper()


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason for closing"), choices=[("", "---------"), *CloseReason.choices])
    closed_on = forms.DateField(label=_("closed on"), widget=DATE_INPUT, initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = inner_helper()


class VisitForm(forms.ModelForm):
    class Meta:
        model = HomeVisit
        fields = ["visited_on", "visitors", "notes"]
        widgets = {"visited_on": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate
        self.helper = inner_helper()

    def save(self, commit=True):
        raise NotImplementedError("The form only validates: services.visit_record writes.")


class AllowanceImportForm(forms.Form):
    file = forms.FileField(label=_("Excel sheet (.xlsx)"), help_text=_("Columns 姓名, 身份证号, 类别 (低保 or 特困)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = inner_helper()

    clean_file = MemberImportForm.clean_file


# The aid ledger ---------------------------------------------------------------------------


SECOND_PAYMENT = "second_payment"  # the code of the service's refusal asking why a household is paid again


def ledger_helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class PaymentForm(forms.Form):
    """A payment to a household's file. The reason shows once the service asks for one (a second payment
    of the programme this year) or when one was typed; the service checks every rule."""

    programme = forms.ChoiceField(label=gettext_lazy("programme"), choices=Programme.choices)
    # No decimal_places here: the service says in one message what an amount must be.
    amount = forms.DecimalField(label=gettext_lazy("amount (yuan)"), max_digits=14)
    paid_on = forms.DateField(
        label=gettext_lazy("date paid"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    funding_source = forms.ChoiceField(label=gettext_lazy("funding source"), choices=FundingSource.choices)
    reason = forms.CharField(
        label=gettext_lazy("reason for paying again"),
        max_length=500,
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = ledger_helper()
        if self.data.get("reason", "").strip():
            self.show_reason()

    def show_reason(self) -> None:
        self.fields["reason"].widget = forms.Textarea(attrs={"rows": 2})

    def refused_for_reason(self, error) -> bool:
        """Did the service ask for a reason (then the field shows, marked)?"""
        return any(e.code == SECOND_PAYMENT for e in getattr(error, "error_dict", {}).get("reason", []))


class PaymentStepForm(forms.Form):
    """A step on a payment (approve, post, withdraw, reverse). It carries the state the user saw, so that a click
    on a page opened before someone else's step is refused rather than applied to a payment that has moved on."""

    state = forms.ChoiceField(choices=PaymentState.choices, widget=forms.HiddenInput)

    def check_state(self, payment) -> None:
        if self.has_error("state") or self.cleaned_data.get("state") != payment.state:
            raise DomainError(
                gettext_lazy("The page was out of date: the payment is now %(state)s. Check it and try again.")
                % {"state": payment.get_state_display()},
                code="stale",
            )


class PaymentReverseForm(PaymentStepForm):
    # Not required here: the service's refusal says what is missing, on the field.
    reason = forms.CharField(
        label=gettext_lazy("reason for the reversal"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = ledger_helper()


# Services for all members -------------------------------------------------------------------


class ServiceProgrammeForm(forms.Form):
    """A programme record's form (services for all members): the programme's columns, as its import checks them.

    Town staff choose only their own town (chosen already); district roles may leave it empty where the
    programme keeps records of the whole district. The service checks the record again before saving.
    """

    def __init__(self, *args, programme: ServiceProgramme, user, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in programme.fields:
            field = service_programme_form_field(programme, name, user)
            if isinstance(field, forms.DateField):
                field.widget = DATE_INPUT
            self.fields[name] = field
        if record is not None and record.pk:
            self.initial = {name: getattr(record, "town_id" if name == "town" else name) for name in programme.fields}
        else:
            defaults = {
                name: programme.field(name).default for name in programme.fields if programme.field(name).has_default()
            }
            self.initial = {"town": default_town(user), **defaults, **self.initial}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ServiceProgrammeImportForm(forms.Form):
    file = forms.FileField(label=_("Excel sheet (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The sheet is too big: at most %(limit)d MB."),
                params={"limit": settings.IMPORT_MAX_BYTES // 1024 // 1024},
            )
        return upload
