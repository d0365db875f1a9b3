"""Staff pages for labour disputes: start page, case list, intake, case page, edit, export, import, bargaining.

Every queryset comes from `visible_to(request.user)` (or `editable_by` for changes), so a
guessed id answers 404. Business rules live in services.py; these views only wire forms to them.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, TemplateView
from django_filters.views import FilterView

from union_portal.access import (
    can_edit,
    can_edit_records,
    can_export_personal_data,
    enterprises_for,
    in_town_scope,
)
from union_portal.concurrency import STALE_EDIT_MESSAGE, StaleEdit
from union_portal.errors import add_to_form
from union_portal.exports import export_response
from union_portal.figures import figure_heading
from union_portal.imports import import_job_for
from union_portal.models import Enterprise
from union_portal.pagination import CountedWithTotalsMixin, PortalPaginator
from union_portal.spreadsheet_files import xlsx_response
from union_portal.spreadsheets import BLANK_RUN_LIMIT
from union_portal.views import EditorRequiredMixin, StaffRequiredMixin

from . import figures, services
from .filters import (
    CaseFilter,
    CensusFilter,
    EmployerSearchFilter,
    InspectedUnionFilter,
    InspectionFilter,
    InstructorFilter,
    IntakeDuplicateFilter,
    LargeEnterpriseFilter,
)
from .forms import (
    AttachmentForm,
    CaseForm,
    CensusEntryForm,
    CreditCodeForm,
    DossierImportForm,
    ExtensionForm,
    InspectionForm,
    IntakeWorkerFormSet,
    TimelineForm,
    TransitionForm,
    WageAgreementForm,
    WorkerFormSet,
    headcount_agrees,
    worker_formset_helper,
)
from .history import case_changes, saved_since_version
from .models import (
    DESK_PANELS,
    LARGE_ENTERPRISE_HEADCOUNT,
    BargainingInstructor,
    BargainingYear,
    Case,
    CaseWorker,
    SupervisionInspection,
    local_today,
    renewal_horizon,
    unions_inspected_in,
    with_wage_agreements,
)
from .resources import DossierSheet

START_PANEL_SIZE = 10
EXPORT_REFUSED = _(
    "Leadership accounts see the case lists and figures on screen but do not download workers' personal data. "
    "Ask the staff in charge if you need a sheet."
)


def list_queryset(user):
    """Cases for lists: what a list row shows, in a constant number of statements."""
    return (
        Case.objects.visible_to(user)
        .select_related("town", "employer", "assigned_to")
        .prefetch_related(
            Prefetch("workers", queryset=CaseWorker.objects.order_by("-is_representative", "pk")),
            "claim_kinds",
        )
    )


class StartView(StaffRequiredMixin, TemplateView):
    """A staff member's disputes start page: my cases, due within 3 days, overdue, no activity for 30 days."""

    template_name = "disputes/home.html"

    # Each panel (DESK_PANELS): its title and the case list's parameters behind its "all" link.
    PANELS = {
        "mine": (_("My cases"), "mine=1&state=open&sort=due"),
        "due_soon": (_("Due within 3 days"), "clock=due_soon&sort=due"),
        "overdue": (_("Overdue"), "clock=overdue&sort=due"),
        "idle": (_("No activity for 30 days"), "idle=1"),
    }

    def get_context_data(self, **kwargs):
        user = self.request.user
        cases = Case.objects.visible_to(user)
        totals = cases.desk_counts(user)
        rows = cases.select_related("town", "employer")
        context = super().get_context_data(**kwargs)
        context["panels"] = [
            {
                "key": key,
                "title": self.PANELS[key][0],
                "cases": list(rows.desk_panel(key, user)[:START_PANEL_SIZE]),
                "total": totals[key],
                "url": f"{reverse('disputes:case_list')}?{self.PANELS[key][1]}",
            }
            for key in DESK_PANELS
        ]
        context["can_edit"] = can_edit_records(user)
        return context


