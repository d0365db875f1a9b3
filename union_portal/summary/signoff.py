"""The sign-off (定稿) of a finished year's summary: the figures frozen as they stood, kept with who signed and
when and a checksum of the figures (issue 8).

- `signoff_create` freezes the district's figures and every town's (one grouped pass) in a `SummarySignoff`;
  `signoff_withdraw` withdraws it (撤销定稿): the row is deleted, its history rows keep it, with who withdrew it,
  when and why. Only district admins do either, from the forms of `_signoff.html`.
- `apply(report)` is the hook of `report.build`: a signed year's report shows the frozen figures (the district's,
  each town's, the town table's), the live ones kept beside them in `report.live` for the comparison.
- `panel(user, report)` is what `_signoff.html` shows: the sign-off and whether its checksum holds, the figures
  whose live value differs now, and (district roles only: the records name people of every town) the records
  changed after the sign-off, read from django-simple-history's rows of the apps behind the figures.
"""

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Window, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views import View

from union_portal.access import is_district_admin, town_scope
from union_portal.changelog import user_name
from union_portal.errors import DomainError
from union_portal.figures import YUAN, Figure
from union_portal.models import SummarySignoff, Town
from union_portal.views import DistrictAdminRequiredMixin

from . import sections

FORMAT = 1  # the layout of `SummarySignoff.snapshot`
NO_TOWN_KEY = "none"  # the snapshot's key for the records of no town (JSON keys are strings)
HISTORY_APPS = ("stations", "disputes", "benefits")  # the apps whose records make the figures
RECORDS_SHOWN = 20  # the most recent changed records listed
UNREADABLE = (KeyError, TypeError, AttributeError, ValueError, ArithmeticError)  # a snapshot altered out of shape


# The snapshot and its checksum ------------------------------------------------------------------------------


def snapshot_of(year: int) -> dict:
    """The figures of `year` to freeze: the district's, and every town's and the records of no town's (from the
    apps' `figures_by_town`, one grouped pass), each with its section; read in the portal's language, as the
    office's report of record."""
    with translation.override(settings.LANGUAGE_CODE):
        district = sections.year_figures(year)
        town_ids = list(Town.objects.order_by("order", "pk").values_list("pk", flat=True))
        by_town = sections.year_figures_by_town(year, town_ids)
    anchors = {figure.key: anchor for anchor, figures in district.items() for figure in figures}
    return {
        "format": FORMAT,
        "year": year,
        "district": [_serialized(figure, anchor) for anchor, figures in district.items() for figure in figures],
        "towns": {
            _town_key(town_id): [_serialized(figure, anchors.get(figure.key, "")) for figure in figures.values()]
            for town_id, figures in by_town.items()
        },
    }


