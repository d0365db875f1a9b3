"""Demo dispute cases and bargaining records for the Daxing demo district.

The records are made up (Faker zh_CN names, valid ID numbers and credit codes, a fixed
seed) but shaped so that the 2018 figures equal the federation's annual report exactly
(DOMAIN.md §4); 2017 and 2019 get plausible numbers of their own, every other year from
2015 (when the portal's records start) to last year gets a plan scaled from the report
(`year_plan`), and a few open cases dated around today fill the staff start page (due
soon, overdue, idle).

Loading is idempotent (nothing happens when the district already has cases) and fast:
everything is built in memory and written with bulk_create(_with_history).
"""

import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from faker import Faker
from simple_history.utils import bulk_create_with_history

from union_portal.models import Enterprise, Town
from union_portal.validators import make_credit_code, make_id_number

from .models import (
    BargainingInstructor,
    BargainingYear,
    Case,
    CaseEvent,
    CaseTally,
    CaseWorker,
    ClaimKind,
    ClaimKindCode,
    DossierKind,
    EventKind,
    HandlingBody,
    InstructorLevel,
    Outcome,
    Status,
    SupervisionInspection,
    WageAgreement,
    case_number_prefix,
    format_case_number,
    initial_status,
)
from .services import case_numbers_reserve

SEED = 2018
D = datetime.date
CREDIT_SERIAL_START = 100000  # credit-code serials of demo employers; other apps use other ranges
ENTERPRISES = 420
LARGE_ENTERPRISES = 100
HUNDRED = Decimal("100")

