"""Staff pages for labour disputes: start page, case list, intake, case page, edit, export, import, bargaining.

Every queryset comes from `visible_to(request.user)` (or `editable_by` for changes), so a
guessed id answers 404. Business rules live in services.py; these views only wire forms to them.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, TemplateView
from django_filters.views import FilterView

from union_portal.access import (
    Role,
    can_edit,
    can_edit_records,
    can_export_personal_data,
    role_of,
    town_id_of,
)
from union_portal.concurrency import STALE_EDIT_MESSAGE, StaleEdit
from union_portal.models import Enterprise
from union_portal.spreadsheets import BLANK_RUN_LIMIT
from union_portal.views import EditorRequiredMixin, StaffRequiredMixin

from . import services
from .filters import CaseFilter
from .forms import (
    AttachmentForm,
    CaseForm,
    CensusEntryForm,
    DossierImportForm,
    ExtensionForm,
    InspectionForm,
    IntakeWorkerFormSet,
    TimelineForm,
    TransitionForm,
    WageAgreementForm,
    WorkerFormSet,
    worker_formset_helper,
)
from .history import case_changes, saved_since_version
from .models import (
    LARGE_ENTERPRISE_HEADCOUNT,
    OPEN_STATUSES,
    BargainingInstructor,
    BargainingYear,
    Case,
    CaseWorker,
    ClockState,
    SupervisionInspection,
    WageAgreement,
    clock_condition,
    idle_condition,
    local_today,
)
from .resources import DossierSheet, export_cases

START_PANEL_SIZE = 10
RENEWAL_NOTICE_DAYS = 90  # a wage agreement's renewal is flagged this long before its term ends
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

    def get_context_data(self, **kwargs):
        user = self.request.user
        cases = Case.objects.visible_to(user)
        today, now = local_today(), timezone.now()
        mine = Q(status__in=OPEN_STATUSES, assigned_to=user)
        due_soon = clock_condition(ClockState.DUE_SOON, today)
        overdue = clock_condition(ClockState.OVERDUE, today)
        idle = idle_condition(now)
        totals = cases.aggregate(
            mine=Count("pk", filter=mine),
            due_soon=Count("pk", filter=due_soon),
            overdue=Count("pk", filter=overdue),
            idle=Count("pk", filter=idle),
        )
        rows = cases.select_related("town", "employer")
        panels = [
            ("mine", _("My cases"), rows.filter(mine).by_due_date(), "mine=1&state=open&sort=due"),
            ("due_soon", _("Due within 3 days"), rows.filter(due_soon).by_due_date(), "clock=due_soon&sort=due"),
            ("overdue", _("Overdue"), rows.filter(overdue).by_due_date(), "clock=overdue&sort=due"),
            ("idle", _("No activity for 30 days"), rows.filter(idle).order_by("last_activity_at", "pk"), "idle=1"),
        ]
        context = super().get_context_data(**kwargs)
        context["panels"] = [
            {
                "key": key,
                "title": title,
                "cases": list(queryset[:START_PANEL_SIZE]),
                "total": totals[key],
                "url": f"{reverse('disputes:case_list')}?{query}",
            }
            for key, title, queryset, query in panels
        ]
        context["can_edit"] = can_edit_records(user)
        return context


class CaseListView(StaffRequiredMixin, FilterView):
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
        return context


class CaseExportView(StaffRequiredMixin, View):
    """The filtered list as xlsx: ID and phone numbers masked, every cell escaped. Not for leadership."""

    def get(self, request):
        if not can_export_personal_data(request.user):
            raise PermissionDenied(EXPORT_REFUSED)
        queryset = list_queryset(request.user).order_by("-received_on", "-pk")
        filterset = CaseFilter(request.GET, queryset=queryset, request=request)
        cases = filterset.qs if filterset.is_valid() else queryset.none()
        limit = settings.IMPORT_MAX_ROWS
        found = cases.count()
        if found > limit:
            # A silently cut sheet would be taken for the whole list: ask for a narrower one instead.
            messages.error(
                request,
                _("The list has %(found)d cases; at most %(limit)d can be exported at once. Narrow the filters.")
                % {"found": found, "limit": limit},
            )
            return redirect(reverse("disputes:case_list") + (f"?{request.GET.urlencode()}" if request.GET else ""))
        content = export_cases(cases)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.xlsx"'
        return response


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


def open_duplicates(user, id_numbers, employer):
    """Open cases the user may see with one of these workers or this employer (for the intake warning)."""
    condition = Q(pk__in=CaseWorker.objects.filter(id_number__in=id_numbers).values("case_id")) if id_numbers else Q()
    if employer is not None and employer.pk:
        condition = condition | Q(employer=employer) if id_numbers else Q(employer=employer)
    elif not id_numbers:
        return Case.objects.none()
    return Case.objects.visible_to(user).open().filter(condition).select_related("town", "employer")[:20]


class CaseFormMixin:
    template_name = "disputes/case_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["formset_helper"] = worker_formset_helper()
        return context


class CaseCreateView(EditorRequiredMixin, CaseFormMixin, TemplateView):
    """Intake: the case, its workers (three rows shown) and the employer, with a duplicate check before saving."""

    def get(self, request, *args, **kwargs):
        form = CaseForm(user=request.user)
        formset = IntakeWorkerFormSet(instance=Case(), prefix="workers")
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form = CaseForm(request.POST, user=request.user)
        formset = IntakeWorkerFormSet(request.POST, instance=Case(), prefix="workers")
        if not (form.is_valid() and formset.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        duplicates = list(open_duplicates(request.user, formset.id_numbers(), form.employer))
        if duplicates and not form.cleaned_data.get("confirm_duplicates"):
            form.add_error(
                "confirm_duplicates",
                _("Other open cases have the same worker or employer: check them, then tick the box to save."),
            )
            return self.render_to_response(self.get_context_data(form=form, formset=formset, duplicates=duplicates))
        try:
            case = services.case_open(by=request.user, workers=formset.worker_rows(), **self.case_kwargs(form))
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        messages.success(request, _("Case %(number)s saved.") % {"number": case.number})
        if case.limitation_expired_at_receipt:
            messages.warning(request, limitation_warning(case))
        return redirect(case)

    @staticmethod
    def case_kwargs(form) -> dict:
        data = form.cleaned_data
        names = [
            "town", "received_on", "channel", "handling_body", "claim_kinds", "amount_claimed", "facts",
            "headcount", "is_collective", "collective_cause", "government_bodies", "learned_on", "assigned_to",
        ]  # fmt: skip
        kwargs = {name: data.get(name) for name in names}
        kwargs["employer"] = form.employer
        kwargs["amount_claimed"] = kwargs["amount_claimed"] or 0
        return kwargs


class CaseDuplicatesView(EditorRequiredMixin, TemplateView):
    """htmx: while the intake form is filled, list open cases with the same workers or employer."""

    template_name = "disputes/_duplicates.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        ids = sorted(
            {
                value.strip().upper()
                for key, value in params.items()
                if key.startswith("workers-") and key.endswith("-id_number") and len(value.strip()) == 18
            }
        )
        employer = None
        code = params.get("employer_credit_code", "").strip().upper()
        name = params.get("employer_name", "").strip()
        if code:
            employer = Enterprise.objects.filter(credit_code=code).first()
        elif name:
            matches = list(Enterprise.objects.filter(name=name)[:2])
            employer = matches[0] if len(matches) == 1 else None
        context = super().get_context_data(**kwargs)
        context["duplicates"] = list(open_duplicates(self.request.user, ids, employer))
        return context


class EmployerSearchView(StaffRequiredMixin, ListView):
    """htmx: enterprises whose name or credit code contains the typed text (for picking the employer)."""

    template_name = "disputes/_employers.html"
    paginate_by = 10

    def get_queryset(self):
        text = self.request.GET.get("employer_name", "").strip() or self.request.GET.get("q", "").strip()
        if len(text) < 2:
            return Enterprise.objects.none()
        return (
            Enterprise.objects.visible_to(self.request.user)
            .filter(Q(name__icontains=text) | Q(credit_code__startswith=text.upper()))
            .select_related("town")
            .order_by("name")
        )


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
        stale = False
        if form.is_valid() and formset.is_valid() and self.has_representative(form, formset):
            try:
                with transaction.atomic():
                    form.instance.last_activity_at = timezone.now()
                    form.save()
                    formset.save()
            except StaleEdit:
                stale = True
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Case %(number)s saved.") % {"number": case.number})
                return redirect(case)
        if stale or form.has_error(NON_FIELD_ERRORS, code="stale"):
            return self.refuse_stale(request)
        return self.render_to_response(self.get_context_data(form=form, formset=formset, case=case))

    @staticmethod
    def has_representative(form, formset) -> bool:
        """A collective case keeps a representative among its workers, as at intake."""
        if form.cleaned_data.get("is_collective") and not any(r["is_representative"] for r in formset.worker_rows()):
            form.add_error("is_collective", _("A collective case needs a representative among the workers."))
            return False
        return True

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
        response = FileResponse(
            handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
        )
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
        sheet = DossierSheet.unstash(request.POST.get("token", ""), user=request.user)
        if sheet is None:
            messages.error(request, _("The preview has expired: upload the sheet again."))
            return redirect("disputes:dossier_import")
        if sheet.errors:
            return self.render_to_response(self.get_context_data(sheet=sheet))
        created, updated = sheet.save(by=request.user)
        messages.success(
            request,
            _("Import done: %(created)d dossiers added, %(updated)d updated.")
            % {"created": created, "updated": updated},
        )
        return redirect(reverse("disputes:case_list") + f"?town={sheet.town.pk}&state=done")


class DossierTemplateView(EditorRequiredMixin, View):
    """An empty sheet with the right columns, for town unions to fill in."""

    def get(self, request):
        response = HttpResponse(
            DossierSheet.blank(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="dossiers-template.xlsx"'
        return response


# Collective bargaining ------------------------------------------------------------------


class LargeEnterpriseListView(StaffRequiredMixin, ListView):
    """Enterprises with 100+ employees and their wage agreements: those lacking a current one first.

    `?lacking=1` keeps those without a current agreement; `?renewal=1` those whose current one ends
    within RENEWAL_NOTICE_DAYS, so bargaining for the next can start in time.
    """

    template_name = "disputes/bargaining_list.html"
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_queryset(self):
        today = local_today()
        current = WageAgreement.objects.filter(
            enterprise=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today
        ).order_by("-ends_on")
        latest = WageAgreement.objects.filter(enterprise=OuterRef("pk")).order_by("-ends_on")
        queryset = (
            Enterprise.objects.visible_to(self.request.user)
            .filter(headcount__gte=LARGE_ENTERPRISE_HEADCOUNT)
            .select_related("town")
            .annotate(
                has_current=Exists(current),
                current_ends_on=Subquery(current.values("ends_on")[:1]),
                latest_ends_on=Subquery(latest.values("ends_on")[:1]),
                latest_signed_on=Subquery(latest.values("signed_on")[:1]),
            )
            .order_by("has_current", "current_ends_on", "town__order", "name")
        )
        if role_of(self.request.user) == Role.TOWN_STAFF:
            # Enterprises are reference data for everyone; this list is a town's work list.
            queryset = queryset.filter(town_id=town_id_of(self.request.user))
        if self.request.GET.get("lacking") == "1":
            queryset = queryset.filter(has_current=False)
        elif self.request.GET.get("renewal") == "1":
            queryset = queryset.filter(current_ends_on__lte=self.renewal_horizon())
        return queryset

    @staticmethod
    def renewal_horizon():
        return local_today() + datetime.timedelta(days=RENEWAL_NOTICE_DAYS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lacking"] = self.request.GET.get("lacking") == "1"
        context["renewal"] = not context["lacking"] and self.request.GET.get("renewal") == "1"
        context["today"] = local_today()
        context["renewal_horizon"] = self.renewal_horizon()
        context["can_edit"] = can_edit_records(self.request.user)
        return context


class BargainingCensusView(StaffRequiredMixin, ListView):
    """The year's bargaining census: enterprises with 100+ employees, model-standard flag (behind the figures)."""

    template_name = "disputes/bargaining_census.html"
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_edit": can_edit_records(self.request.user)}

    def get_queryset(self):
        queryset = BargainingYear.objects.visible_to(self.request.user).select_related("enterprise__town")
        params = self.request.GET
        if params.get("year", "").isdigit():
            queryset = queryset.filter(year=int(params["year"]))
        if params.get("town", "").isdigit():
            queryset = queryset.filter(enterprise__town_id=int(params["town"]))
        if params.get("model") == "1":
            queryset = queryset.filter(meets_model_standard=True)
        return queryset.order_by("-year", "enterprise__town__order", "enterprise__name")


