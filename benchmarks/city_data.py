"""A city-scale dataset for the benchmarks, built once and kept in a named PostgreSQL database between runs.

`ensure(name)` makes the database `name` on the server DATABASE_URL names, points Django's default connection at it,
and builds the dataset unless the database already holds this version of it: a marker row records a digest of what
the builder writes and of the migrations the database was brought to. A change of the builder's VERSION or SIZES
rebuilds it from scratch; new migrations are applied to it (`migrate`, as on a portal in use), unless one that was
applied has since been rewritten or removed, which rebuilds it too.

What it holds: the demo district's 22 towns, ten years (YEARS) of records in every town, in the shapes the portal
writes them (statuses, dates and amounts that obey the models' rules and constraints):

- disputes: 210,000 cases (every handling body, open and closed, dossiers archived), 290,000 workers (up
  to three named per case) and 1.15 million timeline entries, their kinds of claim; 5,000 enterprises with the bargaining census, wage agreements,
  instructors and joint inspections;
- stations: 20,000 venues with amenities, fundings, honours and activities;
- benefits: 25,000 hardship files with household members and home visits, 500,000 aid-ledger entries (posted
  payments, a few entered, approved or withdrawn, and posted reversals naming the payment they reverse) and their
  kept sums (benefits/sums.py), 100,000 members with service cards, merchants and the programmes for all members.

Rows are written with PostgreSQL's COPY (ids given, sequences moved on after) in one transaction, without the per-row
triggers where the role may (`_skip_row_triggers`: the foreign-key checks, and the aid ledger's triggers, which refuse
changing or deleting a posted entry, never inserting one). No history rows are written. About 6 minutes on 2 busy
cores, then ANALYZE. The numbering
sequences (case numbers, venue codes, vouchers, cards) go on after the numbers used, so records added through the
portal afterwards get fresh numbers.

Issue 10 reuses it: `ensure()` then the lists and search pages, with the demo users of `union_portal.demo` (their
demo passwords) to log in.
"""

import datetime
import hashlib
import io
import itertools
import json
import random
import time
from decimal import Decimal

VERSION = "2"
DEFAULT_NAME = "union_portal_bench_city"
YEARS = range(2016, 2026)  # ten complete years
SIZES = {
    "enterprises": 5_000,
    "cases": 210_000,
    "venues": 20_000,
    "payments": 500_000,
    "hardship_files": 25_000,
    "home_visits": 40_000,
    "members": 100_000,
}
SEED = 8

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉鹏飞斌宇浩凯健俊帆帅旭宁亮林"
STREETS = [
    "兴华大街",
    "黄村西大街",
    "金星西路",
    "清源路",
    "康庄路",
    "永兴路",
    "欣雅街",
    "兴业大街",
    "广平大街",
    "团河路",
]
INDUSTRIES = ["制造业", "建筑业", "物流", "餐饮", "零售", "生物医药", "信息技术", "物业管理", "环卫", "快递"]


# --- The database -----------------------------------------------------------------------------------------------


def data_digest() -> str:
    """A digest of what the builder writes (VERSION, SIZES, YEARS, SEED): a dataset of another one is rebuilt."""
    text = json.dumps([VERSION, SIZES, list(YEARS), SEED])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def schema_digest() -> str:
    """`<data digest>:<digest of the migrations on disk>`: the dataset's marker holds the one it was brought to."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True, load=True)
    nodes = sorted(f"{app}.{name}" for app, name in loader.disk_migrations)
    return f"{data_digest()}:{hashlib.sha256(json.dumps(nodes).encode()).hexdigest()[:16]}"


def _migrates_forward(connection) -> bool:
    """Whether every migration applied to the dataset's database is still on disk, so that `migrate` brings the
    dataset to today's schema the way it brings a portal in use (an index added, a table, a column) instead of a
    six-minute rebuild; a migration rewritten or removed since means a rebuild."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True, load=True)
    return set(loader.applied_migrations) <= set(loader.disk_migrations)


def _server_connection(settings_dict):
    import psycopg2

    connection = psycopg2.connect(
        dbname="postgres",
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
    )
    connection.autocommit = True
    return connection


def _use_database(name: str) -> None:
    from django.conf import settings
    from django.db import connection

    connection.close()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _marker(connection) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_city_marker')")
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute("SELECT digest FROM bench_city_marker")
        row = cursor.fetchone()
        return row[0] if row else None


def _migrate_forward(connection, digest: str, out) -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("UPDATE bench_city_marker SET digest = %s", [digest])
    out(f"city dataset migrated forward: {time.perf_counter() - started:.0f} s")


