"""Labour-dispute cases, their workers and timeline, town dossiers and collective bargaining (DOMAIN.md §3).

The legal clocks of the Labour Dispute Mediation and Arbitration Law (劳动争议调解仲裁法):
mediation must reach agreement within 15 days of receipt (art. 14); the limitation period
for arbitration is one year from when the worker knew of the infringement (art. 27); an
arbitration award is due 45 days after acceptance, extendable once by 15 (art. 43). Periods
count from the day after the starting date (民法典 art. 201), so the deadline is the start
date plus the period, and a case is overdue from the next day. Dates are Beijing dates.
"""

import datetime
import re
import unicodedata
from pathlib import PurePath
from typing import NamedTuple

import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Count, Exists, Expression, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Right, Upper
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from union_portal import uploads
from union_portal.access import TownScopedQuerySet
from union_portal.concurrency import VersionedModel
from union_portal.figures import year_end, year_range
from union_portal.models import Enterprise, Town
from union_portal.validators import (
    CREDIT_CODE_ALPHABET,
    LANDLINE_RE,
    MOBILE_RE,
    validate_id_number,
    validate_phone,
)

from .storage import private_storage

MEDIATION_DAYS = 15
ARBITRATION_DAYS = 45
ARBITRATION_EXTENSION_DAYS = 15
DUE_SOON_DAYS = 3
IDLE_DAYS = 30
COLLECTIVE_MIN_WORKERS = 10  # 劳动争议调解仲裁法 art. 7: ten or more workers on one side


def local_today() -> datetime.date:
    """Today's date in Beijing (TIME_ZONE): a case received at 23:30 counts on that day."""
    return timezone.localdate()