class FigureHeadingMixin:
    """A list the figures link to: opened from a figure (`?figure=key`), it heads itself with the figure's label
    and definition ("union_portal/_figure_heading.html"); `figure` filters nothing."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figure_heading"] = figure_heading(self.request, figures.describe)
        return context


class CaseListView(StaffRequiredMixin, FigureHeadingMixin, CountedWithTotalsMixin, FilterView):
    template_name = "disputes/case_list.html"
    filterset_class = CaseFilter
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_queryset(self):
        return list_queryset(self.request.user).order_by("-received_on", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = can_edit_records(self.request.user)
        context["can_export"] = can_export_personal_data(self.request.user)
        context["export_query"] = self.request.GET.urlencode()
        totals = self.totals
        context["summed"] = {
            name: {"label": label, "total": totals[name] or 0} for name, label in self.summed_fields().items()
        }
        return context

    def list_totals(self):
        """The summed columns (the figures' fields, headed by their names), totalled over the whole filtered list."""
        return {name: Sum(name) for name in self.summed_fields()}

    def count_with_totals(self, queryset):
        """From the case tallies when the filters allow (CaseFilter.tally; not the amount recovered), else summed."""
        kept = None if "amount_recovered" in self.summed_fields() else self.filterset.tally(self.request.user)
        return kept if kept is not None else super().count_with_totals(queryset)

    # The amount recovered is a dossier's figure: it has its own column on the lists of dossiers.
    RECOVERED_FILTERS = ("dossier_kind", "archived_year")

    def summed_fields(self) -> dict:
        """{field name: verbose name} of the columns the list sums."""
        data = getattr(self.filterset.form, "cleaned_data", None) or {}
        names = ["headcount", "amount_claimed"]
        if any(data.get(name) not in (None, "") for name in self.RECOVERED_FILTERS):
            names.append("amount_recovered")
        return {name: Case._meta.get_field(name).verbose_name for name in names}


class CaseExportView(StaffRequiredMixin, View):
    """The filtered list as xlsx (disputes/exports.py): ID and phone numbers masked, every cell escaped; a long list
    is written in the background and downloaded from its job's page. Not for leadership."""

    def get(self, request):
        if not can_export_personal_data(request.user):
            raise PermissionDenied(EXPORT_REFUSED)
        return export_response(request, "disputes-cases")


class CaseDetailView(StaffRequiredMixin, DetailView):
    """The one page that shows full ID and phone numbers, to users who may see the case."""

    template_name = "disputes/case_detail.html"
    context_object_name = "case"

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).select_related(
            "town__district", "employer", "assigned_to", "created_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.object
        editable = can_edit(self.request.user, case)
        context.update(
            {
                "workers": case.workers.all(),
                "claim_kinds": case.claim_kinds.all(),
                "events": case.events.select_related("recorded_by"),
                "attachments": case.attachments.select_related("uploaded_by"),
                "clocks": clock_rows(case),
                "can_edit": editable,
                # Full ID and phone numbers and the files are for those who work the case; leadership reads masked.
                "show_personal": editable,
                "changes": case_changes(case),
                "limitation_warning": limitation_warning(case) if case.limitation_expired_at_receipt else "",
            }
        )
        if editable:
            context["move_forms"] = kwargs.get("move_forms") or [
                TransitionForm(to_status=status) for status in case.allowed_moves()
            ]
            context["timeline_form"] = kwargs.get("timeline_form") or TimelineForm()
            context["attachment_form"] = kwargs.get("attachment_form") or AttachmentForm()
            if case.is_open and case.arbitration_accepted_on and not case.arbitration_extended:
                context["extension_form"] = kwargs.get("extension_form") or ExtensionForm()
        return context


def limitation_warning(case) -> str:
    return _(
        "The one-year limitation period for arbitration ended on %(date)s, before the case was received: "
        "arbitration may refuse the claim unless the period was interrupted or suspended."
    ) % {"date": case.limitation_on.isoformat()}


def clock_rows(case) -> list[dict]:
    today = local_today()
    rows = []
    for label, date in case.clocks():
        left = (date - today).days
        rows.append({"label": label, "date": date, "days_left": left, "days_overdue": max(0, -left)})
    return rows


DUPLICATES_SHOWN = 20


def shown_duplicates(duplicates) -> list:
    """The open cases the intake warns of, as its list shows them."""
    return list(duplicates.select_related("town", "employer")[:DUPLICATES_SHOWN])


class CaseFormMixin:
    template_name = "disputes/case_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["formset_helper"] = worker_formset_helper()
        if formset := context.get("formset"):
            context.setdefault("formsets", [(_("Workers"), formset)])  # for the error summary at the top
        return context

    def saved(self, request, case):
        """Say the case is saved, and that its employer, known by name alone, is listed for completion."""
        messages.success(request, _("Case %(number)s saved.") % {"number": case.number})
        if case.employer.needs_completion:
            messages.info(
                request,
                _("%(employer)s has no credit code yet: it is listed among the employers awaiting one.")
                % {"employer": case.employer.name},
            )


class CaseCreateView(EditorRequiredMixin, CaseFormMixin, TemplateView):
    """Intake: the case, its workers (three rows shown) and the employer, with a duplicate check before saving."""

    def get(self, request, *args, **kwargs):
        form = CaseForm(user=request.user)
        formset = IntakeWorkerFormSet(instance=Case(), prefix="workers")
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form = CaseForm(request.POST, user=request.user)
        formset = IntakeWorkerFormSet(request.POST, instance=Case(), prefix="workers")
        if not (form.is_valid() and formset.is_valid() and headcount_agrees(form, formset)):
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        duplicates = shown_duplicates(
            Case.objects.visible_to(request.user).open_duplicates(
                id_numbers=formset.id_numbers(), employer=form.employer
            )
        )
        if duplicates and not form.cleaned_data.get("confirm_duplicates"):
            form.add_error(
                "confirm_duplicates",
                _("Other open cases have the same worker or employer: check them, then tick the box to save."),
            )
            return self.render_to_response(self.get_context_data(form=form, formset=formset, duplicates=duplicates))
        try:
            case = services.case_open(by=request.user, workers=formset.worker_rows(), **form.intake_kwargs())
        except ValidationError as error:
            add_to_form(form, error)
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        self.saved(request, case)
        if case.limitation_expired_at_receipt:
            messages.warning(request, limitation_warning(case))
        return redirect(case)


class CaseDuplicatesView(EditorRequiredMixin, TemplateView):
    """htmx: while the intake form is filled, list open cases with the same workers or employer."""

    template_name = "disputes/_duplicates.html"

    def get_context_data(self, **kwargs):
        found = IntakeDuplicateFilter(self.request.GET, queryset=Case.objects.visible_to(self.request.user))
        return {**super().get_context_data(**kwargs), "duplicates": shown_duplicates(found.qs)}


class EmployerSearchView(StaffRequiredMixin, ListView):
    """htmx: enterprises whose name or credit code contains the typed text (for picking the employer)."""

    template_name = "disputes/_employers.html"
    paginate_by = 10
    paginator_class = PortalPaginator

    def get_queryset(self):
        enterprises = Enterprise.objects.visible_to(self.request.user).select_related("town").order_by("name")
        return EmployerSearchFilter(self.request.GET, queryset=enterprises).qs


class EmployersAwaitingCodeView(StaffRequiredMixin, ListView):
    """Employers known by name alone (town staff: their town's), each with its cases and a form for its code.

    A code that belongs to another enterprise merges the name-only one into it (`services.employer_code_fill`).
    """

    template_name = "disputes/employers_awaiting_code.html"
    paginate_by = settings.PORTAL_PAGE_SIZE
    paginator_class = PortalPaginator

    def get_queryset(self):
        awaiting = enterprises_for(self.request.user).awaiting_code()
        return awaiting.annotate(cases_count=Count("dispute_cases")).order_by("town__order", "name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bound = kwargs.get("bound_form")
        for enterprise in context["object_list"]:
            enterprise.editable = can_edit(self.request.user, enterprise)
            if bound is not None and bound.enterprise.pk == enterprise.pk:
                enterprise.code_form = bound
            else:
                enterprise.code_form = CreditCodeForm(enterprise=enterprise)
        context["bound_form"] = bound
        context["formsets"] = []
        return context

    def post(self, request, *args, **kwargs):
        if not can_edit_records(request.user):
            raise PermissionDenied
        pk = request.POST.get("enterprise", "")
        enterprise = self.get_queryset().filter(pk=int(pk)).first() if pk.isdigit() else None
        if enterprise is None or not can_edit(request.user, enterprise):
            messages.error(request, _("This employer is no longer awaiting a credit code."))
            self.object_list = self.get_queryset()
            return self.render_to_response(self.get_context_data())
        form = CreditCodeForm(request.POST, enterprise=enterprise)
        if form.is_valid():
            try:
                standing = services.employer_code_fill(
                    enterprise=enterprise, credit_code=form.cleaned_data["credit_code"], by=request.user
                )
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, self.done_message(enterprise, standing))
                return redirect(request.get_full_path())
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(bound_form=form))

    @staticmethod
    def done_message(enterprise, standing) -> str:
        if standing.pk == enterprise.pk:
            return _("Credit code of %(name)s saved.") % {"name": standing.name}
        return _("%(name)s had the credit code of %(target)s: its %(count)d cases now name %(target)s.") % {
            "name": enterprise.name,
            "target": standing.name,
            "count": enterprise.cases_count,
        }


