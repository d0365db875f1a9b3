"""Demo member benefits and hardship aid for the Daxing demo district.

The records are made up (Faker zh_CN names, valid ID numbers, a fixed seed) but shaped so that the
2018 benefits figures equal the federation's annual report exactly (DOMAIN.md §4): 20 childcare
classes with 600 children, 10 partner merchants, 83 member-only activities with 55,340 person-times,
41 festival payments of 500 元, 187 households visited, 131 emergency medical aid payments totalling
1,339,600.00 元, 6 student aid grants of 8,000 元, 6 job fairs (7,460 jobs, 2,236 intentions), 16
purchased service projects (10,280 person-times), 8 WeChat activities (2,150 beneficiaries, 5,120
participants), and 6,032,400.00 元 of cultural and sports spend over 312 events with 2,846
participants. Every other year from 2015 to last year gets a plan scaled from the report
(`year_plan`, seeded).

The 2018 ledger holds a mistake and its correction: a medical payment posted as 800 元 instead of
8,000 元, reversed with a reason, and 8,000 元 posted; the figures stay exact through it. There
is also a withdrawn entry (it counts nowhere) and, dated today, entries waiting for a second
signature. Members hold service cards (some lost and reissued); hardship files are kept by
household, approved and re-checked every year, some closed, some applying or under review.

Loading is idempotent (nothing happens when the district already has hardship files) and fast:
the records are built in memory and written with bulk_create_with_history; posted payments are
written already posted, with two different demo users as their signatures and voucher numbers
reserved as a block per year, and the ledger's kept sums (benefits/sums.py) filled from them.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from faker import Faker
from simple_history.utils import bulk_create_with_history

from union_portal import demo as core_demo
from union_portal.access import town_scope
from union_portal.models import Town
from union_portal.numbering import numbers_reserve
from union_portal.validators import make_id_number

from . import sums
from .models import (
    RECHECK_INTERVAL,
    ActivityChannel,
    AidPayment,
    CardStatus,
    ChildcareClass,
    CloseReason,
    CultureCategory,
    CultureEvent,
    FileStatus,
    FundingSource,
    HardshipCause,
    HardshipFile,
    HardshipLevel,
    Health,
    HomeVisit,
    HouseholdMember,
    JobFair,
    Member,
    MemberActivity,
    Merchant,
    MerchantCategory,
    MerchantStatus,
    MinimumAllowance,
    PaymentState,
    Programme,
    PurchasedService,
    Recheck,
    Relation,
    ServiceCard,
    WechatActivity,
)
from .services import voucher_number

SEED = 2018
FIRST_YEAR = 2015  # the portal's records start then
D = datetime.date
DAY = datetime.timedelta(days=1)
HUNDRED = Decimal("100")

# Beijing's minimum living allowance per person and month (元). Years after the table keep its last value
# until an admin enters the new one.
ALLOWANCES = {
    2015: 710,
    2016: 800,
    2017: 900,
    2018: 1000,
    2019: 1100,
    2020: 1170,
    2021: 1245,
    2022: 1320,
    2023: 1395,
    2024: 1450,
    2025: 1500,
}

# What the 2018 report says (DOMAIN.md §4), with a value picked for each "+" figure.
REPORT_2018 = {
    "childcare": (20, 600),  # classes, children
    "merchants": 10,  # under contract at some time in the year
    "activities": (83, 55340),  # member-only activities, person-times
    "festival": (41, Decimal("500.00")),  # payments, each of
    "visits": 187,  # households visited
    "medical": (131, Decimal("1339600.00")),  # payments that stand, their total
    "student": (6, Decimal("8000.00")),  # grants, each of
    "job_fairs": (6, 7460, 2236),  # fairs, jobs offered, intentions signed
    "purchased": (16, 10280),  # projects, person-times
    "wechat": (8, 2150, 5120),  # activities, beneficiaries, participants
    "culture": (Decimal("6032400.00"), 312, 2846),  # spend, events, participants
    "summer": (30, Decimal("300.00")),  # summer cooling payments, each of (no figure of their own)
    "winter": (52, Decimal("600.00")),  # winter warmth payments, each of
    "temporary": 12,  # temporary aid payments
}
# The scale of each other year against 2018: fewer records before, the epidemic years' dip, growth after.
TRENDS = {
    2015: 0.72,
    2016: 0.81,
    2017: 0.9,
    2019: 1.06,
    2020: 0.78,
    2021: 0.95,
    2022: 0.88,
    2023: 1.08,
    2024: 1.13,
    2025: 1.18,
}
WAGE_GROWTH = 1.05  # aid amounts follow prices
# The 2018 mistake: a medical payment posted as 800 元 instead of 8,000 元, then reversed and corrected.
MISTAKE = (D(2018, 6, 12), Decimal("800.00"), Decimal("8000.00"), D(2018, 6, 15))
MISTAKE_REASON = "录入金额有误：应为8000.00元，误录为800.00元，冲销后按正确金额重新录入。"

FIRST_COHORT = 260  # the files the federation already kept when the portal started (approved early in 2015)
NEW_FILES = (55, 70)  # files approved each later year
CLOSING_SHARE = 0.1  # of the open files, closed at each year's end
MEMBERS = 3000
ID_REGIONS = ["110115", "110115", "110115", "110115", "130682", "410523", "371322", "511321", "342224", "230103"]
CAUSES = list(HardshipCause.values)
CAUSE_WEIGHTS = [40, 18, 4, 14, 10, 10, 4]
CLOSE_REASONS = [CloseReason.RECOVERED] * 6 + [CloseReason.RETIRED] * 2 + [CloseReason.MOVED, CloseReason.DIED]


def last_year(today: D | None = None) -> int:
    """The last full year: the demo plans every year from FIRST_YEAR up to it."""
    return (today or timezone.localdate()).year - 1


def trend(year: int) -> float:
    if year in TRENDS:
        return TRENDS[year]
    last = max(TRENDS)
    return TRENDS[last] * 1.03 ** (year - last)


def year_plan(year: int) -> dict:
    """The plan of `year`: the report's for 2018, otherwise the report scaled by TRENDS with a seeded jitter."""
    if year == 2018:
        return REPORT_2018
    rng = random.Random(f"benefits plan {year}")
    scale, wages = trend(year), WAGE_GROWTH ** (year - 2018)

    def count(reported: int, spread: float = 0.08) -> int:
        return max(1, round(reported * scale * rng.uniform(1 - spread, 1 + spread)))

    def per(total: int, reported: int, n: int) -> int:
        return round(total / reported * n * rng.uniform(0.9, 1.1))

    def each(amount: str) -> Decimal:
        return (Decimal(amount) * Decimal(wages) / 50).quantize(Decimal("1")) * 50

    classes, activities, fairs = count(20), count(83), count(6, 0.3)
    medical, wechat = count(131), max(3, round(8 * 1.12 ** (year - 2018) * rng.uniform(0.9, 1.1)))
    return {
        "childcare": (classes, classes * rng.randint(27, 32)),
        "merchants": count(10, 0.15),
        "activities": (activities, per(55340, 83, activities)),
        "festival": (count(41), each("500")),
        "visits": count(187),
        "medical": (medical, Decimal(round(1339600 / 131 * medical * wages * rng.uniform(0.9, 1.1) / 100)) * HUNDRED),
        "student": (count(6, 0.3), each("8000")),
        "job_fairs": (fairs, per(7460, 6, fairs), per(2236, 6, fairs)),
        "purchased": (count(16, 0.15), per(10280, 16, count(16, 0))),
        "wechat": (wechat, per(2150, 8, wechat), per(5120, 8, wechat)),
        "culture": (Decimal(round(6032400 * scale * rng.uniform(0.9, 1.1) / 100)) * HUNDRED, count(312), count(2846)),
        "summer": (count(30), each("300")),
        "winter": (count(52), each("600")),
        "temporary": count(12, 0.3),
    }


