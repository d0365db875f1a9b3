"""Demo venues for the Daxing district, with history back to 2015.

The records are made up (Faker zh_CN names, addresses and phones, seeded), but shaped so
that the 2018 venue figures equal the 2018 annual report exactly (DOMAIN.md §4):
109 warm-heart stations built, 24 workers' homes with a 10,000 元 district subsidy each,
2 city-level model-home applications from 新媒体产业基地, 9 wellbeing stations in the nine
named towns, the 30,000 元 city prize to 瀛海镇's, 29 stress-relief sessions with 1,046
person-times, 22 mother-and-baby rooms built and accepted with 22 × 10,000 元 of equipment,
15 activity centres in service at the end of the year. Other years differ.

Everything is written in bulk (with history rows), so loading takes a few seconds.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from faker import Faker
from simple_history.utils import bulk_create_with_history

from union_portal.models import District, Town
from union_portal.validators import MOBILE_RE

from .models import (
    AcceptanceResult,
    ActivityKind,
    Amenity,
    FundingKind,
    FundingSource,
    HonourLevel,
    HonourStatus,
    HostType,
    Venue,
    VenueActivity,
    VenueFunding,
    VenueHonour,
    VenueKind,
    next_venue_codes,
)

SEED = 2018
D = datetime.date
T = datetime.time

# Approximate centres of Daxing's towns (lat, lng); venues are scattered around them.
TOWN_CENTRES = {
    "兴丰街道": (39.728, 116.335),
    "林校路街道": (39.735, 116.322),
    "清源街道": (39.745, 116.337),
    "观音寺街道": (39.724, 116.352),
    "天宫院街道": (39.680, 116.318),
    "高米店街道": (39.760, 116.332),
    "黄村镇": (39.715, 116.305),
    "西红门镇": (39.790, 116.330),
    "旧宫镇": (39.805, 116.450),
    "亦庄镇": (39.780, 116.505),
    "瀛海镇": (39.755, 116.445),
    "青云店镇": (39.680, 116.500),
    "采育镇": (39.655, 116.575),
    "长子营镇": (39.680, 116.555),
    "安定镇": (39.610, 116.500),
    "礼贤镇": (39.580, 116.440),
    "榆垓镇": (39.560, 116.350),
    "庞各庄镇": (39.630, 116.320),
    "北臧村镇": (39.690, 116.270),
    "魏善庄镇": (39.650, 116.400),
    "新媒体产业基地": (39.765, 116.345),
    "生物医药产业基地": (39.690, 116.360),
}
DISTRICT_CENTRE = (39.727, 116.341)

# The report's nine towns with a wellbeing station built in 2018.
WELLBEING_TOWNS_2018 = [
    "新媒体产业基地",
    "西红门镇",
    "庞各庄镇",
    "瀛海镇",
    "黄村镇",
    "榆垓镇",
    "青云店镇",
    "长子营镇",
    "高米店街道",
]
# The city's prize for wellbeing stations (优秀职工心理助推项目): (town, year, yuan); 2018's is the report's.
CITY_PRIZES = [
    ("亦庄镇", 2017, "20000.00"),
    ("瀛海镇", 2018, "30000.00"),
    ("黄村镇", 2019, "30000.00"),
    ("西红门镇", 2020, "20000.00"),
]
BUSY_TOWNS = ["黄村镇", "兴丰街道", "亦庄镇", "西红门镇", "旧宫镇", "瀛海镇", "林校路街道", "清源街道"]

# (text shown to the public, opens at, closes at, open 24 hours)
HOURS = {
    VenueKind.WARM_STATION: [
        ("每日 7:00-19:00", T(7), T(19), False),
        ("每日 6:00-20:00", T(6), T(20), False),
        ("周一至周六 8:00-18:00", T(8), T(18), False),
    ],
    VenueKind.WORKERS_HOME: [
        ("周一至周五 9:00-17:30", T(9), T(17, 30), False),
        ("工作日 8:30-17:00", T(8, 30), T(17), False),
    ],
    VenueKind.WELLBEING_STATION: [("周一至周五 9:00-17:00，其余时间可预约", T(9), T(17), False)],
    VenueKind.MOTHER_BABY_ROOM: [("工作日 8:30-17:30", T(8, 30), T(17, 30), False)],
    VenueKind.ACTIVITY_CENTRE: [
        ("每日 9:00-21:00", T(9), T(21), False),
        ("周二至周日 9:00-20:30", T(9), T(20, 30), False),
    ],
}
ALL_DAY = ("24小时开放", None, None, True)

WARM_EXTRAS = ["microwave", "toilet", "air_conditioning", "newspaper_rack", "first_aid", "wifi", "lockers", "bed"]
ROOM_BASICS = ["table", "socket", "fridge"]
ROOM_EXTRAS = ["steriliser", "water_dispenser", "air_conditioning", "lockers"]
RELOCATED = "企业疏解外迁，阵地撤销"
DEMOLISHED = "拆除腾退，场地收回"
MOBILE_WITHDRAWN = "拆除腾退工作完成，流动驿站撤回"


@dataclass
class Planned:
    """A venue to create with its amenities; children refer to `venue` until it has a pk."""

    venue: Venue
    amenities: list[str] = field(default_factory=list)


def load(district: District, stdout) -> None:
    """Create the district's demo venues; if it already has venues, say so and change nothing."""
    existing = Venue.objects.filter(town__district=district).count()
    if existing:
        stdout.write(f"Venues: {district} already has {existing} venues; demo venues not loaded.")
        return
    towns = {town.name: town for town in Town.objects.filter(district=district)}
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        demo = DemoVenues(towns)
        demo.build()
        demo.save()
    stdout.write(f"Venues: {len(demo.planned)} demo venues loaded for {district}.")