class CaseUpdateView(EditorRequiredMixin, CaseFormMixin, TemplateView):
    """Edit a case and its workers; a save over someone else's newer save is refused, keeping what was typed."""

    def get_case(self):
        return get_object_or_404(
            Case.objects.editable_by(self.request.user).select_related("employer", "town"), pk=self.kwargs["pk"]
        )

    def get(self, request, *args, **kwargs):
        case = self.get_case()
        form = CaseForm(instance=case, user=request.user)
        formset = WorkerFormSet(instance=case, prefix="workers")
        return self.render_to_response(self.get_context_data(form=form, formset=formset, case=case))

    def post(self, request, *args, **kwargs):
        case = self.get_case()
        form = CaseForm(request.POST, instance=case, user=request.user)
        formset = WorkerFormSet(request.POST, instance=case, prefix="workers")
        if form.is_valid() and formset.is_valid() and headcount_agrees(form, formset):
            try:
                case = services.case_update(case=case, by=request.user, workers=formset.edits(), **form.edit_kwargs())
            except StaleEdit:
                return self.refuse_stale(request)
            except ValidationError as error:
                add_to_form(form, error)
            else:
                self.saved(request, case)
                return redirect(case)
        if form.has_error(NON_FIELD_ERRORS, code="stale"):
            return self.refuse_stale(request)
        return self.render_to_response(self.get_context_data(form=form, formset=formset, case=case))

    def refuse_stale(self, request):
        """Someone saved the case since this form was opened: say so, name what they changed, keep what was typed.

        The form comes back carrying the case's current version, so saving it again, after a look at the
        other changes, is a deliberate choice and goes through.
        """
        case = self.get_case()
        try:
            opened = int(request.POST.get("version", ""))
        except ValueError:
            opened = None
        data = request.POST.copy()
        data["version"] = str(case.version)
        form = CaseForm(data, instance=case, user=request.user)
        formset = WorkerFormSet(data, instance=case, prefix="workers")
        form.is_valid(), formset.is_valid()
        form.add_error(None, ValidationError(STALE_EDIT_MESSAGE, code="stale"))
        context = self.get_context_data(form=form, formset=formset, case=case)
        context["saved_meanwhile"] = saved_since_version(case, opened)
        return self.render_to_response(context)


