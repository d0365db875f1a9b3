"""The benefits figures of DOMAIN.md §4 for a year, for the district or a town (DESIGN.md, contract 2).

Nine SQL statements whatever the data size: one aggregate over each table behind the figures
(childcare classes, merchants, member-only activities, the aid ledger, home visits, job fairs,
purchased services, WeChat activities, cultural and sports events), each figure a conditional
`Count`/`Sum` inside it. Each figure's docstring line below is its definition (口径); its URL opens
the list that shows exactly the records it counts, filtered by the list's own query parameters
(`town` is a town id).

Records of district-wide programmes may have no town: they count for the district, and for no
town, so the towns' figures of those programmes add up to at most the district's.
"""

import datetime

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from union_portal.figures import YUAN, Figure, figure_table, list_url
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


def figures(year: int, town: Town | None = None) -> list[Figure]:
    """Every benefits figure of DOMAIN.md §4 for `year`, for the whole district or, with `town`, that town only."""
    values = {}
    for totals in (
        _childcare,
        _merchants,
        _member_activities,
        _ledger,
        _visits,
        _job_fairs,
        _purchased,
        _wechat,
        _culture,
    ):
        values |= totals(year, town)
    return figure_table([(*row, definition(row[0])) for row in _rows(year, town)], values)


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
    "childcare_classes": _("The summer childcare classes the towns recorded for the year, summed."),
    "childcare_children": _("The children in the summer childcare classes recorded for the year, summed."),
    "partner_merchants": _("Partner merchants whose contract runs on at least one day of the year."),
    "member_activities": _("Member-only activities held in the year."),
    "member_activity_person_times": _("The person-times of the member-only activities held in the year."),
    "hardship_visits": _("Households in hardship with at least one home visit in the year, each counted once."),
    "job_fairs": _("Job fairs held in the year."),
    "jobs_offered": _("The jobs offered at the job fairs held in the year."),
    "job_intentions": _("The intentions signed at the job fairs held in the year."),
    "purchased_projects": _("Service projects bought from social organisations for the year."),
    "purchased_person_times": _("The person-times served by the service projects bought for the year."),
    "wechat_activities": _("WeChat union activities held in the year."),
    "wechat_beneficiaries": _("The member beneficiaries of the WeChat union activities held in the year."),
    "wechat_participants": _("The participants in the WeChat union activities held in the year."),
    "culture_spend": _("The spend on cultural and sports events recorded for the year, summed."),
    "culture_events": _("The cultural and sports events recorded for the year, summed."),
    "culture_participants": _("The participants in the cultural and sports events recorded for the year, summed."),
}


def _rows(year: int, town: Town | None) -> list[tuple]:
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
        ("childcare_classes", _("summer childcare classes"), UNITS["classes"], childcare),
        ("childcare_children", _("children in summer childcare classes"), UNITS["children"], childcare),
        (
            "partner_merchants",
            _("partner merchants under contract"),
            UNITS["merchants"],
            url("merchant_list", active_in=year),
        ),
        ("member_activities", _("member-only activities"), UNITS["activities"], activities),
        ("member_activity_person_times", _("person-times at member-only activities"), person_times, activities),
        ("festival_payments", _("festival condolence payments"), UNITS["payments"], ledger[Programme.FESTIVAL]),
        ("festival_amount", _("total of festival condolence payments"), YUAN, ledger[Programme.FESTIVAL]),
        (
            "hardship_visits",
            _("households in hardship visited"),
            UNITS["households"],
            url("file_list", visited_in=year),
        ),
        ("medical_aid_payments", _("emergency medical aid payments"), UNITS["payments"], ledger[Programme.MEDICAL]),
        ("medical_aid_amount", _("total of emergency medical aid"), YUAN, ledger[Programme.MEDICAL]),
        ("student_aid_grants", _("student aid grants"), UNITS["grants"], ledger[Programme.STUDENT]),
        ("student_aid_amount", _("total of student aid grants"), YUAN, ledger[Programme.STUDENT]),
        ("job_fairs", _("job fairs"), UNITS["fairs"], job_fairs),
        ("jobs_offered", _("jobs offered at job fairs"), UNITS["jobs"], job_fairs),
        ("job_intentions", _("job intentions signed"), UNITS["intentions"], job_fairs),
        ("purchased_projects", _("purchased service projects"), UNITS["projects"], purchased),
        ("purchased_person_times", _("person-times of purchased services"), person_times, purchased),
        ("wechat_activities", _("WeChat union activities"), UNITS["activities"], wechat),
        ("wechat_beneficiaries", _("member beneficiaries of WeChat union activities"), people, wechat),
        ("wechat_participants", _("participants in WeChat union activities"), person_times, wechat),
        ("culture_spend", _("cultural and sports spend"), YUAN, culture),
        ("culture_events", _("cultural and sports events"), UNITS["events"], culture),
        ("culture_participants", _("participants in cultural and sports events"), people, culture),
    ]


