"""The benefits figures of DOMAIN.md §4 for a year, for the district or a town (DESIGN.md, contract 2).

Nine SQL statements whatever the data size: one aggregate over each table behind the figures
(childcare classes, merchants, member-only activities, the aid ledger, home visits, job fairs,
purchased services, WeChat activities, cultural and sports events), each figure a conditional
`Count`/`Sum` inside it. `figures_by_town` takes the same nine statements, each grouped by town, for
every town at once; `years_with_records` one statement; `describe` none. Each figure's docstring line
below is its definition (口径); its URL opens the list that shows exactly the records it counts,
filtered by the list's own query parameters (`town` is a town id), and names the figure (`figure=key`)
so that the list heads itself with it.

`through` (a day of the year) cuts the year at that day: what is dated after it does not count, and
merchants are counted under contract up to it. Childcare classes, purchased services and cultural
and sports events are kept as a year's rows without a date: they count whole.

Records of district-wide programmes may have no town: they count for the district, and for no
town, so the towns' figures of those programmes add up to at most the district's.
"""

import datetime

from django.db.models import Count, Max, Min, Q, Sum, Value
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from union_portal.figures import (
    BY_TOWN,
    YUAN,
    Figure,
    every_town,
    figure_table,
    list_url,
    merged_by_town,
    totals,
    year_end,
    year_range,
)
from union_portal.models import Town

from .models import (
    AidPayment,
    ChildcareClass,
    CultureEvent,
    HomeVisit,
    JobFair,
    MemberActivity,
    Merchant,
    Programme,
    PurchasedService,
    WechatActivity,
    standing_condition,
)

# The ledger's programmes with figures of their own: (key of the count, key of the amount).
LEDGER_FIGURES = {
    Programme.FESTIVAL: ("festival_payments", "festival_amount"),
    Programme.MEDICAL: ("medical_aid_payments", "medical_aid_amount"),
    Programme.STUDENT: ("student_aid_grants", "student_aid_amount"),
}


# The units figures are counted in (a unit, not a field label: "20 个班", not "20 班数").
UNITS = {
    "classes": pgettext_lazy("figure unit", "classes"),
    "children": pgettext_lazy("figure unit", "children"),
    "merchants": pgettext_lazy("figure unit", "merchants"),
    "activities": pgettext_lazy("figure unit", "activities"),
    "payments": pgettext_lazy("figure unit", "payments"),
    "households": pgettext_lazy("figure unit", "households"),
    "grants": pgettext_lazy("figure unit", "grants"),
    "fairs": pgettext_lazy("figure unit", "fairs"),
    "jobs": pgettext_lazy("figure unit", "jobs"),
    "intentions": pgettext_lazy("figure unit", "intentions"),
    "projects": pgettext_lazy("figure unit", "projects"),
    "events": pgettext_lazy("figure unit", "events"),
    "person-times": pgettext_lazy("figure unit", "person-times"),
    "people": pgettext_lazy("figure unit", "people"),
}

# Each figure's label, in the order the figures are given.
LABELS = {
    "childcare_classes": _("summer childcare classes"),
    "childcare_children": _("children in summer childcare classes"),
    "partner_merchants": _("partner merchants under contract"),
    "member_activities": _("member-only activities"),
    "member_activity_person_times": _("person-times at member-only activities"),
    "festival_payments": _("festival condolence payments"),
    "festival_amount": _("total of festival condolence payments"),
    "hardship_visits": _("households in hardship visited"),
    "medical_aid_payments": _("emergency medical aid payments"),
    "medical_aid_amount": _("total of emergency medical aid"),
    "student_aid_grants": _("student aid grants"),
    "student_aid_amount": _("total of student aid grants"),
    "job_fairs": _("job fairs"),
    "jobs_offered": _("jobs offered at job fairs"),
    "job_intentions": _("job intentions signed"),
    "purchased_projects": _("purchased service projects"),
    "purchased_person_times": _("person-times of purchased services"),
    "wechat_activities": _("WeChat union activities"),
    "wechat_beneficiaries": _("member beneficiaries of WeChat union activities"),
    "wechat_participants": _("participants in WeChat union activities"),
    "culture_spend": _("cultural and sports spend"),
    "culture_events": _("cultural and sports events"),
    "culture_participants": _("participants in cultural and sports events"),
}