def split(total: int, count: int, rng: random.Random, low: int = 1, weights: list | None = None) -> list[int]:
    """`count` random whole numbers of at least `low` adding up to `total` exactly (in proportion to `weights`)."""
    weights = weights or [rng.lognormvariate(0, 0.5) for _ in range(count)]
    spare, scale = total - low * count, sum(weights)
    parts = [low + int(spare * w / scale) for w in weights]
    for i in range(total - sum(parts)):
        parts[i % count] += 1
    return parts


def split_money(total: Decimal, count: int, rng: random.Random, low: int = 1) -> list[Decimal]:
    """`count` amounts, whole hundreds of 元 of at least `low` hundreds, adding up to `total` (whole hundreds)."""
    return [Decimal(p) * HUNDRED for p in split(int(total / HUNDRED), count, rng, low)]


def load(district, stdout) -> None:
    """Load the demo benefits of `district` once; a second call finds its hardship files and does nothing."""
    allowances_load()
    if HardshipFile.objects.filter(town__district=district).exists():
        stdout.write("Benefits: demo records already loaded, nothing to do.")
        return
    core_demo.load_users(district)  # the signatures on files and payments are the demo users'
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["admin", "staff"])}
    town_users = get_user_model().objects.filter(username__in=["yinghai", "yizhuang"])
    clerks = {town_scope(user): user for user in town_users}
    towns = sorted(Town.objects.filter(district=district), key=lambda town: town.order)
    with transaction.atomic():
        demo = DemoBenefits(towns, users, clerks)
        demo.build()
        demo.save()
    stdout.write(
        f"Benefits: {len(demo.members)} members, {len(demo.files)} hardship files, "
        f"{len(demo.payments)} ledger entries loaded for {district}."
    )