class InstructorListView(StaffRequiredMixin, ListView):
    template_name = "disputes/instructor_list.html"
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_queryset(self):
        queryset = BargainingInstructor.objects.visible_to(self.request.user).select_related("town")
        params = self.request.GET
        if params.get("year", "").isdigit():
            queryset = queryset.serving_in(int(params["year"]))
        if params.get("level"):
            queryset = queryset.filter(level=params["level"])
        if params.get("town", "").isdigit():
            queryset = queryset.filter(town_id=int(params["town"]))
        return queryset


class InspectionListView(StaffRequiredMixin, ListView):
    template_name = "disputes/inspection_list.html"
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_edit": can_edit_records(self.request.user)}

    def get_queryset(self):
        queryset = (
            SupervisionInspection.objects.visible_to(self.request.user)
            .select_related("town")
            .prefetch_related("unions_covered")
        )
        params = self.request.GET
        if params.get("year", "").isdigit():
            queryset = queryset.filter(date__year=int(params["year"]))
        if params.get("town", "").isdigit():
            queryset = queryset.filter(town_id=int(params["town"]))
        return queryset


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
        response = super().form_valid(form)
        messages.success(self.request, self.success_message % {"name": str(self.object)})
        return response


class WageAgreementCreateView(BargainingRecordView):
    form_class = WageAgreementForm
    title = _("Record a wage agreement")
    success_message = _("Wage agreement recorded: %(name)s.")

    def get_initial(self):
        enterprise = self.request.GET.get("enterprise", "")
        return {"enterprise": int(enterprise)} if enterprise.isdigit() else {}

    def get_success_url(self):
        return reverse("disputes:bargaining")


class InspectionCreateView(BargainingRecordView):
    form_class = InspectionForm
    title = _("Record a joint supervision inspection")
    success_message = _("Inspection recorded: %(name)s.")

    def get_success_url(self):
        return reverse("disputes:inspection_list") + f"?year={self.object.date.year}"


class CensusEntryCreateView(BargainingRecordView):
    form_class = CensusEntryForm
    title = _("Add an enterprise to the bargaining census")
    success_message = _("Census entry recorded: %(name)s.")

    def get_success_url(self):
        return reverse("disputes:bargaining_census") + f"?year={self.object.year}"
