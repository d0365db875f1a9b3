"""Member benefits and hardship aid: hardship files kept by household, and the append-only aid ledger.

The ledger is the part that money leaves through, so its rules are kept by the database itself:
a posted payment cannot be changed or deleted through any path (the portal, the admin, the ORM's
`save`, `delete`, `update`, `bulk_update`, or plain SQL). PostgreSQL refuses it with
django-pgtrigger's protection triggers, SQLite with the triggers of migration 0002. A mistake is
corrected by a reversing entry, and a payment can be reversed once: the reversal's link to the
payment it reverses is unique among reversals not withdrawn.
"""

import datetime
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from union_portal.access import TownScopedQuerySet
from union_portal.concurrency import VersionedModel
from union_portal.errors import DomainError
from union_portal.formatting import mask_id_number, mask_phone
from union_portal.models import Town
from union_portal.validators import validate_id_number

RECHECK_INTERVAL = datetime.timedelta(days=365)  # 年度复核: a file is re-checked once a year


class HardshipLevel(models.TextChoices):
    DEEP = "deep", _("in deep hardship")
    RELATIVE = "relative", _("in relative hardship")
    ACCIDENT = "accident", _("in hardship by accident")


class FileStatus(models.TextChoices):
    APPLYING = "applying", _("applying")
    REVIEWING = "reviewing", _("under review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    CLOSED = "closed", pgettext_lazy("hardship file", "closed")


OPEN_FILE_STATUSES = (FileStatus.APPLYING, FileStatus.REVIEWING, FileStatus.APPROVED)


class HardshipCause(models.TextChoices):
    ILLNESS = "illness", _("illness")
    DISABILITY = "disability", _("disability")
    DISASTER = "disaster", _("disaster")
    EDUCATION = "education", _("education costs")
    SINGLE_PARENT = "single_parent", _("single parent")
    UNEMPLOYMENT = "unemployment", _("unemployment")
    OTHER = "other", _("other cause")


class CloseReason(models.TextChoices):
    RECOVERED = "recovered", _("recovered from hardship")
    RETIRED = "retired", _("retired")
    MOVED = "moved", _("moved away")
    DIED = "died", _("died")


class MinimumAllowance(models.Model):
    """The local minimum living allowance (低保标准) of a year, per person and month: the yardstick of the levels."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    monthly_amount = models.DecimalField(_("allowance per person and month (yuan)"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minimum living allowance")
        verbose_name_plural = _("minimum living allowances")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="benefits_allowance_positive"),
        ]

    def __str__(self):
        return f"{self.year}: {self.monthly_amount}元"


class HardshipFile(VersionedModel):
    """The file of a household in hardship (以户建档): the applicant and the members living with them.

    The level follows the national assistance system: income per head after essential spending
    below the year's minimum allowance is deep hardship, below twice it relative hardship; a sudden
    loss above 80% of the household's yearly income is hardship by accident (`assessed_level`).
    """

    town = models.ForeignKey(Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="hardship_files")
    applicant_name = models.CharField(_("applicant"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, validators=[validate_id_number], db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    union_name = models.CharField(_("union"), max_length=200, blank=True)
    workplace = models.CharField(_("workplace"), max_length=200, blank=True)
    applicant_income = models.DecimalField(
        _("applicant's monthly income (yuan)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    essential_spending = models.DecimalField(
        _("essential monthly spending of the household (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Medical, education and similar costs the household cannot avoid."),
    )
    sudden_loss = models.DecimalField(
        _("sudden loss (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("A loss by accident, illness or disaster in the last twelve months."),
    )
    main_cause = models.CharField(_("main cause"), max_length=20, choices=HardshipCause.choices)
    secondary_causes = models.JSONField(_("secondary causes"), default=list, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=FileStatus.choices, default=FileStatus.APPLYING)
    level = models.CharField(_("hardship level"), max_length=10, choices=HardshipLevel.choices, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    last_checked_on = models.DateField(
        _("last checked on"), null=True, blank=True, help_text=_("The approval or the last yearly re-check.")
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason for closing"), max_length=12, choices=CloseReason.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    objects = TownScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open file per applicant (members are checked by the services, across every file).
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(status__in=["applying", "reviewing", "approved"]),
                name="benefits_hardshipfile_one_open_per_applicant",
            ),
            models.CheckConstraint(
                condition=Q(applicant_income__gte=0) & Q(essential_spending__gte=0) & Q(sudden_loss__gte=0),
                name="benefits_hardshipfile_money_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(review_comment=""),
                name="benefits_hardshipfile_rejection_has_comment",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_on__isnull=False) & ~Q(close_reason="")),
                name="benefits_hardshipfile_closed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True)
                | Q(submitted_by__isnull=True)
                | ~Q(reviewed_by=F("submitted_by")),
                name="benefits_hardshipfile_reviewer_is_not_submitter",
            ),
        ]

    def __str__(self):
        return f"{self.applicant_name}（{self.town}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_bank_account(self) -> str:
        return mask_id_number(self.bank_account)

    def recheck_overdue(self, on: datetime.date) -> bool:
        """No re-check for a year (the national system's "档案一年未改")."""
        return self.last_checked_on is None or on - self.last_checked_on > RECHECK_INTERVAL

    def recheck_due_on(self) -> datetime.date | None:
        return self.last_checked_on + RECHECK_INTERVAL if self.last_checked_on else None

    def household_size(self, members=None) -> int:
        members = self.members.all() if members is None else members
        return 1 + len(members)

    def income_per_head(self, members=None) -> Decimal:
        """Monthly income per head after essential spending, to the fen (never below zero)."""
        members = list(self.members.all()) if members is None else list(members)
        total = self.applicant_income + sum((m.monthly_income for m in members), Decimal("0.00"))
        per_head = (total - self.essential_spending) / self.household_size(members)
        return max(per_head, Decimal("0.00")).quantize(Decimal("0.01"))

    def assessed_level(self, allowance: Decimal, members=None) -> str:
        """The level the figures give against the year's minimum allowance; "" when the household is not in hardship."""
        members = list(self.members.all()) if members is None else list(members)
        yearly_income = 12 * (self.applicant_income + sum((m.monthly_income for m in members), Decimal("0.00")))
        per_head = self.income_per_head(members)
        if per_head < allowance:
            return HardshipLevel.DEEP
        if per_head < 2 * allowance:
            return HardshipLevel.RELATIVE
        if self.sudden_loss > ACCIDENT_SHARE * yearly_income:
            return HardshipLevel.ACCIDENT
        return ""


ACCIDENT_SHARE = Decimal("0.8")  # a sudden loss above 80% of the household's yearly income


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    OTHER = "other", _("other relative")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("healthy")
    CHRONIC = "chronic", _("chronic illness")
    SERIOUS = "serious", _("serious illness")
    DISABLED = "disabled", _("disabled")


class HouseholdMemberQuerySet(TownScopedQuerySet):
    town_lookup = "file__town"


class HouseholdMember(models.Model):
    """A person living with the applicant, counted in the household's income per head."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("hardship file"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, validators=[validate_id_number], db_index=True)
    relation = models.CharField(_("relation to the applicant"), max_length=10, choices=Relation.choices)
    monthly_income = models.DecimalField(
        _("monthly income (yuan)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, default=Health.HEALTHY)
    history = HistoricalRecords()

    objects = HouseholdMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["file", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="benefits_member_income_not_negative"),
            models.UniqueConstraint(fields=["file", "id_number"], name="benefits_householdmember_once_per_file"),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_relation_display()}）"


class AllowanceKind(models.TextChoices):
    MINIMUM = "minimum", _("minimum living allowance (低保)")
    EXTREME = "extreme", _("extreme poverty support (特困)")


class AllowanceListEntry(models.Model):
    """A person on the civil-affairs list of allowance households, as last imported by the federation."""

    id_number = models.CharField(_("ID number"), max_length=18, unique=True, validators=[validate_id_number])
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=AllowanceKind.choices)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("allowance list entry")
        verbose_name_plural = _("allowance list entries")
        ordering = ["id_number"]

    def __str__(self):
        return f"{self.name} {mask_id_number(self.id_number)}"


class VisitQuerySet(TownScopedQuerySet):
    town_lookup = "file__town"


class HomeVisit(models.Model):
    """A recorded visit to a household in hardship (走访慰问)."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("hardship file"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("date of visit"))
    visitors = models.CharField(_("visitors"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-visited_on", "-pk"]
        # The first and last visit (figures.years_with_records) from the index's two ends, not a scan of every visit.
        indexes = [models.Index(fields=["visited_on"], name="benefits_visit_date")]

    def __str__(self):
        return f"{self.file.applicant_name} {self.visited_on}"


class RecheckQuerySet(TownScopedQuerySet):
    town_lookup = "file__town"


class Recheck(models.Model):
    """A yearly re-check (年度复核) of a file: the level before and after; a change of level needs a visit first."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("hardship file"), on_delete=models.PROTECT, related_name="rechecks"
    )
    checked_on = models.DateField(_("date of re-check"))
    level_before = models.CharField(_("level before"), max_length=10, choices=HardshipLevel.choices, blank=True)
    level_after = models.CharField(_("level after"), max_length=10, choices=HardshipLevel.choices, blank=True)
    visit = models.ForeignKey(
        HomeVisit, verbose_name=_("home visit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    objects = RecheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("yearly re-check")
        verbose_name_plural = _("yearly re-checks")
        ordering = ["-checked_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level_before=F("level_after")) | Q(visit__isnull=False),
                name="benefits_recheck_level_change_needs_visit",
            ),
        ]

    def __str__(self):
        return f"{self.file.applicant_name} {self.checked_on}"


class Programme(models.TextChoices):
    FESTIVAL = "festival", _("festival condolence")
    MEDICAL = "medical", _("emergency medical aid")
    STUDENT = "student", _("autumn student aid")
    SUMMER = "summer", _("summer cooling")
    WINTER = "winter", _("winter warmth")
    TEMPORARY = "temporary", _("temporary aid")


class FundingSource(models.TextChoices):
    DISTRICT = "district", _("district federation funds")
    CITY = "city", _("city federation funds")
    ASSISTANCE_FUND = "assistance_fund", _("assistance fund")
    DONATION = "donation", _("donations")


class PaymentState(models.TextChoices):
    ENTERED = "entered", _("entered")
    APPROVED = "approved", _("approved")
    POSTED = "posted", _("posted")
    WITHDRAWN = "withdrawn", _("withdrawn")


POSTED_IS_FINAL = _("A posted payment cannot be changed or deleted; correct it with a reversing entry.")


def standing_condition() -> Q:
    """Payments that stand: not a reversal, and not reversed by a posted reversal.

    Counts of payments use it; their sum equals the sum of every posted entry, reversals included,
    because a reversed payment and its posted reversal cancel out and both are left out here.
    """
    reversed_by_posted = AidPayment._base_manager.filter(reverses=OuterRef("pk"), state=PaymentState.POSTED)
    return Q(reverses__isnull=True) & ~Q(Exists(reversed_by_posted))


class AidPaymentQuerySet(TownScopedQuerySet):
    def posted(self):
        return self.filter(state=PaymentState.POSTED)

    def standing(self):
        """Posted payments that stand (`standing_condition`): the ledger's figures and the net list."""
        return self.posted().filter(standing_condition())

    def update(self, **kwargs):
        # The database refuses it for posted rows too; this gives the ORM caller a readable reason first.
        if self.filter(state=PaymentState.POSTED).exists():
            raise DomainError(POSTED_IS_FINAL, code="posted_final")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(state=PaymentState.POSTED).exists():
            raise DomainError(POSTED_IS_FINAL, code="posted_final")
        return super().delete()


class AidPayment(models.Model):
    """One entry of the aid ledger: a payment, or the reversal of one (negative, naming it)."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("hardship file"), on_delete=models.PROTECT, related_name="payments"
    )
    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="+", help_text=_("The file's town.")
    )
    programme = models.CharField(_("programme"), max_length=12, choices=Programme.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("date paid"))
    funding_source = models.CharField(_("funding source"), max_length=20, choices=FundingSource.choices)
    voucher_number = models.CharField(_("voucher number"), max_length=30, unique=True)
    level = models.CharField(
        _("level at payment"), max_length=10, choices=HardshipLevel.choices, help_text=_("The file's level then.")
    )
    state = models.CharField(_("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.ENTERED)
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
    )
    reason = models.CharField(
        _("reason"),
        max_length=500,
        blank=True,
        help_text=_("Why a reversal was made, or why a household is paid twice in a programme in one year."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = AidPaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("aid payment")
        verbose_name_plural = _("aid payments")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            # A payment is reversed once; a reversal withdrawn before posting does not count.
            models.UniqueConstraint(
                fields=["reverses"], condition=~Q(state="withdrawn"), name="benefits_aidpayment_reversed_once"
            ),
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0)) | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="benefits_aidpayment_amount_sign",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""),
                name="benefits_aidpayment_reversal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("entered_by")),
                name="benefits_aidpayment_two_people",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "posted"]) | Q(approved_by__isnull=False),
                name="benefits_aidpayment_approved_has_approver",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "paid_on"], name="benefits_payment_prog_date"),
            # The payment list (posted entries, newest first) and its count and total, read from the index alone.
            models.Index(
                fields=["paid_on", "id"],
                include=["amount"],
                condition=models.Q(state="posted"),
                name="benefits_payment_posted",
            ),
            # The start page's "payments waiting for approval": the few entered among every payment ever posted.
            models.Index(fields=["town"], condition=models.Q(state="entered"), name="benefits_payment_entered"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="posted_payment_no_update",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__state="posted"),
            ),
            pgtrigger.Protect(
                name="posted_payment_no_delete",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__state="posted"),
            ),
            pgtrigger.Trigger(
                name="payment_no_truncate",
                when=pgtrigger.Before,
                operation=pgtrigger.Truncate,
                level=pgtrigger.Statement,
                # Django's test flush empties tables with TRUNCATE: the suite's connections set this switch
                # (tests/conftest.py). Nothing in the portal sets it.
                func=(
                    "IF current_setting('portal.ledger_maintenance', true) = 'on' THEN RETURN NULL; END IF; "
                    "RAISE EXCEPTION 'posted aid payments are append-only: the ledger cannot be truncated';"
                ),
            ),
        ]

    def __str__(self):
        return f"{self.voucher_number} {self.get_programme_display()} {self.amount}元"

    def save(self, *args, **kwargs):
        if not self._state.adding and self._stored_state() == PaymentState.POSTED:
            raise DomainError(POSTED_IS_FINAL, code="posted_final")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_state() == PaymentState.POSTED:
            raise DomainError(POSTED_IS_FINAL, code="posted_final")
        return super().delete(*args, **kwargs)

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def _stored_state(self) -> str | None:
        return type(self)._base_manager.filter(pk=self.pk).values_list("state", flat=True).first()


ZERO = Decimal("0.00")


class PaymentSum(models.Model):
    """The kept sums of the posted ledger, per year, town, programme and funding source (benefits/sums.py).

    `posted_*`: every posted entry, reversals included, under its own date. `standing_*`: the posted payments that
    stand (`standing_condition`: not a reversal, and no posted reversal), under the payment's date, so that the net
    list of a year counts the payments of that year even when one is reversed in the next. Each post adds to them in
    its own transaction; the list and totals pages read them instead of summing every entry. `manage.py
    payment_sums` compares them with the entries (and rebuilds them).
    """

    year = models.PositiveSmallIntegerField(_("year"))
    town = models.ForeignKey(Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="+")
    programme = models.CharField(_("programme"), max_length=12, choices=Programme.choices)
    funding_source = models.CharField(_("funding source"), max_length=20, choices=FundingSource.choices)
    posted_count = models.IntegerField(_("posted entries"), default=0)
    posted_amount = models.DecimalField(_("posted amount (yuan)"), max_digits=14, decimal_places=2, default=ZERO)
    standing_count = models.IntegerField(_("standing payments"), default=0)
    standing_amount = models.DecimalField(_("standing amount (yuan)"), max_digits=14, decimal_places=2, default=ZERO)

    objects = TownScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("posted ledger sum")
        verbose_name_plural = _("posted ledger sums")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "town", "programme", "funding_source"], name="benefits_paymentsum_one_per_key"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.town_id} {self.programme} {self.funding_source}"


# Members and their service cards -----------------------------------------------------------


class Member(VersionedModel):
    """A union member holding (or having held) a member service card."""

    town = models.ForeignKey(Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("name"), max_length=50, db_index=True)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True, validators=[validate_id_number])
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    union_name = models.CharField(_("union"), max_length=200)
    workplace = models.CharField(_("workplace"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    objects = TownScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    LOST = "lost", _("reported lost")
    CANCELLED = "cancelled", _("cancelled")


class ServiceCardQuerySet(TownScopedQuerySet):
    town_lookup = "member__town"


class ServiceCard(models.Model):
    """A member service card (工会会员互助服务卡). A card reported lost is replaced by a new number linked to it."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="cards")
    number = models.CharField(_("card number"), max_length=20, unique=True)
    issued_on = models.DateField(_("date issued"))
    status = models.CharField(_("status"), max_length=10, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces card"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    history = HistoricalRecords()

    objects = ServiceCardQuerySet.as_manager()

    class Meta:
        verbose_name = _("service card")
        verbose_name_plural = _("service cards")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="active"), name="benefits_servicecard_one_active_per_member"
            ),
        ]

    def __str__(self):
        return self.number


# Partner merchants and member-only activities -------------------------------------------------


class MerchantCategory(models.TextChoices):
    TICKETS = "tickets", _("tickets")
    CINEMA = "cinema", _("cinema")
    HAIRCUT = "haircut", _("haircut")
    HEALTH_CHECK = "health_check", _("health check")
    WEDDING_PHOTO = "wedding_photo", _("wedding photography")
    CAR_REPAIR = "car_repair", _("car repair")
    PARENT_CHILD = "parent_child", _("parent-child education")
    OTHER = "other", _("other")


class MerchantStatus(models.TextChoices):
    ACTIVE = "active", _("under contract")
    SUSPENDED = "suspended", _("suspended")
    ENDED = "ended", _("contract ended")


class DistrictWideQuerySet(TownScopedQuerySet):
    """Records of the district's programmes, with a town where one runs them: no personal data, seen by every staff role."""

    include_townless = True


class Merchant(models.Model):
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=MerchantCategory.choices)
    offer = models.CharField(_("offer to card holders"), max_length=500)
    contract_start = models.DateField(_("contract start"))
    contract_end = models.DateField(_("contract end"))
    status = models.CharField(_("status"), max_length=10, choices=MerchantStatus.choices, default=MerchantStatus.ACTIVE)
    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, null=True, blank=True, related_name="merchants"
    )
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    history = HistoricalRecords()

    objects = DistrictWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner merchant")
        verbose_name_plural = _("partner merchants")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_end__gte=F("contract_start")), name="benefits_merchant_contract_dates_in_order"
            ),
        ]

    def __str__(self):
        return self.name