# What the 2018 report says (DOMAIN.md §4); the demo reproduces it exactly.
REPORT_2018 = {
    "received": 2772,
    "centre_agreements": (562, Decimal("17305500.00")),
    "legal_aid_approved": (122, Decimal("17110700.00")),
    "formal": ({"亦庄镇": 20, "榆垓镇": 15}, 95, Decimal("1398500.00")),
    "simple": ({"亦庄镇": 110, "青云店镇": 82}, 443, Decimal("3302700.00")),
    "collective": ("西红门镇", 3126, "疏解外迁", Decimal("9860000.00"), Decimal("9420000.00")),
    "large_enterprises": (88, 71),
    "instructors": (7, 11),
    "inspected_unions": (4, 4, 3, 1),  # distinct secondary unions per inspection: 12 in all
}
OTHER_YEARS = {
    2017: {
        "received": 2436,
        "centre_agreements": (498, Decimal("15120300.00")),
        "legal_aid_approved": (104, Decimal("13986400.00")),
        "formal": ({"亦庄镇": 18, "榆垓镇": 12}, 81, Decimal("1164200.00")),
        "simple": ({"亦庄镇": 96, "青云店镇": 70}, 377, Decimal("2817600.00")),
        "collective": None,
        "large_enterprises": (80, 60),
        "inspected_unions": (3, 5),
    },
    2019: {
        "received": 2915,
        "centre_agreements": (587, Decimal("18250800.00")),
        "legal_aid_approved": (131, Decimal("18834500.00")),
        "formal": ({"亦庄镇": 22, "榆垓镇": 16}, 104, Decimal("1487300.00")),
        "simple": ({"亦庄镇": 118, "青云店镇": 86}, 466, Decimal("3517900.00")),
        "collective": None,
        "large_enterprises": (92, 76),
        "inspected_unions": (5, 4, 4),
    },
}
FIRST_YEAR = 2015  # the portal's records start then
# The years around the report, next to 2018: (caseload, large enterprises, of them model,
# unions covered per inspection: at most 4 inspections, at most LARGE_ENTERPRISES large).
# Money also grows with wages, WAGE_GROWTH a year.
# Years after the table keep its last row, with 3% more cases a year.
TRENDS = {
    2015: (0.76, 64, 39, (2, 3)),
    2016: (0.83, 72, 49, (3, 3, 2)),
    2020: (0.89, 90, 75, (2, 3)),  # the epidemic: the centre closed for weeks, fewer visits and inspections
    2021: (1.06, 93, 79, (4, 3, 4)),  # claims held back in 2020 arrive
    2022: (0.97, 94, 81, (3, 3)),  # spring lockdown
    2023: (1.11, 96, 84, (4, 4, 3, 2)),
    2024: (1.15, 98, 87, (4, 5, 3, 3)),
    2025: (1.18, 99, 89, (5, 4, 4, 3)),
}
WAGE_GROWTH = 1.05
# Collective incidents of the other years: town, workers, cause.
COLLECTIVES = {
    2016: ("旧宫镇", 468, "停产搬迁"),
    2020: ("黄村镇", 1260, "停工停产"),
    2022: ("魏善庄镇", 735, "经营困难裁员"),
    2024: ("采育镇", 1580, "疏解外迁"),
}
# Bargaining instructors, (level, appointed, left): the 2018 cohort (REPORT_2018), then those who came and went.
INSTRUCTOR_TERMS = (
    [(InstructorLevel.CITY, D(2016 + i % 3, 3, 1), None) for i in range(REPORT_2018["instructors"][0])]
    + [(InstructorLevel.DISTRICT, D(2016 + i % 3, 5, 1), None) for i in range(REPORT_2018["instructors"][1])]
    + [
        (InstructorLevel.CITY, D(2015, 3, 1), D(2017, 6, 30)),
        (InstructorLevel.DISTRICT, D(2019, 4, 1), None),
        (InstructorLevel.DISTRICT, D(2015, 5, 1), D(2016, 12, 31)),
        (InstructorLevel.DISTRICT, D(2015, 5, 1), D(2016, 12, 31)),
        (InstructorLevel.CITY, D(2020, 9, 1), D(2023, 6, 30)),
        (InstructorLevel.DISTRICT, D(2020, 5, 1), D(2022, 3, 31)),
        (InstructorLevel.DISTRICT, D(2021, 4, 1), None),
        (InstructorLevel.DISTRICT, D(2021, 4, 1), None),
        (InstructorLevel.CITY, D(2022, 6, 1), None),
        (InstructorLevel.DISTRICT, D(2024, 3, 1), None),
        (InstructorLevel.DISTRICT, D(2024, 3, 1), None),
        (InstructorLevel.CITY, D(2025, 5, 1), None),
    ]
)
ID_REGIONS = ["110115", "110115", "110115", "130682", "410523", "371322", "511321", "342224", "130984", "230103"]
INSPECTION_SQUADS = ["大兴区劳动监察大队第一中队", "大兴区劳动监察大队第二中队", "大兴区劳动监察大队第三中队"]
# How many days ago the open demo cases came in: some fresh, some due within 3 days, some overdue, some idle.
OPEN_CASE_AGES = [0, 1, 2, 4, 6, 8, 10, 12, 13, 14, 15, 16, 18, 21, 25, 33, 38, 45]
OPEN_CASES = 48
TRADES = [
    "科技",
    "商贸",
    "物流",
    "建筑工程",
    "餐饮管理",
    "机械制造",
    "物业管理",
    "医药",
    "电子",
    "服装",
    "食品",
    "汽车配件",
]
COMPANY_FORMS = ["有限公司", "有限责任公司", "股份有限公司"]
INDUSTRIES = ["制造业", "建筑业", "批发和零售业", "物流运输", "餐饮住宿", "信息技术", "生物医药", "物业服务"]


def last_year(today: D | None = None) -> int:
    """The last full year: the demo plans every year from FIRST_YEAR up to it."""
    return (today or timezone.localdate()).year - 1


def trend(year: int) -> tuple:
    if year in TRENDS:
        return TRENDS[year]
    last = max(TRENDS)
    caseload, large, model, inspections = TRENDS[last]
    return caseload * 1.03 ** (year - last), large, model, inspections