class CaseActionView(EditorRequiredMixin, View):
    """Base of the one-form actions on the case page (POST only): fetch the case the user may edit, run, redirect."""

    http_method_names = ["post"]

    def get_case(self):
        return get_object_or_404(Case.objects.editable_by(self.request.user), pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        case = self.get_case()
        try:
            message = self.act(case)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, message)
        return redirect(case)

    @staticmethod
    def form_errors(form):
        """Raise the form's errors as one ValidationError, each message prefixed with its field's label."""
        texts = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            texts.extend(f"{label}: {error}" if label else str(error) for error in errors)
        raise ValidationError(texts)


class CaseTransitionView(CaseActionView):
    def act(self, case):
        to_status = self.request.POST.get("to_status", "")
        form = TransitionForm(self.request.POST, to_status=to_status)
        if not form.is_valid():
            self.form_errors(form)
        services.case_transition(case=case, to_status=to_status, by=self.request.user, **form.service_kwargs())
        case.refresh_from_db()
        return _("The case is now “%(status)s”.") % {"status": case.get_status_display()}


class TimelineAddView(CaseActionView):
    def act(self, case):
        form = TimelineForm(self.request.POST)
        if not form.is_valid():
            self.form_errors(form)
        data = form.cleaned_data
        services.timeline_add(case=case, kind=data["kind"], text=data["text"], on=data["on"], by=self.request.user)
        return _("Added to the timeline.")


