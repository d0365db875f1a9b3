"""Views of the benefits app: thin, each reading through `visible_to` and writing through `services`."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from union_portal import access
from union_portal.access import can_edit, can_edit_records, can_export_personal_data, town_scope
from union_portal.changelog import BOOKKEEPING, ChangeLog
from union_portal.concurrency import STALE_EDIT_MESSAGE, StaleEdit
from union_portal.errors import add_to_form
from union_portal.exports import export_response
from union_portal.figures import figure_heading
from union_portal.formatting import mask_id_number, mask_phone
from union_portal.imports import import_job_of, import_job_queue
from union_portal.pagination import CountedWithTotalsMixin, PortalPaginator
from union_portal.spreadsheet_files import xlsx_response
from union_portal.spreadsheet_widgets import cell_plain
from union_portal.spreadsheets import BLANK_RUN_LIMIT
from union_portal.views import EditorRequiredMixin, StaffRequiredMixin

from . import figures, ledger, services
from .filters import (
    SERVICE_PROGRAMME_FILTERS,
    ActivityFilter,
    AllowanceFilter,
    FileFilter,
    MemberFilter,
    MerchantFilter,
    PaymentFilter,
    TotalsFilter,
    VisitFilter,
    recheck_due,
    recheck_overdue,
)
from .forms import (
    ActivityForm,
    AllowanceImportForm,
    CardLostForm,
    CardStatusForm,
    CloseForm,
    HardshipFileForm,
    HouseholdFormSet,
    MemberForm,
    MemberImportConfirmForm,
    MemberImportForm,
    MerchantForm,
    PaymentForm,
    PaymentReverseForm,
    PaymentStepForm,
    RecheckForm,
    RejectForm,
    ServiceProgrammeForm,
    ServiceProgrammeImportForm,
    VisitForm,
    household_formset_helper,
)
from .history import file_changes
from .models import (
    AidPayment,
    AllowanceListEntry,
    CardStatus,
    FileStatus,
    HardshipCause,
    HardshipFile,
    HomeVisit,
    HouseholdMember,
    Member,
    MemberActivity,
    Merchant,
    ServiceCard,
)
from .resources import (
    SERVICE_PROGRAMMES,
    AllowanceSheet,
    MemberSheet,
    ServiceProgramme,
    ServiceProgrammeSheet,
    member_sheet_headers,
    service_programme_cell,
    service_programme_export,
    service_programme_file_name,
    service_programme_text,
    signoff_workbook,
)


class StartView(StaffRequiredMixin, TemplateView):
    """The benefits start page: a card per part of the app, each listing its pages (START_SECTIONS)."""

    template_name = "benefits/home.html"

    def get_context_data(self, **kwargs):
        sections = [
            {"title": title, "links": [{"label": label, "url": reverse(name)} for label, name in links]}
            for title, links in START_SECTIONS
        ]
        return super().get_context_data(**kwargs, sections=sections)


# Each part of the app adds its section: (title, [(link label, URL name), ...]).
START_SECTIONS: list[tuple] = []


class FigureHeadingMixin:
    """A list the figures link to: opened from a figure (`?figure=key`, which filters nothing), it heads itself
    with the figure's label and definition (the template includes "union_portal/_figure_heading.html")."""

    def get_context_data(self, **kwargs):
        heading = figure_heading(self.request, figures.describe)
        return super().get_context_data(**kwargs, figure_heading=heading)


# Members, service cards, merchants, member-only activities ---------------------------------
# Every record is fetched through `visible_to` (pages) or `editable_by` (changes): a guessed id answers 404.


MEMBER_LOG = ChangeLog(
    model=Member, hidden=BOOKKEEPING | {"created_at"}, personal={"id_number": mask_id_number, "phone": mask_phone}
)
CARD_LOG = ChangeLog(
    model=ServiceCard,
    fields=("number", "status", "replaces"),
    subject=lambda record: str(_("card %(number)s") % {"number": record.number}),
)


def member_changes(member: Member, *, mask_personal: bool) -> list:
    """The member's change log and their cards', newest first, in a fixed number of statements."""
    records = member.history.select_related("history_user").order_by("history_date", "history_id")
    cards = ServiceCard.history.filter(member_id=member.pk).select_related("history_user")
    entries = MEMBER_LOG.entries(records, mask_personal=mask_personal)
    entries += CARD_LOG.entries(cards.order_by("history_date", "history_id"), mask_personal=mask_personal)
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


START_SECTIONS.append(
    (
        _("Members and service cards"),
        [
            (_("Members"), "benefits:member_list"),
            (_("Import members"), "benefits:member_import"),
            (_("Partner merchants"), "benefits:merchant_list"),
            (_("Member-only activities"), "benefits:activity_list"),
        ],
    )
)
MEMBER_EXPORT_REFUSED = _(
    "Leadership accounts see the member list on screen but do not download members' personal data. "
    "Ask the staff in charge if you need a sheet."
)


def member_rows(user):
    """Members as list rows show them (town, cards) in a constant number of statements."""
    return Member.objects.visible_to(user).select_related("town").prefetch_related("cards").order_by("name", "pk")