def year_plan(year: int) -> dict:
    """The plan of `year`: the report's (2018), OTHER_YEARS', or the 2018 one scaled by TRENDS with a seeded jitter."""
    if year == 2018:
        return REPORT_2018
    if year in OTHER_YEARS:
        return OTHER_YEARS[year]
    rng = random.Random(f"plan {year}")
    caseload, large, model, inspections = trend(year)
    wages = WAGE_GROWTH ** (year - 2018)

    def count(reported: int, spread: float = 0.06) -> int:
        return round(reported * caseload * rng.uniform(1 - spread, 1 + spread))

    def money(per_case: Decimal, cases: int) -> Decimal:
        return Decimal(round(float(per_case) * cases * wages * rng.uniform(0.9, 1.1) / 100)) * HUNDRED

    def dossiers(kind: str) -> tuple:
        towns, workers, recovered = REPORT_2018[kind]
        reported = sum(towns.values())
        towns = {name: count(n) for name, n in towns.items()}
        total = sum(towns.values())
        return towns, round(total * workers / reported * rng.uniform(0.9, 1.1)), money(recovered / reported, total)

    plan = {"received": count(REPORT_2018["received"], spread=0.02)}
    for key in ("centre_agreements", "legal_aid_approved"):
        reported, amount = REPORT_2018[key]
        cases = count(reported)
        plan[key] = (cases, money(amount / reported, cases))
    plan["formal"], plan["simple"] = dossiers("formal"), dossiers("simple")
    collective = COLLECTIVES.get(year)
    if collective:
        claimed = money(Decimal("3150"), collective[1])
        collective += (claimed, (claimed * Decimal("0.95") / HUNDRED).quantize(Decimal("1")) * HUNDRED)
    plan["collective"] = collective
    plan["large_enterprises"] = (large, model)
    plan["inspected_unions"] = inspections
    return plan


def open_case_days(today: D) -> list[D]:
    """When the open demo cases came in, one date per case."""
    return [today - datetime.timedelta(days=OPEN_CASE_AGES[i % len(OPEN_CASE_AGES)]) for i in range(OPEN_CASES)]


@dataclass
class Planned:
    """A case being built, with its workers, kinds of claim and timeline."""

    case: Case
    workers: list = field(default_factory=list)
    kinds: list = field(default_factory=list)
    events: list = field(default_factory=list)


def load(district, stdout) -> None:
    """Load the demo disputes of `district` once; a second call finds its cases and does nothing."""
    if Case.objects.filter(town__district=district).exists():
        stdout.write("Disputes: demo cases already loaded, nothing to do.")
        return
    towns = {town.name: town for town in Town.objects.filter(district=district).select_related("district")}
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        ClaimKind.ensure_all()
        demo = DemoDisputes(district, towns)
        demo.build()
        demo.save()
        CaseTally.objects.compact()  # the saves' statements left a tally row each; one per group is enough
    stdout.write(f"Disputes: {len(demo.planned)} demo cases loaded for {district}.")


def split_money(total: Decimal, count: int, rng: random.Random, unit: Decimal = HUNDRED) -> list[Decimal]:
    """`count` random amounts, whole multiples of `unit`, that add up to `total` exactly."""
    units = int(total / unit)
    weights = [rng.lognormvariate(0, 0.7) for _ in range(count)]
    scale = (units - count) / sum(weights)
    parts = [1 + int(w * scale) for w in weights]
    for i in range(units - sum(parts)):
        parts[i % count] += 1
    amounts = [Decimal(p) * unit for p in parts]
    amounts[-1] += total - sum(amounts)  # cents, if the total has any
    return amounts


def split_count(total: int, count: int, rng: random.Random, high: int = 6) -> list[int]:
    """`count` random whole numbers from 1 to `high` adding up to `total`."""
    parts = [1] * count
    for _ in range(total - count):
        candidates = [i for i, p in enumerate(parts) if p < high]
        parts[rng.choice(candidates)] += 1
    return parts