def _childcare(year: int, town: Town | None) -> dict:
    """childcare_classes / childcare_children: the classes and children of the year's summer childcare rows
    (one row per town and year), summed."""
    return (
        ChildcareClass.objects.in_town(town)
        .filter(year=year)
        .aggregate(childcare_classes=Sum("classes"), childcare_children=Sum("children"))
    )


def _merchants(year: int, town: Town | None) -> dict:
    """partner_merchants: merchants under contract at any time in the year (contract start on or before
    31 December, contract end on or after 1 January), whatever their status today."""
    return (
        Merchant.objects.in_town(town)
        .filter(contract_start__lte=datetime.date(year, 12, 31), contract_end__gte=datetime.date(year, 1, 1))
        .aggregate(partner_merchants=Count("pk"))
    )


def _member_activities(year: int, town: Town | None) -> dict:
    """member_activities / member_activity_person_times: member-only activities held in the year (by date),
    and their person-times summed."""
    return (
        MemberActivity.objects.in_town(town)
        .filter(held_on__year=year)
        .aggregate(member_activities=Count("pk"), member_activity_person_times=Sum("person_times"))
    )


def net_payments() -> Q:
    """Payments that stand: not a reversal, and not reversed by a posted reversal (payment_list?net=1)."""
    return standing_condition()


def _ledger(year: int, town: Town | None) -> dict:
    """festival_* / medical_aid_* / student_aid_*: posted ledger entries of the programme paid in the year
    (by paid_on; entered, approved and withdrawn entries count nowhere).

    - the count (…_payments, student_aid_grants): payments that stand (`net_payments`): a reversal is not
      a payment, and a payment reversed is not counted;
    - the amount: the sum of every posted entry of the programme in the year, reversals included (they are
      negative), which is the sum of the payments that stand when a reversal falls in its payment's year.
    """
    standing = net_payments()
    totals = {}
    for programme, (count_key, amount_key) in LEDGER_FIGURES.items():
        totals[count_key] = Count("pk", filter=Q(programme=programme) & standing)
        totals[amount_key] = Sum("amount", filter=Q(programme=programme))
    return AidPayment.objects.in_town(town).posted().filter(paid_on__year=year).aggregate(**totals)


def _visits(year: int, town: Town | None) -> dict:
    """hardship_visits: households (hardship files) with at least one home visit in the year, each counted once."""
    return (
        HomeVisit.objects.in_town(town)
        .filter(visited_on__year=year)
        .aggregate(hardship_visits=Count("file", distinct=True))
    )


def _job_fairs(year: int, town: Town | None) -> dict:
    """job_fairs / jobs_offered / job_intentions: job fairs held in the year (by date), their jobs offered and
    intentions signed summed."""
    return (
        JobFair.objects.in_town(town)
        .filter(held_on__year=year)
        .aggregate(job_fairs=Count("pk"), jobs_offered=Sum("jobs_offered"), job_intentions=Sum("intentions_signed"))
    )


def _purchased(year: int, town: Town | None) -> dict:
    """purchased_projects / purchased_person_times: service projects bought for the year, their person-times summed."""
    return (
        PurchasedService.objects.in_town(town)
        .filter(year=year)
        .aggregate(purchased_projects=Count("pk"), purchased_person_times=Sum("person_times"))
    )


def _wechat(year: int, town: Town | None) -> dict:
    """wechat_activities / wechat_beneficiaries / wechat_participants: WeChat union activities held in the year
    (by date), their member beneficiaries and participants summed."""
    return (
        WechatActivity.objects.in_town(town)
        .filter(held_on__year=year)
        .aggregate(
            wechat_activities=Count("pk"),
            wechat_beneficiaries=Sum("beneficiaries"),
            wechat_participants=Sum("participants"),
        )
    )


def _culture(year: int, town: Town | None) -> dict:
    """culture_spend / culture_events / culture_participants: the year's rows of cultural and sports events (one
    row per item), their spend, events and participants summed."""
    return (
        CultureEvent.objects.in_town(town)
        .filter(year=year)
        .aggregate(culture_spend=Sum("spend"), culture_events=Sum("events"), culture_participants=Sum("participants"))
    )