def figures(year: int, town: Town | None = None, *, through: datetime.date | None = None) -> list[Figure]:
    """Every benefits figure of DOMAIN.md §4 for `year`, for the whole district or, with `town`, that town only;
    cut at `through` (a day of `year`) when given."""
    values = {}
    for part in PARTS:
        values |= part(year, town, through)
    return _table(year, town, values)


def figures_by_town(
    year: int, town_ids: list[int], *, through: datetime.date | None = None
) -> dict[int | None, list[Figure]]:
    """`figures(year, Town(pk=id), through=through)` for every id of `town_ids`, and under None those of the
    records of no town (their URLs the district's lists), in the same statements as `figures`, grouped by town."""
    grouped = every_town(merged_by_town(*(part(year, BY_TOWN, through) for part in PARTS)), town_ids)
    return {
        town_id: _table(year, None if town_id is None else Town(pk=town_id), values)
        for town_id, values in grouped.items()
    }


def describe(key: str) -> tuple[str, str] | None:
    """The figure's (label, definition), without SQL; None for a key that is not a benefits figure."""
    return (LABELS[key], definition(key)) if key in LABELS else None


def years_with_records() -> set[int]:
    """The years any figure has something to count, in one statement: from the first to the last year of each
    table's records (a merchant's contract spans the years from its start to its end), each table's span taken
    whole, as the other apps' `years_with_records` do. Each table gives its MIN and MAX (the posted ledger's from
    its index), so the statement costs the same at any size."""
    spans = [
        _year_span(ChildcareClass.objects, "year"),
        _year_span(Merchant.objects, "contract_start", "contract_end"),
        _year_span(MemberActivity.objects, "held_on"),
        _year_span(AidPayment.objects.posted(), "paid_on"),
        _year_span(HomeVisit.objects, "visited_on"),
        _year_span(JobFair.objects, "held_on"),
        _year_span(PurchasedService.objects, "year"),
        _year_span(WechatActivity.objects, "held_on"),
        _year_span(CultureEvent.objects, "year"),
    ]
    rows = spans[0].union(*spans[1:], all=True)
    return {year for first, last in rows if first is not None for year in range(int(first), int(last) + 1)}


def _year_span(queryset, first: str, last: str | None = None):
    """(first year, last year) of `queryset`'s records, one row (None, None when it has none): the year of the
    earliest `first` and of the latest `last`, date fields or year fields (`last` defaults to `first`)."""

    def year_of(aggregate, name):
        if queryset.model._meta.get_field(name).get_internal_type() == "DateField":
            return ExtractYear(aggregate(name))  # the year of MIN(date), so that an index on the date serves it
        return aggregate(name)

    # Grouped by a constant, which Django leaves out of GROUP BY: one aggregate row, as a queryset to unite.
    one_row = queryset.order_by().annotate(table=Value(1)).values("table")
    return one_row.annotate(first_year=year_of(Min, first), last_year=year_of(Max, last or first)).values_list(
        "first_year", "last_year"
    )


def definition(key: str) -> str:
    """The figure's definition (口径); the ledger's name their programme."""
    for programme, (count_key, amount_key) in LEDGER_FIGURES.items():
        if key in (count_key, amount_key):
            return (PAYMENTS if key == count_key else AMOUNT) % {"programme": programme.label}
    return DEFINITIONS[key]