def checksum_of(snapshot: dict) -> str:
    """SHA-256 (hex) of a canonical JSON (sorted keys, no spaces) of the year and every frozen figure's key,
    value and unit, for the district and each town."""

    def values(figures):
        return {figure["key"]: [figure["value"], figure["unit"]] for figure in figures}

    canonical = {
        "year": snapshot["year"],
        "district": values(snapshot["district"]),
        "towns": {town: values(figures) for town, figures in snapshot["towns"].items()},
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verified(signoff: SummarySignoff) -> bool:
    """Does the stored checksum match the stored figures (and year)? False for a snapshot altered since."""
    try:
        intact = checksum_of(signoff.snapshot) == signoff.checksum
    except UNREADABLE:
        return False
    return intact and signoff.snapshot["year"] == signoff.year


def _serialized(figure: Figure, anchor: str) -> dict:
    value = str(figure.value) if isinstance(figure.value, Decimal) else figure.value
    return {
        "section": anchor,
        "key": figure.key,
        "label": figure.label,
        "unit": figure.unit,
        "value": value,
        "url": figure.url,
        "definition": figure.definition,
    }


def _figure(data: dict, yuan: str) -> Figure:
    value = Decimal(data["value"]) if isinstance(data["value"], str) else data["value"]
    unit = str(YUAN) if data["unit"] == yuan else data["unit"]  # money stays money whatever the reader's language
    return Figure(data["key"], data["label"], value, unit, data["url"], data.get("definition", ""))


def _town_key(town_id) -> str:
    return NO_TOWN_KEY if town_id is None else str(town_id)


@dataclass
class Frozen:
    """The figures of a snapshot, as the report lays them out."""

    snapshot: dict

    def __post_init__(self):
        with translation.override(settings.LANGUAGE_CODE):
            self.yuan = str(YUAN)

    def current(self, town: Town | None) -> dict | None:
        """{section anchor: [Figure]} of the district or `town` (None: the town is not in the snapshot)."""
        rows = self.snapshot["district"] if town is None else self.snapshot["towns"].get(str(town.pk))
        if rows is None:
            return None
        current = {anchor: [] for anchor, _title, _figures in sections.SECTIONS}
        for row in rows:
            current.setdefault(row["section"], []).append(_figure(row, self.yuan))
        return current

    def by_town(self) -> dict:
        """{town id or None: {key: Figure}}, as `sections.year_figures_by_town` gives it."""
        return {
            None if key == NO_TOWN_KEY else int(key): {row["key"]: _figure(row, self.yuan) for row in rows}
            for key, rows in self.snapshot["towns"].items()
        }


# The hook of report.build -----------------------------------------------------------------------------------


def apply(report):
    """`report` (live) as the page shows it when its year, or the previous year, is signed off: the frozen
    figures in `current` and `by_town` (read when they were signed), the live ones in `live` ({key: Figure}).

    A year in progress is never signed, and its previous year is compared through the same day: no statement.
    A town missing from the snapshot (added since) keeps its live figures (`live` stays None).
    """
    if report.through is not None:
        return report
    signed = {s.year: s for s in SummarySignoff.objects.filter(year__in=[report.year, report.year - 1])}
    report.signoff = signed.get(report.year)
    if report.signoff is not None:
        _freeze(report, report.signoff)
    if report.year - 1 in signed:
        previous = _loaded(signed[report.year - 1], report.town)
        if previous is not None:
            report.previous = previous
    return report


def _freeze(report, signoff):
    try:
        frozen = Frozen(signoff.snapshot)
        current = frozen.current(report.town)
        by_town = frozen.by_town() if report.by_town is not None else None
    except UNREADABLE:  # the page warns that the checksum fails, and shows the live figures
        return
    if current is None:
        return
    report.live = sections.by_key(report.current)
    report.current = current
    report.read_at = timezone.localtime(signoff.signed_at)
    if by_town is not None:
        report.by_town = by_town


def _loaded(signoff, town) -> dict | None:
    try:
        return Frozen(signoff.snapshot).current(town)
    except UNREADABLE:
        return None


# What the page shows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """A figure whose live value is not the frozen one (`live` None: the figure is gone from the live report)."""

    frozen: Figure
    live: Figure | None

    @property
    def is_money(self) -> bool:
        return self.frozen.unit == str(YUAN)


def differences(report) -> list[Difference]:
    """The frozen figures of `report` whose live value differs now, in the report's order."""
    if report.live is None:
        return []
    return [
        Difference(figure, report.live.get(figure.key))
        for figure in sections.by_key(report.current).values()
        if figure.key not in report.live or report.live[figure.key].value != figure.value
    ]


CHANGE_KINDS = {
    "+": pgettext_lazy("record change", "created"),
    "~": pgettext_lazy("record change", "changed"),
    "-": pgettext_lazy("record change", "deleted"),
}


@dataclass(frozen=True)
class ChangedRecord:
    kind: str  # what the record is (the model's verbose name)
    name: str
    change: str
    by: str
    at: datetime.datetime


@dataclass
class ChangedRecords:
    """The records of the apps changed after a moment: how many of each kind, and the most recent ones."""

    total: int = 0
    counts: list = field(default_factory=list)  # [(kind, count)], kinds with changes only
    latest: list = field(default_factory=list)  # [ChangedRecord], newest first, at most RECORDS_SHOWN


def history_models() -> list:
    """django-simple-history's historical models of the apps behind the figures (not the many-to-many rows)."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in HISTORY_APPS
        and model.__name__.startswith("Historical")
        and any(f.name == "history_date" for f in model._meta.concrete_fields)
    ]


def records_changed_since(moment: datetime.datetime) -> ChangedRecords:
    """One statement per historical model (its most recent rows after `moment` with their count), then one per
    kind of record their names point at."""
    found = ChangedRecords()
    rows = []
    for model in history_models():
        recent = list(
            model._default_manager.filter(history_date__gt=moment)
            .select_related("history_user")
            .annotate(changed_rows=Window(Count("history_id")))
            .order_by("-history_date", "-history_id")[:RECORDS_SHOWN]
        )
        if recent:
            found.total += recent[0].changed_rows
            found.counts.append((str(model.instance_type._meta.verbose_name), recent[0].changed_rows))
            rows.extend(recent)
    rows.sort(key=lambda row: row.history_date, reverse=True)
    rows = rows[:RECORDS_SHOWN]
    names = _record_names(rows)
    found.latest = [
        ChangedRecord(
            kind=str(row.instance_type._meta.verbose_name),
            name=names[id(row)],
            change=str(CHANGE_KINDS.get(row.history_type, row.history_type)),
            by=user_name(row.history_user) if row.history_user else "",
            at=row.history_date,
        )
        for row in rows
    ]
    return found


def _record_names(rows) -> dict:
    """{id(row): the record's name} for historical rows: the records they point at are read once per field."""
    by_model = defaultdict(list)
    for row in rows:
        by_model[type(row)].append(row)
    names = {}
    for model_rows in by_model.values():
        instances = [_instance(row) for row in model_rows]
        relations = [
            f.name
            for f in instances[0]._meta.concrete_fields
            if f.many_to_one and any(getattr(instance, f.attname) is not None for instance in instances)
        ]
        prefetch_related_objects(instances, *relations)
        names.update({id(row): _name(row, instance) for row, instance in zip(model_rows, instances, strict=True)})
    return names


def _instance(row):
    """The record as the historical row holds it (simple-history's `row.instance` reads excluded fields anew)."""
    model = row.instance_type
    return model(**{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if hasattr(row, f.attname)})


def _name(row, instance) -> str:
    try:
        return str(instance)
    except (ObjectDoesNotExist, AttributeError):  # a record it names is gone
        return f"{row.instance_type._meta.verbose_name} #{instance.pk}"


def withdrawn(year: int) -> list:
    """The withdrawn sign-offs of `year`, newest first: their history rows of deletion."""
    rows = SummarySignoff.history.filter(year=year, history_type="-").select_related("history_user", "signed_by")
    return list(rows.order_by("-history_date"))


def panel(user, report) -> dict:
    """What `_signoff.html` shows `user` on the page of `report`."""
    signoff = getattr(report, "signoff", None)
    district_page = report.town is None
    shown = {
        "signoff": signoff,
        "frozen": getattr(report, "live", None) is not None,
        "withdrawn": withdrawn(report.year) if report.through is None else [],
        "can_sign": False,
        "can_withdraw": False,
    }
    if signoff is None:
        shown["can_sign"] = district_page and is_finished(report.year) and is_district_admin(user)
        shown["form"] = SignoffForm() if shown["can_sign"] else None
        return shown
    shown |= {
        "intact": verified(signoff),
        "signed_by": user_name(signoff.signed_by),
        "differences": differences(report),
        # Records of every town, naming people: district roles only (town staff see their town's figures above).
        "changes": records_changed_since(signoff.signed_at) if town_scope(user) is None else None,
        "can_withdraw": district_page and is_district_admin(user),
    }
    shown["withdraw_form"] = WithdrawForm() if shown["can_withdraw"] else None
    return shown


def is_finished(year: int) -> bool:
    return year < timezone.localdate().year


# The writes -------------------------------------------------------------------------------------------------


def signoff_create(*, year: int, by) -> SummarySignoff:
    """Sign off (定稿) the finished `year`: freeze the district's and every town's figures with their checksum."""
    if not is_district_admin(by):
        raise DomainError(_("Only a district admin may sign off a year's summary."))
    if not is_finished(year):
        raise DomainError(_("Only a finished year can be signed off: %(year)s is not over yet.") % {"year": year})
    already = DomainError(_("The summary of %(year)s is already signed off.") % {"year": year})
    if SummarySignoff.objects.filter(year=year).exists():
        raise already
    snapshot = snapshot_of(year)
    signoff = SummarySignoff(year=year, signed_by=by, snapshot=snapshot, checksum=checksum_of(snapshot))
    signoff.full_clean(validate_constraints=False)  # the year's uniqueness: the database says it, also in a race
    try:
        with transaction.atomic():
            signoff.save()
    except IntegrityError:
        raise already from None
    return signoff


def signoff_withdraw(*, year: int, by, reason: str) -> None:
    """Withdraw (撤销定稿) the sign-off of `year`: the live figures show again; the history keeps the sign-off,
    who withdrew it, when and why."""
    if not is_district_admin(by):
        raise DomainError(_("Only a district admin may withdraw a sign-off."))
    if not reason.strip():
        raise DomainError({"reason": _("Say why the sign-off is withdrawn.")})
    with transaction.atomic():
        signoff = SummarySignoff.objects.select_for_update().filter(year=year).first()
        if signoff is None:
            raise DomainError(_("The summary of %(year)s is not signed off.") % {"year": year})
        signoff._history_user = by
        signoff._change_reason = reason.strip()
        signoff.delete()


# The forms and their views ----------------------------------------------------------------------------------


class SignoffForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked this year's figures and sign them off as final."),
        error_messages={"required": _("Tick the box to confirm the sign-off.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for withdrawing"),
        max_length=100,  # django-simple-history's change reason
        error_messages={"required": _("Say why the sign-off is withdrawn.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class SignoffActionView(DistrictAdminRequiredMixin, View):
    """A POST from the form of `_signoff.html`: run it, then back to the year's page with what happened."""

    http_method_names = ["post"]

    def post(self, request, year):
        from .views import FIRST_YEAR  # the summary's views import the report, which imports this module

        if not FIRST_YEAR <= year <= timezone.localdate().year:
            raise Http404
        try:
            message = self.act(year)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, message)
        return redirect("summary_year", year)

    def valid(self, form_class):
        form = form_class(self.request.POST)
        if not form.is_valid():
            raise ValidationError([error for errors in form.errors.values() for error in errors])
        return form.cleaned_data


class SignoffCreateView(SignoffActionView):
    def act(self, year):
        self.valid(SignoffForm)
        signoff_create(year=year, by=self.request.user)
        return _("The summary of %(year)s is signed off: its figures are frozen.") % {"year": year}


class SignoffWithdrawView(SignoffActionView):
    def act(self, year):
        data = self.valid(WithdrawForm)
        signoff_withdraw(year=year, by=self.request.user, reason=data["reason"])
        return _("The sign-off of %(year)s is withdrawn: the page shows the live figures again.") % {"year": year}