def one_year_after(day: datetime.date) -> datetime.date:
    """The same calendar day a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("walk-in")
    HOTLINE = "hotline", _("12351 hotline")
    INSPECTION = "inspection", _("referral from labour inspection")
    COURT = "court", _("referral from a court")
    TOWN_UNION = "town_union", _("referral from a town union")


class HandlingBody(models.TextChoices):
    CENTRE = "centre", _("district mediation centre")
    TOWN_UNION = "town_union", _("town union")
    LEGAL_AID = "legal_aid", _("legal aid")


# The character a handling body puts in its case numbers: 大兴调〔2018〕0562, 大兴援〔2018〕0122, 亦庄镇调〔2018〕0012.
BODY_CODE = {HandlingBody.CENTRE: "调", HandlingBody.TOWN_UNION: "调", HandlingBody.LEGAL_AID: "援"}
MEDIATION_BODIES = {HandlingBody.CENTRE, HandlingBody.TOWN_UNION}


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    ACCEPTED = "accepted", _("accepted for mediation")
    MEDIATING = "mediating", _("mediating")
    AGREEMENT = "agreement", _("agreement reached")
    FAILED = "failed", _("mediation failed")
    REFERRED = "referred", _("referred to arbitration")
    APPLIED = "applied", _("legal aid applied for")
    APPROVED = "approved", _("legal aid approved")
    REFUSED = "refused", _("legal aid refused")
    REPRESENTING = "representing", _("represented in arbitration or court")
    CLOSED = "closed", _("case closed")
    ARCHIVED = "archived", _("archived")


# The status machines, one per kind of handling body: from-status -> the statuses it may move to.
MEDIATION_MOVES = {
    Status.RECEIVED: (Status.ACCEPTED,),
    Status.ACCEPTED: (Status.MEDIATING,),
    Status.MEDIATING: (Status.AGREEMENT, Status.FAILED),
    Status.FAILED: (Status.REFERRED,),
    Status.AGREEMENT: (Status.ARCHIVED,),
    Status.REFERRED: (Status.ARCHIVED,),
}
LEGAL_AID_MOVES = {
    Status.APPLIED: (Status.APPROVED, Status.REFUSED),
    Status.APPROVED: (Status.REPRESENTING,),
    Status.REPRESENTING: (Status.CLOSED,),
    Status.CLOSED: (Status.ARCHIVED,),
    Status.REFUSED: (Status.ARCHIVED,),
}
OPEN_STATUSES = (
    Status.RECEIVED,
    Status.ACCEPTED,
    Status.MEDIATING,
    Status.FAILED,
    Status.APPLIED,
    Status.APPROVED,
    Status.REPRESENTING,
)
MEDIATION_CLOCK_STATUSES = (Status.RECEIVED, Status.ACCEPTED, Status.MEDIATING)
# Moves that end the work on a case: they record the outcome and the amount recovered.
CLOSING_STATUSES = (Status.AGREEMENT, Status.REFERRED, Status.REFUSED, Status.CLOSED)


def moves_for(handling_body: str) -> dict:
    return LEGAL_AID_MOVES if handling_body == HandlingBody.LEGAL_AID else MEDIATION_MOVES


def initial_status(handling_body: str) -> str:
    return Status.APPLIED if handling_body == HandlingBody.LEGAL_AID else Status.RECEIVED


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", _("mediation agreement")
    REFERRED = "referred", _("referred to arbitration after failed mediation")
    REFUSED = "refused", _("legal aid refused")
    AWARD = "award", _("arbitration award")
    JUDGMENT = "judgment", _("court judgment")
    SETTLEMENT = "settlement", _("settlement")
    WITHDRAWN = "withdrawn", _("claim withdrawn")


# What a legal-aid case may close with (mediation outcomes follow from the status).
LEGAL_AID_OUTCOMES = (Outcome.AWARD, Outcome.JUDGMENT, Outcome.SETTLEMENT, Outcome.AGREEMENT, Outcome.WITHDRAWN)
# A legal-aid application still pending or refused has not been accepted: it has no acceptance date.
LEGAL_AID_NOT_APPROVED = (Status.APPLIED, Status.REFUSED)


def legal_aid_approved() -> Q:
    """Legal-aid applications that were approved: approved, represented, closed, or archived but not refused."""
    return Q(handling_body=HandlingBody.LEGAL_AID) & ~Q(status__in=LEGAL_AID_NOT_APPROVED) & ~Q(outcome=Outcome.REFUSED)


class DossierKind(models.TextChoices):
    FORMAL = "formal", _("formal dossier")
    SIMPLE = "simple", _("simple dossier")


class ClockState(models.TextChoices):
    OVERDUE = "overdue", _("overdue")
    DUE_SOON = "due_soon", _("due within 3 days")
    RUNNING = "running", _("running")
    NONE = "none", _("no clock")


class ClaimKindCode(models.TextChoices):
    WAGE_ARREARS = "wage_arrears", _("wage arrears")
    SOCIAL_INSURANCE = "social_insurance", _("social insurance")
    TERMINATION = "termination", _("contract termination")
    WORK_INJURY = "work_injury", _("work injury")
    OVERTIME = "overtime", _("overtime pay")
    OTHER = "other", _("other claim")


class ClaimKind(models.Model):
    """A kind of claim (reference data); a case may have several."""

    code = models.CharField(_("code"), max_length=20, choices=ClaimKindCode.choices, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kind of claim")
        verbose_name_plural = _("kinds of claim")
        ordering = ["order", "code"]

    def __str__(self):
        return str(self.get_code_display())

    @classmethod
    def ensure_all(cls) -> None:
        """Create the six standard kinds if missing (the data migration does it; flushed test databases lose it)."""
        existing = set(cls.objects.values_list("code", flat=True))
        missing = [
            cls(code=code, order=order)
            for order, code in enumerate(ClaimKindCode.values, start=1)
            if code not in existing
        ]
        cls.objects.bulk_create(missing, ignore_conflicts=True)


def clock_condition(state: str, today: datetime.date | None = None) -> Q:
    """The filter for cases whose next deadline is in `state` (ClockState) on `today` (Beijing)."""
    today = today or local_today()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return {
        ClockState.OVERDUE: Q(due_on__lt=today),
        ClockState.DUE_SOON: Q(due_on__gte=today, due_on__lte=soon),
        ClockState.RUNNING: Q(due_on__gt=soon),
        ClockState.NONE: Q(due_on__isnull=True),
    }[ClockState(state)]


def idle_condition(now: datetime.datetime | None = None) -> Q:
    """The filter for open cases with nothing recorded for IDLE_DAYS days."""
    now = now or timezone.now()
    return Q(status__in=OPEN_STATUSES, last_activity_at__lt=now - datetime.timedelta(days=IDLE_DAYS))


class CaseQuerySet(TownScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def clock(self, state: str, today: datetime.date | None = None):
        return self.filter(clock_condition(state, today))

    def idle(self, now: datetime.datetime | None = None):
        return self.filter(idle_condition(now))

    def by_due_date(self):
        """Nearest deadline first; cases without a clock last."""
        return self.order_by(F("due_on").asc(nulls_last=True), "-received_on", "-pk")

    def search(self, text: str):
        """Case number, worker name, employer name or credit code; ID and phone numbers match exactly.

        The kind of identifier is read from the query's shape (`search_terms`); each kind is looked up in its own
        table by its own index (`SearchTerms.arms`; on PostgreSQL trigram indexes serve the names and case numbers:
        disputes 0006, union_portal 0005). On PostgreSQL the matches are read at once, when `search` is called, in one
        statement, and the list's statements (count and totals, a page's keys, its rows) then name them
        (`SearchTerms.matched`); elsewhere the cases matching each kind are collected by one subquery per kind, UNIONed.
        """
        terms = search_terms(text)
        if terms is None:
            return self
        if connections[self.db].vendor == "postgresql":
            matched = terms.matched(self.db)
            return self.filter(matched) if matched is not None else self.none()
        case_ids = [arm.case_ids() for arm in terms.arms()]
        first, *rest = case_ids
        return self.filter(pk__in=first.union(*rest) if rest else first)

    def desk_counts(self, user) -> dict[str, int]:
        """How many cases each panel of `user`'s start page holds (DESK_PANELS), in one statement."""
        # Every panel holds open cases only (closed ones have no clock): the partial index on open cases serves it.
        panels = desk_conditions(user)
        return self.open().aggregate(**{key: Count("pk", filter=q) for key, q in panels.items()})

    def desk_panel(self, key: str, user):
        """The cases of one panel of `user`'s start page, in the order it lists them."""
        cases = self.filter(desk_conditions(user)[key])
        return cases.order_by("last_activity_at", "pk") if key == "idle" else cases.by_due_date()

    def open_duplicates(self, *, id_numbers=(), employer=None):
        """Open cases naming one of these workers (by ID number) or this employer: the intake's warning."""
        condition = Q()
        if id_numbers:
            condition |= Q(pk__in=CaseWorker.objects.filter(id_number__in=id_numbers).values("case_id"))
        if employer is not None and employer.pk:
            condition |= Q(employer=employer)
        return self.open().filter(condition) if condition else self.none()


# The shapes of the identifiers the case list's search box takes (after `normalised_query`).
ID_NUMBER_SHAPE = re.compile(r"^\d{17}[\dX]$")
CREDIT_CODE_SHAPE = re.compile(rf"^[{CREDIT_CODE_ALPHABET}]{{18}}$")
DIGITS = re.compile(r"^\d+$")
# Brackets people type around a case number's year, read as the 〔〕 the numbers are written with.
CASE_NUMBER_BRACKETS = str.maketrans({"(": "〔", ")": "〕", "[": "〔", "]": "〕", "【": "〔", "】": "〕"})
# A query this short has no trigram inside it: a worker's name then begins or ends with it (张伟, 建国).
TRIGRAM_LENGTH = 3
# Unicode categories of characters that have no case and are no character's upper case: other letters (Chinese),
# decimal digits. (Case mappings give cased letters, and the odd mark or modifier letter: Lu, Lt, Mn, Lm.)
UNCASED = ("Lo", "Nd")


