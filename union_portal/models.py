"""The shared core: the district, its towns, enterprises and the staff who use the portal."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .access import Role
from .validators import validate_credit_code


class District(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    short_name = models.CharField(_("short name"), max_length=10, help_text=_("Used in case numbers, e.g. 大兴."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Town(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", _("town")
        STREET = "street", _("street")
        BASE = "base", _("industrial base")

    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="towns")
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TOWN)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="union_portal_town_name_unique"),
        ]

    def __str__(self):
        return self.name


class EnterpriseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Enterprises are reference data for every staff role; the public sees none."""
        from .access import is_staff_member

        return self if is_staff_member(user) else self.none()

    def awaiting_code(self):
        """Employers known by name alone (a case named them at intake): their credit code is to be filled in."""
        return self.filter(credit_code__isnull=True)


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=200, db_index=True)
    # NULL while unknown: a worker at the desk rarely knows the code, and intake does not wait for it.
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("Leave empty when unknown: the enterprise is then listed for completion."),
    )
    town = models.ForeignKey(Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="enterprises")
    headcount = models.PositiveIntegerField(_("employees"), default=0)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    history = HistoricalRecords()

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        # The case search's employer names (`icontains`: UPPER(name) LIKE) by trigrams on PostgreSQL.
        indexes = [GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="union_portal_ent_name_trgm")]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=models.Q(credit_code__isnull=False),
                name="union_portal_enterprise_credit_code_unique",
                violation_error_message=_("An enterprise with this credit code is already registered."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def needs_completion(self) -> bool:
        """Known by name alone: listed for the staff to fill in its credit code."""
        return not self.credit_code

    def clean(self):
        # An empty code is unknown (NULL), never "": the uniqueness holds only among codes given.
        self.credit_code = (self.credit_code or "").strip().upper() or None


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="staff_profile"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    town = models.ForeignKey(
        Town,
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Town staff only: the town whose records they work on."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="town_staff", town__isnull=False)
                    | (~models.Q(role="town_staff") & models.Q(town__isnull=True))
                ),
                name="union_portal_staffprofile_town_iff_town_staff",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

    def clean(self):
        if self.role == Role.TOWN_STAFF and not self.town_id:
            raise ValidationError({"town": _("Town staff must belong to a town.")})
        if self.role != Role.TOWN_STAFF and self.town_id:
            raise ValidationError(
                {"town": _("Only town staff belong to a town; district roles see the whole district.")}
            )


class Sequence(models.Model):
    """The last number handed out per numbering key (see union_portal.numbering): never reused."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    last = models.PositiveBigIntegerField(_("last number used"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        ordering = ["key"]

    def __str__(self):
        return f"{self.key}: {self.last}"


class SummarySignoff(models.Model):
    """The sign-off (定稿) of a finished year's annual summary: the district's and every town's figures as they
    stood, who signed and when, and the SHA-256 of the figures (union_portal/summary/signoff.py).

    One a year. A withdrawn sign-off is deleted; its history rows keep it (who withdrew it, when and why).
    """

    year = models.PositiveSmallIntegerField(_("year"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    snapshot = models.JSONField(_("frozen figures"))
    checksum = models.CharField(_("checksum"), max_length=64, help_text=_("SHA-256 of the frozen figures."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("summary sign-off")
        verbose_name_plural = _("summary sign-offs")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["year"], name="union_portal_summarysignoff_year_unique")]

    def __str__(self):
        return str(_("Annual summary %(year)s, signed off") % {"year": self.year})


class OwnJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user's own jobs: no role sees another's (export files and import rows hold names and ID numbers)."""
        return self.filter(owner=user) if getattr(user, "is_authenticated", False) else self.none()


class JobProgressMixin:
    """What the job pages read of an export or import job: its share done and whether it has ended."""

    FINISHED_STATES: frozenset = frozenset()
    is_import = False  # 我的导出与导入 lists both kinds of job

    def __str__(self):
        return f"{self.title} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        # The total is counted before the rows are read: a case added meanwhile may take the count past it.
        return min(99, int(100 * self.rows_done / self.rows_total)) if self.rows_total else 0

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED_STATES


class ExportJob(JobProgressMixin, models.Model):
    """A spreadsheet export too long to answer within the request, written by the task worker (union_portal.exports).

    The file lives under PRIVATE_MEDIA_ROOT/exports (no URL serves that directory); only its owner downloads it,
    until `expires_at`, when the file is deleted and the job kept as EXPIRED so that its page can say so.
    """

    class State(models.TextChoices):
        # In their context: "running" and "failed" alone are the case clock's 计时中 and an inspection's 不合格.
        QUEUED = "queued", pgettext_lazy("job state", "queued")
        RUNNING = "running", pgettext_lazy("job state", "running")
        DONE = "done", pgettext_lazy("job state", "ready")
        FAILED = "failed", pgettext_lazy("job state", "failed")
        EXPIRED = "expired", pgettext_lazy("job state", "expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=100)
    query = models.TextField(_("list filters"), blank=True, help_text=_("The list's query string."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    file_path = models.CharField(
        _("file"), max_length=200, blank=True, help_text=_("Relative to the private export directory.")
    )
    file_name = models.CharField(_("file name"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    error = models.TextField(_("error"), blank=True)

    objects = OwnJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="union_portal_export_owner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gte=models.F("created_at")), name="union_portal_exportjob_expiry_order"
            ),
        ]

    FINISHED_STATES = frozenset({State.DONE, State.FAILED, State.EXPIRED})

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("exports:job", args=[self.pk])


class ImportJob(JobProgressMixin, models.Model):
    """The confirm of a sheet import too long to write within the request, run by the task worker
    (union_portal.imports).

    The job owns the previewed rows (`rows`) from the confirm until it ends, when they are dropped: what stays is the
    outcome (rows created and updated, or the reasons nothing was written). `token` is the preview's: a second
    confirm of the same preview finds this job instead of importing again.
    """

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job state", "queued")
        RUNNING = "running", pgettext_lazy("job state", "running")
        DONE = "done", pgettext_lazy("job state", "done")
        FAILED = "failed", pgettext_lazy("job state", "failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=100)
    token = models.CharField(_("preview"), max_length=100, help_text=_("The key the preview was kept under."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows = models.JSONField(_("rows"), null=True, blank=True, help_text=_("The sheet's rows, until the job ends."))
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    created_count = models.PositiveIntegerField(_("records added"), default=0)
    updated_count = models.PositiveIntegerField(_("records updated"), default=0)
    errors = models.JSONField(_("reasons"), default=list, blank=True, help_text=_("Why nothing was written."))
    list_url = models.CharField(_("list"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = OwnJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="union_portal_import_owner_idx")]
        constraints = [
            models.UniqueConstraint(fields=["owner", "token"], name="union_portal_importjob_token_unique"),
        ]

    FINISHED_STATES = frozenset({State.DONE, State.FAILED})
    is_import = True

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("imports:job", args=[self.pk])