class DemoDisputes:
    def __init__(self, district, towns: dict[str, Town]):
        self.district = district
        self.towns = towns
        self.town_list = sorted(towns.values(), key=lambda t: t.order)
        self.rng = random.Random(SEED)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(SEED)
        self.today = timezone.localdate()
        self.planned: list[Planned] = []
        self.enterprises: list[Enterprise] = []
        self.by_town: dict[int, list[Enterprise]] = {}

    # -- building blocks ---------------------------------------------------------------

    def day(self, year: int, first: D | None = None, last: D | None = None) -> D:
        first, last = first or D(year, 1, 2), last or D(year, 11, 20)
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def later(self, day: D, low: int, high: int, cap: D | None = None) -> D:
        result = day + datetime.timedelta(days=self.rng.randint(low, high))
        cap = min(cap or self.today, self.today)
        return max(day, min(result, cap))

    @staticmethod
    def moment(day: D, hour: int = 10) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    def workers(self, count: int, collective: bool = False) -> list[CaseWorker]:
        shown = min(count, 3 if collective else 8)
        people = []
        for index in range(shown):
            birth = D(self.rng.randint(1962, 2000), self.rng.randint(1, 12), self.rng.randint(1, 28))
            people.append(
                CaseWorker(
                    name=self.fake.name(),
                    id_number=make_id_number(self.rng.randint(0, 99) * 10 + index, birth, self.rng.choice(ID_REGIONS)),
                    phone=f"1{self.rng.choice('3578')}{self.rng.randint(0, 999999999):09d}",
                    is_representative=collective or (count > 1 and index == 0),
                )
            )
        return people

    def kinds(self) -> list[str]:
        first = self.rng.choices(ClaimKindCode.values, weights=[60, 10, 12, 8, 7, 3], k=1)[0]  # wage arrears dominate
        kinds = [first]
        if self.rng.random() < 0.2:
            second = self.rng.choice(ClaimKindCode.values)
            if second != first:
                kinds.append(second)
        return kinds

    def employer(self, town: Town | None = None) -> Enterprise:
        if town is not None and self.rng.random() < 0.85:
            local = self.by_town.get(town.pk)
            if local:
                return self.rng.choice(local)
        return self.rng.choice(self.enterprises)

    def new_case(self, *, town, body, received, amount, headcount=1, collective=False) -> Planned:
        employer = self.employer(town)
        case = Case(
            town=town,
            handling_body=body,
            received_on=received,
            channel=self.rng.choices(
                ["walk_in", "hotline", "inspection", "court", "town_union"], weights=[55, 20, 12, 3, 10], k=1
            )[0],
            employer=employer,
            amount_claimed=amount,
            headcount=headcount,
            is_collective=collective,
            learned_on=received - datetime.timedelta(days=self.rng.randint(3, 120)),
            facts=f"{employer.name}拖欠或争议事项，职工{headcount}人，来访时间{received:%Y年%m月%d日}。",
            created_at=self.moment(received, 9),
            last_activity_at=self.moment(received, 9),
        )
        planned = Planned(case=case, workers=self.workers(headcount, collective), kinds=self.kinds())
        self.move(planned, None, initial_status(body), received)
        self.planned.append(planned)
        return planned

    def move(self, planned: Planned, from_status, to_status, on: D, text: str = "") -> None:
        planned.events.append(
            CaseEvent(
                kind=EventKind.STATUS_CHANGE,
                happened_on=on,
                from_status=from_status or "",
                to_status=to_status,
                text=text,
                recorded_at=self.moment(on, 10 + len(planned.events) % 7),
            )
        )
        planned.case.status = to_status
        planned.case.last_activity_at = self.moment(on, 17)

    def walk(self, planned: Planned, steps: list[tuple[str, D]], text: str = "") -> None:
        for to_status, on in steps:
            self.move(planned, planned.case.status, to_status, on, text if to_status == steps[-1][0] else "")

    def session(self, planned: Planned, on: D, kind=EventKind.MEDIATION_SESSION) -> None:
        planned.events.append(
            CaseEvent(kind=kind, happened_on=on, text="组织双方调解，听取陈述。", recorded_at=self.moment(on, 15))
        )

    # -- the kinds of case ------------------------------------------------------------------

    def mediation(self, planned: Planned, *, agree: bool, recovered: Decimal | None = None, cap=None) -> None:
        """received → accepted → mediating → agreement, or → failed → referred."""
        case = planned.case
        accepted = self.later(case.received_on, 0, 2, cap)
        mediating = self.later(accepted, 0, 2, cap)
        case.accepted_on = accepted
        self.walk(planned, [(Status.ACCEPTED, accepted), (Status.MEDIATING, mediating)])
        self.session(planned, mediating)
        if agree:
            closed = self.later(
                mediating, 1, 12, min(case.received_on + datetime.timedelta(days=15), cap or self.today)
            )
            case.outcome = Outcome.AGREEMENT
            case.amount_recovered = recovered if recovered is not None else self.recovered(case.amount_claimed)
            case.closed_on = closed
            self.walk(planned, [(Status.AGREEMENT, closed)], "双方达成调解协议。")
        else:
            failed = self.later(case.received_on, 15, 15, cap)
            referred = self.later(failed, 1, 3, cap)
            case.outcome, case.amount_recovered, case.closed_on = Outcome.REFERRED, Decimal("0.00"), referred
            self.walk(planned, [(Status.FAILED, failed), (Status.REFERRED, referred)], "告知当事人申请仲裁。")

    def legal_aid(self, planned: Planned, *, approve: bool, cap=None) -> None:
        """applied → approved → represented → closed, or → refused."""
        case = planned.case
        if not approve:
            refused = self.later(case.received_on, 1, 5, cap)
            case.outcome, case.amount_recovered, case.closed_on = Outcome.REFUSED, Decimal("0.00"), refused
            case.refusal_reason = "不符合法律援助条件。"
            self.walk(planned, [(Status.REFUSED, refused)], case.refusal_reason)
            return
        approved = self.later(case.received_on, 1, 7, cap)
        representing = self.later(approved, 3, 15)
        case.accepted_on, case.arbitration_accepted_on = approved, representing
        closed = self.later(representing, 20, 44)
        case.outcome = self.rng.choice([Outcome.AWARD, Outcome.AWARD, Outcome.SETTLEMENT, Outcome.JUDGMENT])
        case.amount_recovered = self.recovered(case.amount_claimed)
        case.closed_on = closed
        self.walk(
            planned,
            [(Status.APPROVED, approved), (Status.REPRESENTING, representing), (Status.CLOSED, closed)],
            "结案。",
        )

    def dossier(self, planned: Planned, kind: str, number: str, recovered: Decimal, year: int) -> None:
        self.mediation(planned, agree=True, recovered=recovered, cap=D(year, 12, 20))
        case = planned.case
        archived = self.later(case.closed_on, 1, 30, D(year, 12, 28))
        case.dossier_kind, case.archived_on, case.dossier_number = kind, archived, number
        case.inspection_squad = self.rng.choice(INSPECTION_SQUADS)
        self.walk(planned, [(Status.ARCHIVED, archived)], "归档上报。")

    def recovered(self, claimed: Decimal) -> Decimal:
        share = Decimal(self.rng.randint(55, 100)) / 100
        return max(Decimal("0.00"), (claimed * share / HUNDRED).quantize(Decimal("1")) * HUNDRED)

    # -- a year ----------------------------------------------------------------------------

    def year(self, year: int, plan: dict) -> None:
        start = len(self.planned)
        self.centre_agreements(year, *plan["centre_agreements"])
        self.legal_aid_approved(year, *plan["legal_aid_approved"])
        for kind, (towns, workers, recovered) in (
            (DossierKind.FORMAL, plan["formal"]),
            (DossierKind.SIMPLE, plan["simple"]),
        ):
            self.dossiers(year, kind, towns, workers, recovered)
        if plan["collective"]:
            self.collective(year, *plan["collective"])
        opening = sum(1 for day in open_case_days(self.today) if day.year == year)  # early in January, last year's
        self.others(year, plan["received"] - (len(self.planned) - start) - opening)

    def centre_agreements(self, year, count, total) -> None:
        for amount in split_money(total, count, self.rng):
            town = self.rng.choice(self.town_list)
            planned = self.new_case(
                town=town, body=HandlingBody.CENTRE, received=self.day(year), amount=amount, headcount=self.headcount()
            )
            self.mediation(planned, agree=True)

    def legal_aid_approved(self, year, count, total) -> None:
        for amount in split_money(total, count, self.rng):
            planned = self.new_case(
                town=self.rng.choice(self.town_list),
                body=HandlingBody.LEGAL_AID,
                received=self.day(year, last=D(year, 11, 20)),
                amount=amount,
                headcount=self.headcount(),
            )
            self.legal_aid(planned, approve=True)

    def dossiers(self, year, kind, towns: dict, workers: int, recovered: Decimal) -> None:
        count = sum(towns.values())
        heads = split_count(workers, count, self.rng)
        amounts = split_money(recovered, count, self.rng)
        slots = [name for name, n in towns.items() for _ in range(n)]
        label = "规范" if kind == DossierKind.FORMAL else "简易"
        serial = {}
        for town_name, head, amount in zip(slots, heads, amounts, strict=True):
            serial[town_name] = serial.get(town_name, 0) + 1
            claimed = (amount * Decimal(self.rng.randint(100, 130)) / HUNDRED / HUNDRED).quantize(
                Decimal("1")
            ) * HUNDRED
            planned = self.new_case(
                town=self.towns[town_name],
                body=HandlingBody.TOWN_UNION,
                received=self.day(year, last=D(year, 10, 31)),
                amount=claimed,
                headcount=head,
            )
            number = f"{town_name[:2]}{label}〔{year}〕{serial[town_name]:03d}"
            self.dossier(planned, kind, number, amount, year)

    def collective(self, year, town_name, headcount, cause, claimed, recovered) -> None:
        planned = self.new_case(
            town=self.towns[town_name],
            body=HandlingBody.TOWN_UNION,
            received=D(year, 6, 12),
            amount=claimed,
            headcount=headcount,
            collective=True,
        )
        case = planned.case
        case.collective_cause = cause
        case.government_bodies = f"区人力社保局、区信访办、{town_name}政府"
        case.facts = f"企业{cause}，涉及职工{headcount}人的经济补偿与工资结算。"
        self.mediation(planned, agree=True, recovered=recovered)

    def others(self, year, count) -> None:
        """The rest of the year's cases: failed mediations, town-union agreements, refused legal aid."""
        for _ in range(count):
            roll = self.rng.random()
            amount = Decimal(self.rng.randint(20, 600)) * HUNDRED
            received = self.day(year)
            if roll < 0.18:
                planned = self.new_case(
                    town=self.rng.choice(self.town_list), body=HandlingBody.CENTRE, received=received, amount=amount
                )
                self.mediation(planned, agree=False)
            elif roll < 0.95:
                planned = self.new_case(
                    town=self.rng.choice(self.town_list),
                    body=HandlingBody.TOWN_UNION,
                    received=received,
                    amount=amount,
                    headcount=self.headcount(),
                )
                self.mediation(planned, agree=self.rng.random() < 0.8)
            else:
                planned = self.new_case(
                    town=self.rng.choice(self.town_list), body=HandlingBody.LEGAL_AID, received=received, amount=amount
                )
                self.legal_aid(planned, approve=False)

    def headcount(self) -> int:
        roll = self.rng.random()
        return 1 if roll < 0.7 else self.rng.randint(2, 3) if roll < 0.95 else self.rng.randint(4, 8)

    def open_cases(self) -> None:
        """Cases in progress around today, so the start page shows due-soon, overdue and idle work."""
        for index, received in enumerate(open_case_days(self.today)):
            body = [HandlingBody.CENTRE, HandlingBody.TOWN_UNION, HandlingBody.LEGAL_AID][index % 3]
            planned = self.new_case(
                town=self.town_list[index % len(self.town_list)],
                body=body,
                received=received,
                amount=Decimal(self.rng.randint(30, 900)) * HUNDRED,
                headcount=self.headcount(),
            )
            case = planned.case
            if body == HandlingBody.LEGAL_AID:
                if index % 2 and received.year == self.today.year:  # last year's approvals are in its plan
                    approved = self.later(received, 1, 3)
                    case.accepted_on = approved
                    self.walk(planned, [(Status.APPROVED, approved)])
                continue
            if index % 4:
                accepted = self.later(received, 0, 1)
                case.accepted_on = accepted
                self.walk(planned, [(Status.ACCEPTED, accepted), (Status.MEDIATING, self.later(accepted, 0, 1))])

    # -- bargaining ------------------------------------------------------------------------

    def build_enterprises(self) -> None:
        codes = [make_credit_code(CREDIT_SERIAL_START + i) for i in range(ENTERPRISES)]
        existing = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
        names, fresh = set(Enterprise.objects.values_list("name", flat=True)), []
        for i, code in enumerate(codes):
            if code in existing:
                self.enterprises.append(existing[code])
                continue
            name = self.company_name(names)
            names.add(name)
            large = i < LARGE_ENTERPRISES
            fresh.append(
                Enterprise(
                    name=name,
                    credit_code=code,
                    town=self.town_list[i % len(self.town_list)],
                    headcount=self.rng.randint(100, 2400) if large else self.rng.randint(8, 99),
                    industry=self.rng.choice(INDUSTRIES),
                )
            )
        bulk_create_with_history(fresh, Enterprise)
        by_code = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
        self.enterprises = [by_code[code] for code in codes]
        self.by_town = {}
        for enterprise in self.enterprises:
            self.by_town.setdefault(enterprise.town_id, []).append(enterprise)

    def company_name(self, taken: set) -> str:
        """A made-up employer name not yet used (Faker's zh_CN company names alone repeat after a few hundred)."""
        while True:
            name = f"北京{self.fake.company_prefix()}{self.rng.choice(TRADES)}{self.rng.choice(COMPANY_FORMS)}"
            if name not in taken:
                return name

    def bargaining(self) -> None:
        large = [e for e in self.enterprises if e.headcount >= 100]
        census = []
        for year, plan in self.plans():
            count, model = plan["large_enterprises"]
            for index, enterprise in enumerate(large[:count]):
                census.append(
                    BargainingYear(
                        enterprise=enterprise,
                        year=year,
                        employees=enterprise.headcount,
                        meets_model_standard=index < model,
                    )
                )
        bulk_create_with_history(census, BargainingYear)
        agreements = []
        for index, enterprise in enumerate(large):
            start = D(2016 + index % 3, 1 + index % 12, 1)
            while start <= self.today:
                if self.rng.random() < 0.12 and start.year >= 2020:
                    break  # lapsed: this enterprise shows up as lacking a current agreement
                ends = D(start.year + 3, start.month, 1) - datetime.timedelta(days=1)
                agreements.append(
                    WageAgreement(
                        enterprise=enterprise,
                        signed_on=start - datetime.timedelta(days=self.rng.randint(5, 40)),
                        starts_on=start,
                        ends_on=ends,
                    )
                )
                start = ends + datetime.timedelta(days=1)
        bulk_create_with_history(agreements, WageAgreement)

    def instructors(self) -> None:
        bulk_create_with_history(
            [
                BargainingInstructor(name=self.fake.name(), level=level, appointed_on=start, left_on=left)
                for level, start, left in INSTRUCTOR_TERMS
                if start <= self.today
            ],
            BargainingInstructor,
        )

    def inspections(self) -> None:
        for year, plan in self.plans():
            sizes = plan["inspected_unions"]
            pool = iter(self.enterprises[LARGE_ENTERPRISES : LARGE_ENTERPRISES + sum(sizes)])
            for number, size in enumerate(sizes, start=1):
                covered = [next(pool) for _ in range(size)]
                inspection = SupervisionInspection(
                    town=covered[0].town,
                    date=D(year, 3 + number * 2, 10 + number),
                    inspected_with="区人力社保局劳动监察大队",
                    findings="工资集体协商程序规范，协议已报备。",
                )
                inspection.save()
                # A repeat visit to a union already covered counts once in the figure.
                inspection.unions_covered.set(covered + ([self.enterprises[LARGE_ENTERPRISES]] if number > 1 else []))

    # -- putting it together --------------------------------------------------------------

    def plans(self) -> list[tuple[int, dict]]:
        return [(year, year_plan(year)) for year in range(FIRST_YEAR, last_year(self.today) + 1)]

    def build(self) -> None:
        self.build_enterprises()
        plans, reported = self.plans(), {2018, *OTHER_YEARS}
        for year, plan in plans:  # the reported years first, from the shared seed, as they always were
            if year in reported:
                self.year(year, plan)
        for year, plan in plans:  # then every other year, each from a seed of its own
            if year not in reported:
                with self.own_randomness(year):
                    self.year(year, plan)
        self.open_cases()

    @contextmanager
    def own_randomness(self, year: int):
        """A generated year draws from its own seed, so the reported years' records stay as they were."""
        shared = self.rng, self.fake
        self.rng, self.fake = random.Random(f"cases {year}"), Faker("zh_CN")
        self.fake.seed_instance(f"cases {year}")
        try:
            yield
        finally:
            self.rng, self.fake = shared

    def save(self) -> None:
        self.number_cases()
        for planned in self.planned:
            planned.case.refresh_derived()
        cases = bulk_create_with_history([p.case for p in self.planned], Case, batch_size=500)
        if not all(case.pk for case in cases):
            by_number = dict(Case.objects.filter(town__district=self.district).values_list("number", "pk"))
            for case in cases:
                case.pk = by_number[case.number]
        kinds = dict(ClaimKind.objects.values_list("code", "pk"))
        workers, events, links = [], [], []
        for planned in self.planned:
            for worker in planned.workers:
                worker.case_id = planned.case.pk
                workers.append(worker)
            for event in planned.events:
                event.case_id = planned.case.pk
                events.append(event)
            links += [Case.claim_kinds.through(case_id=planned.case.pk, claimkind_id=kinds[k]) for k in planned.kinds]
        bulk_create_with_history(workers, CaseWorker, batch_size=1000)
        CaseEvent.objects.bulk_create(events, batch_size=1000)
        Case.claim_kinds.through.objects.bulk_create(links, batch_size=1000)
        self.bargaining()
        self.instructors()
        self.inspections()

    def number_cases(self) -> None:
        """Case numbers in order of receipt within each handling body and year, from the counters."""
        groups: dict[tuple[str, int], list[Case]] = {}
        for planned in sorted(self.planned, key=lambda p: (p.case.received_on, p.case.created_at)):
            case = planned.case
            prefix = case_number_prefix(case.town, case.handling_body)
            groups.setdefault((prefix, case.received_on.year), []).append(case)
        for (prefix, year), cases in sorted(groups.items()):
            for case, sequence in zip(
                cases, case_numbers_reserve(prefix=prefix, year=year, count=len(cases)), strict=True
            ):
                case.number = format_case_number(prefix, year, sequence)