def normalised_query(text: str) -> str:
    """The query as the stored values are written: full-width digits and letters made ASCII (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


class SearchArm(NamedTuple):
    """One kind of record a query may name: the rows of `records` that match, whose `field` is the key of a case
    (`column` "pk") or of its employer (`column` "employer_id")."""

    column: str
    records: models.QuerySet
    field: str
    on_case: Q | None = None  # the same condition on the case's own columns, for records that are cases

    def keys(self) -> models.QuerySet:
        return self.records.order_by().values_list(self.field, flat=True)

    def case_ids(self) -> models.QuerySet:
        if self.column == "pk":
            return self.keys()
        return Case.objects.filter(**{f"{self.column}__in": self.keys()}).order_by().values_list("pk", flat=True)


# How many matching keys of one kind the list's statements name as a literal (SearchTerms.matched); beyond it they
# name the kind's subquery. 5,000 keys plan in about a millisecond as one array literal (as many IN (...) values take
# ten), and the count of 5,000 cases, by their keys, takes as long as a trigram search's recheck of them.
SEARCH_KEYS_NAMED = 5000


class SearchTerms:
    """What a search query can be: an ID number, a phone number, a credit code, or else a case number or a name."""

    def __init__(self, text: str):
        self.text = text
        compact = re.sub(r"\s+", "", text).upper()
        self.id_number = compact if ID_NUMBER_SHAPE.match(compact) else None
        self.credit_code = compact if CREDIT_CODE_SHAPE.match(compact) else None
        self.phone = compact if MOBILE_RE.match(compact) or LANDLINE_RE.match(compact) else None

    @property
    def is_identifier(self) -> bool:
        return bool(self.id_number or self.credit_code or self.phone)

    def arms(self) -> list[SearchArm]:
        """The kinds of record the query may name, each matched by its own index."""
        found = []
        workers = CaseWorker.objects.all()
        if self.id_number:
            found.append(SearchArm("pk", workers.filter(id_number=self.id_number), "case_id"))
        if self.phone:
            found.append(SearchArm("pk", workers.filter(phone=self.phone), "case_id"))
        if self.credit_code:  # an 18-digit query may be either an ID number or a credit code
            found.append(SearchArm("employer_id", Enterprise.objects.filter(credit_code=self.credit_code), "pk"))
        if self.is_identifier:
            return found
        number = self.short_or_contained("number", self.text.translate(CASE_NUMBER_BRACKETS))
        found.append(SearchArm("pk", Case.objects.filter(number), "pk", on_case=number))
        if DIGITS.match(self.text):
            return found  # digits alone are part of a case number, never of a name
        found.append(SearchArm("employer_id", Enterprise.objects.filter(self.employer_name_holds(self.text)), "pk"))
        found.append(SearchArm("pk", workers.filter(self.short_or_contained("name", self.text)), "case_id"))
        return found

    def matched(self, using: str) -> Q | None:
        """The cases the query names, as a condition on the case's own columns (PostgreSQL); None when none match.

        One statement reads the keys each arm matches (up to SEARCH_KEYS_NAMED + 1 of each); the condition names them
        as array literals, so that the list's statements neither search again nor join the matches back to the cases,
        and the planner knows how many there are. The cases of matching employers are named by their employer's key
        (`disputes_case_employer_list` reads them, with the list's order and sums: a search for 物流 names 485
        employers, 20,631 cases), the others by their own. Keys of a kind beyond the limit are named by its subquery.
        """
        arms = self.arms()
        reads = [
            arm.records.order_by().annotate(arm=Value(n)).values_list("arm", arm.field)[: SEARCH_KEYS_NAMED + 1]
            for n, arm in enumerate(arms)
        ]
        first, *rest = reads
        found = {n: [] for n in range(len(arms))}
        for n, key in (first.union(*rest, all=True) if rest else first).using(using):
            found[n].append(key)
        keys = {"pk": set(), "employer_id": set()}
        too_many = []
        for n, arm in enumerate(arms):
            if len(found[n]) > SEARCH_KEYS_NAMED and arm.on_case is not None:
                too_many.append(arm.on_case)  # 大兴 begins 62,871 case numbers: the planner estimates them
            elif len(found[n]) > SEARCH_KEYS_NAMED:
                too_many.append(Q(AnyOfSubquery(arm.column, arm.keys())))
            else:
                keys[arm.column].update(found[n])
        parts = [Q(AnyOfKeys("employer_id", keys["employer_id"]))] if keys["employer_id"] else []
        if keys["pk"] and (parts or too_many):
            parts.append(Q(AnyOfKeys("pk", keys["pk"])))
        elif keys["pk"]:
            # Alone, the cases' keys are a join (a semi-join on the unnested array): as `pk = ANY(...)` beside the
            # page's `pk IN (...)` of the list's rows, two arrays on the primary key, PostgreSQL 15 reads every case.
            parts.append(Q(pk__in=UnnestedKeys(keys["pk"])))
        parts += too_many
        if not parts:
            return None
        condition = parts[0]
        for part in parts[1:]:
            condition |= part
        return condition

    @staticmethod
    def employer_name_holds(text: str) -> Q:
        """`icontains`. No trigram serves a text of one or two characters: every name is read, and when the text is of
        characters without case (Chinese, digits: category Lo or Nd, which no character upper-cases to), without
        upper-casing each name (the same names, a sixth of the time: 物流 among 5,000 employers, 1 ms instead of 6)."""
        if len(text) < TRIGRAM_LENGTH and all(unicodedata.category(c) in UNCASED for c in text):
            return Q(name__contains=text)
        return Q(name__icontains=text)

    @staticmethod
    def short_or_contained(field: str, text: str) -> Q:
        """The field holds `text`; a text too short for a trigram (张伟, 建国, 李, 大兴) begins or ends the field,
        which the trigram index finds (by the field's padded first and last trigrams), where a match anywhere would
        read every row. A single character has no trigram at a field's end: its last character has an index of its
        own (disputes 0009). (Employer names, a small table, are always matched anywhere.)"""
        if len(text) >= TRIGRAM_LENGTH:
            return Q(**{f"{field}__icontains": text})
        if len(text) == 1:
            ends = Q(Exact(Right(Upper(field), 1), Upper(Value(text))))
        else:
            ends = Q(**{f"{field}__iendswith": text})
        return Q(**{f"{field}__istartswith": text}) | ends


def _key_array(keys) -> str:
    return "{" + ",".join(str(int(key)) for key in sorted(keys)) + "}"


class AnyOfKeys(Expression):
    """`<column> = ANY('{1,2,3}'::bigint[])` (PostgreSQL): keys read beforehand, as one literal."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, column: str, keys):
        super().__init__()
        self.column = F(column)
        self.keys = _key_array(keys)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s::bigint[])", (*params, self.keys)