class AttachmentAddView(CaseActionView):
    def act(self, case):
        form = AttachmentForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            self.form_errors(form)
        services.attachment_add(
            case=case,
            upload=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
            by=self.request.user,
        )
        return _("The file is attached.")


class ExtensionView(CaseActionView):
    def act(self, case):
        form = ExtensionForm(self.request.POST)
        if not form.is_valid():
            self.form_errors(form)
        services.case_extend_arbitration(case=case, reason=form.cleaned_data["reason"], by=self.request.user)
        return _("The arbitration deadline is extended by 15 days.")


class AttachmentDownloadView(StaffRequiredMixin, View):
    """Serve an attachment only through a case the user may see (else 404) and works on (else 403)."""

    def get(self, request, case_pk, pk):
        case = get_object_or_404(Case.objects.visible_to(request.user), pk=case_pk)
        attachment = get_object_or_404(case.attachments.all(), pk=pk)
        if not can_edit(request.user, case):
            raise PermissionDenied  # leadership reads cases but not the personal papers filed with them
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404
        # Always a download, under a name whose extension agrees with the type sniffed at upload,
        # and never re-sniffed by the browser: a file can never be opened as a page of the portal.
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.download_name,
            content_type=attachment.served_content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class DossierImportView(EditorRequiredMixin, TemplateView):
    """Town dossiers from a town union's sheet: upload, preview, confirm. Nothing is written unless every row is good."""

    template_name = "disputes/dossier_import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", DossierImportForm(user=self.request.user))
        context["columns"] = DossierSheet.headers()
        context["import_limits"] = {
            "rows": settings.IMPORT_MAX_ROWS,
            "megabytes": settings.IMPORT_MAX_BYTES // 1024 // 1024,
            "blank_run": BLANK_RUN_LIMIT,
        }
        return context

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = DossierImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        sheet = DossierSheet.read(form.cleaned_data["file"], town=form.cleaned_data["town"])
        token = sheet.stash(user=request.user) if not sheet.errors else ""
        return self.render_to_response(self.get_context_data(form=form, sheet=sheet, token=token))

    def confirm(self, request):
        token = request.POST.get("token", "")
        # A long sheet (or one confirmed already) is written by a job, whose page shows the result.
        job = import_job_for(
            user=request.user, kind="disputes-dossiers", stash_key=DossierSheet.stash_key(token), options={}
        )
        if job is not None:
            return redirect(job)
        sheet = DossierSheet.unstash(token, user=request.user)
        if sheet is None:
            messages.error(request, _("The preview has expired: upload the sheet again."))
            return redirect("disputes:dossier_import")
        if sheet.errors:
            return self.render_to_response(self.get_context_data(sheet=sheet))
        try:
            created, updated = services.dossier_import(user=request.user, sheet=sheet)
        except services.CaseRuleError as error:  # a row went bad since the preview: nothing was written
            sheet.errors = error.messages
            return self.render_to_response(self.get_context_data(sheet=sheet))
        messages.success(
            request,
            _("Import done: %(created)d dossiers added, %(updated)d updated.")
            % {"created": created, "updated": updated},
        )
        return redirect(reverse("disputes:case_list") + f"?town={sheet.town.pk}&state=done")


class DossierTemplateView(EditorRequiredMixin, View):
    """An empty sheet with the right columns, for town unions to fill in."""

    def get(self, request):
        return xlsx_response(DossierSheet.blank(), file_name=_("dossier import template") + ".xlsx")


# Collective bargaining ------------------------------------------------------------------


class BargainingListView(StaffRequiredMixin, FilterView):
    """A bargaining list: its parameters through a FilterSet (unknown values are ignored), paginated."""

    paginate_by = settings.PORTAL_PAGE_SIZE
    paginator_class = PortalPaginator
    strict = False  # a parameter that does not parse is ignored, not an empty list

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_edit": can_edit_records(self.request.user)}