def allowances_load() -> None:
    """The minimum allowance of every year from FIRST_YEAR to this one (an admin's own values are kept)."""
    known = 0
    for year in range(FIRST_YEAR, timezone.localdate().year + 1):
        known = ALLOWANCES.get(year, known)
        MinimumAllowance.objects.get_or_create(year=year, defaults={"monthly_amount": Decimal(known)})


def allowance(year: int) -> Decimal:
    return Decimal(ALLOWANCES.get(year, ALLOWANCES[max(ALLOWANCES)]))


@dataclass
class PlannedFile:
    """A hardship file being built, with its household, re-checks and (for eligibility) its dates."""

    file: HardshipFile
    approved_on: D | None
    members: list = field(default_factory=list)
    rechecks: list = field(default_factory=list)
    earlier_level: tuple[D, str] | None = None  # (until, level): the level before a re-check changed it

    def level_on(self, day: D) -> str:
        if self.earlier_level and day < self.earlier_level[0]:
            return self.earlier_level[1]
        return self.file.level

    def payable_on(self, day: D) -> bool:
        """Approved before `day`, not closed by then, re-checked within a year (the ledger's rules that day)."""
        if self.approved_on is None or self.approved_on >= day:
            return False
        if self.file.closed_on and self.file.closed_on <= day:
            return False
        checks = [self.approved_on] + [r.checked_on for r in self.rechecks if r.checked_on <= day]
        return day - max(checks) <= RECHECK_INTERVAL