class UnnestedKeys(Expression):
    """The rows of `SELECT unnest('{1,2,3}'::bigint[])` (PostgreSQL), for `pk__in`: its planner counts them."""

    output_field = models.BigIntegerField()

    def __init__(self, keys):
        super().__init__()
        self.keys = _key_array(keys)

    def as_sql(self, compiler, connection):
        return "(SELECT unnest(%s::bigint[]))", (self.keys,)


class AnyOfSubquery(Expression):
    """`<column> = ANY(ARRAY(<keys>))` (PostgreSQL): a subquery that a BitmapOr can read by the column's index."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, column, keys: models.QuerySet):
        super().__init__()
        self.column = F(column)
        self.subquery = Subquery(keys)

    def get_source_expressions(self):
        return [self.column, self.subquery]

    def set_source_expressions(self, exprs):
        self.column, self.subquery = exprs

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)
        return f"{column} = ANY(ARRAY{subquery})", (*column_params, *subquery_params)


def search_terms(text: str) -> SearchTerms | None:
    text = normalised_query(text)
    return SearchTerms(text) if text else None


DESK_PANELS = ("mine", "due_soon", "overdue", "idle")


def desk_conditions(user, today: datetime.date | None = None) -> dict[str, Q]:
    """The panels of a staff member's start page: my open cases, due within 3 days, overdue, idle for 30 days."""
    today = today or local_today()
    return {
        "mine": Q(status__in=OPEN_STATUSES, assigned_to=user),
        "due_soon": clock_condition(ClockState.DUE_SOON, today),
        "overdue": clock_condition(ClockState.OVERDUE, today),
        "idle": idle_condition(),
    }


# --- The case tallies: the case list's count and sums, kept by PostgreSQL -------------------------------------

# One row per change: a statement's cases added (+) or taken away (-) by town, year received, status and handling
# body. The triggers below add rows and never update one, so concurrent writers never wait for each other; `compact`
# folds the rows into one per group (hourly, manage.py compact_case_tallies).
TALLY_COLUMNS = "town_id, year, status, handling_body, cases, headcount, amount_claimed"
TALLY_YEAR = "EXTRACT(YEAR FROM received_on)::integer"
TALLY_GROUP = f"town_id, {TALLY_YEAR}, status, handling_body"
TALLY_INSERTED = (
    f"INSERT INTO disputes_casetally ({TALLY_COLUMNS}) SELECT {TALLY_GROUP}, COUNT(*), SUM(headcount), "
    f"SUM(amount_claimed) FROM new_rows GROUP BY 1, 2, 3, 4; RETURN NULL;"
)
TALLY_DELETED = (
    f"INSERT INTO disputes_casetally ({TALLY_COLUMNS}) SELECT {TALLY_GROUP}, -COUNT(*), -SUM(headcount), "
    f"-SUM(amount_claimed) FROM old_rows GROUP BY 1, 2, 3, 4; RETURN NULL;"
)
# An update that changes none of the tallied columns nets to nothing and adds no row.
TALLY_UPDATED = (
    f"INSERT INTO disputes_casetally ({TALLY_COLUMNS}) SELECT town_id, year, status, handling_body, SUM(cases), "
    f"SUM(headcount), SUM(amount_claimed) FROM ("
    f"SELECT town_id, {TALLY_YEAR} AS year, status, handling_body, -1 AS cases, -headcount AS headcount, "
    f"-amount_claimed AS amount_claimed FROM old_rows UNION ALL "
    f"SELECT {TALLY_GROUP}, 1, headcount, amount_claimed FROM new_rows"
    f") AS changed GROUP BY 1, 2, 3, 4 "
    f"HAVING SUM(cases) <> 0 OR SUM(headcount) <> 0 OR SUM(amount_claimed) <> 0; RETURN NULL;"
)


def case_tally_triggers() -> list:
    """The statement triggers on disputes_case that write CaseTally rows (PostgreSQL; none on SQLite)."""
    return [
        pgtrigger.Trigger(
            name=f"case_tally_{name}",
            when=pgtrigger.After,
            operation=operation,
            level=pgtrigger.Statement,
            referencing=pgtrigger.Referencing(**referencing),
            func=func,
        )
        for name, operation, referencing, func in (
            ("insert", pgtrigger.Insert, {"new": "new_rows"}, TALLY_INSERTED),
            ("update", pgtrigger.Update, {"old": "old_rows", "new": "new_rows"}, TALLY_UPDATED),
            ("delete", pgtrigger.Delete, {"old": "old_rows"}, TALLY_DELETED),
        )
    ]