# The definitions (口径) shown beside each figure: what is counted, by which date, from which records.
PAYMENTS = _(
    "Posted %(programme)s payments paid in the year that stand: a reversing entry, and a payment whose reversal "
    "is posted, are not counted."
)
AMOUNT = _("Every posted %(programme)s entry paid in the year, reversals included, summed.")
DEFINITIONS = {
    "childcare_classes": _(
        "The summer childcare classes the towns recorded for the year, summed (kept per year without a date: a "
        "year read to a day counts them whole)."
    ),
    "childcare_children": _(
        "The children in the summer childcare classes recorded for the year, summed (kept per year without a "
        "date: a year read to a day counts them whole)."
    ),
    "partner_merchants": _("Partner merchants whose contract runs on at least one day of the year."),
    "member_activities": _("Member-only activities held in the year."),
    "member_activity_person_times": _("The person-times of the member-only activities held in the year."),
    "hardship_visits": _("Households in hardship with at least one home visit in the year, each counted once."),
    "job_fairs": _("Job fairs held in the year."),
    "jobs_offered": _("The jobs offered at the job fairs held in the year."),
    "job_intentions": _("The intentions signed at the job fairs held in the year."),
    "purchased_projects": _(
        "Service projects bought from social organisations for the year (kept per year without a date: a year "
        "read to a day counts them whole)."
    ),
    "purchased_person_times": _(
        "The person-times served by the service projects bought for the year (kept per year without a date: a "
        "year read to a day counts them whole)."
    ),
    "wechat_activities": _("WeChat union activities held in the year."),
    "wechat_beneficiaries": _("The member beneficiaries of the WeChat union activities held in the year."),
    "wechat_participants": _("The participants in the WeChat union activities held in the year."),
    "culture_spend": _(
        "The spend on cultural and sports events recorded for the year, summed (kept per year without a date: a "
        "year read to a day counts them whole)."
    ),
    "culture_events": _(
        "The cultural and sports events recorded for the year, summed (kept per year without a date: a year read "
        "to a day counts them whole)."
    ),
    "culture_participants": _(
        "The participants in the cultural and sports events recorded for the year, summed (kept per year without a "
        "date: a year read to a day counts them whole)."
    ),
}


def _table(year: int, town: Town | None, values: dict) -> list[Figure]:
    return figure_table(
        [(key, LABELS[key], unit, url, definition(key)) for key, unit, url in _rows(year, town)], values
    )


def _rows(year: int, town: Town | None) -> list[tuple]:
    """(key, unit, URL of the list behind it) of each figure, in the order of LABELS."""

    def url(name, **params):
        return list_url(f"benefits:{name}", town=town, **params)

    childcare = url("childcare_list", year=year)
    activities = url("activity_list", year=year)
    job_fairs = url("jobfair_list", year=year)
    purchased = url("purchased_list", year=year)
    wechat = url("wechat_list", year=year)
    culture = url("culture_list", year=year)
    ledger = {
        programme: url("payment_list", programme=programme.value, year=year, net=1) for programme in LEDGER_FIGURES
    }
    person_times, people = UNITS["person-times"], UNITS["people"]
    return [
        ("childcare_classes", UNITS["classes"], childcare),
        ("childcare_children", UNITS["children"], childcare),
        ("partner_merchants", UNITS["merchants"], url("merchant_list", active_in=year)),
        ("member_activities", UNITS["activities"], activities),
        ("member_activity_person_times", person_times, activities),
        ("festival_payments", UNITS["payments"], ledger[Programme.FESTIVAL]),
        ("festival_amount", YUAN, ledger[Programme.FESTIVAL]),
        ("hardship_visits", UNITS["households"], url("file_list", visited_in=year)),
        ("medical_aid_payments", UNITS["payments"], ledger[Programme.MEDICAL]),
        ("medical_aid_amount", YUAN, ledger[Programme.MEDICAL]),
        ("student_aid_grants", UNITS["grants"], ledger[Programme.STUDENT]),
        ("student_aid_amount", YUAN, ledger[Programme.STUDENT]),
        ("job_fairs", UNITS["fairs"], job_fairs),
        ("jobs_offered", UNITS["jobs"], job_fairs),
        ("job_intentions", UNITS["intentions"], job_fairs),
        ("purchased_projects", UNITS["projects"], purchased),
        ("purchased_person_times", person_times, purchased),
        ("wechat_activities", UNITS["activities"], wechat),
        ("wechat_beneficiaries", people, wechat),
        ("wechat_participants", person_times, wechat),
        ("culture_spend", YUAN, culture),
        ("culture_events", UNITS["events"], culture),
        ("culture_participants", people, culture),
    ]


# The aggregate helpers: each takes `town` None (the district), a Town, or BY_TOWN (every town at once, grouped:
# `{town id or None: {key: value}}`), and `through`, the last day of the year counted (None: 31 December).


def _childcare(year: int, town, through: datetime.date | None) -> dict:
    """childcare_classes / childcare_children: the classes and children of the year's summer childcare rows
    (one row per town and year), summed; a year's row has no date, so `through` does not cut it."""
    return totals(
        ChildcareClass.objects.filter(year=year),
        town,
        childcare_classes=Sum("classes"),
        childcare_children=Sum("children"),
    )