class ActivityChannel(models.TextChoices):
    PLATFORM_12351 = "12351", _("the 12351 platform")
    WECHAT = "wechat", _("WeChat union account")
    ON_SITE = "on_site", _("on site")


class MemberActivity(models.Model):
    """A member-only activity (会员专享活动)."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=10, choices=ActivityChannel.choices)
    person_times = models.PositiveIntegerField(_("person-times"), default=0)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), default=0)
    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = DistrictWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("member-only activity")
        verbose_name_plural = _("member-only activities")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["held_on"], name="benefits_activity_date")]  # years_with_records, as above

    def __str__(self):
        return self.title


# Services for all members --------------------------------------------------------------------


class ChildcareClass(models.Model):
    """Summer childcare classes (暑期托管班) a town ran in a year."""

    town = models.ForeignKey(Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    classes = models.PositiveIntegerField(_("classes"))
    children = models.PositiveIntegerField(_("children"))
    courses = models.CharField(_("courses"), max_length=500, blank=True)
    history = HistoricalRecords()

    objects = DistrictWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("summer childcare classes")
        verbose_name_plural = _("summer childcare classes")
        ordering = ["-year", "town"]
        constraints = [models.UniqueConstraint(fields=["town", "year"], name="benefits_childcare_once_per_town_year")]

    def __str__(self):
        return f"{self.town} {self.year}"


class JobFair(models.Model):
    """A job fair of the spring campaign (春送岗位)."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    jobs_offered = models.PositiveIntegerField(_("jobs offered"))
    intentions_signed = models.PositiveIntegerField(_("intentions signed"))
    history = HistoricalRecords()

    objects = DistrictWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("job fair")
        verbose_name_plural = _("job fairs")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return self.title


