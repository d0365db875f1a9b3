"""Forms of the disputes pages: intake and edit, workers, status moves, timeline, attachments, import."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from union_portal.access import assignable_staff, default_town, enterprises_for, towns_for
from union_portal.child_rows import RowEdits, formset_edits
from union_portal.concurrency import VersionedModelForm
from union_portal.errors import add_to_form
from union_portal.formatting import person_name
from union_portal.models import Enterprise, Town
from union_portal.uploads import ATTACHMENT, UploadField
from union_portal.validators import validate_credit_code

from . import services
from .models import (
    ACTION_KINDS,
    LARGE_ENTERPRISE_HEADCOUNT,
    LEGAL_AID_OUTCOMES,
    BargainingYear,
    Case,
    CaseWorker,
    ClaimKind,
    DossierKind,
    EventKind,
    HandlingBody,
    Status,
    SupervisionInspection,
    WageAgreement,
    local_today,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


class CaseForm(VersionedModelForm):
    """Intake and edit of a case. The employer is found by credit code or exact name, or registered new."""

    employer_name = forms.CharField(
        label=_("employer name"),
        max_length=200,
        required=False,
        help_text=_("Type part of the name to pick a registered enterprise."),
    )
    employer_credit_code = forms.CharField(
        label=_("employer's unified social credit code"),
        max_length=18,
        required=False,
        help_text=_(
            "Enough on its own for a registered enterprise. Leave it empty if the worker does not know it: "
            "the employer is saved by its name and listed for the staff to complete."
        ),
    )
    confirm_duplicates = forms.BooleanField(
        label=_("I have checked the open cases listed above: this is a different dispute."), required=False
    )

    class Meta:
        model = Case
        fields = [
            "received_on",
            "channel",
            "handling_body",
            "town",
            "claim_kinds",
            "amount_claimed",
            "learned_on",
            "facts",
            "is_collective",
            "headcount",
            "collective_cause",
            "government_bodies",
            "accepted_on",
            "arbitration_accepted_on",
            "dossier_number",
            "inspection_squad",
            "assigned_to",
        ]
        widgets = {
            "received_on": DATE_INPUT,
            "learned_on": DATE_INPUT,
            "accepted_on": DATE_INPUT,
            "arbitration_accepted_on": DATE_INPUT,
            "claim_kinds": forms.CheckboxSelectMultiple,
            "facts": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"assigned_to": HandlerChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.employer = None
        self.employer_code = ""  # a credit code given for an employer known by name alone: filled in on save
        self.fields["town"].queryset = towns_for(user)
        self.fields["claim_kinds"].queryset = ClaimKind.objects.all()
        self.fields["assigned_to"].queryset = assignable_staff(user)
        self.fields["assigned_to"].required = False
        if town_id := default_town(user):  # a town's own staff file for the town union
            self.fields["town"].initial = town_id
            self.fields["handling_body"].initial = HandlingBody.TOWN_UNION
        if self.instance.pk:
            self.fields["handling_body"].disabled = True
            self.fields["employer_name"].initial = self.instance.employer.name
            self.fields["employer_credit_code"].initial = self.instance.employer.credit_code
            del self.fields["confirm_duplicates"]
        else:
            for name in ("accepted_on", "arbitration_accepted_on", "dossier_number", "inspection_squad"):
                del self.fields[name]
            self.fields["assigned_to"].initial = user.pk
            # Left empty, the headcount is the number of workers listed (the page's script shows it as they are).
            self.fields["headcount"].required = False
            self.fields["headcount"].initial = None
        self.fields["headcount"].help_text = _(
            "At least the number of workers listed; more when they speak for a group."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_employer_credit_code(self):
        return (self.cleaned_data.get("employer_credit_code") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        try:
            self.employer = self._find_or_describe_employer(cleaned)
        except ValidationError as error:
            self.add_error(None, error)
        if cleaned.get("accepted_on") and self.instance.pk and not services.acceptance_date_allowed(self.instance):
            self.add_error("accepted_on", services.ACCEPTANCE_NOT_ALLOWED)
        return cleaned

    def _find_or_describe_employer(self, cleaned):
        """An existing Enterprise, or an unsaved one to register with the case; errors name the field.

        A name without a code is enough: an enterprise registered under that exact name is taken, else the
        town's employer already known by that name alone, else a new one by name alone (listed for completion).
        A code matching nothing, given with the name of an employer known by name alone, completes that one.
        """
        code = cleaned.get("employer_credit_code", "")
        name = (cleaned.get("employer_name") or "").strip()
        town = cleaned.get("town")
        if code:
            existing = Enterprise.objects.filter(credit_code=code).first()
            if existing:
                return existing
            try:
                validate_credit_code(code)
            except ValidationError as error:
                raise ValidationError({"employer_credit_code": error.messages})
            if not name:
                raise ValidationError(
                    {"employer_name": _("No enterprise has this credit code yet: give its name to register it.")}
                )
            if awaiting := self._known_by_name_alone(name, town):
                self.employer_code = code
                return awaiting
            return Enterprise(name=name, credit_code=code, town=town)
        if not name:
            raise ValidationError({"employer_name": _("Give the employer's name or credit code.")})
        registered = list(Enterprise.objects.filter(name=name, credit_code__isnull=False)[:2])
        if len(registered) == 1:
            return registered[0]
        if registered:
            raise ValidationError(
                {"employer_credit_code": _("Several enterprises have this name: give the credit code.")}
            )
        return self._known_by_name_alone(name, town) or Enterprise(name=name, credit_code=None, town=town)

    def _known_by_name_alone(self, name, town):
        """The employer of this name awaiting its credit code: the case's own, else the town's."""
        current = self.instance.employer if self.instance.pk else None
        if current is not None and current.needs_completion and current.name == name:
            return current
        if town is None:
            return None
        return Enterprise.objects.awaiting_code().filter(name=name, town=town).order_by("pk").first()

    def save(self, commit=True):
        raise NotImplementedError("The form only validates: services.case_open and case_update write.")

    INTAKE_FIELDS = (
        "town", "received_on", "channel", "handling_body", "claim_kinds", "amount_claimed", "facts",
        "headcount", "is_collective", "collective_cause", "government_bodies", "learned_on", "assigned_to",
    )  # fmt: skip

    def intake_kwargs(self) -> dict:
        """What `services.case_open` takes from this form (the workers come from their formset)."""
        kwargs = {name: self.cleaned_data.get(name) for name in self.INTAKE_FIELDS}
        return {
            **kwargs,
            "employer": self.employer,
            "employer_code": self.employer_code,
            "amount_claimed": kwargs["amount_claimed"] or 0,
        }

    def edit_kwargs(self) -> dict:
        """What `services.case_update` takes from this form (the workers come from their formset)."""
        data = self.cleaned_data
        return {
            "version": data.get("version"),
            "fields": {name: data.get(name) for name in services.CASE_EDIT_FIELDS if name in self.fields},
            "employer": self.employer,
            "employer_code": self.employer_code,
            "claim_kinds": data.get("claim_kinds") or [],
        }


WORKER_FIELDS = ("name", "id_number", "phone", "is_representative")


REPRESENTATIVE_HELP_ID = "worker-representative-help"


class WorkerForm(forms.ModelForm):
    class Meta:
        model = CaseWorker
        fields = list(WORKER_FIELDS)  # the inline formset appends its foreign key to this list
        labels = {"name": _("full name")}  # a person's 姓名, not the 名称 of a thing
        widgets = {
            # The one explanation of 代表 under the table describes every row's box.
            "is_representative": forms.CheckboxInput(attrs={"aria-describedby": REPRESENTATIVE_HELP_ID}),
        }

    def clean_id_number(self):
        return (self.cleaned_data.get("id_number") or "").strip().upper()


class BaseWorkerFormSet(forms.BaseInlineFormSet):
    error_row_label = _("Worker %(number)s")  # how the error summary names a row: 第 2 位职工

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            number = form.cleaned_data.get("id_number")
            if number in seen:
                raise ValidationError(_("The same ID number is listed twice: %(id)s."), params={"id": number})
            seen.add(number)
        if not seen:
            raise ValidationError(_("List at least one worker."))

    def worker_rows(self) -> list[dict]:
        return [
            {name: form.cleaned_data[name] for name in WORKER_FIELDS}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def id_numbers(self) -> list[str]:
        return [row["id_number"] for row in self.worker_rows()]

    def edits(self) -> RowEdits:
        """The rows changed, added and ticked for removal, for `services.case_update` (which checks their ids)."""
        return formset_edits(self)


# Editing may remove a worker; intake shows three empty rows and no delete boxes.
WorkerFormSet = forms.inlineformset_factory(
    Case, CaseWorker, form=WorkerForm, formset=BaseWorkerFormSet, extra=1, can_delete=True, max_num=200
)
IntakeWorkerFormSet = forms.inlineformset_factory(
    Case, CaseWorker, form=WorkerForm, formset=BaseWorkerFormSet, extra=3, can_delete=False, max_num=200
)


def headcount_agrees(form, formset) -> bool:
    """The server's side of the headcount rule (the page's script keeps the field in step): marks it if not."""
    try:
        services.headcount_check(headcount=form.cleaned_data.get("headcount"), listed=len(formset.worker_rows()))
    except ValidationError as error:
        add_to_form(form, error)
        return False
    return True


def worker_formset_helper() -> FormHelper:
    """The workers as table rows, each input with its own (visually hidden) label, and a hidden empty row
    for the "add a worker" button."""
    helper = FormHelper()
    helper.template = "disputes/_worker_rows.html"
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class TransitionForm(forms.Form):
    """One status move; only the fields the target status needs are kept."""

    note = forms.CharField(label=_("why / note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    on = forms.DateField(label=_("date"), widget=DATE_INPUT, initial=local_today, required=False)
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[("", "---------")] + [(o.value, o.label) for o in LEGAL_AID_OUTCOMES],
        required=False,
    )
    amount_recovered = forms.DecimalField(
        label=_("amount recovered (yuan)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    dossier_kind = forms.ChoiceField(
        label=_("dossier kind"), choices=[("", "---------"), *DossierKind.choices], required=False
    )
    arbitration_accepted_on = forms.DateField(label=_("arbitration accepted on"), widget=DATE_INPUT, required=False)

    NEEDS = {
        Status.AGREEMENT: ("amount_recovered",),
        Status.CLOSED: ("outcome", "amount_recovered"),
        Status.ARCHIVED: ("dossier_kind",),
        Status.REPRESENTING: ("arbitration_accepted_on",),
        Status.REFUSED: (),
    }

    def __init__(self, *args, to_status, **kwargs):
        kwargs.setdefault("prefix", f"move-{to_status}")
        super().__init__(*args, **kwargs)
        self.to_status = to_status
        self.target_label = Status(to_status).label if to_status in Status.values else ""
        keep = {"note", "on", *self.NEEDS.get(to_status, ())}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in self.NEEDS.get(to_status, ()):
            if name != "arbitration_accepted_on":
                self.fields[name].required = True
        if to_status == Status.REFUSED:
            self.fields["note"].required = True
            self.fields["note"].label = _("reason for refusal")
        elif to_status == Status.FAILED:
            self.fields["note"].required = True
            self.fields["note"].label = _("why the mediation failed")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "note": data.get("note", ""),
            "on": data.get("on"),
            "outcome": data.get("outcome", ""),
            "amount_recovered": data.get("amount_recovered"),
            "dossier_kind": data.get("dossier_kind", ""),
            "arbitration_accepted_on": data.get("arbitration_accepted_on"),
        }


class TimelineForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), choices=[(k.value, k.label) for k in ACTION_KINDS], initial=EventKind.NOTE
    )
    on = forms.DateField(label=_("date"), widget=DATE_INPUT, initial=local_today, required=False)
    text = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class AttachmentForm(forms.Form):
    file = UploadField(rule=ATTACHMENT, label=_("file"), help_text=_("A PDF or a JPEG, PNG or WebP image."))
    description = forms.CharField(label=_("description"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ExtensionForm(forms.Form):
    reason = forms.CharField(label=_("reason for the extension"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class DossierImportForm(forms.Form):
    file = forms.FileField(label=_("Excel sheet (.xlsx)"))
    town = forms.ModelChoiceField(label=_("town"), queryset=Town.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for(user)
        self.fields["town"].initial = default_town(user)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_file(self):
        from django.conf import settings

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


class CreditCodeForm(forms.Form):
    """The credit code of one employer awaiting it, on the list of those (one form a row)."""

    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18)

    def __init__(self, *args, enterprise, **kwargs):
        kwargs.setdefault("prefix", f"code{enterprise.pk}")
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise
        self.fields["credit_code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        # One field a row: its label, read by screen readers, names the employer; the column heading shows.
        self.fields["credit_code"].label = _("credit code of %(name)s") % {"name": enterprise.name}
        self.helper.label_class = "visually-hidden"

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        validate_credit_code(code)
        return code


# Collective bargaining -------------------------------------------------------------------


def large_enterprises_for(user):
    """Enterprises with 100+ employees a user may record bargaining for: town staff their own town's only."""
    return enterprises_for(user).filter(headcount__gte=LARGE_ENTERPRISE_HEADCOUNT)


class EnterpriseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.town.name} · {obj.credit_code or _('to be completed')}）"


class EnterpriseMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.credit_code or _('to be completed')}）"


class RecordedByServiceForm(forms.ModelForm):
    """A model form that only validates: its fields are the keyword arguments of the service that records it."""

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields}


class WageAgreementForm(RecordedByServiceForm):
    class Meta:
        model = WageAgreement
        fields = ["enterprise", "signed_on", "starts_on", "ends_on", "notes"]
        widgets = {"signed_on": DATE_INPUT, "starts_on": DATE_INPUT, "ends_on": DATE_INPUT}
        field_classes = {"enterprise": EnterpriseChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = large_enterprises_for(user)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        _run_check(self, services.wage_agreement_check, "signed_on", "starts_on", "ends_on")
        return cleaned


class InspectionForm(RecordedByServiceForm):
    class Meta:
        model = SupervisionInspection
        fields = ["town", "date", "inspected_with", "unions_covered", "findings"]
        widgets = {
            "date": DATE_INPUT,
            "unions_covered": forms.SelectMultiple(attrs={"size": 10}),
            "findings": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"unions_covered": EnterpriseMultipleChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for(user)
        self.fields["town"].initial = default_town(user)
        self.fields["unions_covered"].queryset = enterprises_for(user)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        _run_check(self, services.inspection_check, "town", "date", "unions_covered")
        return cleaned


class CensusEntryForm(RecordedByServiceForm):
    """A year's census line for an enterprise with 100+ employees: its headcount that year and the model standard."""

    class Meta:
        model = BargainingYear
        fields = ["enterprise", "year", "employees", "meets_model_standard", "notes"]
        field_classes = {"enterprise": EnterpriseChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises_for(user)
        self.fields["year"].initial = local_today().year - 1  # the census is taken for the year just ended
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        _run_check(self, services.census_entry_check, "year", "employees")
        return cleaned


def _run_check(form, check, *names) -> None:
    """Run a service's rule on the cleaned values (the service runs it again), marking the fields it names."""
    try:
        check(**{name: form.cleaned_data.get(name) for name in names})
    except ValidationError as error:
        add_to_form(form, error)