class Case(VersionedModel):
    number = models.CharField(_("case number"), max_length=30, editable=False)
    town = models.ForeignKey(
        Town,
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        related_name="dispute_cases",
        help_text=_("Where the dispute arose, normally the employer's town."),
    )
    received_on = models.DateField(_("received on"), default=local_today)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WALK_IN)
    handling_body = models.CharField(_("handling body"), max_length=20, choices=HandlingBody.choices)
    claim_kinds = models.ManyToManyField(ClaimKind, verbose_name=_("kinds of claim"), related_name="cases")
    employer = models.ForeignKey(
        Enterprise,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        related_name="dispute_cases",
        db_index=False,  # disputes_case_employer_list begins with it
    )
    amount_claimed = models.DecimalField(
        _("amount involved (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        help_text=_("What is in dispute, as claimed (涉及金额)."),
    )
    facts = models.TextField(_("facts"), blank=True)
    headcount = models.PositiveIntegerField(_("workers involved"), default=1)
    is_collective = models.BooleanField(_("collective incident"), default=False)
    collective_cause = models.CharField(
        _("cause of the collective incident"), max_length=100, blank=True, help_text=_("For example 疏解外迁.")
    )
    government_bodies = models.CharField(_("government bodies involved"), max_length=200, blank=True)
    learned_on = models.DateField(
        _("worker learned of the infringement on"),
        null=True,
        blank=True,
        help_text=_("Starts the one-year limitation period for arbitration."),
    )
    limitation_on = models.DateField(_("limitation date"), null=True, blank=True, editable=False)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    arbitration_accepted_on = models.DateField(
        _("arbitration accepted on"),
        null=True,
        blank=True,
        help_text=_("Starts the 45-day clock of the arbitration award."),
    )
    arbitration_extended = models.BooleanField(_("arbitration extended by 15 days"), default=False, editable=False)
    arbitration_extension_reason = models.CharField(
        _("reason for the extension"), max_length=200, blank=True, editable=False
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, editable=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, editable=False)
    amount_recovered = models.DecimalField(
        _("amount recovered (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        help_text=_("What the workers actually obtained (挽回经济损失)."),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True, editable=False)
    dossier_kind = models.CharField(
        _("dossier kind"), max_length=10, choices=DossierKind.choices, blank=True, editable=False
    )
    archived_on = models.DateField(_("archived on"), null=True, blank=True, editable=False)
    dossier_number = models.CharField(
        _("town dossier number"),
        max_length=40,
        blank=True,
        help_text=_("The town union's own file number of the dossier, as in its sheet."),
    )
    inspection_squad = models.CharField(_("labour-inspection squad worked with"), max_length=100, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_dispute_cases",
    )
    due_on = models.DateField(_("next deadline"), null=True, blank=True, editable=False, db_index=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords(m2m_fields=[claim_kinds], excluded_fields=["last_activity_at"])

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute case")
        verbose_name_plural = _("dispute cases")
        ordering = ["-received_on", "-pk"]
        indexes = [
            # The case list's orders, for the district and for one town: a page is an index scan, not a sort. They
            # also hold the list's summed columns (PostgreSQL's INCLUDE), so the list's count and totals, and a deep
            # page's keys (union_portal.pagination), read the index alone.
            models.Index(
                fields=["received_on", "id"], include=["headcount", "amount_claimed"], name="disputes_case_list_sums"
            ),
            models.Index(
                fields=["town", "received_on", "id"],
                include=["headcount", "amount_claimed"],
                name="disputes_case_town_sums",
            ),
            models.Index(fields=["due_on", "-received_on", "-id"], name="disputes_case_due_order"),
            # The year's figures (disputes/figures.py `_in_year`): the cases closed, accepted or archived in a year.
            models.Index(fields=["closed_on"], name="disputes_case_closed_on"),
            models.Index(fields=["accepted_on"], name="disputes_case_accepted_on"),
            models.Index(fields=["archived_on"], name="disputes_case_archived_on"),
            models.Index(fields=["handling_body", "status"], name="disputes_case_body_status"),
            models.Index(fields=["assigned_to", "status"], name="disputes_case_assigned"),
            # The start page's panels count open cases only (desk_counts): the open few, by town.
            models.Index(
                fields=["town", "due_on", "assigned_to", "last_activity_at", "status"],
                condition=Q(status__in=OPEN_STATUSES),
                name="disputes_case_open",
            ),
            # Search (CaseQuerySet.search): `icontains` is UPPER(number) LIKE on PostgreSQL (none on SQLite); a
            # number's last character, for a one-character query, which has no trigram at the number's end.
            GinIndex(OpClass(Upper("number"), name="gin_trgm_ops"), name="disputes_case_number_trgm"),
            models.Index(Right(Upper("number"), 1), name="disputes_case_number_last"),
            # The cases of the employers a search names (SearchTerms.matched), with the list's order and sums: their
            # count and totals read this index alone (a search for 物流: 20,631 cases of 485 employers). It also
            # serves the employer's foreign key.
            models.Index(
                fields=["employer", "received_on", "id"],
                include=["headcount", "amount_claimed"],
                name="disputes_case_employer_list",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="disputes_case_number_unique"),
            models.UniqueConstraint(
                fields=["town", "dossier_number"],
                condition=~Q(dossier_number=""),
                name="disputes_case_town_dossier_unique",
            ),
            models.CheckConstraint(condition=Q(amount_claimed__gte=0), name="disputes_case_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_recovered__isnull=True) | Q(amount_recovered__gte=0),
                name="disputes_case_recovered_not_negative",
            ),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="disputes_case_headcount_positive"),
            models.CheckConstraint(
                condition=Q(learned_on__isnull=True) | Q(learned_on__lte=F("received_on")),
                name="disputes_case_learned_before_received",
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("received_on")),
                name="disputes_case_accepted_after_received",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("received_on")),
                name="disputes_case_closed_after_received",
            ),
            models.CheckConstraint(
                condition=Q(archived_on__isnull=True)
                | (Q(closed_on__isnull=False) & Q(archived_on__gte=F("closed_on"))),
                name="disputes_case_archived_after_closed",
            ),
            models.CheckConstraint(
                condition=Q(archived_on__isnull=True) | ~Q(dossier_kind=""),
                name="disputes_case_archived_has_dossier_kind",
            ),
        ]
        # PostgreSQL keeps the case list's count and sums by town, year, status and handling body (CaseTally).
        triggers = case_tally_triggers()

    def __str__(self):
        return self.number or str(_("new case"))

    def get_absolute_url(self):
        return reverse("disputes:case_detail", args=[self.pk])

    # Clocks -------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def mediation_deadline(self) -> datetime.date | None:
        if self.handling_body not in MEDIATION_BODIES or not self.received_on:
            return None
        return self.received_on + datetime.timedelta(days=MEDIATION_DAYS)

    @property
    def arbitration_deadline(self) -> datetime.date | None:
        if not self.arbitration_accepted_on:
            return None
        days = ARBITRATION_DAYS + (ARBITRATION_EXTENSION_DAYS if self.arbitration_extended else 0)
        return self.arbitration_accepted_on + datetime.timedelta(days=days)

    def clocks(self) -> list[tuple[str, datetime.date]]:
        """The legal deadlines that run now, as (label, date), nearest first."""
        if not self.is_open:
            return []
        clocks = []
        if self.status in MEDIATION_CLOCK_STATUSES and self.mediation_deadline:
            clocks.append((_("mediation (15 days from receipt)"), self.mediation_deadline))
        if self.arbitration_deadline:
            clocks.append((_("arbitration award (45 days from acceptance)"), self.arbitration_deadline))
        elif self.limitation_on and self.status not in MEDIATION_CLOCK_STATUSES:
            clocks.append((_("limitation period for arbitration (one year)"), self.limitation_on))
        return sorted(clocks, key=lambda clock: clock[1])

    def compute_due_on(self) -> datetime.date | None:
        clocks = self.clocks()
        return clocks[0][1] if clocks else None

    def refresh_derived(self) -> None:
        """The stored values worked out from others: limitation date and next deadline."""
        self.limitation_on = one_year_after(self.learned_on) if self.learned_on else None
        self.due_on = self.compute_due_on()

    @property
    def days_left(self) -> int | None:
        """Days until the next deadline, counted in Beijing dates: 0 on the last day, negative when overdue."""
        if self.due_on is None:
            return None
        return (self.due_on - local_today()).days

    @property
    def limitation_expired_at_receipt(self) -> bool:
        """The worker came more than a year after learning of the infringement: arbitration may refuse the claim."""
        return bool(self.limitation_on and self.received_on and self.limitation_on < self.received_on)

    @property
    def days_overdue(self) -> int:
        left = self.days_left
        return -left if left is not None and left < 0 else 0

    @property
    def clock_state(self) -> str:
        left = self.days_left
        if left is None:
            return ClockState.NONE
        if left < 0:
            return ClockState.OVERDUE
        if left <= DUE_SOON_DAYS:
            return ClockState.DUE_SOON
        return ClockState.RUNNING

    def allowed_moves(self) -> tuple:
        return moves_for(self.handling_body).get(self.status, ())

    # Validation -----------------------------------------------------------------------

    def clean(self):
        errors = {}
        if self.learned_on and self.received_on and self.learned_on > self.received_on:
            errors["learned_on"] = _("The worker cannot have learned of the infringement after the case was received.")
        if self.accepted_on and self.received_on and self.accepted_on < self.received_on:
            errors["accepted_on"] = _("A case cannot be accepted before it was received.")
        if self.is_collective and self.headcount < COLLECTIVE_MIN_WORKERS:
            errors["headcount"] = _("A collective incident involves at least %(count)d workers.") % {
                "count": COLLECTIVE_MIN_WORKERS
            }
        if self.is_collective and not self.collective_cause:
            errors["collective_cause"] = _("Say what caused the collective incident.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if not self.status:
            self.status = initial_status(self.handling_body)
        self.refresh_derived()
        return super().save(*args, **kwargs)


def case_number_prefix(town: Town, handling_body: str) -> str:
    """Each handling body numbers its own cases: the district's centre and legal-aid desk, and each town union.

    The district's bodies write the district's short name (大兴调, 大兴援); a town union writes its
    town's name (亦庄镇调), so its staff see an unbroken sequence of their own and every reader
    sees which union handled the case.
    """
    body = HandlingBody(handling_body)
    issuer = town.name if body == HandlingBody.TOWN_UNION else town.district.short_name
    return f"{issuer}{BODY_CODE[body]}"


def format_case_number(prefix: str, year: int, sequence: int) -> str:
    """大兴调〔2018〕0562."""
    return f"{prefix}〔{year}〕{sequence:04d}"


class CaseTallyQuerySet(TownScopedQuerySet):
    def totals(self) -> dict:
        """{"count", "headcount", "amount_claimed"} of the cases these rows tally, as the case list sums them."""
        sums = self.aggregate(
            count=models.Sum("cases"), headcount=models.Sum("headcount"), amount_claimed=models.Sum("amount_claimed")
        )
        return {**sums, "count": sums["count"] or 0}

    def compact(self) -> int:
        """Fold every row into one per (town, year, status, handling body); groups that net to nothing go. Rows
        that writers add meanwhile are not seen by the DELETE and stay. Returns the rows left."""
        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH gone AS (DELETE FROM disputes_casetally RETURNING {TALLY_COLUMNS}) "
                f"INSERT INTO disputes_casetally ({TALLY_COLUMNS}) SELECT town_id, year, status, handling_body, "
                "SUM(cases), SUM(headcount), SUM(amount_claimed) FROM gone GROUP BY 1, 2, 3, 4 "
                "HAVING SUM(cases) <> 0 OR SUM(headcount) <> 0 OR SUM(amount_claimed) <> 0"
            )
            return cursor.rowcount

    def rebuild(self) -> None:
        """Tally every case again (after rows were written without the triggers, e.g. a COPY in replica mode)."""
        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return
        with transaction.atomic(using=self.db), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE disputes_case IN SHARE MODE")  # no case changes while it counts
            cursor.execute("DELETE FROM disputes_casetally")
            cursor.execute(
                f"INSERT INTO disputes_casetally ({TALLY_COLUMNS}) SELECT {TALLY_GROUP}, COUNT(*), SUM(headcount), "
                "SUM(amount_claimed) FROM disputes_case GROUP BY 1, 2, 3, 4"
            )


class CaseTally(models.Model):
    """Cases counted and summed by town, year received, status and handling body: what the case list's count and
    totals row read on PostgreSQL when its filters are only those (CaseFilter.tally), instead of summing every case
    on each view. Written by the triggers on disputes_case only (`case_tally_triggers`), so no path that writes
    cases, the ORM, an import's bulk statements or SQL, can leave it behind; several rows may hold one group (see
    TALLY_COLUMNS). On SQLite it stays empty and the lists sum the cases."""

    town = models.ForeignKey(Town, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    year = models.SmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices)
    handling_body = models.CharField(max_length=20, choices=HandlingBody.choices)
    cases = models.IntegerField()
    headcount = models.BigIntegerField()
    amount_claimed = models.DecimalField(max_digits=16, decimal_places=2)

    objects = CaseTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("case tally")
        verbose_name_plural = _("case tallies")
        ordering = ["town", "year", "status", "handling_body"]
        default_permissions = ()

    def __str__(self):
        return f"{self.town_id} {self.year} {self.status} {self.handling_body}: {self.cases}"


class CaseChildQuerySet(TownScopedQuerySet):
    town_lookup = "case__town"


class CaseWorker(models.Model):
    """A worker on the claimant side of a case; a collective case lists its representatives."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="workers")
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, validators=[validate_id_number], db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone], db_index=True)
    is_representative = models.BooleanField(_("representative"), default=False)
    history = HistoricalRecords()

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["case", "-is_representative", "pk"]
        indexes = [
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="disputes_worker_name_trgm"),
            models.Index(Right(Upper("name"), 1), name="disputes_worker_name_last"),  # see Case's number_last
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "id_number"], name="disputes_caseworker_id_unique_per_case"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.id_number = (self.id_number or "").strip().upper()
        self.phone = (self.phone or "").strip()


class EventKind(models.TextChoices):
    NOTE = "note", _("note")
    CALL = "call", _("phone call")
    MEETING = "meeting", _("meeting")
    MEDIATION_SESSION = "mediation_session", _("mediation session")
    DOCUMENT_SERVED = "document_served", _("document served")
    STATUS_CHANGE = "status_change", _("status change")
    EXTENSION = "extension", _("arbitration extended")
    ATTACHMENT = "attachment", _("attachment added")


# What staff add to a timeline by hand; the other kinds are written by the services.
ACTION_KINDS = (
    EventKind.NOTE,
    EventKind.CALL,
    EventKind.MEETING,
    EventKind.MEDIATION_SESSION,
    EventKind.DOCUMENT_SERVED,
)


class CaseEvent(models.Model):
    """One dated entry of a case's timeline. Append-only: entries are never edited."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    happened_on = models.DateField(_("date"), default=local_today)
    text = models.TextField(_("text"), blank=True)
    from_status = models.CharField(_("from status"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=Status.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["-happened_on", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["case", "happened_on"], name="disputes_event_case_date")]

    def __str__(self):
        return f"{self.happened_on} {self.get_kind_display()}"


def attachment_path(instance, filename):
    """A random stored name with the extension of the sniffed type; the original name is kept in the row only."""
    return uploads.random_path("cases", uploads.FILE_TYPES.get(instance.content_type))


class CaseAttachment(models.Model):
    """A PDF or image filed with a case, kept under PRIVATE_MEDIA_ROOT."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, storage=private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "-uploaded_at", "-pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("disputes:attachment_download", args=[self.case_id, self.pk])

    def clean(self):
        # A new file is judged by its content; the type recorded (and later served) must be the one found.
        file_type = uploads.FILE_TYPES.get(self.content_type)
        if self.file and not self.file._committed:
            try:
                file_type = uploads.upload_check(self.file, rule=uploads.ATTACHMENT)
            except ValidationError as error:
                raise ValidationError({"file": error})
            if file_type.content_type != self.content_type:
                message = _("The content type must be the one the file's content shows: %(type)s.")
                error = ValidationError(message, params={"type": file_type.content_type}, code="attachment_type")
                raise ValidationError({"content_type": error})
        if file_type not in uploads.ATTACHMENT.types:
            message = _("Only PDF files and JPEG, PNG or WebP images can be attached.")
            raise ValidationError({"content_type": ValidationError(message, code="attachment_type")})

    @property
    def served_content_type(self) -> str:
        """What the download says it is: the type sniffed at upload, or plain bytes for anything else."""
        file_type = uploads.FILE_TYPES.get(self.content_type)
        return file_type.content_type if file_type in uploads.ATTACHMENT.types else "application/octet-stream"

    @property
    def download_name(self) -> str:
        """The name the user gave, with an extension that agrees with the content (older rows may disagree)."""
        file_type = uploads.FILE_TYPES.get(self.served_content_type)
        name = PurePath(self.original_name or "file")
        if file_type and name.suffix.lower() in file_type.extensions:
            return name.name
        return name.stem + (file_type.extension if file_type else ".bin")


# Collective bargaining --------------------------------------------------------------

LARGE_ENTERPRISE_HEADCOUNT = 100


class EnterpriseScopedQuerySet(TownScopedQuerySet):
    town_lookup = "enterprise__town"


class BargainingYear(models.Model):
    """An enterprise with 100+ employees in the year's bargaining census, and whether it meets the model standard."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="bargaining_years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    employees = models.PositiveIntegerField(_("employees that year"))
    meets_model_standard = models.BooleanField(
        _("meets the model-enterprise standard"), default=False, help_text=_("典型示范企业.")
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = EnterpriseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bargaining census entry")
        verbose_name_plural = _("bargaining census")
        ordering = ["-year", "enterprise__name"]
        # The first and last census year (figures.years_with_records) from the index's two ends, not a scan of all.
        indexes = [models.Index(fields=["year"], name="disputes_bargaining_year")]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="disputes_bargainingyear_unique"),
            models.CheckConstraint(
                condition=Q(employees__gte=LARGE_ENTERPRISE_HEADCOUNT), name="disputes_bargainingyear_large"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.enterprise}"


class WageAgreement(models.Model):
    """A collective wage agreement an enterprise signed, with its term."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="wage_agreements"
    )
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = EnterpriseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("wage agreement")
        verbose_name_plural = _("wage agreements")
        ordering = ["enterprise__name", "-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="disputes_wageagreement_term_order"),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.starts_on}–{self.ends_on}"

    @property
    def renewal_due_on(self) -> datetime.date:
        """Bargaining for the next agreement should start before the term ends."""
        return self.ends_on

    def is_current(self, day: datetime.date | None = None) -> bool:
        day = day or local_today()
        return self.starts_on <= day <= self.ends_on


RENEWAL_NOTICE_DAYS = 90  # a wage agreement's renewal is flagged this long before its term ends


def renewal_horizon(today: datetime.date | None = None) -> datetime.date:
    """A current wage agreement ending on or before this day is due for renewal."""
    return (today or local_today()) + datetime.timedelta(days=RENEWAL_NOTICE_DAYS)


def with_wage_agreements(enterprises, today: datetime.date | None = None):
    """`enterprises` (Enterprise rows, a core model) with what the bargaining list shows of their agreements.

    Annotated `has_current`, `current_ends_on` (the current agreement's end), `latest_ends_on` and
    `latest_signed_on` (of the latest agreement): one statement for any number of enterprises.
    """
    today = today or local_today()
    current = WageAgreement.objects.filter(
        enterprise=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today
    ).order_by("-ends_on")
    latest = WageAgreement.objects.filter(enterprise=OuterRef("pk")).order_by("-ends_on")
    return enterprises.annotate(
        has_current=Exists(current),
        current_ends_on=Subquery(current.values("ends_on")[:1]),
        latest_ends_on=Subquery(latest.values("ends_on")[:1]),
        latest_signed_on=Subquery(latest.values("signed_on")[:1]),
    )


class InstructorLevel(models.TextChoices):
    CITY = "city", _("city level")
    DISTRICT = "district", _("district level")


class InstructorQuerySet(TownScopedQuerySet):
    include_townless = True  # town staff see their town's instructors and the district-wide ones

    def in_post_on(self, day: datetime.date):
        """The roster on `day`: appointed by then and not gone before it (the day they leave they still serve)."""
        return self.filter(appointed_on__lte=day).exclude(left_on__lt=day)


def roster_day(year: int, through: datetime.date | None = None) -> datetime.date:
    """The day a year's roster of instructors is read: its last day (or `through`, a year cut at that day), or
    today for the year in progress."""
    return min(year_end(year, through), local_today())


class BargainingInstructor(models.Model):
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=InstructorLevel.choices)
    town = models.ForeignKey(
        Town,
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bargaining_instructors",
        help_text=_("Leave empty for an instructor serving the whole district."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    appointed_on = models.DateField(_("appointed on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = InstructorQuerySet.as_manager()

    class Meta:
        verbose_name = _("bargaining instructor")
        verbose_name_plural = _("bargaining instructors")
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("appointed_on")),
                name="disputes_instructor_left_after_appointed",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_level_display()}）"


class SupervisionInspection(models.Model):
    """A joint supervision inspection of bargaining, and the secondary unions it covered."""

    town = models.ForeignKey(Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="inspections")
    date = models.DateField(_("date"))
    inspected_with = models.CharField(_("inspected together with"), max_length=200, blank=True)
    unions_covered = models.ManyToManyField(
        Enterprise,
        verbose_name=_("secondary unions covered"),
        related_name="bargaining_inspections",
        help_text=_("The enterprises whose secondary unions the inspection covered."),
    )
    findings = models.TextField(_("findings"), blank=True)
    history = HistoricalRecords(m2m_fields=[unions_covered])

    objects = TownScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("joint supervision inspection")
        verbose_name_plural = _("joint supervision inspections")
        ordering = ["-date", "pk"]

    def __str__(self):
        return f"{self.date} {self.town}"


def unions_inspected_in(year: int | None = None, through: datetime.date | None = None):
    """The enterprises whose secondary unions joint inspections covered (in `year`, cut at `through`), each once.

    A union belongs to the town of its enterprise, whichever town's inspection covered it.
    """
    covered = SupervisionInspection.unions_covered.through.objects.all()
    if year is not None:
        covered = covered.filter(**year_range("supervisioninspection__date", year, through))
    return Enterprise.objects.filter(pk__in=covered.values("enterprise_id"))