class PurchasedService(models.Model):
    """A service project bought from a social organisation (购买社会组织服务)."""

    title = models.CharField(_("project"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    contract_sum = models.DecimalField(_("contract sum (yuan)"), max_digits=14, decimal_places=2)
    person_times = models.PositiveIntegerField(_("person-times"), default=0)
    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = DistrictWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchased service project")
        verbose_name_plural = _("purchased service projects")
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(contract_sum__gte=0), name="benefits_purchased_sum_not_negative"),
        ]

    def __str__(self):
        return self.title


class WechatActivity(models.Model):
    """An online activity of the WeChat union account (微工会)."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    participants = models.PositiveIntegerField(_("participants"))
    beneficiaries = models.PositiveIntegerField(_("member beneficiaries"))
    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = DistrictWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("WeChat union activity")
        verbose_name_plural = _("WeChat union activities")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return self.title


class CultureCategory(models.TextChoices):
    MATCH = "match", _("match")
    TRAINING = "training", _("training course")
    EXHIBITION = "exhibition", _("exhibition")
    PERFORMANCE = "performance", _("performance")
    OTHER = "other", _("other")


class CultureEvent(models.Model):
    """Cultural and sports events (文体活动) of one item in a year, with their spend and participants."""

    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=12, choices=CultureCategory.choices)
    item = models.CharField(_("item"), max_length=200)
    spend = models.DecimalField(_("spend (yuan)"), max_digits=14, decimal_places=2)
    events = models.PositiveIntegerField(_("events"))
    participants = models.PositiveIntegerField(_("participants"))
    association_admissions = models.PositiveIntegerField(
        _("admitted to artists' or calligraphers' associations"), default=0
    )
    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = DistrictWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("cultural and sports events")
        verbose_name_plural = _("cultural and sports events")
        ordering = ["-year", "category", "item"]
        constraints = [models.CheckConstraint(condition=Q(spend__gte=0), name="benefits_culture_spend_not_negative")]

    def __str__(self):
        return self.item