class MemberListView(StaffRequiredMixin, FilterView):
    template_name = "benefits/member_list.html"
    filterset_class = MemberFilter
    paginate_by = settings.PORTAL_PAGE_SIZE
    paginator_class = PortalPaginator

    def get_queryset(self):
        return member_rows(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = can_edit_records(self.request.user)
        context["can_export"] = can_export_personal_data(self.request.user)
        context["export_query"] = self.request.GET.urlencode()
        return context


class MemberExportView(StaffRequiredMixin, View):
    """The filtered member list as xlsx (benefits/exports.py): ID and phone numbers masked, every cell escaped; a
    long list is written in the background and downloaded from its job's page. Not for leadership."""

    def get(self, request):
        if not can_export_personal_data(request.user):
            raise PermissionDenied(MEMBER_EXPORT_REFUSED)
        return export_response(request, "benefits-members")


class MemberDetailView(StaffRequiredMixin, DetailView):
    """The one page with full ID and phone numbers, for those who may change the member; masked for the others."""

    template_name = "benefits/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return Member.objects.visible_to(self.request.user).select_related("town")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.object
        editable = can_edit(self.request.user, member)
        cards = list(member.cards.select_related("replaces"))
        for card in cards:
            moves = sorted(services.CARD_MOVES.get(card.status, ())) if editable else []
            card.moves = [(move, CardStatus(move).label) for move in moves]
            card.can_report_lost = editable and card.status in (CardStatus.ACTIVE, CardStatus.SUSPENDED)
        context.update(
            cards=cards,
            can_edit=editable,
            show_personal=editable,
            can_issue=editable and not any(card.status == CardStatus.ACTIVE for card in cards),
            lost_form=CardLostForm(),
            changes=member_changes(member, mask_personal=not editable),
        )
        return context


class CardActionView(EditorRequiredMixin, MemberDetailView):
    """A one-button action of the member page (POST only): done, back to the page; refused, the page with why."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        target = self.get_target()
        self.object = target if isinstance(target, Member) else target.member
        try:
            message = self.act(target)
        except ValidationError as error:
            context = self.get_context_data(object=self.object, action_errors=error.messages)
            return self.render_to_response(context)
        messages.success(request, message)
        return redirect("benefits:member_detail", self.object.pk)

    def get_card(self):
        cards = ServiceCard.objects.editable_by(self.request.user).select_related("member__town")
        return get_object_or_404(cards, pk=self.kwargs["pk"])

    @staticmethod
    def form_errors(form):
        texts = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            texts.extend(f"{label}: {error}" if label else str(error) for error in errors)
        raise ValidationError(texts)


class CardIssueView(CardActionView):
    def get_target(self):
        return get_object_or_404(Member.objects.editable_by(self.request.user), pk=self.kwargs["pk"])

    def act(self, member):
        card = services.card_issue(member=member, user=self.request.user)
        return _("Card %(number)s issued.") % {"number": card.number}


class CardStatusView(CardActionView):
    get_target = CardActionView.get_card

    def act(self, card):
        form = CardStatusForm(self.request.POST)
        if not form.is_valid():
            self.form_errors(form)
        card = services.card_set_status(card=card, user=self.request.user, status=form.cleaned_data["status"])
        return _("Card %(number)s is now “%(status)s”.") % {"number": card.number, "status": card.get_status_display()}


class CardLostView(CardActionView):
    get_target = CardActionView.get_card

    def act(self, card):
        form = CardLostForm(self.request.POST)
        if not form.is_valid():
            self.form_errors(form)
        new = services.card_report_lost(card=card, user=self.request.user)
        return _("Card %(old)s is reported lost; new card %(new)s issued.") % {"old": card.number, "new": new.number}


class MemberFormView(EditorRequiredMixin, TemplateView):
    """Register a member or change one; a registered ID number is refused with a link to that member."""

    template_name = "benefits/member_form.html"

    def get_member(self):
        return None

    def get(self, request, *args, **kwargs):
        member = self.get_member()
        return self.show(MemberForm(instance=member, user=request.user), member)

    def post(self, request, *args, **kwargs):
        member = self.get_member()
        form = MemberForm(request.POST, instance=member, user=request.user)
        if form.is_valid():
            try:
                member = self.save(form)
            except StaleEdit:
                form.add_error(None, ValidationError(STALE_EDIT_MESSAGE, code="stale"))
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Member %(name)s saved.") % {"name": member.name})
                return redirect("benefits:member_detail", member.pk)
        return self.show(form, member)

    def show(self, form, member):
        duplicate = None
        if form.has_error("id_number", code="duplicate_id"):
            number = cell_plain(form.data.get("id_number", "")).upper()
            duplicate = Member.objects.visible_to(self.request.user).filter(id_number=number).first()
        return self.render_to_response(self.get_context_data(form=form, member=member, duplicate=duplicate))


class MemberCreateView(MemberFormView):
    def save(self, form):
        return services.member_create(user=self.request.user, **form.service_kwargs())


class MemberUpdateView(MemberFormView):
    def get_member(self):
        return get_object_or_404(Member.objects.editable_by(self.request.user), pk=self.kwargs["pk"])

    def save(self, form):
        return services.member_update(member=form.instance, user=self.request.user, **form.service_kwargs())


class MemberImportView(EditorRequiredMixin, TemplateView):
    """Members from a town union's sheet: upload, preview, choose what repeated ID numbers do, confirm.

    Nothing is written unless every row is good.
    """

    template_name = "benefits/member_import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", MemberImportForm(user=self.request.user))
        context["columns"] = member_sheet_headers()
        context["import_limits"] = {
            "rows": settings.IMPORT_MAX_ROWS,
            "megabytes": settings.IMPORT_MAX_BYTES // 1024 // 1024,
            "blank_run": BLANK_RUN_LIMIT,
        }
        return context

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = MemberImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        sheet = MemberSheet(user=request.user, town=form.cleaned_data["town"]).read(form.cleaned_data["file"])
        return self.preview(form, sheet)

    def preview(self, form, sheet, *, refused: bool = False):
        """The rows read, and the confirm form (under a fresh token) unless a row is bad.

        `refused`: the confirm refused repeated ID numbers; the user may choose to merge them instead.
        """
        confirm = None
        if not sheet.errors or refused:
            initial = {"token": sheet.stash(), "town": sheet.town.pk}
            confirm = MemberImportConfirmForm(initial=initial, user=self.request.user)
        return self.render_to_response(self.get_context_data(form=form, sheet=sheet, confirm=confirm))

    def confirm(self, request):
        confirm = MemberImportConfirmForm(request.POST, user=request.user)
        stash_key = MemberSheet.stash_key(confirm.cleaned_data["token"]) if confirm.is_valid() else ""
        if job := import_job_of(user=request.user, stash_key=stash_key):  # confirmed already
            return redirect(job)
        sheet = MemberSheet(user=request.user, town=confirm.cleaned_data["town"]) if confirm.is_valid() else None
        # Repeated ID numbers refused show the preview and the choice again, a long sheet's as a short one's: checked
        # with the user's choice before a job is queued.
        if sheet is None or not sheet.unstash(confirm.cleaned_data["token"], merge=confirm.merge):
            messages.error(request, _("The preview has expired: upload the sheet again."))
            return redirect("benefits:member_import")
        if sheet.errors:
            return self.preview(None, sheet, refused=True)
        if job := self.confirm_job(sheet, confirm, stash_key):
            return redirect(job)
        try:
            added, merged = services.member_import(user=request.user, sheet=sheet, merge=confirm.merge)
        except ValidationError:  # repeated ID numbers refused, or a row gone bad since the preview: nothing written
            return self.preview(None, sheet, refused=True)
        messages.success(
            request, _("Import done: %(added)d members added, %(merged)d merged.") % {"added": added, "merged": merged}
        )
        return redirect(reverse("benefits:member_list") + f"?town={sheet.town.pk}")

    def confirm_job(self, sheet, confirm, stash_key):
        """A long sheet is written by a job, whose page shows the result; None if short."""
        return import_job_queue(
            user=self.request.user,
            kind="benefits-members",
            stash_key=stash_key,
            raw=sheet.raw,
            columns=sheet.columns,
            options={"town": sheet.town.pk, "merge": confirm.merge},
        )


class MemberTemplateView(EditorRequiredMixin, View):
    """An empty member sheet with the right columns, for town unions to fill in."""

    def get(self, request):
        sheet = MemberSheet(user=request.user, town=None)
        return xlsx_response(sheet.blank(), file_name=_("member import template") + ".xlsx")


# Merchants and member-only activities: district programmes (a town may run one), seen by every staff role.


class ProgrammeListView(FigureHeadingMixin, StaffRequiredMixin, FilterView):
    paginate_by = settings.PORTAL_PAGE_SIZE
    paginator_class = PortalPaginator

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).select_related("town")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_edit": can_edit_records(self.request.user)}


class MerchantListView(ProgrammeListView):
    """Partner merchants; ?active_in=YEAR those under contract in that year, ?ending=60 contracts ending soon."""

    model = Merchant
    template_name = "benefits/merchant_list.html"
    filterset_class = MerchantFilter

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ending = self.filterset.form.cleaned_data.get("ending") if self.filterset.is_valid() else None
        context.update(ending=int(ending) if ending is not None else None, today=timezone.localdate())
        return context


class ActivityListView(CountedWithTotalsMixin, ProgrammeListView):
    """Member-only activities, with the totals of person-times and beneficiaries of the whole filtered list."""

    model = MemberActivity
    template_name = "benefits/activity_list.html"
    filterset_class = ActivityFilter

    def list_totals(self):
        return {"person_times": Sum("person_times"), "beneficiaries": Sum("beneficiaries")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = self.totals
        return context


class ProgrammeDetailView(StaffRequiredMixin, DetailView):
    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).select_related("town")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_edit": can_edit(self.request.user, self.object)}


class MerchantDetailView(ProgrammeDetailView):
    model = Merchant
    template_name = "benefits/merchant_detail.html"


class ActivityDetailView(ProgrammeDetailView):
    model = MemberActivity
    template_name = "benefits/activity_detail.html"


class ProgrammeFormView(EditorRequiredMixin, TemplateView):
    """Add or change a merchant or an activity; town staff change only their own town's records (else 403)."""

    def get_record(self):
        if "pk" not in self.kwargs:
            return None
        record = get_object_or_404(self.model.objects.visible_to(self.request.user), pk=self.kwargs["pk"])
        if not can_edit(self.request.user, record):
            raise PermissionDenied(_("This record is the district's: ask district staff to change it."))
        return record

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        return self.show(self.form_class(instance=record, user=request.user), record)

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        form = self.form_class(request.POST, instance=record, user=request.user)
        if form.is_valid():
            try:
                record = self.save(record, form.service_kwargs())
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("%(record)s saved.") % {"record": record})
                return redirect(self.detail_url, record.pk)
        return self.show(form, record)

    def show(self, form, record):
        return self.render_to_response(self.get_context_data(form=form, record=record))