class DemoBenefits:
    def __init__(self, towns: list[Town], users: dict, clerks: dict):
        self.towns = towns
        self.users = users  # "admin" and "staff": the district's signatures
        self.clerks = clerks  # town id -> that town union's demo user
        self.rng = random.Random(SEED)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(SEED)
        self.today = timezone.localdate()
        self.years = list(range(FIRST_YEAR, last_year(self.today) + 1))
        self.id_numbers: set[str] = set()
        self.members: list[Member] = []
        self.cards: list[tuple[ServiceCard, ServiceCard | None]] = []  # a card, and the one it replaces
        self.files: list[PlannedFile] = []
        self.visits: list[HomeVisit] = []
        self.payments: list[AidPayment] = []
        self.reversal: AidPayment | None = None  # the 2018 mistake's reversal, written after the payment it names
        self.records: dict[type, list] = {}

    # -- building blocks -----------------------------------------------------------------

    def day(self, first: D, last: D) -> D:
        return first + DAY * self.rng.randint(0, max(0, (last - first).days))

    @staticmethod
    def moment(day: D, hour: int = 10) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    def id_number(self, born_from: int = 1960, born_to: int = 1998) -> str:
        while True:
            birth = D(self.rng.randint(born_from, born_to), self.rng.randint(1, 12), self.rng.randint(1, 28))
            number = make_id_number(self.rng.randint(0, 999), birth, self.rng.choice(ID_REGIONS))
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randint(0, 999999999):09d}"

    def clerk(self, town: Town):
        """Who enters a town's records: its own union's demo user, else the district staff."""
        return self.clerks.get(town.pk, self.users["staff"])

    def second(self, clerk):
        """The second signature: district staff approve what a town entered; the admin what district staff did."""
        return self.users["admin"] if clerk == self.users["staff"] else self.users["staff"]

    # -- members and service cards ------------------------------------------------------------

    def build_members(self) -> None:
        for _ in range(MEMBERS):
            town = self.rng.choice(self.towns)
            workplace = self.fake.company()
            issued = self.day(D(FIRST_YEAR, 3, 1), self.today - 30 * DAY)
            member = Member(
                town=town,
                name=self.fake.name(),
                id_number=self.id_number(1965, 2002),
                phone=self.phone(),
                union_name=f"{workplace}工会",
                workplace=workplace,
                created_at=self.moment(issued, 9),
            )
            self.members.append(member)
            roll = self.rng.random()
            status = CardStatus.ACTIVE
            if roll < 0.03:
                status = CardStatus.LOST
            elif roll < 0.05:
                status = CardStatus.SUSPENDED
            elif roll < 0.07:
                status = CardStatus.CANCELLED
            card = ServiceCard(member=member, number="", issued_on=issued, status=status)
            self.cards.append((card, None))
            if status == CardStatus.LOST:
                reissued = min(issued + DAY * self.rng.randint(30, 500), self.today)
                self.cards.append((ServiceCard(member=member, number="", issued_on=reissued), card))

    def number_cards(self) -> None:
        """Card numbers per year of issue, from the core's counters: HK2018000001."""
        by_year: dict[int, list[ServiceCard]] = {}
        for card, _ in sorted(self.cards, key=lambda pair: pair[0].issued_on):
            by_year.setdefault(card.issued_on.year, []).append(card)
        for year, cards in by_year.items():
            for card, number in zip(cards, numbers_reserve(key=f"card:{year}", count=len(cards)), strict=True):
                card.number = f"HK{year}{number:06d}"

    # -- hardship files -----------------------------------------------------------------------

    def household(self, year: int) -> tuple[HardshipFile, list[HouseholdMember]]:
        """A household whose figures give its level against `year`'s allowance (the level is computed, not picked)."""
        town = self.rng.choice(self.towns)
        size = self.rng.choices([1, 2, 3, 4], weights=[15, 30, 35, 20])[0]
        spending = Decimal(self.rng.choice([0, 0, 200, 400, 600, 900, 1500]))
        target = self.rng.choices(["deep", "relative", "accident"], weights=[35, 55, 10])[0]
        share = {"deep": (0.3, 0.95), "relative": (1.05, 1.9), "accident": (2.1, 2.8)}[target]
        income = int(allowance(year) * Decimal(self.rng.uniform(*share)) * size + spending)
        parts = split(income, size, self.rng, low=0) if size > 1 else [income]
        workplace = self.fake.company()
        file = HardshipFile(
            town=town,
            applicant_name=self.fake.name(),
            id_number=self.id_number(1962, 1990),
            phone=self.phone(),
            union_name=f"{workplace}工会",
            workplace=workplace,
            applicant_income=Decimal(parts[0]),
            essential_spending=spending,
            sudden_loss=Decimal(income * 12 * self.rng.randint(9, 15) // 10) if target == "accident" else Decimal(0),
            main_cause=self.rng.choices(CAUSES, weights=CAUSE_WEIGHTS)[0],
            bank_name=self.rng.choice(["中国工商银行", "中国农业银行", "北京农商银行", "中国建设银行"]),
            bank_account=f"6222{self.rng.randint(0, 10**15 - 1):015d}",
        )
        members = [self.relative(file, index, part) for index, part in enumerate(parts[1:])]
        file.secondary_causes = self.rng.sample([c for c in CAUSES if c != file.main_cause], self.rng.randint(0, 2))
        file.level = file.assessed_level(allowance(year), members)
        return (file, members) if file.level else self.household(year)

    def relative(self, file: HardshipFile, index: int, income: int) -> HouseholdMember:
        relation = Relation.SPOUSE if index == 0 else self.rng.choice([Relation.CHILD, Relation.CHILD, Relation.PARENT])
        born = (
            (1995, 2012)
            if relation == Relation.CHILD
            else (1940, 1960)
            if relation == Relation.PARENT
            else (1962, 1990)
        )
        return HouseholdMember(
            file=file,
            name=self.fake.name(),
            id_number=self.id_number(*born),
            relation=relation,
            monthly_income=Decimal(income),
            health=self.rng.choices(Health.values, weights=[55, 25, 12, 8])[0],
        )

    def open_file(self, year: int, approved_on: D | None, status: str = FileStatus.APPROVED) -> PlannedFile:
        file, members = self.household(year)
        clerk = self.clerk(file.town)
        submitted = (approved_on or self.today) - DAY * self.rng.randint(5, 25)
        file.status, file.submitted_by, file.submitted_at = status, clerk, self.moment(submitted, 11)
        file.created_at = self.moment(submitted - DAY * self.rng.randint(1, 10), 9)
        if approved_on:
            file.reviewed_by, file.reviewed_at = self.second(clerk), self.moment(approved_on, 15)
            file.review_comment, file.last_checked_on = "材料齐全，符合建档条件。", approved_on
        planned = PlannedFile(file=file, approved_on=approved_on, members=members)
        self.files.append(planned)
        return planned

    def build_files(self) -> None:
        """Files approved year by year; about a tenth of the open ones closed at each year's end."""
        for _ in range(FIRST_COHORT):
            self.open_file(FIRST_YEAR, self.day(D(FIRST_YEAR, 1, 2), D(FIRST_YEAR, 1, 10)))
        for year in [*self.years, self.today.year]:
            if year > FIRST_YEAR:
                last = D(year, 6, 30) if year < self.today.year else min(D(year, 6, 30), self.today - 20 * DAY)
                count = self.rng.randint(*NEW_FILES) if year < self.today.year else 12 * (last >= D(year, 3, 1))
                for _ in range(count):
                    self.open_file(year, self.day(D(year, 3, 1), last))
            if year < self.today.year:
                self.close_some(year)
        self.pending_files()
        for planned in self.files:
            self.recheck(planned)

    def close_some(self, year: int) -> None:
        open_files = [p for p in self.files if p.approved_on and p.file.status == FileStatus.APPROVED]
        for planned in self.rng.sample(open_files, round(len(open_files) * CLOSING_SHARE)):
            planned.file.status = FileStatus.CLOSED
            planned.file.closed_on = self.day(D(year, 11, 1), D(year, 12, 20))
            planned.file.close_reason = self.rng.choice(CLOSE_REASONS)

    def pending_files(self) -> None:
        """Applications of the last weeks: being prepared, under review, and two rejected."""
        for status, count in ((FileStatus.APPLYING, 4), (FileStatus.REVIEWING, 5), (FileStatus.REJECTED, 2)):
            for _ in range(count):
                planned = self.open_file(self.today.year, None, status)
                file = planned.file
                if status == FileStatus.APPLYING:
                    file.submitted_by = file.submitted_at = None
                if status == FileStatus.REJECTED:
                    file.reviewed_by, file.reviewed_at = self.second(self.clerk(file.town)), timezone.now()
                    file.review_comment = "家庭人均收入高于认定标准，不予建档。"

    def recheck(self, planned: PlannedFile) -> None:
        """A re-check a little less than a year after the last one, until the file is closed or today.

        A few open files miss their latest re-check: they fill the overdue list.
        """
        if planned.approved_on is None:
            return
        end = planned.file.closed_on or self.today
        overdue = planned.file.status == FileStatus.APPROVED and self.rng.random() < 0.03
        if overdue:
            end -= DAY * self.rng.randint(60, 120)
        checked = planned.approved_on
        while True:
            checked += DAY * (365 - self.rng.randint(3, 40))
            if checked > end:
                break
            planned.rechecks.append(
                Recheck(
                    file=planned.file,
                    checked_on=checked,
                    level_before=planned.file.level,
                    level_after=planned.file.level,
                    notes="收入与家庭情况无变化，维持原认定。",
                    checked_by=self.clerk(planned.file.town),
                )
            )
            planned.file.last_checked_on = checked
        if len(planned.rechecks) >= 2 and self.rng.random() < 0.04:
            self.level_changed(planned, planned.rechecks[1])

    def level_changed(self, planned: PlannedFile, change: Recheck) -> None:
        """The household's level changed at this re-check, after a home visit (the rule asks for one first)."""
        earlier = HardshipLevel.RELATIVE if planned.file.level == HardshipLevel.DEEP else HardshipLevel.DEEP
        planned.earlier_level = (change.checked_on, earlier)
        planned.rechecks[0].level_before = planned.rechecks[0].level_after = change.level_before = earlier
        change.notes = "入户走访核实家庭收入变化，调整困难类别。"
        change.visit = self.visit(planned, change.checked_on - DAY * self.rng.randint(3, 10))
        self.visits.append(change.visit)

    def visit(self, planned: PlannedFile, day: D) -> HomeVisit:
        town = planned.file.town
        return HomeVisit(
            file=planned.file,
            visited_on=day,
            visitors=f"区总工会帮扶中心、{town.name}工会",
            notes="入户了解家庭收入、就医和子女就学情况，送去慰问品。",
            recorded_by=self.clerk(town),
        )

    # -- visits and the ledger -----------------------------------------------------------------

    def build_visits(self, year: int, households: int) -> None:
        """`households` distinct households visited in the year, those visited before a re-check among them; some
        twice (they count once)."""
        visited = {id(v.file) for v in self.visits if v.visited_on.year == year}
        eligible = [p for p in self.files if p.payable_on(D(year, 10, 31)) and id(p.file) not in visited]
        for planned in self.rng.sample(eligible, households - len(visited)):
            first = max(D(year, 3, 1), planned.approved_on + DAY)
            for _ in range(2 if self.rng.random() < 0.15 else 1):
                self.visits.append(self.visit(planned, self.day(first, D(year, 10, 31))))

    def pay(self, planned: PlannedFile, programme: str, amount: Decimal, paid_on: D, **extra) -> AidPayment:
        clerk = self.clerk(planned.file.town)
        payment = AidPayment(
            file=planned.file,
            town=planned.file.town,
            programme=programme,
            amount=amount,
            paid_on=paid_on,
            funding_source=extra.pop("funding_source", FundingSource.DISTRICT),
            voucher_number="",
            level=planned.level_on(paid_on),
            state=extra.pop("state", PaymentState.POSTED),
            entered_by=clerk,
            entered_at=self.moment(paid_on - 2 * DAY if paid_on < self.today else paid_on, 9),
            **extra,
        )
        if payment.state in (PaymentState.APPROVED, PaymentState.POSTED):
            payment.approved_by, payment.approved_at = self.second(clerk), self.moment(payment.entered_at.date(), 16)
        if payment.state == PaymentState.POSTED:
            payment.posted_at = self.moment(paid_on, 10)
        self.payments.append(payment)
        return payment

    def programme(self, programme, amounts: list[Decimal], window: tuple[D, D], source=FundingSource.DISTRICT):
        """One payment per amount, each to a different household payable on its date."""
        days = [self.day(*window) for _ in amounts]
        households = [p for p in self.files if p.payable_on(window[0]) and p.payable_on(window[1])]
        for planned, amount, paid_on in zip(self.rng.sample(households, len(amounts)), amounts, days, strict=True):
            self.pay(planned, programme, amount, paid_on, funding_source=source)
        return households

    def build_ledger(self, year: int, plan: dict) -> None:
        festival, each = plan["festival"]
        self.programme(Programme.FESTIVAL, [each] * festival, (D(year, 1, 15), D(year, 2, 10)))
        medical, total = plan["medical"]
        if year == MISTAKE[0].year:
            medical, total = medical - 1, total - MISTAKE[2]
        households = self.programme(
            Programme.MEDICAL, split_money(total, medical, self.rng, low=20), (D(year, 7, 1), D(year, 10, 31))
        )
        grants, each = plan["student"]
        self.programme(Programme.STUDENT, [each] * grants, (D(year, 8, 20), D(year, 9, 15)))
        summer, each = plan["summer"]
        self.programme(Programme.SUMMER, [each] * summer, (D(year, 7, 5), D(year, 7, 25)), FundingSource.CITY)
        winter, each = plan["winter"]
        self.programme(Programme.WINTER, [each] * winter, (D(year, 10, 15), D(year, 10, 31)), FundingSource.CITY)
        temporary = [Decimal(self.rng.randint(10, 50)) * HUNDRED for _ in range(plan["temporary"])]
        self.programme(Programme.TEMPORARY, temporary, (D(year, 7, 1), D(year, 10, 31)), FundingSource.DONATION)
        if year == MISTAKE[0].year:
            self.mistake_and_correction(households)

    def mistake_and_correction(self, households: list[PlannedFile]) -> None:
        """800 元 posted instead of 8,000 元 to a household without a medical payment that year; then corrected.

        A withdrawn entry (never approved) sits beside it: it counts nowhere.
        """
        paid = {id(p.file) for p in self.payments if p.programme == Programme.MEDICAL and p.paid_on.year == 2018}
        posted_on, wrong, right, corrected_on = MISTAKE
        free = [
            p for p in households if id(p.file) not in paid and p.payable_on(posted_on) and p.payable_on(corrected_on)
        ]
        planned, other = free[:2]
        mistake = self.pay(planned, Programme.MEDICAL, wrong, posted_on)
        self.reversal = self.pay(
            planned, Programme.MEDICAL, -wrong, corrected_on, reverses=mistake, reason=MISTAKE_REASON
        )
        self.pay(planned, Programme.MEDICAL, right, corrected_on)
        self.pay(other, Programme.MEDICAL, Decimal("5000.00"), corrected_on, state=PaymentState.WITHDRAWN)

    def waiting_entries(self) -> None:
        """Today's entries waiting for their second signature (three entered, two approved)."""
        households = [p for p in self.files if p.payable_on(self.today)]
        for index, planned in enumerate(self.rng.sample(households, 5)):
            state = PaymentState.ENTERED if index < 3 else PaymentState.APPROVED
            amount = Decimal(self.rng.randint(20, 80)) * HUNDRED
            self.pay(
                planned, Programme.TEMPORARY, amount, self.today, state=state, funding_source=FundingSource.DISTRICT
            )

    def number_payments(self) -> None:
        """Voucher numbers in order of entry within each year, reserved as one block per year."""
        by_year: dict[int, list[AidPayment]] = {}
        for payment in sorted(self.payments, key=lambda p: (p.paid_on, p.entered_at)):
            by_year.setdefault(payment.paid_on.year, []).append(payment)
        for year, payments in by_year.items():
            numbers = numbers_reserve(key=f"voucher:{year}", count=len(payments))
            for payment, number in zip(payments, numbers, strict=True):
                payment.voucher_number = voucher_number(year=year, number=number)

    # -- services for all members and the card's programmes ----------------------------------

    def build_programmes(self, year: int, plan: dict) -> None:
        self.childcare(year, *plan["childcare"])
        self.activities(year, *plan["activities"])
        self.job_fairs(year, *plan["job_fairs"])
        self.purchased(year, *plan["purchased"])
        self.wechat(year, *plan["wechat"])
        self.culture(year, *plan["culture"])

    def add(self, record) -> None:
        self.records.setdefault(type(record), []).append(record)

    def childcare(self, year: int, classes: int, children: int) -> None:
        towns = self.rng.sample(self.towns, min(len(self.towns), max(1, classes // 2)))
        per_town = split(classes, len(towns), self.rng)
        for town, n, kids in zip(towns, per_town, split(children, len(towns), self.rng, weights=per_town), strict=True):
            courses = "、".join(self.rng.sample(["书法", "绘画", "科学实验", "围棋", "英语绘本", "篮球", "手工"], 3))
            self.add(ChildcareClass(town=town, year=year, classes=n, children=kids, courses=courses))

    def activities(self, year: int, count: int, person_times: int) -> None:
        titles = ["会员专享观影", "会员健康体检日", "亲子游园会", "会员专享游泳", "职工读书分享会", "会员摄影采风"]
        for n in split(person_times, count, self.rng, low=50):
            channel = self.rng.choices(ActivityChannel.values, weights=[30, 40, 30])[0]
            town = self.rng.choice(self.towns) if channel == ActivityChannel.ON_SITE else None
            self.add(
                MemberActivity(
                    title=f"{self.rng.choice(titles)}（{year}）",
                    held_on=self.day(D(year, 1, 5), D(year, 12, 20)),
                    channel=channel,
                    person_times=n,
                    beneficiaries=max(1, n * self.rng.randint(55, 90) // 100),
                    town=town,
                )
            )

    def job_fairs(self, year: int, count: int, jobs: int, intentions: int) -> None:
        offered = split(jobs, count, self.rng, low=200)
        for index, (n, signed) in enumerate(
            zip(offered, split(intentions, count, self.rng, weights=offered), strict=True)
        ):
            town = self.rng.choice(self.towns) if index else None  # the first is the district's own
            place = town.name if town else "大兴区"
            self.add(
                JobFair(
                    title=f"{year}年{place}春风行动招聘会（第{index + 1}场）",
                    held_on=self.day(D(year, 2, 20), D(year, 5, 31)),
                    town=town,
                    jobs_offered=n,
                    intentions_signed=min(signed, n),
                )
            )

    def purchased(self, year: int, count: int, person_times: int) -> None:
        kinds = ["职工心理健康服务", "法律咨询进企业", "困难职工子女课业辅导", "新就业形态劳动者关爱", "职工技能培训"]
        providers = ["阳光社会工作事务所", "心桥社工服务中心", "益民法律服务中心", "大兴区职工服务协会"]
        for index, n in enumerate(split(person_times, count, self.rng, low=100)):
            self.add(
                PurchasedService(
                    title=f"{self.rng.choice(kinds)}项目（{year}-{index + 1:02d}）",
                    provider=self.rng.choice(providers),
                    year=year,
                    contract_sum=Decimal(self.rng.randint(50, 400)) * 1000,
                    person_times=n,
                    town=self.rng.choice(self.towns) if self.rng.random() < 0.4 else None,
                )
            )

    def wechat(self, year: int, count: int, beneficiaries: int, participants: int) -> None:
        titles = ["夏送清凉线上抽奖", "职工健步走打卡", "线上知识竞赛", "云端读书月", "会员福利秒杀", "劳模故事征文"]
        joined = split(participants, count, self.rng, low=100)
        benefited = split(beneficiaries, count, self.rng, weights=joined)
        for n, helped in zip(joined, benefited, strict=True):
            self.add(
                WechatActivity(
                    title=f"微工会·{self.rng.choice(titles)}",
                    held_on=self.day(D(year, 1, 10), D(year, 12, 20)),
                    participants=n,
                    beneficiaries=min(helped, n),
                )
            )

    def culture(self, year: int, spend: Decimal, events: int, participants: int) -> None:
        items = [
            (CultureCategory.MATCH, "职工篮球联赛"),
            (CultureCategory.MATCH, "职工乒乓球比赛"),
            (CultureCategory.MATCH, "职工趣味运动会"),
            (CultureCategory.TRAINING, "书法培训班"),
            (CultureCategory.TRAINING, "摄影培训班"),
            (CultureCategory.TRAINING, "舞蹈培训班"),
            (CultureCategory.EXHIBITION, "职工书画展"),
            (CultureCategory.EXHIBITION, "职工摄影展"),
            (CultureCategory.PERFORMANCE, "职工文艺汇演"),
            (CultureCategory.PERFORMANCE, "送文化进基层演出"),
            (CultureCategory.OTHER, "职工阅读季"),
            (CultureCategory.OTHER, "职工电影放映"),
        ]
        spent = split_money(spend, len(items), self.rng, low=100)
        held = split(events, len(items), self.rng)
        joined = split(participants, len(items), self.rng, low=10, weights=held)
        for (category, item), money, n, people in zip(items, spent, held, joined, strict=True):
            admitted = (
                self.rng.randint(1, 4) if category in (CultureCategory.TRAINING, CultureCategory.EXHIBITION) else 0
            )
            self.add(
                CultureEvent(
                    year=year,
                    category=category,
                    item=item,
                    spend=money,
                    events=n,
                    participants=people,
                    association_admissions=admitted,
                    town=self.rng.choice(self.towns) if category == CultureCategory.PERFORMANCE else None,
                )
            )

    def merchants(self) -> None:
        """Contracts of one to three years, so that each year has its plan's number under contract; a few of
        today's contracts end within 60 days."""
        terms: list[list[int]] = []
        for year in self.years:
            active = [term for term in terms if term[1] >= year]
            target = year_plan(year)["merchants"]
            while len(active) > target:
                active.pop(self.rng.randrange(len(active)))[1] = year - 1  # not renewed last year
            while len(active) < target:
                terms.append([year, year + self.rng.randint(0, 2)])
                active.append(terms[-1])
        for index, (first, last) in enumerate(terms):
            self.add(self.merchant(index, first, last))

    def merchant(self, index: int, first: int, last: int) -> Merchant:
        start = D(first, self.rng.randint(1, 6), 1)
        if last > self.years[-1]:  # under contract today: renewed into the coming year, or ending soon
            end = self.today + DAY * (self.rng.randint(5, 55) if index % 3 == 0 else self.rng.randint(120, 500))
        else:
            end = D(last, self.rng.randint(7, 12), 28)
        category = MerchantCategory.values[index % len(MerchantCategory.values)]
        shop = {"tickets": "票务", "cinema": "影城", "haircut": "美发", "health_check": "体检中心"}.get(
            category, "服务中心"
        )
        return Merchant(
            name=f"{self.fake.company_prefix()}{shop}（{self.rng.choice(self.towns).name}店）",
            category=category,
            offer=self.rng.choice(["持卡会员享八折优惠", "持卡会员立减20元", "持卡会员免费体验一次", "持卡会员九折"]),
            contract_start=start,
            contract_end=end,
            status=MerchantStatus.ENDED if end < self.today else MerchantStatus.ACTIVE,
            town=self.rng.choice(self.towns) if index % 4 == 0 else None,
            contact_phone=self.phone(),
        )

    # -- putting it together -----------------------------------------------------------------

    def build(self) -> None:
        self.build_members()
        self.build_files()
        for year in self.years:
            plan = year_plan(year)
            self.build_visits(year, plan["visits"])
            self.build_ledger(year, plan)
            self.build_programmes(year, plan)
        self.merchants()
        self.waiting_entries()

    def save(self) -> None:
        self.number_cards()
        self.number_payments()
        user = self.users["admin"]
        bulk_create_with_history(self.members, Member, batch_size=1000, default_user=user)
        for card, _ in self.cards:
            card.member_id = card.member.pk
        originals = [card for card, replaced in self.cards if replaced is None]
        bulk_create_with_history(originals, ServiceCard, batch_size=1000, default_user=user)
        for card, replaced in self.cards:
            card.replaces_id = replaced.pk if replaced else None
        bulk_create_with_history([c for c, r in self.cards if r], ServiceCard, default_user=user)
        bulk_create_with_history([p.file for p in self.files], HardshipFile, batch_size=500, default_user=user)
        self.save_children(user)
        for model, records in self.records.items():
            bulk_create_with_history(records, model, batch_size=1000, default_user=user)

    def save_children(self, user) -> None:
        """The rows that hang on files, once the files have their keys; the reversal last (it names its payment)."""
        payments = [p for p in self.payments if p is not self.reversal]
        children = {HouseholdMember: [], HomeVisit: self.visits, Recheck: [], AidPayment: payments}
        for planned in self.files:
            children[HouseholdMember] += planned.members
            children[Recheck] += planned.rechecks
        for model, rows in children.items():
            bulk_create_with_history(rows, model, batch_size=1000, default_user=user)
        self.reversal.reverses_id = self.reversal.reverses.pk
        bulk_create_with_history([self.reversal], AidPayment, default_user=user)
        sums.rebuild()  # the posted rows went in without aid_post: the kept sums are filled from them