def ensure(name: str = DEFAULT_NAME, *, out=print) -> bool:
    """Point the default connection at the dataset's database `name`, (re)building it when missing or stale.

    Returns True when it was built in this call. PostgreSQL only (DATABASE_URL names the server).
    """
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("the city-scale dataset needs PostgreSQL (DATABASE_URL)")
    digest = schema_digest()
    server = _server_connection(connection.settings_dict)
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
        if exists:
            _use_database(name)
            stored = _marker(connection)
            if stored == digest:
                return False
            if stored and stored.split(":")[0] == data_digest() and _migrates_forward(connection):
                _migrate_forward(connection, digest, out)
                return False
            out(f"city dataset: {name} is stale or incomplete, rebuilding")
            connection.close()
            with server.cursor() as cursor:
                cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        with server.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        server.close()
    _use_database(name)
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    out(f"city dataset migrate: {time.perf_counter() - started:.0f} s")
    counts = build()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_city_marker (digest text NOT NULL, built_at timestamptz NOT NULL)")
        cursor.execute("INSERT INTO bench_city_marker VALUES (%s, now())", [digest])
    seconds = time.perf_counter() - started
    out(f"city dataset build: {seconds:.0f} s")
    for table, count in counts.items():
        if count >= 10_000:
            out(f"city dataset {table}: {count} rows")
    return True


# --- Writing rows -------------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Writer:
    """COPY rows into a model's table: each row a dict by attname; fields left out get the field's default
    (evaluated once per table), so a new field with a default needs no change here."""

    def __init__(self):
        self.counts = {}

    def copy(self, model, rows, *, table=None, columns=None) -> int:
        """COPY `rows` (an iterable of dicts) into `model`'s table (or `table`'s `columns`); the id is written
        when the rows give it, else the database numbers them."""
        from django.db import connection

        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        rows = itertools.chain([first], rows)
        if table is None:
            pk = model._meta.pk.attname
            fields = [f for f in model._meta.concrete_fields if f.attname != pk or pk in first]
            # The field's default ("" for text without one, None where it may be null), evaluated once.
            defaults = {field.attname: field.get_default() for field in fields if not field.primary_key}
            table = model._meta.db_table
            columns = [f.attname for f in fields]
            column_names = [f.column for f in fields]
        else:
            defaults, column_names = {}, columns
        buffer = io.StringIO()
        count = 0
        for row in rows:
            values = []
            for name in columns:
                if name in row:
                    values.append(_text(row[name]))
                elif name in defaults:
                    values.append(_text(defaults[name]))
                else:
                    raise KeyError(f"{table}.{name} has no value and no default")
            buffer.write("\t".join(values))
            buffer.write("\n")
            count += 1
        buffer.seek(0)
        quoted = ", ".join(f'"{c}"' for c in column_names)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f'COPY "{table}" ({quoted}) FROM STDIN', buffer)
        self.counts[table] = self.counts.get(table, 0) + count
        return count