class MerchantFormView(ProgrammeFormView):
    model = Merchant
    form_class = MerchantForm
    template_name = "benefits/merchant_form.html"
    detail_url = "benefits:merchant_detail"

    def save(self, record, fields):
        return services.merchant_save(user=self.request.user, merchant=record, **fields)


class ActivityFormView(ProgrammeFormView):
    model = MemberActivity
    form_class = ActivityForm
    template_name = "benefits/activity_form.html"
    detail_url = "benefits:activity_detail"

    def save(self, record, fields):
        return services.activity_save(user=self.request.user, activity=record, **fields)


# Hardship files, visits, re-checks, the allowance list --------------------------------------


START_SECTIONS.append(
    (
        _("Hardship files"),
        [
            (_("Hardship files"), "benefits:file_list"),
            (_("New hardship file"), "benefits:file_create"),
            (_("Yearly re-checks due"), "benefits:recheck_list"),
            (_("Home visits"), "benefits:visit_list"),
            (_("Civil-affairs allowance list"), "benefits:allowance_list"),
        ],
    )
)


def on_allowance_list():
    """True when the applicant or a member of the file is on the civil-affairs allowance list."""
    members = HouseholdMember.objects.filter(file_id=OuterRef(OuterRef("pk"))).values("id_number")
    entries = AllowanceListEntry.objects.filter(Q(id_number=OuterRef("id_number")) | Q(id_number__in=members))
    return Exists(entries)