class DemoVenues:
    """Builds the demo records in memory (deterministically), then writes them in bulk."""

    def __init__(self, towns: dict[str, Town]):
        missing = set(TOWN_CENTRES) - set(towns)
        if missing:
            raise ValueError(f"The demo venues need the demo towns; missing: {', '.join(sorted(missing))}")
        self.towns = towns
        self.rng = random.Random(SEED)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(SEED)
        self.planned: list[Planned] = []
        self.fundings: list[VenueFunding] = []
        self.honours: list[VenueHonour] = []
        self.activities: list[VenueActivity] = []

    # -- building blocks -------------------------------------------------------------

    def town(self, name: str) -> Town:
        return self.towns[name]

    def day(self, year: int, first: int = 1, last: int = 12) -> datetime.date:
        """A random day of `year` between the months `first` and `last`."""
        start, end = D(year, first, 1), D(year, last, 28)
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def later(self, day: datetime.date, low: int, high: int, limit: datetime.date | None = None) -> datetime.date:
        result = day + datetime.timedelta(days=self.rng.randint(low, high))
        return min(result, limit) if limit else result

    def phone(self) -> str:
        number = self.fake.phone_number()
        while not MOBILE_RE.match(number):
            number = self.fake.phone_number()
        return number

    def duty_phone(self) -> str:
        """A venue's own landline (Daxing's 6924 exchange), numbered in order: no random draw, so the demo's other
        values (dates, amounts) stay as the report's figures need them."""
        return f"010-6924{len(self.planned) + 1:04d}"

    def address(self, town_name: str) -> str:
        return f"北京市大兴区{town_name}{self.fake.street_name()}{self.rng.randint(1, 199)}号"

    def coordinates(self, town_name: str) -> tuple[Decimal, Decimal]:
        lat, lng = TOWN_CENTRES.get(town_name, DISTRICT_CENTRE)
        lat = min(max(lat + self.rng.uniform(-0.012, 0.012), 39.5), 39.85)
        lng = min(max(lng + self.rng.uniform(-0.012, 0.012), 116.2), 116.6)
        return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")

    def add(
        self,
        kind: str,
        town_name: str,
        name: str,
        *,
        host_type: str = HostType.ENTERPRISE,
        host_name: str = "",
        built_on: datetime.date | None = None,
        planned_on: datetime.date | None = None,
        amenities: list[str] | None = None,
        hours: tuple | None = None,
        **fields,
    ) -> Venue:
        """Plan one venue; `planned_on` defaults to one to four months before it was built."""
        text, opens, closes, is_24h = hours or self.rng.choice(HOURS[kind])
        lat, lng = self.coordinates(town_name)
        venue = Venue(
            kind=kind,
            town=self.town(town_name),
            name=name,
            host_type=host_type,
            host_name=host_name,
            address=fields.pop("address", None) or self.address(town_name),
            latitude=lat,
            longitude=lng,
            opening_hours=text,
            opens_at=opens,
            closes_at=closes,
            is_24h=is_24h,
            contact_name=self.fake.name(),
            contact_phone=self.phone(),
            public_phone=self.duty_phone(),
            built_on=built_on,
            planned_on=planned_on or (built_on and built_on - datetime.timedelta(days=self.rng.randint(30, 120))),
            **fields,
        )
        venue.status = venue.derived_status()
        self.planned.append(Planned(venue, sorted(set(amenities or []))))
        return venue

    def fund(self, venue: Venue, year: int, kind: str, amount: str, source=FundingSource.DISTRICT, purpose=""):
        self.fundings.append(
            VenueFunding(venue=venue, year=year, kind=kind, source=source, amount=Decimal(amount), purpose=purpose)
        )

    def honour(self, venue: Venue, year: int, level: str, status: str = HonourStatus.AWARDED):
        titles = {
            HonourLevel.DISTRICT: "区级示范职工之家",
            HonourLevel.CITY: "市级示范职工之家",
            HonourLevel.NATIONAL: "全国模范职工之家",
        }
        self.honours.append(VenueHonour(venue=venue, year=year, level=level, status=status, title=titles[level]))

    def activity(self, venue: Venue, date: datetime.date, kind: str, title: str, sessions: int, person_times: int):
        self.activities.append(
            VenueActivity(venue=venue, date=date, kind=kind, title=title, sessions=sessions, person_times=person_times)
        )

    def of_kind(self, kind: str) -> list[Venue]:
        return [plan.venue for plan in self.planned if plan.venue.kind == kind]

    # -- the whole picture -----------------------------------------------------------

    def build(self) -> None:
        self.build_activity_centres()
        self.build_workers_homes()
        self.build_wellbeing_stations()
        self.build_mother_baby_rooms()
        self.build_warm_stations()

    def save(self) -> None:
        """Write venues (codes in order of building), amenities and children, all with history."""
        self.assign_codes()
        reason = _("Demo data")
        venues = [plan.venue for plan in self.planned]
        venues = bulk_create_with_history(venues, Venue, batch_size=500, default_change_reason=reason)
        self.save_amenities(venues)
        for model, rows in (
            (VenueFunding, self.fundings),
            (VenueHonour, self.honours),
            (VenueActivity, self.activities),
        ):
            bulk_create_with_history(rows, model, batch_size=500, default_change_reason=reason)

    def assign_codes(self) -> None:
        for kind in VenueKind.values:
            venues = sorted(self.of_kind(kind), key=lambda v: (v.built_on or v.planned_on, v.name))
            for venue, code in zip(venues, next_venue_codes(kind, len(venues)), strict=True):
                venue.code = code

    def save_amenities(self, venues: list[Venue]) -> None:
        """The M2M rows through the through model, and the same rows in each venue's first history record."""
        amenity_ids = dict(Amenity.objects.values_list("code", "pk"))
        through = Venue.amenities.through
        rows = [
            through(venue_id=plan.venue.pk, amenity_id=amenity_ids[code])
            for plan in self.planned
            for code in plan.amenities
        ]
        rows = through.objects.bulk_create(rows, batch_size=1000)
        history_ids = dict(Venue.history.filter(id__in=[venue.pk for venue in venues]).values_list("id", "history_id"))
        m2m_history = Venue.history.model.amenities.model
        m2m_history.objects.bulk_create(
            [
                m2m_history(
                    history_id=history_ids[row.venue_id], id=row.pk, venue_id=row.venue_id, amenity_id=row.amenity_id
                )
                for row in rows
            ],
            batch_size=1000,
        )

    # -- activity centres: 15 in service at the end of 2018 ----------------------------

    def build_activity_centres(self) -> None:
        """17 built 2015-2018, 2 of them closed before the end of 2018; 5 built 2019-2020; 1 planned."""
        names = list(TOWN_CENTRES)
        self.rng.shuffle(names)
        years = [2015] * 6 + [2016] * 4 + [2017] * 4 + [2018] * 3 + [2019] * 3 + [2020] * 2
        centres = []
        for town_name, year in zip(names, years, strict=True):
            centres.append(
                self.add(
                    VenueKind.ACTIVITY_CENTRE,
                    town_name,
                    f"{town_name}区域职工活动中心",
                    host_type=HostType.UNION_STATION,
                    host_name=f"{town_name}总工会",
                    built_on=self.day(year, 3, 11),
                    amenities=["water_dispenser", "toilet", "air_conditioning", "wifi", "lockers", "first_aid"],
                    seats=self.rng.choice([60, 80, 120, 150]),
                    description="羽毛球、乒乓球、书画、阅览等文体活动场地",
                )
            )
        self.close(centres[0], D(2017, 8, 15), DEMOLISHED)
        self.close(centres[6], D(2018, 10, 20), DEMOLISHED)
        self.close(centres[14], D(2019, 11, 5), RELOCATED)
        self.add(
            VenueKind.ACTIVITY_CENTRE,
            centres[0].town.name,
            f"{centres[0].town.name}职工活动中心（新址）",
            host_type=HostType.UNION_STATION,
            host_name=f"{centres[0].town.name}总工会",
            planned_on=D(2020, 9, 1),
        )
        for year in range(2015, 2021):
            for centre in [c for c in centres if self.in_service(c, D(year, 6, 30))][:8]:
                self.activity(
                    centre,
                    self.day(year, 7, 12),
                    ActivityKind.CULTURE,
                    self.rng.choice(["羽毛球比赛", "书画培训", "摄影培训", "篮球友谊赛", "乒乓球比赛"]),
                    self.rng.randint(1, 6),
                    self.rng.randint(40, 300),
                )

    def close(self, venue: Venue, on: datetime.date, reason: str) -> None:
        venue.closed_on, venue.closed_reason = on, reason
        venue.status = venue.derived_status()

    @staticmethod
    def in_service(venue: Venue, day: datetime.date) -> bool:
        return bool(venue.built_on and venue.built_on <= day and not (venue.closed_on and venue.closed_on <= day))

    # -- workers' homes: 24 supported in 2018, 2 city-level applications ---------------

    def build_workers_homes(self) -> None:
        supported = [self.home(name, 2015) for name in TOWN_CENTRES]  # one per town, the report's 基本实现每个属地一家
        supported += [self.home("亦庄镇", 2016), self.home("黄村镇", 2016)]
        applicants = [
            self.home("新媒体产业基地", 2016, "中岩基础工程有限公司"),
            self.home("新媒体产业基地", 2017, "兴城建设开发有限公司"),
        ]
        others = [self.home(self.rng.choice(list(TOWN_CENTRES)), year) for year in self.years(18, 14, 12, 10, 9, 7)]
        for home in others[:6]:
            self.close(home, self.later(home.built_on, 400, 1500, D(2020, 12, 20)), RELOCATED)
        for _n in range(3):
            self.home(self.rng.choice(list(TOWN_CENTRES)), None)
        homes = supported + applicants + others
        self.home_subsidies(supported, homes)
        self.home_honours(applicants, homes)
        for home in homes[::5]:
            year = self.rng.randint(max(2015, home.built_on.year), 2020)
            if self.in_service(home, D(year, 12, 1)):
                self.activity(
                    home, self.day(year, 3, 11), ActivityKind.TRAINING, "劳动法律知识讲座", 1, self.rng.randint(20, 80)
                )
        # Stress relief at a workers' home is not a wellbeing-station session: it stays out of the figure.
        self.activity(supported[9], D(2018, 6, 12), ActivityKind.STRESS_RELIEF, "职工减压沙龙", 1, 35)

    @staticmethod
    def years(*counts: int) -> list[int]:
        """[2015] * counts[0] + [2016] * counts[1] + ..."""
        return [2015 + offset for offset, count in enumerate(counts) for _n in range(count)]

    def home(self, town_name: str, year: int | None, company: str = "") -> Venue:
        community = not company and self.rng.random() < 0.25
        if community:
            host, host_type = f"{self.fake.street_name()}社区居委会", HostType.COMMUNITY
        else:
            host, host_type = company or self.fake.company(), HostType.ENTERPRISE
        return self.add(
            VenueKind.WORKERS_HOME,
            town_name,
            f"{host.removesuffix('居委会')}职工之家",
            host_type=host_type,
            host_name=host,
            built_on=self.day(year, 2, 11) if year else None,
            planned_on=None if year else D(2020, self.rng.randint(3, 11), 1),
            amenities=[
                "newspaper_rack",
                "water_dispenser",
                "wifi",
                *self.rng.sample(["toilet", "lockers", "first_aid", "air_conditioning"], 2),
            ],
            seats=self.rng.choice([20, 30, 40, 50]),
        )

    def home_subsidies(self, supported: list[Venue], homes: list[Venue]) -> None:
        """2018: exactly the 24 supported homes, 10,000 元 each from the district; other years differ."""
        for home in supported:
            self.fund(home, 2018, FundingKind.SUBSIDY, "10000.00", purpose="职工之家重点培育补助")
        for year, count, amount in (
            (2016, 12, "8000.00"),
            (2017, 18, "10000.00"),
            (2019, 20, "10000.00"),
            (2020, 16, "12000.00"),
        ):
            eligible = [home for home in homes if self.in_service(home, D(year, 6, 30))]
            for home in self.rng.sample(eligible, count):
                self.fund(home, year, FundingKind.SUBSIDY, amount, purpose="职工之家建设补助")

    def home_honours(self, applicants: list[Venue], homes: list[Venue]) -> None:
        """City-level applications: 1, 3, 2 (the two from 新媒体产业基地), 4, 2 in 2016-2020."""
        zhongyan, xingcheng = applicants
        self.honour(zhongyan, 2018, HonourLevel.CITY, HonourStatus.AWARDED)
        self.honour(xingcheng, 2018, HonourLevel.CITY, HonourStatus.APPLIED)
        statuses = [HonourStatus.AWARDED, HonourStatus.AWARDED, HonourStatus.DECLINED, HonourStatus.AWARDED]
        for year, count in ((2016, 1), (2017, 3), (2019, 4), (2020, 2)):
            eligible = [h for h in homes if h not in applicants and self.in_service(h, D(year, 6, 30))]
            for n, home in enumerate(self.rng.sample(eligible, count)):
                self.honour(home, year, HonourLevel.CITY, statuses[n])
        for year, count in ((2016, 8), (2017, 10), (2018, 12), (2019, 10), (2020, 8)):
            eligible = [h for h in homes if self.in_service(h, D(year, 6, 30))]
            for home in self.rng.sample(eligible, count):
                self.honour(home, year, HonourLevel.DISTRICT)
        self.honour(zhongyan, 2020, HonourLevel.NATIONAL, HonourStatus.APPLIED)

    # -- wellbeing stations: 9 in 2018, the city prize, 29 sessions ---------------------

    def build_wellbeing_stations(self) -> None:
        earlier = {2016: ["亦庄镇", "旧宫镇"], 2017: ["清源街道", "林校路街道", "生物医药产业基地"]}
        later = {
            2019: ["天宫院街道", "观音寺街道", "采育镇", "安定镇", "魏善庄镇"],
            2020: ["礼贤镇", "北臧村镇", "兴丰街道"],
        }
        stations = {}
        for year, names in (*earlier.items(), (2018, WELLBEING_TOWNS_2018), *later.items()):
            for town_name in names:
                stations[town_name] = self.wellbeing_station(town_name, self.day(year, 1, 6))
        self.wellbeing_station("亦庄镇", None, "亦庄镇职工心灵驿站（二期）")
        for town_name, year, amount in CITY_PRIZES:
            purpose = f"{year}年优秀职工心理助推项目"
            self.fund(stations[town_name], year, FundingKind.PRIZE, amount, FundingSource.CITY, purpose)
        all_stations = list(stations.values())
        for year, sessions, person_times, rows in (
            (2016, 6, 180, 3),
            (2017, 12, 410, 6),
            (2018, 29, 1046, 14),
            (2019, 41, 1530, 18),
            (2020, 18, 520, 9),
        ):
            self.stress_relief(all_stations, year, sessions, person_times, rows)
            for station in all_stations[::2]:
                if self.in_service(station, D(year, 10, 1)):
                    self.activity(
                        station,
                        self.day(year, 10, 12),
                        ActivityKind.COUNSELLING,
                        "一对一心理咨询",
                        1,
                        self.rng.randint(5, 30),
                    )

    def wellbeing_station(self, town_name: str, built_on: datetime.date | None, name: str = "") -> Venue:
        return self.add(
            VenueKind.WELLBEING_STATION,
            town_name,
            name or f"{town_name}职工心灵驿站",
            host_type=HostType.UNION_STATION,
            host_name=f"{town_name}总工会",
            built_on=built_on,
            planned_on=None if built_on else D(2020, 10, 1),
            amenities=["table", "socket", "water_dispenser", "air_conditioning", "wifi"],
            seats=self.rng.choice([8, 10, 12, 15]),
            description="依托购买社会服务机构，提供心理减压、心理调解、员工拓展等服务",
        )

    def stress_relief(self, stations: list[Venue], year: int, sessions: int, person_times: int, rows: int) -> None:
        """`rows` activity rows in `year`, round-robin over the stations then in service, with exact totals."""
        open_stations = [s for s in stations if self.in_service(s, D(year, 11, 30))]
        counts = self.split(sessions, rows, cap=4)
        people = [count * self.rng.randint(28, 45) for count in counts]
        shortfall = person_times - sum(people)
        people = [p + shortfall // rows + (1 if n < shortfall % rows else 0) for n, p in enumerate(people)]
        for n, (count, attended) in enumerate(zip(counts, people, strict=True)):
            station = open_stations[n % len(open_stations)]
            first = max(station.built_on + datetime.timedelta(days=14), D(year, 1, 10))
            date = self.later(first, 0, (D(year, 12, 20) - first).days)
            title = self.rng.choice(
                ["团体减压：情绪管理", "团体减压：压力与放松", "员工拓展：团队协作", "团体减压：亲子沟通"]
            )
            self.activity(station, date, ActivityKind.STRESS_RELIEF, title, count, attended)

    def split(self, total: int, parts: int, cap: int) -> list[int]:
        """`total` split into `parts` positive numbers of at most `cap` (when possible)."""
        counts = [1] * parts
        for _n in range(total - parts):
            candidates = [n for n, c in enumerate(counts) if c < cap] or list(range(parts))
            counts[self.rng.choice(candidates)] += 1
        return counts

    # -- mother-and-baby rooms: 22 built and accepted in 2018, 22 × 10,000 元 equipment --

    def build_mother_baby_rooms(self) -> None:
        rooms_2018 = [self.room(name, 2018, accepted_in_year=True) for name in TOWN_CENTRES]
        for room in rooms_2018:
            self.fund(room, 2018, FundingKind.EQUIPMENT, "10000.00", purpose="购买冰箱、保鲜设备、消毒柜等设施")
        plan = ((2016, 6, "5000.00"), (2017, 10, "6000.00"), (2019, 16, "8000.00"), (2020, 12, "8000.00"))
        for year, count, amount in plan:
            rooms = [
                self.room(self.rng.choice(list(TOWN_CENTRES)), year, accepted_in_year=n < count - 2)
                for n in range(count)
            ]
            for room in rooms:
                self.fund(room, year, FundingKind.EQUIPMENT, amount, purpose="购买冰箱、消毒柜等设施")
            if year < 2019:
                self.close(rooms[0], self.later(rooms[0].accepted_on or rooms[0].built_on, 500, 900), RELOCATED)
        for _n in range(3):
            self.room(self.rng.choice(list(TOWN_CENTRES)), None)

    def room(self, town_name: str, year: int | None, accepted_in_year: bool = False) -> Venue:
        """A room with what acceptance needs; built in `year`, accepted (passed) that year or early the next."""
        host = self.fake.company()
        built_on = self.day(year, 3, 9) if year else None
        accepted_on = None
        if built_on and accepted_in_year:
            accepted_on = self.later(built_on, 20, 70, D(year, 12, 20))
        elif built_on and year < 2020:
            accepted_on = D(year + 1, self.rng.randint(1, 3), self.rng.randint(1, 28))
        return self.add(
            VenueKind.MOTHER_BABY_ROOM,
            town_name,
            f"{host}母婴关爱室",
            host_name=host,
            built_on=built_on,
            planned_on=None if built_on else D(2020, 11, 1),
            accepted_on=accepted_on,
            acceptance_result=AcceptanceResult.PASSED if accepted_on else "",
            amenities=ROOM_BASICS + self.rng.sample(ROOM_EXTRAS, 2),
            seats=self.rng.randint(2, 4),
        )

    # -- warm-heart stations: 109 built in 2018 ----------------------------------------

    def build_warm_stations(self) -> None:
        specials = self.warm_stations_named_in_report()
        generated = 109 - len(specials)
        spread = list(TOWN_CENTRES) * 3
        spread += [self.rng.choice(BUSY_TOWNS) for _n in range(generated - len(spread))]
        for town_name in spread:
            self.warm_station(town_name, 2018)
        for year, count in ((2015, 4), (2016, 10), (2017, 30), (2019, 60), (2020, 40)):
            stations = [self.warm_station(self.rng.choice(list(TOWN_CENTRES)), year) for _n in range(count)]
            if year < 2019:
                for station in stations[::6]:
                    self.close(station, self.later(station.built_on, 300, 1200, D(2020, 12, 20)), RELOCATED)
        for _n in range(8):
            self.warm_station(self.rng.choice(list(TOWN_CENTRES)), None)
        for station in self.rng.sample([s for s in self.of_kind(VenueKind.WARM_STATION) if s.is_mobile], 4):
            self.fund(station, 2019, FundingKind.EQUIPMENT, "3000.00", purpose="流动驿站加装空调")

    def warm_stations_named_in_report(self) -> list[Venue]:
        """The report's examples: 瀛海镇's mobile containers, an enterprise, communities, a school, restaurants."""
        stations = [self.mobile_station(n) for n in range(1, 9)]
        stations.append(
            self.warm_station(
                "瀛海镇",
                2018,
                name="瀛海镇环卫暖心驿站",
                host=("瀛海镇环卫所", HostType.OTHER),
                hours=ALL_DAY,
                amenities=["microwave", "water_dispenser", "charging", "toilet", "air_conditioning"],
            )
        )
        for town_name, name, host, host_type in (
            ("安定镇", "富仕达新材料公司暖心驿站", "富仕达新材料科技（北京）有限公司", HostType.ENTERPRISE),
            ("兴丰街道", "富强西里社区暖心驿站", "富强西里社区居委会", HostType.COMMUNITY),
            ("清源街道", "清城北区社区暖心驿站", "清城北区社区居委会", HostType.COMMUNITY),
            ("兴丰街道", "兴丰工会服务站暖心驿站", "兴丰街道工会服务站", HostType.UNION_STATION),
            ("林校路街道", "教师进修学校暖心驿站", "大兴区教师进修学校", HostType.SCHOOL),
            ("兴丰街道", "刘记家常菜馆暖心驿站", "刘记家常菜馆", HostType.SHOP),
            ("观音寺街道", "好粥坊暖心驿站", "好粥坊餐饮店", HostType.SHOP),
        ):
            stations.append(self.warm_station(town_name, 2018, name=name, host=(host, host_type)))
        return stations

    def mobile_station(self, number: int) -> Venue:
        """瀛海镇's container stations for workers on demolition sites: bed, newspaper rack, water; some air-conditioned."""
        amenities = ["bed", "newspaper_rack", "water_dispenser"]
        amenities += ["air_conditioning"] if number % 2 else []
        amenities += ["microwave", "charging"] if number in (1, 5) else []
        station = self.warm_station(
            "瀛海镇",
            2018,
            name=f"瀛海镇流动暖心驿站（{number}号集装箱）",
            host=("瀛海镇总工会", HostType.UNION_STATION),
            hours=ALL_DAY if number == 1 else None,
            amenities=amenities,
            is_mobile=True,
            address=f"北京市大兴区瀛海镇{self.fake.street_name()}拆除腾退现场（流动点位）",
            description="集装箱式流动驿站，随拆除腾退工程移动，服务一线作业职工",
        )
        if number in (7, 8):
            self.close(station, D(2020, self.rng.randint(4, 10), 15), MOBILE_WITHDRAWN)
        return station

    def warm_station(
        self,
        town_name: str,
        year: int | None,
        *,
        name: str = "",
        host: tuple[str, str] | None = None,
        hours: tuple | None = None,
        amenities: list[str] | None = None,
        **fields,
    ) -> Venue:
        if host is None:
            host, name = self.warm_host(town_name)
        host_name, host_type = host
        if hours is None and self.rng.random() < 0.08:
            hours = ALL_DAY
        return self.add(
            VenueKind.WARM_STATION,
            town_name,
            name,
            host_type=host_type,
            host_name=host_name,
            built_on=self.day(year) if year else None,
            planned_on=None if year else D(2020, self.rng.randint(6, 12), 1),
            amenities=amenities
            or ["water_dispenser", "charging", *self.rng.sample(WARM_EXTRAS, self.rng.randint(1, 4))],
            hours=hours,
            seats=self.rng.randint(4, 12),
            **fields,
        )

    def warm_host(self, town_name: str) -> tuple[tuple[str, str], str]:
        """A plausible host for an ordinary warm-heart station, and the station's name."""
        choice = self.rng.randrange(6)
        prefix = self.fake.company_prefix()
        street = self.fake.street_name()
        if choice == 0:
            host = (f"{town_name}环卫服务中心{street}作业站", HostType.OTHER)
            return host, f"{town_name}{street}环卫暖心驿站"
        if choice == 1:
            return (f"{street}社区居委会", HostType.COMMUNITY), f"{street}社区暖心驿站"
        if choice == 2:
            return (f"{prefix}快递{town_name}营业部", HostType.ENTERPRISE), f"{prefix}快递营业部暖心驿站"
        if choice == 3:
            return (f"{prefix}加油站", HostType.SHOP), f"{prefix}加油站暖心驿站"
        if choice == 4:
            return (f"{prefix}超市{town_name}店", HostType.SHOP), f"{prefix}超市{town_name}店暖心驿站"
        company = self.fake.company()
        return (company, HostType.ENTERPRISE), f"{company}暖心驿站"