def _reset_sequences(models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# --- The dataset --------------------------------------------------------------------------------------------------


class Rand(random.Random):
    def day_in(self, year: int) -> datetime.date:
        return datetime.date(year, 1, 1) + datetime.timedelta(days=self.randrange(365))

    def name(self) -> str:
        if self.random() < 0.004:
            return "张伟"  # the commonest name: issue 10 searches for it
        given = self.choice(GIVEN) + (self.choice(GIVEN) if self.random() < 0.7 else "")
        return self.choice(SURNAMES) + given

    def phone(self) -> str:
        return f"1{self.choice('3578')}{self.randrange(10**9):09d}"

    def money(self, low: int, high: int, step: int = 100) -> Decimal:
        return Decimal(self.randrange(low // step, high // step + 1) * step).quantize(Decimal("0.01"))


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def id_number(serial: int) -> str:
    """A valid, unique ID number for each serial below 14.6 million (birth dates 1960-1999, then the order code)."""
    from union_portal.validators import make_id_number

    days = 14_600
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=(serial % days) * 7 % days)
    return make_id_number(serial // days, birth)


def build() -> dict:
    """Write the whole dataset into the (freshly migrated) default database, in one transaction; then VACUUM (ANALYZE)."""
    from django.db import connection, transaction

    with transaction.atomic():
        _skip_row_triggers()
        context = _reference()
        writer = Writer()
        _enterprises(writer, context)
        _disputes(writer, context)
        _tally_cases()
        _stations(writer, context)
        _benefits(writer, context)
        _sequences(context)
        from django.apps import apps

        _reset_sequences(apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        # VACUUM, not only ANALYZE: it sets the visibility map, as autovacuum has long done on a portal in use, so
        # index-only scans (count, the deep pages' keys) read the index alone instead of visiting every row.
        cursor.execute("VACUUM (ANALYZE)")
    return writer.counts


def _tally_cases() -> None:
    """The case list's tallies (disputes.CaseTally), which the triggers skipped in replica mode, counted once."""
    from disputes.models import CaseTally

    CaseTally.objects.rebuild()


def _skip_row_triggers() -> None:
    """For this transaction, the rows go in without their per-row triggers: the foreign-key checks (the builder
    writes each row after the rows it names, in one transaction) and the ledger's triggers (which refuse changing a
    posted entry, never inserting one). A superuser's setting; without it the rows are checked one by one (slower)."""
    from django.db import DatabaseError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


def _reference() -> dict:
    """The demo district, its towns and users (one per role, plus a second district staff for two signatures)."""
    from django.contrib.auth import get_user_model

    from union_portal import demo
    from union_portal.access import Role
    from union_portal.models import StaffProfile

    district = demo.load_district()
    demo.load_users(district)
    User = get_user_model()
    second, _ = User.objects.get_or_create(username="staff2", defaults={"first_name": "区帮扶中心"})
    StaffProfile.objects.update_or_create(user=second, defaults={"role": Role.DISTRICT_STAFF, "town": None})
    towns = list(district.towns.order_by("order"))
    rand = Rand(SEED)
    # Towns differ in size: the streets and big towns hold more of everything.
    weights = [rand.uniform(0.4, 2.5) for _ in towns]
    return {
        "district": district,
        "towns": towns,
        "weights": weights,
        "users": {u.username: u.pk for u in User.objects.all()},
        "rand": rand,
        "sequences": {},
    }


def _town(context):
    return context["rand"].choices(context["towns"], context["weights"])[0]


def _next_number(context, key: str) -> int:
    sequences = context["sequences"]
    sequences[key] = sequences.get(key, 0) + 1
    return sequences[key]


def _sequences(context) -> None:
    from union_portal.models import Sequence

    Sequence.objects.bulk_create(
        [Sequence(key=key, last=last) for key, last in context["sequences"].items()],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["last"],
    )


def _enterprises(writer: Writer, context) -> None:
    from union_portal.models import Enterprise
    from union_portal.validators import make_credit_code

    rand = context["rand"]
    by_town = {town.pk: [] for town in context["towns"]}
    rows = []
    for n in range(1, SIZES["enterprises"] + 1):
        town = _town(context)
        headcount = rand.choice([rand.randint(5, 99)] * 4 + [rand.randint(100, 2000)])
        rows.append(
            {
                "id": n,
                "name": f"北京{town.name[:2]}{rand.choice(INDUSTRIES)}{n:05d}有限公司",
                "credit_code": make_credit_code(n),
                "town_id": town.pk,
                "headcount": headcount,
                "industry": rand.choice(INDUSTRIES),
            }
        )
        by_town[town.pk].append((n, headcount))
    writer.copy(Enterprise, rows)
    context["enterprises"] = by_town
    context["all_enterprises"] = [(row["id"], row["headcount"]) for row in rows]


# Disputes ---------------------------------------------------------------------------------------------------------


def _disputes(writer: Writer, context) -> None:
    from disputes.models import (
        BargainingInstructor,
        BargainingYear,
        Case,
        CaseEvent,
        CaseWorker,
        ClaimKind,
        SupervisionInspection,
        WageAgreement,
    )

    rand = context["rand"]
    users = context["users"]
    staff = [users["staff"], users["staff2"], users["yinghai"], users["yizhuang"]]
    claim_kinds = list(ClaimKind.objects.values_list("pk", flat=True))
    short = context["district"].short_name
    cases, workers, events, claims = [], [], [], []
    worker_serial = 0
    per_year = SIZES["cases"] // len(YEARS)
    case_id = 0
    for year in YEARS:
        for _ in range(per_year):
            case_id += 1
            town = _town(context)
            employer, _headcount = rand.choice(context["enterprises"][town.pk] or context["all_enterprises"])
            case, trail = _case(rand, year, town, employer, short, staff)
            case["id"] = case_id
            case["number"] = f"{case.pop('prefix')}〔{year}〕{_next_number(context, case['sequence_key']):04d}"
            del case["sequence_key"]
            cases.append(case)
            shown = min(case["headcount"], 3)
            for w in range(shown):
                worker_serial += 1
                workers.append(
                    {
                        "case_id": case_id,
                        "name": rand.name(),
                        "id_number": id_number(worker_serial),
                        "phone": rand.phone() if rand.random() < 0.8 else "",
                        "is_representative": case["is_collective"] and w == 0,
                    }
                )
            for kind in rand.sample(claim_kinds, rand.choice([1, 1, 2])):
                claims.append({"case_id": case_id, "claimkind_id": kind})
            for day, kind, before, after, text in trail:
                events.append(
                    {
                        "case_id": case_id,
                        "kind": kind,
                        "happened_on": day,
                        "text": text,
                        "from_status": before,
                        "to_status": after,
                        "recorded_by_id": case["assigned_to_id"],
                        "recorded_at": moment(day, 9 + len(events) % 8),
                    }
                )
        writer.copy(Case, cases)
        writer.copy(CaseWorker, workers)
        writer.copy(CaseEvent, events)
        writer.copy(
            None,
            claims,
            table=Case.claim_kinds.through._meta.db_table,
            columns=["case_id", "claimkind_id"],
        )
        cases, workers, events, claims = [], [], [], []

    # Collective bargaining: the census of the enterprises with 100+ employees, agreements, instructors, inspections.
    census, agreements = [], []
    large = [(pk, headcount) for rows in context["enterprises"].values() for pk, headcount in rows if headcount >= 100]
    for pk, headcount in large:
        model = rand.random() < 0.75
        for year in YEARS:
            census.append(
                {
                    "enterprise_id": pk,
                    "year": year,
                    "employees": max(100, headcount + rand.randint(-20, 20)),
                    "meets_model_standard": model and rand.random() < 0.95,
                }
            )
        signed = rand.day_in(rand.choice(YEARS))
        agreements.append(
            {
                "enterprise_id": pk,
                "signed_on": signed,
                "starts_on": signed,
                "ends_on": signed + datetime.timedelta(days=rand.choice([365, 730, 1095])),
            }
        )
    writer.copy(BargainingYear, census)
    writer.copy(WageAgreement, agreements)
    instructors = []
    for n in range(240):
        appointed = rand.day_in(rand.choice(YEARS))
        left = appointed + datetime.timedelta(days=rand.randint(200, 3000)) if rand.random() < 0.4 else None
        instructors.append(
            {
                "name": rand.name(),
                "level": "city" if n % 4 == 0 else "district",
                "town_id": None if n % 5 == 0 else _town(context).pk,
                "phone": rand.phone(),
                "appointed_on": appointed,
                "left_on": left,
            }
        )
    writer.copy(BargainingInstructor, instructors)
    inspections, covered = [], []
    inspection_id = 0
    for year in YEARS:
        for _ in range(60):
            inspection_id += 1
            town = _town(context)
            inspections.append(
                {"id": inspection_id, "town_id": town.pk, "date": rand.day_in(year), "inspected_with": "劳动监察分队"}
            )
            for pk, _headcount in rand.sample(large, 4):
                covered.append({"supervisioninspection_id": inspection_id, "enterprise_id": pk})
    writer.copy(SupervisionInspection, inspections)
    through = SupervisionInspection.unions_covered.through
    covered = list({(row["supervisioninspection_id"], row["enterprise_id"]): row for row in covered}.values())
    writer.copy(None, covered, table=through._meta.db_table, columns=["supervisioninspection_id", "enterprise_id"])


def _case(rand: Rand, year: int, town, employer: int, short: str, staff: list) -> tuple[dict, list]:
    """One case in a state the workflow could have left it in, and its timeline: (row, [(day, kind, from, to, text)])."""
    from disputes.models import OPEN_STATUSES, Case, DossierKind, HandlingBody, Outcome, Status, one_year_after

    roll = rand.random()
    body = HandlingBody.CENTRE if roll < 0.2 else HandlingBody.TOWN_UNION if roll < 0.9 else HandlingBody.LEGAL_AID
    received = rand.day_in(year)
    collective = rand.random() < 0.003
    headcount = rand.randint(10, 400) if collective else (1 if rand.random() < 0.8 else rand.randint(2, 9))
    claimed = rand.money(1_000, 300_000)
    if body == HandlingBody.TOWN_UNION:
        prefix = f"{town.name}调"
    else:
        prefix = f"{short}{'援' if body == HandlingBody.LEGAL_AID else '调'}"
    row = {
        "version": 1,
        "prefix": prefix,
        "sequence_key": f"case:{prefix}:{year}",
        "town_id": town.pk,
        "received_on": received,
        "channel": rand.choice(["walk_in", "hotline", "inspection", "court", "town_union"]),
        "handling_body": body,
        "employer_id": employer,
        "amount_claimed": claimed,
        "facts": "职工反映用人单位拖欠工资，要求支付。",
        "headcount": headcount,
        "is_collective": collective,
        "collective_cause": "疏解外迁" if collective else "",
        "learned_on": received - datetime.timedelta(days=rand.randint(0, 200)),
        "assigned_to_id": rand.choice(staff),
        "outcome": "",
        "dossier_kind": "",
        "refusal_reason": "",
        "amount_recovered": None,
        "accepted_on": None,
        "closed_on": None,
        "archived_on": None,
    }
    trail = [(received, "status_change", "", "", "登记受理")]
    fate = rand.random()

    def close(status, outcome, closed, recovered=None):
        row.update(status=status, outcome=outcome, closed_on=closed, amount_recovered=recovered)
        trail.append((closed, "status_change", Status.MEDIATING, status, ""))

    def archive(after_status):
        if rand.random() < 0.7:
            archived = row["closed_on"] + datetime.timedelta(days=rand.randint(0, 30))
            row.update(status=Status.ARCHIVED, archived_on=archived)
            row["dossier_kind"] = DossierKind.FORMAL if rand.random() < 0.3 else DossierKind.SIMPLE
            trail.append((archived, "status_change", after_status, Status.ARCHIVED, ""))

    if body == HandlingBody.LEGAL_AID:
        if fate < 0.03:
            row["status"] = Status.APPLIED
        elif fate < 0.13:
            closed = received + datetime.timedelta(days=rand.randint(1, 5))
            row.update(
                status=Status.REFUSED, outcome=Outcome.REFUSED, closed_on=closed, refusal_reason="不符合援助条件"
            )
            trail.append((closed, "status_change", Status.APPLIED, Status.REFUSED, ""))
            archive(Status.REFUSED)
        else:
            accepted = received + datetime.timedelta(days=rand.randint(1, 7))
            row.update(status=Status.APPROVED, accepted_on=accepted)
            trail.append((accepted, "status_change", Status.APPLIED, Status.APPROVED, ""))
            trail.append((accepted + datetime.timedelta(days=3), "meeting", "", "", "约见申请人，整理证据"))
            if fate < 0.2:
                row["status"] = Status.REPRESENTING
            else:
                closed = accepted + datetime.timedelta(days=rand.randint(30, 120))
                outcome = rand.choice([Outcome.AWARD, Outcome.JUDGMENT, Outcome.SETTLEMENT])
                recovered = (claimed * Decimal(rand.randint(30, 100)) / 100).quantize(Decimal("0.01"))
                close(Status.CLOSED, outcome, closed, recovered)
                archive(Status.CLOSED)
    else:
        accepted = received + datetime.timedelta(days=rand.randint(0, 2))
        row["accepted_on"] = accepted
        trail.append((accepted, "status_change", Status.RECEIVED, Status.ACCEPTED, ""))
        trail.append((accepted, "call", "", "", "电话联系用人单位"))
        if fate < 0.02:
            row["status"] = Status.MEDIATING
        else:
            closed = received + datetime.timedelta(days=rand.randint(1, 14))
            trail.append((closed, "mediation_session", "", "", "组织双方调解"))
            if fate < 0.62:
                recovered = (claimed * Decimal(rand.randint(30, 100)) / 100).quantize(Decimal("0.01"))
                close(Status.AGREEMENT, Outcome.AGREEMENT, closed, recovered)
                archive(Status.AGREEMENT)
            else:
                close(Status.REFERRED, Outcome.REFERRED, closed)
                archive(Status.REFERRED)
    # The stored clocks, as Case.save works them out (a closed case has none running).
    due_on = None
    if row["status"] in OPEN_STATUSES:
        clocks = Case(handling_body=body, status=row["status"], received_on=received, learned_on=row["learned_on"])
        clocks.refresh_derived()
        due_on = clocks.due_on
    last = max(day for day, *_rest in trail)
    row.update(
        limitation_on=one_year_after(row["learned_on"]),
        due_on=due_on,
        last_activity_at=moment(last, 16),
        created_at=moment(received, 9),
        created_by_id=row["assigned_to_id"],
    )
    return row, trail


# Stations ---------------------------------------------------------------------------------------------------------


VENUE_KINDS = [
    ("warm_station", 0.42),
    ("workers_home", 0.25),
    ("mother_baby_room", 0.18),
    ("wellbeing_station", 0.10),
    ("activity_centre", 0.05),
]


def _stations(writer: Writer, context) -> None:
    from stations.models import CODE_PREFIX, Amenity, Venue, VenueActivity, VenueFunding, VenueHonour

    rand = context["rand"]
    amenities = list(Amenity.objects.values_list("pk", flat=True))
    kinds, weights = zip(*VENUE_KINDS, strict=True)
    venues, links, fundings, honours, activities = [], [], [], [], []
    for venue_id in range(1, SIZES["venues"] + 1):
        kind = rand.choices(kinds, weights)[0]
        town = _town(context)
        prefix = CODE_PREFIX[kind]
        code = f"{prefix}-{_next_number(context, f'venue:{prefix}'):05d}"
        year = rand.choice(YEARS)
        planned = rand.day_in(year)
        built = planned + datetime.timedelta(days=rand.randint(30, 200)) if rand.random() < 0.95 else None
        status, accepted, result, closed = "planned", None, "", None
        if built and built.year > YEARS[-1]:
            built = datetime.date(YEARS[-1], 12, 31)
        if built:
            status = "built"
            if kind == "mother_baby_room" or rand.random() < 0.4:
                accepted = built + datetime.timedelta(days=rand.randint(5, 60))
                result = "passed" if rand.random() < 0.95 else "failed"
                status = "accepted" if result == "passed" else "built"
            if rand.random() < 0.04:
                closed = built + datetime.timedelta(days=rand.randint(100, 1500))
                status = "closed"
        is_24h = rand.random() < 0.2
        venues.append(
            {
                "id": venue_id,
                "version": 1,
                "code": code,
                "kind": kind,
                "name": f"{town.name}{rand.choice(STREETS)}{kind[:2]}{venue_id}号",
                "town_id": town.pk,
                "host_type": rand.choice(["enterprise", "community", "union_station", "school", "shop"]),
                "host_name": "",
                "address": f"北京市大兴区{town.name}{rand.choice(STREETS)}{rand.randint(1, 300)}号",
                "latitude": Decimal(f"39.{rand.randint(600000, 800000)}"),
                "longitude": Decimal(f"116.{rand.randint(250000, 550000)}"),
                "opening_hours": "" if is_24h else "08:00-20:00",
                "is_24h": is_24h,
                "opens_at": None if is_24h else datetime.time(8),
                "closes_at": None if is_24h else datetime.time(20),
                "seats": rand.randint(2, 20),
                "is_mobile": kind == "warm_station" and rand.random() < 0.05,
                "contact_name": rand.name(),
                "contact_phone": rand.phone(),
                "description": "",
                "status": status,
                "planned_on": planned,
                "built_on": built,
                "accepted_on": accepted,
                "acceptance_result": result,
                "closed_on": closed,
                "closed_reason": "拆除腾退" if closed else "",
                "created_at": moment(planned),
            }
        )
        for amenity in rand.sample(amenities, min(len(amenities), rand.randint(2, 6))):
            links.append({"venue_id": venue_id, "amenity_id": amenity})
        if not built:
            continue
        first = max(built.year, YEARS[0])
        if kind == "workers_home" and rand.random() < 0.3:
            fundings.append(_funding(rand.randint(first, YEARS[-1]), venue_id, "subsidy", "district", 10_000))
        if rand.random() < 0.08:
            fundings.append(_funding(rand.randint(first, YEARS[-1]), venue_id, "equipment", "district", 10_000))
        if rand.random() < 0.005:
            fundings.append(_funding(rand.randint(first, YEARS[-1]), venue_id, "prize", "city", 30_000))
        if kind == "workers_home" and rand.random() < 0.02:
            honours.append(
                {
                    "venue_id": venue_id,
                    "year": rand.randint(first, YEARS[-1]),
                    "title": "市级示范职工之家",
                    "level": "city",
                    "status": rand.choice(["applied", "awarded"]),
                }
            )
        if kind == "wellbeing_station":
            for year in range(first, YEARS[-1] + 1):
                for _ in range(rand.randint(1, 6)):
                    activities.append(
                        {
                            "venue_id": venue_id,
                            "date": rand.day_in(year),
                            "kind": "stress_relief",
                            "title": "团体减压",
                            "sessions": 1,
                            "person_times": rand.randint(10, 60),
                        }
                    )
    writer.copy(Venue, venues)
    writer.copy(None, links, table=Venue.amenities.through._meta.db_table, columns=["venue_id", "amenity_id"])
    writer.copy(VenueFunding, fundings)
    writer.copy(VenueHonour, honours)
    writer.copy(VenueActivity, activities)


def _payment_sums(writer: Writer) -> None:
    """The ledger's kept sums (benefits/sums.py), filled from the payments just copied: COPY bypasses `aid_post`,
    which keeps them on a portal in use. One INSERT ... SELECT ... GROUP BY, as migration benefits 0004 runs."""
    from django.db import connection

    from benefits import sums

    with connection.cursor() as cursor:
        cursor.execute(sums.fill_sql(connection.vendor))
        writer.counts[sums.TABLE] = cursor.rowcount


def _funding(year, venue_id, kind, source, amount) -> dict:
    return {
        "venue_id": venue_id,
        "year": year,
        "kind": kind,
        "source": source,
        "amount": Decimal(amount).quantize(Decimal("0.01")),
        "purpose": "",
    }


# Benefits ---------------------------------------------------------------------------------------------------------

PROGRAMMES = [
    ("festival", 0.5, (500, 500)),
    ("medical", 0.12, (2_000, 30_000)),
    ("student", 0.05, (8_000, 8_000)),
    ("summer", 0.1, (300, 300)),
    ("winter", 0.18, (1_000, 1_000)),
    ("temporary", 0.05, (2_000, 5_000)),
]


def _benefits(writer: Writer, context) -> None:
    from benefits.models import (
        AidPayment,
        ChildcareClass,
        CultureEvent,
        HardshipFile,
        HomeVisit,
        HouseholdMember,
        JobFair,
        Member,
        MemberActivity,
        Merchant,
        MinimumAllowance,
        PurchasedService,
        ServiceCard,
        WechatActivity,
    )

    rand = context["rand"]
    users = context["users"]
    entered_by, approved_by = users["staff"], users["staff2"]
    serial = 5_000_000  # ID numbers apart from the case workers'
    writer.copy(MinimumAllowance, [{"year": year, "monthly_amount": Decimal("1100.00")} for year in YEARS])

    files, members = [], []
    for file_id in range(1, SIZES["hardship_files"] + 1):
        town = _town(context)
        serial += 1
        opened = rand.day_in(rand.choice(YEARS))
        files.append(
            {
                "id": file_id,
                "version": 1,
                "town_id": town.pk,
                "applicant_name": rand.name(),
                "id_number": id_number(serial),
                "phone": rand.phone(),
                "union_name": f"{town.name}总工会",
                "applicant_income": rand.money(0, 3_000),
                "main_cause": rand.choice(["illness", "disability", "disaster", "education", "unemployment"]),
                "status": "approved",
                "level": rand.choice(["deep", "relative", "relative", "accident"]),
                "submitted_by_id": users["yinghai"],
                "submitted_at": moment(opened),
                "reviewed_by_id": users["staff"],
                "reviewed_at": moment(opened + datetime.timedelta(days=7)),
                "last_checked_on": opened + datetime.timedelta(days=7),
                "created_at": moment(opened),
            }
        )
        for _ in range(rand.randint(0, 3)):
            serial += 1
            members.append(
                {
                    "file_id": file_id,
                    "name": rand.name(),
                    "id_number": id_number(serial),
                    "relation": rand.choice(["spouse", "child", "parent"]),
                    "monthly_income": rand.money(0, 2_000),
                }
            )
    writer.copy(HardshipFile, files)
    writer.copy(HouseholdMember, members)
    writer.copy(
        HomeVisit,
        (
            {
                "file_id": rand.randint(1, len(files)),
                "visited_on": rand.day_in(rand.choice(YEARS)),
                "visitors": "区总工会帮扶中心",
                "recorded_by_id": entered_by,
            }
            for _ in range(SIZES["home_visits"])
        ),
    )

    # The ledger: payments, a few not posted, and posted reversals of some payments (500,000 entries in all).
    names, weights, ranges = zip(*[(name, weight, span) for name, weight, span in PROGRAMMES], strict=True)
    spans = dict(zip(names, ranges, strict=True))
    payments = []
    total = SIZES["payments"]
    payment_id = 0
    while payment_id < total:
        payment_id += 1
        file = files[rand.randrange(len(files))]
        programme = rand.choices(names, weights)[0]
        low, high = spans[programme]
        year = rand.choice(YEARS)
        paid = rand.day_in(year)
        state = rand.choices(["posted", "entered", "approved", "withdrawn"], [0.97, 0.01, 0.01, 0.01])[0]
        number = _next_number(context, f"voucher:{year}")
        payment = {
            "id": payment_id,
            "file_id": file["id"],
            "town_id": file["town_id"],
            "programme": programme,
            "amount": rand.money(low, high) if low != high else Decimal(low).quantize(Decimal("0.01")),
            "paid_on": paid,
            "funding_source": rand.choice(["district", "city", "assistance_fund"]),
            "voucher_number": f"BF{year}-{number:06d}",
            "level": file["level"],
            "state": state,
            "entered_by_id": entered_by,
            "entered_at": moment(paid, 9),
            "approved_by_id": approved_by if state in ("approved", "posted") else None,
            "approved_at": moment(paid, 11) if state in ("approved", "posted") else None,
            "posted_at": moment(paid, 15) if state == "posted" else None,
        }
        payments.append(payment)
        if state == "posted" and payment_id < total and rand.random() < 0.005:
            payment_id += 1
            later = paid + datetime.timedelta(days=rand.randint(1, 20))
            number = _next_number(context, f"voucher:{later.year}")
            payments.append(
                {
                    **payment,
                    "id": payment_id,
                    "amount": -payment["amount"],
                    "paid_on": later,
                    "voucher_number": f"BF{later.year}-{number:06d}",
                    "reverses_id": payment["id"],
                    "reason": "重复发放，冲销",
                    "entered_at": moment(later, 9),
                    "approved_at": moment(later, 11),
                    "posted_at": moment(later, 15),
                }
            )
        if len(payments) >= 100_000:
            writer.copy(AidPayment, payments)
            payments = []
    writer.copy(AidPayment, payments)
    _payment_sums(writer)

    # Members with their service cards.
    member_rows, cards = [], []
    for member_id in range(1, SIZES["members"] + 1):
        town = _town(context)
        serial += 1
        issued = rand.day_in(rand.choice(YEARS))
        member_rows.append(
            {
                "id": member_id,
                "version": 1,
                "town_id": town.pk,
                "name": rand.name(),
                "id_number": id_number(serial),
                "phone": rand.phone(),
                "union_name": f"{town.name}总工会",
                "created_at": moment(issued),
            }
        )
        number = _next_number(context, f"card:{issued.year}")
        cards.append({"member_id": member_id, "number": f"HK{issued.year}{number:06d}", "issued_on": issued})
    writer.copy(Member, member_rows)
    writer.copy(ServiceCard, cards)

    # The programmes for all members, every year, in most towns (some district-wide: no town).
    def town_or_none():
        return None if rand.random() < 0.1 else _town(context).pk

    merchants = []
    for n in range(300):
        start = rand.day_in(rand.choice(YEARS))
        merchants.append(
            {
                "name": f"加盟商{n:03d}",
                "category": rand.choice(["tickets", "cinema", "haircut", "health_check", "car_repair"]),
                "offer": "持卡九折",
                "contract_start": start,
                "contract_end": start + datetime.timedelta(days=rand.choice([365, 730])),
                "status": "active",
                "town_id": town_or_none(),
            }
        )
    writer.copy(Merchant, merchants)
    activities, fairs, purchased, wechat, culture, childcare = [], [], [], [], [], []
    for year in YEARS:
        for n in range(800):
            activities.append(
                {
                    "title": f"会员专享活动{year}-{n}",
                    "held_on": rand.day_in(year),
                    "channel": rand.choice(["12351", "wechat", "on_site"]),
                    "person_times": rand.randint(50, 1_200),
                    "beneficiaries": rand.randint(20, 600),
                    "town_id": town_or_none(),
                }
            )
        for n in range(60):
            fairs.append(
                {
                    "title": f"春风行动专场招聘会{year}-{n}",
                    "held_on": rand.day_in(year),
                    "town_id": town_or_none(),
                    "jobs_offered": rand.randint(300, 2_000),
                    "intentions_signed": rand.randint(50, 600),
                }
            )
        for n in range(160):
            purchased.append(
                {
                    "title": f"购买服务项目{year}-{n}",
                    "provider": "大兴区社会工作服务中心",
                    "year": year,
                    "contract_sum": rand.money(20_000, 200_000, 1_000),
                    "person_times": rand.randint(100, 2_000),
                    "town_id": town_or_none(),
                }
            )
        for n in range(80):
            wechat.append(
                {
                    "title": f"微工会活动{year}-{n}",
                    "held_on": rand.day_in(year),
                    "participants": rand.randint(200, 2_000),
                    "beneficiaries": rand.randint(50, 800),
                    "town_id": town_or_none(),
                }
            )
        for n in range(170):
            culture.append(
                {
                    "year": year,
                    "category": rand.choice(["match", "training", "exhibition", "performance"]),
                    "item": f"文体活动{year}-{n}",
                    "spend": rand.money(10_000, 100_000, 100),
                    "events": rand.randint(1, 30),
                    "participants": rand.randint(20, 500),
                    "town_id": town_or_none(),
                }
            )
        for town in rand.sample(context["towns"], 12):
            childcare.append(
                {"town_id": town.pk, "year": year, "classes": rand.randint(1, 6), "children": rand.randint(20, 200)}
            )
    writer.copy(MemberActivity, activities)
    writer.copy(JobFair, fairs)
    writer.copy(PurchasedService, purchased)
    writer.copy(WechatActivity, wechat)
    writer.copy(CultureEvent, culture)
    writer.copy(ChildcareClass, childcare)


def main() -> None:
    """`python benchmarks/city_data.py` (and `make bench`, which runs it first): build the dataset if it is stale."""
    import os
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "union_portal.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print(f"city dataset: skipped (needs PostgreSQL in DATABASE_URL; this run uses {connection.vendor})")
        return
    if not ensure():
        from benefits.models import AidPayment
        from disputes.models import Case, CaseEvent, CaseWorker
        from stations.models import Venue

        for model in (Case, CaseWorker, CaseEvent, Venue, AidPayment):
            print(f"city dataset {model._meta.db_table} (kept): {model._base_manager.count()} rows")


if __name__ == "__main__":
    main()