def _merchants(year: int, town, through: datetime.date | None) -> dict:
    """partner_merchants: merchants under contract at any time in the year up to `through` (contract start on or
    before its last day counted, contract end on or after 1 January), whatever their status today."""
    in_year = Merchant.objects.filter(
        contract_start__lte=year_end(year, through), contract_end__gte=datetime.date(year, 1, 1)
    )
    return totals(in_year, town, partner_merchants=Count("pk"))


def _member_activities(year: int, town, through: datetime.date | None) -> dict:
    """member_activities / member_activity_person_times: member-only activities held in the year (by date, up to
    `through`), and their person-times summed."""
    return totals(
        MemberActivity.objects.filter(**year_range("held_on", year, through)),
        town,
        member_activities=Count("pk"),
        member_activity_person_times=Sum("person_times"),
    )


def net_payments() -> Q:
    """Payments that stand: not a reversal, and not reversed by a posted reversal (payment_list?net=1)."""
    return standing_condition()


def _ledger(year: int, town, through: datetime.date | None) -> dict:
    """festival_* / medical_aid_* / student_aid_*: posted ledger entries of the programme paid in the year, up to
    `through` (by paid_on; entered, approved and withdrawn entries count nowhere).

    - the count (…_payments, student_aid_grants): payments that stand (`net_payments`): a reversal is not
      a payment, and a payment reversed is not counted;
    - the amount: the sum of every posted entry of the programme in the year, reversals included (they are
      negative), which is the sum of the payments that stand when a reversal falls in its payment's year.

    A cut year is read like a whole one: a payment reversed after `through` is not counted, and its reversal's
    money falls outside the cut.
    """
    standing = net_payments()
    aggregates = {}
    for programme, (count_key, amount_key) in LEDGER_FIGURES.items():
        aggregates[count_key] = Count("pk", filter=Q(programme=programme) & standing)
        aggregates[amount_key] = Sum("amount", filter=Q(programme=programme))
    return totals(AidPayment.objects.posted().filter(**year_range("paid_on", year, through)), town, **aggregates)


def _visits(year: int, town, through: datetime.date | None) -> dict:
    """hardship_visits: households (hardship files) with at least one home visit in the year up to `through`, each
    counted once (a file belongs to one town, so once in its town's figure too)."""
    return totals(
        HomeVisit.objects.filter(**year_range("visited_on", year, through)),
        town,
        hardship_visits=Count("file", distinct=True),
    )


def _job_fairs(year: int, town, through: datetime.date | None) -> dict:
    """job_fairs / jobs_offered / job_intentions: job fairs held in the year (by date, up to `through`), their jobs
    offered and intentions signed summed."""
    return totals(
        JobFair.objects.filter(**year_range("held_on", year, through)),
        town,
        job_fairs=Count("pk"),
        jobs_offered=Sum("jobs_offered"),
        job_intentions=Sum("intentions_signed"),
    )


def _purchased(year: int, town, through: datetime.date | None) -> dict:
    """purchased_projects / purchased_person_times: service projects bought for the year, their person-times summed;
    a year's row has no date, so `through` does not cut it."""
    return totals(
        PurchasedService.objects.filter(year=year),
        town,
        purchased_projects=Count("pk"),
        purchased_person_times=Sum("person_times"),
    )


def _wechat(year: int, town, through: datetime.date | None) -> dict:
    """wechat_activities / wechat_beneficiaries / wechat_participants: WeChat union activities held in the year
    (by date, up to `through`), their member beneficiaries and participants summed."""
    return totals(
        WechatActivity.objects.filter(**year_range("held_on", year, through)),
        town,
        wechat_activities=Count("pk"),
        wechat_beneficiaries=Sum("beneficiaries"),
        wechat_participants=Sum("participants"),
    )


def _culture(year: int, town, through: datetime.date | None) -> dict:
    """culture_spend / culture_events / culture_participants: the year's rows of cultural and sports events (one
    row per item), their spend, events and participants summed; a year's row has no date, so `through` does not
    cut it."""
    return totals(
        CultureEvent.objects.filter(year=year),
        town,
        culture_spend=Sum("spend"),
        culture_events=Sum("events"),
        culture_participants=Sum("participants"),
    )


# One aggregate statement each, in the order of the figures.
PARTS = (
    _childcare,
    _merchants,
    _member_activities,
    _ledger,
    _visits,
    _job_fairs,
    _purchased,
    _wechat,
    _culture,
)