class LargeEnterpriseListView(BargainingListView):
    """Enterprises with 100+ employees and their wage agreements: those lacking a current one first.

    `?lacking=1` keeps those without a current agreement; `?renewal=1` those whose current one ends
    within RENEWAL_NOTICE_DAYS, so bargaining for the next can start in time.
    """

    template_name = "disputes/bargaining_list.html"
    filterset_class = LargeEnterpriseFilter

    def get_queryset(self):
        # Enterprises are reference data for everyone; this list is a town's work list.
        enterprises = in_town_scope(Enterprise.objects.visible_to(self.request.user), self.request.user)
        large = enterprises.filter(headcount__gte=LARGE_ENTERPRISE_HEADCOUNT).select_related("town")
        return with_wage_agreements(large).order_by("has_current", "current_ends_on", "town__order", "name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = self.filterset.shown()
        context.update(
            lacking=shown == "lacking",
            renewal=shown == "renewal",
            today=local_today(),
            renewal_horizon=renewal_horizon(),
        )
        return context


class BargainingCensusView(FigureHeadingMixin, BargainingListView):
    """The year's bargaining census: enterprises with 100+ employees, model-standard flag (behind the figures)."""

    template_name = "disputes/bargaining_census.html"
    filterset_class = CensusFilter

    def get_queryset(self):
        census = BargainingYear.objects.visible_to(self.request.user).select_related("enterprise__town")
        return census.order_by("-year", "enterprise__town__order", "enterprise__name")


class InstructorListView(FigureHeadingMixin, BargainingListView):
    template_name = "disputes/instructor_list.html"
    filterset_class = InstructorFilter

    def get_queryset(self):
        return BargainingInstructor.objects.visible_to(self.request.user).select_related("town")


class InspectionListView(BargainingListView):
    template_name = "disputes/inspection_list.html"
    filterset_class = InspectionFilter

    def get_queryset(self):
        inspections = SupervisionInspection.objects.visible_to(self.request.user).select_related("town")
        return inspections.prefetch_related("unions_covered")


class InspectedUnionListView(FigureHeadingMixin, BargainingListView):
    """The secondary unions joint inspections covered, each once, in its enterprise's town: the figure's list."""

    template_name = "disputes/inspected_union_list.html"
    filterset_class = InspectedUnionFilter

    def get_queryset(self):
        enterprises = in_town_scope(Enterprise.objects.visible_to(self.request.user), self.request.user)
        covered = enterprises.filter(pk__in=unions_inspected_in().values("pk")).select_related("town")
        return covered.prefetch_related(self.inspections()).order_by("town__order", "name", "pk")

    def inspections(self) -> Prefetch:
        """Each union's inspections, of the year asked for if there is one."""
        inspections = SupervisionInspection.objects.select_related("town").order_by("date", "pk")
        year = self.request.GET.get("year", "")
        if year.isdigit() and 1 <= int(year) <= 9999:
            inspections = inspections.filter(date__year=int(year))
            through = parse_date_or_none(self.request.GET.get("through", ""))
            if through and through.year == int(year):
                inspections = inspections.filter(date__lte=through)
        return Prefetch("bargaining_inspections", queryset=inspections, to_attr="inspections_shown")


def parse_date_or_none(text: str):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


class BargainingRecordView(EditorRequiredMixin, CreateView):
    """Record a bargaining fact on the portal's pages (the admin is for district admins only)."""

    template_name = "disputes/bargaining_form.html"
    title = ""
    success_message = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.title}

    def form_valid(self, form):
        try:
            self.object = self.record(by=self.request.user, **form.service_kwargs())
        except ValidationError as error:
            add_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"name": str(self.object)})
        return redirect(self.get_success_url())


class WageAgreementCreateView(BargainingRecordView):
    record = staticmethod(services.wage_agreement_add)
    form_class = WageAgreementForm
    title = _("Record a wage agreement")
    success_message = _("Wage agreement recorded: %(name)s.")

    def get_initial(self):
        enterprise = self.request.GET.get("enterprise", "")
        return {"enterprise": int(enterprise)} if enterprise.isdigit() else {}

    def get_success_url(self):
        return reverse("disputes:bargaining")


class InspectionCreateView(BargainingRecordView):
    record = staticmethod(services.inspection_add)
    form_class = InspectionForm
    title = _("Record a joint supervision inspection")
    success_message = _("Inspection recorded: %(name)s.")

    def get_success_url(self):
        return reverse("disputes:inspection_list") + f"?year={self.object.date.year}"


class CensusEntryCreateView(BargainingRecordView):
    record = staticmethod(services.census_entry_add)
    form_class = CensusEntryForm
    title = _("Add an enterprise to the bargaining census")
    success_message = _("Census entry recorded: %(name)s.")

    def get_success_url(self):
        return reverse("disputes:bargaining_census") + f"?year={self.object.year}"