class DistrictReviewerRequiredMixin(EditorRequiredMixin):
    """Pages of the district's assistance centre (the allowance list): district staff and admins."""

    def dispatch(self, request, *args, **kwargs):
        if can_edit_records(request.user) and not services.reviews_for_district(request.user):
            self.raise_exception = True
            self.permission_denied_message = _("The allowance list is kept by the district's assistance centre.")
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class FileListView(FigureHeadingMixin, StaffRequiredMixin, FilterView):
    template_name = "benefits/file_list.html"
    filterset_class = FileFilter
    paginate_by = settings.PORTAL_PAGE_SIZE
    paginator_class = PortalPaginator
    strict = False
    heading = _("Hardship files")

    def get_queryset(self):
        files = HardshipFile.objects.visible_to(self.request.user).select_related("town")
        return files.prefetch_related("members").order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context["object_list"]
        context["totals"] = self.object_list.aggregate(files=Count("pk", distinct=True), members=Count("members"))
        context["totals"]["persons"] = context["totals"]["files"] + context["totals"]["members"]
        listed = HardshipFile.objects.filter(pk__in=[f.pk for f in rows]).alias(on_list=on_allowance_list())
        on_list = set(listed.filter(on_list=True).values_list("pk", flat=True))
        context.update(
            files=[(f, f.pk in on_list) for f in rows],
            heading=self.heading,
            can_edit=can_edit_records(self.request.user),
            today=timezone.localdate(),
        )
        return context


class RecheckListView(FileListView):
    """The yearly re-checks: files due within 30 days (the default) or overdue, with both counts."""

    heading = _("Yearly re-checks")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = (kwargs["data"] or {}).copy()
        if data.get("recheck") not in ("due", "overdue"):
            data["recheck"] = "due"
        return {**kwargs, "data": data}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        files, today = HardshipFile.objects.visible_to(self.request.user), timezone.localdate()
        context["recheck_counts"] = {
            "due": recheck_due(files, today).count(),
            "overdue": recheck_overdue(files, today).count(),
            "shown": self.filterset.form.cleaned_data.get("recheck"),
        }
        return context


def file_page_context(request, file: HardshipFile, **forms) -> dict:
    """What the file page shows; `forms` replace the step forms (one that came back with its errors)."""
    user, today = request.user, timezone.localdate()
    members = list(file.members.all())
    ids = [file.id_number, *(m.id_number for m in members)]
    editable = can_edit(user, file)
    context = {
        "file": file,
        "members": members,
        "assessment": services.level_assess(file=file, year=today.year, members=members),
        "allowance_entries": services.allowance_entries(ids),
        "holdings": _shown_holdings(user, services.files_holding(ids, exclude=file)),
        "visits": list(file.visits.select_related("recorded_by")),
        "rechecks": list(file.rechecks.select_related("checked_by", "visit")),
        "changes": file_changes(file, mask_personal=not editable),
        "can_edit": editable,
        "show_personal": editable,
        "recheck_overdue": file.status == FileStatus.APPROVED and file.recheck_overdue(today),
        "secondary_labels": [HardshipCause(c).label for c in file.secondary_causes if c in HardshipCause.values],
    }
    if editable:
        context.update(_step_forms(user, file, forms))
    return context


def _step_forms(user, file: HardshipFile, forms: dict) -> dict:
    """The workflow steps this user may take on the file now, each with its form."""
    steps = {}
    if file.status == FileStatus.APPLYING:
        steps["can_submit"] = True
    reviewer = services.reviews_for_district(user) and file.submitted_by_id != user.pk
    if file.status == FileStatus.REVIEWING and reviewer:
        steps["can_approve"] = True
        steps["reject_form"] = forms.get("reject_form") or RejectForm()
    if file.status == FileStatus.APPROVED:
        steps["recheck_form"] = forms.get("recheck_form") or RecheckForm(file=file)
        steps["close_form"] = forms.get("close_form") or CloseForm()
    if file.status == FileStatus.CLOSED:
        steps["can_reopen"] = True
    steps["step_errors"] = forms.get("step_errors") or []
    return steps


def _shown_holdings(user, holdings) -> list[dict]:
    """Other files holding the household's ID numbers: town and state always; the name only within the user's towns."""
    scope = town_scope(user)
    return [{"holding": h, "visible": scope is None or scope == h.file.town_id} for h in holdings]


class FileDetailView(StaffRequiredMixin, TemplateView):
    template_name = "benefits/file_detail.html"

    def get_context_data(self, **kwargs):
        files = HardshipFile.objects.visible_to(self.request.user).select_related("town", "submitted_by", "reviewed_by")
        file = get_object_or_404(files, pk=self.kwargs["pk"])
        return {**super().get_context_data(**kwargs), **file_page_context(self.request, file)}


class FileFormView(EditorRequiredMixin, TemplateView):
    """Open or edit a file with its household; before saving, every file holding the same people is shown."""

    template_name = "benefits/file_form.html"

    def get_file(self):
        if "pk" not in self.kwargs:
            return HardshipFile()
        return get_object_or_404(HardshipFile.objects.editable_by(self.request.user), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        file = self.get_file()
        form = HardshipFileForm(instance=file if file.pk else None, user=request.user)
        formset = HouseholdFormSet(instance=file, prefix="members")
        return self.render_to_response(self.page(form, formset, file))

    def page(self, form, formset, file, **extra):
        return self.get_context_data(
            form=form,
            formset=formset,
            file=file if file.pk else None,
            formset_helper=household_formset_helper(),
            **extra,
        )

    def post(self, request, *args, **kwargs):
        file = self.get_file()
        form = HardshipFileForm(request.POST, instance=file if file.pk else None, user=request.user)
        formset = HouseholdFormSet(request.POST, instance=file, prefix="members")
        if not (form.is_valid() and formset.is_valid()):
            if form.has_error(NON_FIELD_ERRORS, code="stale"):
                return self.refuse_stale(request, file)
            return self.render_to_response(self.page(form, formset, file))
        ids = [form.cleaned_data["id_number"], *formset.id_numbers()]
        holdings = services.files_holding(ids, exclude=file if file.pk else None)
        extra = {
            "holdings": _shown_holdings(request.user, holdings),
            "allowance_entries": services.allowance_entries(ids),
        }
        if holdings and not form.cleaned_data.get("confirm_duplicates") and not any(h.is_open for h in holdings):
            form.add_error(
                "confirm_duplicates", _("Other files hold people of this household: check them, then tick the box.")
            )
            return self.render_to_response(self.page(form, formset, file, **extra))
        try:
            saved = self.save(file, form, formset)
        except StaleEdit:
            return self.refuse_stale(request, file)
        except ValidationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The file of %(name)s is saved.") % {"name": saved.applicant_name})
            return redirect("benefits:file_detail", saved.pk)
        return self.render_to_response(self.page(form, formset, file, **extra))

    def refuse_stale(self, request, file):
        """Someone saved the file since this form was opened: say so and keep what was typed, carrying the file's
        current version, so saving again (after a look at the file) is a deliberate choice and goes through."""
        file.refresh_from_db()
        data = request.POST.copy()
        data["version"] = str(file.version)
        form = HardshipFileForm(data, instance=file, user=request.user)
        formset = HouseholdFormSet(data, instance=file, prefix="members")
        form.is_valid(), formset.is_valid()
        form.add_error(None, ValidationError(STALE_EDIT_MESSAGE, code="stale"))
        return self.render_to_response(self.page(form, formset, file))

    def save(self, file, form, formset):
        fields, members = form.service_fields(), formset.edits()
        if file.pk:
            version = form.cleaned_data.get("version")
            return services.file_update(
                file=file, user=self.request.user, version=version, fields=fields, members=members
            )
        return services.file_create(user=self.request.user, fields=fields, members=members)


class FileActionView(EditorRequiredMixin, View):
    """A workflow step of the file page (POST only): done, back to the page; refused, the page with the reason."""

    http_method_names = ["post"]
    form_class = None
    form_name = ""

    def post(self, request, pk):
        file = get_object_or_404(HardshipFile.objects.editable_by(request.user).select_related("town"), pk=pk)
        form, errors = self.make_form(file), []
        if form is None or form.is_valid():
            try:
                message = self.act(file, form)
            except ValidationError as error:
                if form is None:
                    errors = error.messages
                else:
                    add_to_form(form, error)
            else:
                messages.success(request, message)
                return redirect("benefits:file_detail", pk)
        forms = {self.form_name: form} if form is not None else {}
        fresh = HardshipFile.objects.select_related("town", "submitted_by", "reviewed_by").get(pk=pk)
        context = file_page_context(request, fresh, **forms, step_errors=errors)
        return TemplateResponse(request, "benefits/file_detail.html", context)

    def make_form(self, file):
        return self.form_class(self.request.POST) if self.form_class else None


class FileSubmitView(FileActionView):
    def act(self, file, form):
        services.file_submit(file=file, user=self.request.user)
        return _("The file is submitted for review.")


class FileApproveView(FileActionView):
    def act(self, file, form):
        file = services.file_approve(file=file, user=self.request.user)
        return _("The file is approved: %(level)s.") % {"level": file.get_level_display()}


class FileRejectView(FileActionView):
    form_class, form_name = RejectForm, "reject_form"

    def act(self, file, form):
        services.file_reject(file=file, user=self.request.user, comment=form.cleaned_data["comment"])
        return _("The file is rejected.")


class FileRecheckView(FileActionView):
    form_class, form_name = RecheckForm, "recheck_form"

    def make_form(self, file):
        return RecheckForm(self.request.POST, file=file)

    def act(self, file, form):
        recheck = services.file_recheck(file=file, user=self.request.user, **form.cleaned_data)
        return _("The yearly re-check is recorded: %(level)s.") % {"level": recheck.get_level_after_display()}


class FileCloseView(FileActionView):
    form_class, form_name = CloseForm, "close_form"

    def act(self, file, form):
        services.file_close(file=file, user=self.request.user, **form.cleaned_data)
        return _("The file is closed.")


class FileReopenView(FileActionView):
    def act(self, file, form):
        services.file_reopen(file=file, user=self.request.user)
        return _("The file is reopened and waits for the district's review.")


class VisitCreateView(EditorRequiredMixin, TemplateView):
    """Record a home visit from the file's page."""

    template_name = "benefits/visit_form.html"

    def get_file(self):
        return get_object_or_404(
            HardshipFile.objects.editable_by(self.request.user).select_related("town"), pk=self.kwargs["pk"]
        )

    def get(self, request, pk):
        return self.render_to_response(self.get_context_data(form=VisitForm(), file=self.get_file()))

    def post(self, request, pk):
        file = self.get_file()
        form = VisitForm(request.POST)
        if form.is_valid():
            try:
                services.visit_record(file=file, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("The home visit is recorded."))
                return redirect("benefits:file_detail", file.pk)
        return self.render_to_response(self.get_context_data(form=form, file=file))


class VisitListView(StaffRequiredMixin, CountedWithTotalsMixin, FilterView):
    """Home visits; "households visited" counts distinct files, per year and for the filtered list."""

    template_name = "benefits/visit_list.html"
    filterset_class = VisitFilter
    paginate_by = settings.PORTAL_PAGE_SIZE
    strict = False

    def get_queryset(self):
        visits = HomeVisit.objects.visible_to(self.request.user).select_related("file__town", "recorded_by")
        return visits.order_by("-visited_on", "-pk")

    def list_totals(self):
        return {"households": Count("file", distinct=True)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = {"visits": self.totals["count"], "households": self.totals["households"]}
        per_year = self.object_list.order_by().annotate(year=ExtractYear("visited_on")).values("year")
        context["per_year"] = per_year.annotate(visits=Count("pk"), households=Count("file", distinct=True)).order_by(
            "-year"
        )
        return context


class AllowanceListView(DistrictReviewerRequiredMixin, FilterView):
    template_name = "benefits/allowance_list.html"
    filterset_class = AllowanceFilter
    paginate_by = settings.PORTAL_PAGE_SIZE
    paginator_class = PortalPaginator
    strict = False

    def get_queryset(self):
        return AllowanceListEntry.objects.order_by("id_number")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_kind = self.object_list.order_by().values("kind").annotate(count=Count("pk"))
        labels = dict(AllowanceListEntry._meta.get_field("kind").choices)
        context["by_kind"] = [(labels.get(row["kind"], row["kind"]), row["count"]) for row in by_kind]
        context["total"] = sum(count for _label, count in context["by_kind"])
        return context


class AllowanceImportView(DistrictReviewerRequiredMixin, TemplateView):
    """Replace the allowance list from the civil-affairs sheet: upload, preview, confirm; all rows good or nothing."""

    template_name = "benefits/allowance_import.html"
    PREVIEW_ROWS = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", AllowanceImportForm())
        context["stored"] = AllowanceListEntry.objects.count()
        if sheet := context.get("sheet"):
            context["preview"] = sheet.preview()[: self.PREVIEW_ROWS]
        return context

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = AllowanceImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        sheet = AllowanceSheet.read(form.cleaned_data["file"])
        token = sheet.stash(user=request.user) if not sheet.errors else ""
        return self.render_to_response(self.get_context_data(form=form, sheet=sheet, token=token))

    def confirm(self, request):
        sheet = AllowanceSheet.unstash(request.POST.get("token", ""), user=request.user)
        if sheet is None:
            messages.error(request, _("The preview has expired: upload the sheet again."))
            return redirect("benefits:allowance_import")
        try:
            if sheet.errors:
                raise ValidationError(sheet.errors)
            count = services.allowance_list_import(user=request.user, rows=sheet.rows)
        except ValidationError as error:
            sheet.errors = error.messages
            return self.render_to_response(self.get_context_data(sheet=sheet))
        messages.success(request, _("The allowance list now holds %(count)d people.") % {"count": count})
        return redirect("benefits:allowance_list")


# The aid ledger ---------------------------------------------------------------------------
# Payments are read through `visible_to` and changed through `editable_by` (town B's payment answers 404 to town A);
# every step is a service of the ledger (benefits/services.py), which says no with a DomainError.


START_SECTIONS.append(
    (
        gettext_lazy("Aid ledger"),
        [
            (gettext_lazy("Payments"), "benefits:payment_list"),
            (gettext_lazy("Totals by programme, town and funding source"), "benefits:payment_totals"),
            (gettext_lazy("Sign-off sheet"), "benefits:signoff_sheet"),
        ],
    )
)
EXPORT_REFUSED_LEDGER = gettext_lazy(
    "Leadership accounts see the ledger on screen but do not download households' personal data. "
    "Ask the staff in charge if you need a sheet."
)


class PaymentListView(FigureHeadingMixin, StaffRequiredMixin, CountedWithTotalsMixin, FilterView):
    """The ledger's entries (posted ones unless `?state=`), with the count and sum of the whole filtered list."""

    template_name = "benefits/payment_list.html"
    filterset_class = PaymentFilter
    paginate_by = settings.PORTAL_PAGE_SIZE
    strict = False  # a parameter that does not parse is ignored, not an empty list

    def get_queryset(self):
        return ledger.list_queryset(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        # Bound even without parameters, so that the default (posted entries) applies to the bare list too.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET.copy()}

    def list_totals(self):
        return {"amount": Sum("amount")}

    def count_with_totals(self, queryset):
        # The kept sums of the ledger where they answer the filter (benefits/sums.py), else the rows summed.
        kept = ledger.kept_list_totals(self.request.user, self.filterset)
        return kept if kept is not None else super().count_with_totals(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = {**self.totals, "amount": ledger.money(self.totals["amount"])}
        return context


class PaymentDetailView(StaffRequiredMixin, DetailView):
    """A payment and its steps; full ID number and bank account only to those who may change the file."""

    template_name = "benefits/payment_detail.html"
    context_object_name = "payment"

    def get_queryset(self):
        return ledger.detail_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(ledger.payment_page(self.object, self.request.user, kwargs.get("reverse_form")))
        return context


class PaymentCreateView(EditorRequiredMixin, FormView):
    """Record a payment to a file; it then waits for a second person's approval."""

    template_name = "benefits/payment_form.html"
    form_class = PaymentForm

    @cached_property
    def file(self):
        files = HardshipFile.objects.editable_by(self.request.user).select_related("town")
        return get_object_or_404(files, pk=self.kwargs["file_pk"])

    def get_initial(self):
        return {"paid_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "file": self.file}

    def form_valid(self, form):
        try:
            payment = services.aid_enter(file=self.file, user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            if form.refused_for_reason(error):
                form.show_reason()
            add_to_form(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext_lazy("Payment %(voucher)s entered: a second person approves it, then it is posted.")
            % {"voucher": payment.voucher_number},
        )
        return redirect("benefits:payment_detail", pk=payment.pk)


class PaymentStepView(EditorRequiredMixin, View):
    """A step on a payment (POST only). Done: back to the page it was sent from (`next`) or the payment's page.
    Refused: the payment's page with the reason, the typed reason of a reversal kept."""

    http_method_names = ["post"]
    form_class = PaymentStepForm
    done_message = ""

    def post(self, request, pk):
        payment = get_object_or_404(AidPayment.objects.editable_by(request.user), pk=pk)
        form = self.form_class(request.POST, auto_id=f"id_payment{pk}_%s")
        try:
            form.check_state(payment)
            if not form.is_valid():  # a reason too long: marked on its field
                return self.refused(request, payment, form)
            done = self.step(payment, form.cleaned_data)
        except ValidationError as error:
            return self.refused(request, payment, form, error)
        messages.success(request, self.done_message % {"voucher": done.voucher_number})
        return redirect(self.next_url(request, done))

    def step(self, payment, data):
        raise NotImplementedError

    def refused(self, request, payment, form, error=None):
        """The payment's page with why: on the reversal's field when the refusal names it, else as a message."""
        if error is not None and hasattr(error, "error_dict") and isinstance(form, PaymentReverseForm):
            add_to_form(form, error)
        elif error is not None:
            for text in error.messages:
                messages.error(request, text)
            form = None
        page = PaymentDetailView()
        page.setup(request, pk=payment.pk)
        page.object = page.get_object()
        return page.render_to_response(page.get_context_data(object=page.object, reverse_form=form))

    def next_url(self, request, payment) -> str:
        wanted = request.POST.get("next", "")
        if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=False):
            return wanted
        return ledger.payment_url(payment)


class PaymentApproveView(PaymentStepView):
    done_message = gettext_lazy("Payment %(voucher)s approved: it can now be posted.")

    def step(self, payment, data):
        return services.aid_approve(payment=payment, user=self.request.user)


class PaymentPostView(PaymentStepView):
    done_message = gettext_lazy("Payment %(voucher)s posted to the ledger.")

    def step(self, payment, data):
        return services.aid_post(payment=payment, user=self.request.user)


class PaymentWithdrawView(PaymentStepView):
    done_message = gettext_lazy("Payment %(voucher)s withdrawn.")

    def step(self, payment, data):
        return services.aid_withdraw(payment=payment, user=self.request.user)


class PaymentReverseView(PaymentStepView):
    form_class = PaymentReverseForm
    done_message = gettext_lazy("Reversing entry %(voucher)s entered: a second person approves and posts it.")

    def step(self, payment, data):
        return services.aid_reverse(payment=payment, user=self.request.user, reason=data["reason"])


class PaymentTotalsView(StaffRequiredMixin, TemplateView):
    """A year's posted entries summed by programme, by town and by funding source, reversals included."""

    template_name = "benefits/totals_payments.html"

    def get_context_data(self, **kwargs):
        data = self.request.GET.copy()
        data.setdefault("year", str(timezone.localdate().year))
        payments = AidPayment.objects.visible_to(self.request.user).posted()
        filterset = TotalsFilter(data, queryset=payments, request=self.request)
        return {
            **super().get_context_data(**kwargs),
            "filter": filterset,
            **ledger.totals(self.request.user, filterset),
        }


class SignoffSheetView(StaffRequiredMixin, TemplateView):
    """The sign-off sheet (发放签收表) of a programme and date, to print on A4 and sign."""

    template_name = "benefits/signoff_sheet.html"

    def get_context_data(self, **kwargs):
        sheet = ledger.signoff(self.request)
        export = can_export_personal_data(self.request.user)
        return {**super().get_context_data(**kwargs), **sheet, "can_export": export}


class SignoffExportView(StaffRequiredMixin, View):
    """The sign-off sheet as xlsx (masked ID numbers, an empty signature column). Not for leadership."""

    def get(self, request):
        if not can_export_personal_data(request.user):
            raise PermissionDenied(EXPORT_REFUSED_LEDGER)
        sheet = ledger.signoff(request)
        if not sheet["chosen"]:
            messages.error(request, gettext_lazy("Choose a programme and a date first."))
            return redirect("benefits:signoff_sheet")
        content = signoff_workbook(sheet["payments"], title=sheet["title"], total=sheet["total"])
        return xlsx_response(content, file_name=f"{sheet['title']}.xlsx")


# Services for all members -------------------------------------------------------------------
# One set of pages serves the five programmes (resources.SERVICE_PROGRAMMES): each view class is given
# its programme in urls.py, and the URL names are the programme's key with the page's suffix.


SERVICE_PROGRAMME_PAGES = ("list", "detail", "create", "update", "import", "export")


class ServiceProgrammeMixin:
    """What every page of a programme knows: the programme, the records the user sees, the URL names."""

    programme: ServiceProgramme = None

    def records(self):
        records = self.programme.model.objects.visible_to(self.request.user).select_related("town")
        return records.order_by(*self.programme.model._meta.ordering, "-pk")

    def url_name(self, page: str) -> str:
        return f"benefits:{self.programme.key}_{page}"

    def get_context_data(self, **kwargs):
        urls = {page: self.url_name(page) for page in SERVICE_PROGRAMME_PAGES}
        return super().get_context_data(
            **kwargs,
            programme=self.programme,
            title=self.programme.model._meta.verbose_name_plural,
            urls=urls,
            can_edit=access.can_edit_records(self.request.user),
        )

    def editable_record(self, pk):
        """The record to change: another town's is not found (404); a district-wide one, for town staff, refused (403)."""
        record = get_object_or_404(self.records(), pk=pk)
        if not access.can_edit(self.request.user, record):
            raise PermissionDenied(gettext_lazy("Only district staff change the district's own records."))
        return record


class ServiceProgrammeListView(FigureHeadingMixin, ServiceProgrammeMixin, StaffRequiredMixin, FilterView):
    """A programme's records, filtered (?year, town, category), a page at a time, with the totals of the whole list."""

    template_name = "benefits/programme_list.html"
    paginate_by = settings.PORTAL_PAGE_SIZE
    paginator_class = PortalPaginator

    def get_filterset_class(self):
        return SERVICE_PROGRAMME_FILTERS[self.programme.key]

    def get_queryset(self):
        return self.records()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programme = self.programme
        sums = self.object_list.aggregate(**{name: Sum(name) for name in programme.totals})
        context["columns"] = [
            {"label": programme.label(name), "numeric": name in programme.totals} for name in programme.fields
        ]
        context["sums"] = {name: sums[name] or 0 for name in programme.totals}
        context["totals"] = [service_programme_text(context["sums"][n]) if n in sums else "" for n in programme.fields]
        context["money_totals"] = [
            (programme.label(name), sums[name] or 0) for name in programme.totals if programme.is_money(name)
        ]
        context["rows"] = [
            {"record": record, "cells": [self.cell(record, name) for name in programme.fields]}
            for record in context["object_list"]
        ]
        context["export_query"] = self.request.GET.urlencode()
        return context

    def cell(self, record, name: str) -> dict:
        value = service_programme_cell(self.programme, record, name)
        return {"text": service_programme_text(value), "numeric": name in self.programme.totals}


class ServiceProgrammeDetailView(ServiceProgrammeMixin, StaffRequiredMixin, DetailView):
    template_name = "benefits/programme_detail.html"
    context_object_name = "record"

    def get_queryset(self):
        return self.records()

    def get_context_data(self, **kwargs):
        programme, record = self.programme, self.object
        return super().get_context_data(
            **kwargs,
            cells=[
                (programme.label(name), service_programme_text(service_programme_cell(programme, record, name)))
                for name in programme.fields
            ],
            can_edit_record=access.can_edit(self.request.user, record),
        )


class ServiceProgrammeFormView(ServiceProgrammeMixin, EditorRequiredMixin, TemplateView):
    """Record a programme's record, or change one, on the portal's pages; the service checks and saves it."""

    template_name = "benefits/programme_form.html"

    def get_record(self):
        return self.programme.model()

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        form = ServiceProgrammeForm(programme=self.programme, user=request.user, record=record)
        return self.render_to_response(self.get_context_data(form=form, record=record))

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        form = ServiceProgrammeForm(request.POST, programme=self.programme, user=request.user, record=record)
        if form.is_valid():
            try:
                record = services.programme_record_save(user=request.user, record=record, data=form.cleaned_data)
            except ValidationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, gettext_lazy("Saved: %(name)s.") % {"name": record})
                return redirect(self.url_name("detail"), pk=record.pk)
        return self.render_to_response(self.get_context_data(form=form, record=record))


class ServiceProgrammeCreateView(ServiceProgrammeFormView):
    pass


class ServiceProgrammeUpdateView(ServiceProgrammeFormView):
    def get_record(self):
        return self.editable_record(self.kwargs["pk"])


class ServiceProgrammeExportView(ServiceProgrammeMixin, StaffRequiredMixin, View):
    """The filtered list as xlsx, under the import's headers. The records name no one, so leadership may take it."""

    def get(self, request):
        filterset = SERVICE_PROGRAMME_FILTERS[self.programme.key](request.GET, queryset=self.records(), request=request)
        records = filterset.qs if filterset.is_valid() else self.records().none()
        return xlsx_response(
            service_programme_export(self.programme, records), file_name=service_programme_file_name(self.programme)
        )


class ServiceProgrammeImportView(ServiceProgrammeMixin, EditorRequiredMixin, TemplateView):
    """A programme's sheet: upload, preview, confirm; nothing is written unless every row is good.

    `?template=1` downloads an empty sheet with the columns and what each takes.
    """

    template_name = "benefits/programme_import.html"

    def sheet(self, **kwargs) -> ServiceProgrammeSheet:
        return ServiceProgrammeSheet(programme=self.programme, user=self.request.user, **kwargs)

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            name = f"{self.programme.title}-{gettext_lazy('import template')}.xlsx"
            return xlsx_response(self.sheet().blank(), file_name=name)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ServiceProgrammeImportForm())
        context["columns"] = self.sheet().headers()
        context["import_limits"] = {
            "rows": settings.IMPORT_MAX_ROWS,
            "megabytes": settings.IMPORT_MAX_BYTES // 1024 // 1024,
            "blank_run": BLANK_RUN_LIMIT,
        }
        return context

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = ServiceProgrammeImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        sheet = self.sheet().read(form.cleaned_data["file"])
        token = sheet.stash() if not sheet.errors else ""
        return self.render_to_response(self.get_context_data(form=form, sheet=sheet, token=token))

    def confirm(self, request):
        sheet = self.sheet()
        if not sheet.unstash(request.POST.get("token", "")):
            messages.error(request, gettext_lazy("The preview has expired: upload the sheet again."))
            return redirect(self.url_name("import"))
        try:
            added, updated = services.programme_records_import(user=request.user, sheet=sheet)
        except ValidationError as error:  # a row went bad since the preview: nothing was written
            sheet.errors = error.messages
            return self.render_to_response(self.get_context_data(sheet=sheet))
        messages.success(
            request,
            gettext_lazy("Import done: %(added)d records added, %(updated)d updated.")
            % {"added": added, "updated": updated},
        )
        return redirect(self.url_name("list"))


SERVICE_PROGRAMME_VIEWS = {
    "list": ("", ServiceProgrammeListView),
    "create": ("new/", ServiceProgrammeCreateView),
    "import": ("import/", ServiceProgrammeImportView),
    "export": ("export/", ServiceProgrammeExportView),
    "detail": ("<int:pk>/", ServiceProgrammeDetailView),
    "update": ("<int:pk>/edit/", ServiceProgrammeUpdateView),
}
START_SECTIONS.append(
    (
        gettext_lazy("Services for all members"),
        [
            (programme.model._meta.verbose_name_plural, f"benefits:{key}_list")
            for key, programme in SERVICE_PROGRAMMES.items()
        ],
    )
)
