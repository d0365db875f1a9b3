"""The kept sums of the posted ledger (`PaymentSum`): added to by every post, read by the list and totals pages.

A ledger's totals should not cost more as it grows: summing 485,000 posted entries took the payment list 90-150 ms
on every view at city scale (issue 10). So the ledger keeps running sums per (year, town, programme, funding
source), which is every dimension the payment list and the totals page filter by:

- `posted_count`, `posted_amount`: the posted entries, reversals included, each under its own date;
- `standing_count`, `standing_amount`: the posted payments that stand (`standing_condition`), each under its own
  date: a payment adds to them when it is posted, and leaves them when its reversal is posted (under the
  payment's year, town, programme and source, whatever the reversal's date).

Posting is the one write that changes what is posted (a posted entry is final, the database refuses to change
or delete it; `aid_reverse` enters a reversal that is posted later through `aid_post`). `record_post` runs in
`aid_post`'s transaction: one INSERT ... ON CONFLICT DO UPDATE that adds to the stored sums (SQLite and
PostgreSQL alike), so two desks posting at once both count. Paths that write posted rows in bulk (the demo
loader, the city-scale benchmark data) fill the sums from the rows afterwards with `rebuild`'s one INSERT ...
SELECT ... GROUP BY, which migration 0004 also ran once.

`compare()` (`manage.py payment_sums`) recomputes the sums from the rows in the same statement that reads the
kept ones and lists every key that differs; `manage.py payment_sums --rebuild` writes them anew.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
TABLE = "benefits_paymentsum"
KEY = ("year", "town_id", "programme", "funding_source")
VALUES = ("posted_count", "posted_amount", "standing_count", "standing_amount")
COLUMNS = ", ".join((*KEY, *VALUES))

UPSERT = (
    f"INSERT INTO {TABLE} ({COLUMNS}) VALUES {{rows}} "
    f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
    # ROUND: SQLite keeps decimals as binary floating point; rounding each sum to the fen keeps it exact.
    + ", ".join(
        f"{name} = ROUND({TABLE}.{name} + excluded.{name}, 2)"
        if name.endswith("amount")
        else f"{name} = {TABLE}.{name} + excluded.{name}"
        for name in VALUES
    )
)


def year_sql(column: str, vendor: str) -> str:
    """The year of a date column, as an integer, in the vendor's SQL (run without parameters: '%' is literal)."""
    if vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS integer)"
    return f"CAST(strftime('%Y', {column}) AS integer)"


def rows_select(vendor: str) -> str:
    """The sums of the posted rows grouped by KEY, columns in COLUMNS' order (one statement, no parameters).

    Every posted entry adds to `posted_*` under its own key, and a payment (not a reversal) to `standing_*`; a
    posted reversal takes its payment out of `standing_*` under the payment's key. Migration 0004 holds a copy.
    """
    own_year, payment_year = year_sql("entry.paid_on", vendor), year_sql("payment.paid_on", vendor)
    return f"""
        SELECT year, town_id, programme, funding_source, SUM(posted_count) AS posted_count,
               ROUND(SUM(posted_amount), 2) AS posted_amount, SUM(standing_count) AS standing_count,
               ROUND(SUM(standing_amount), 2) AS standing_amount
        FROM (
            SELECT {own_year} AS year, entry.town_id AS town_id, entry.programme AS programme,
                   entry.funding_source AS funding_source, 1 AS posted_count, entry.amount AS posted_amount,
                   CASE WHEN entry.reverses_id IS NULL THEN 1 ELSE 0 END AS standing_count,
                   CASE WHEN entry.reverses_id IS NULL THEN entry.amount ELSE 0 END AS standing_amount
            FROM benefits_aidpayment entry
            WHERE entry.state = 'posted'
            UNION ALL
            SELECT {payment_year}, payment.town_id, payment.programme, payment.funding_source, 0, 0, -1,
                   -payment.amount
            FROM benefits_aidpayment entry JOIN benefits_aidpayment payment ON payment.id = entry.reverses_id
            WHERE entry.state = 'posted'
        ) AS entries
        GROUP BY year, town_id, programme, funding_source
    """


def fill_sql(vendor: str) -> str:
    """INSERT ... SELECT ... GROUP BY: the sums of every posted row, into an empty table."""
    return f"INSERT INTO {TABLE} ({COLUMNS}) {rows_select(vendor)}"


def record_post(payment, reversed_payment=None) -> None:
    """Add the payment just posted to the sums (call inside the transaction that posts it).

    `reversed_payment`: the payment that `payment` reverses (when it is a reversal), which stops standing.
    """
    deltas: dict[tuple, list] = {}

    def add(entry, posted_count, posted_amount, standing_count, standing_amount):
        key = (entry.paid_on.year, entry.town_id, entry.programme, entry.funding_source)
        row = deltas.setdefault(key, [0, ZERO, 0, ZERO])
        for index, value in enumerate((posted_count, posted_amount, standing_count, standing_amount)):
            row[index] += value

    if payment.reverses_id is None:
        add(payment, 1, payment.amount, 1, payment.amount)
    else:
        add(payment, 1, payment.amount, 0, ZERO)
        add(reversed_payment, 0, ZERO, -1, -reversed_payment.amount)
    _upsert(deltas)


def _upsert(deltas: dict[tuple, list]) -> None:
    # Keys in one order: two posts adding to the same two keys lock their rows in the same order (no deadlock).
    rows = [(*key, *values) for key, values in sorted(deltas.items())]
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(UPSERT.format(rows=placeholders), [value for row in rows for value in row])


@dataclass(frozen=True)
class Difference:
    key: tuple  # (year, town id, programme, funding source)
    kept: tuple  # (posted count, posted amount, standing count, standing amount); zeros where no row is kept
    rows: tuple  # the same from the entries


def compare() -> list[Difference]:
    """Every key whose kept sums differ from the entries' (to the fen), read in one statement (one snapshot)."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 'rows', {COLUMNS} FROM ({rows_select(vendor)}) AS computed "
            f"UNION ALL SELECT 'kept', {COLUMNS} FROM {TABLE}"
        )
        found: dict[str, dict] = {"rows": {}, "kept": {}}
        for source, *row in cursor.fetchall():
            key = (int(row[0]), int(row[1]), row[2], row[3])
            found[source][key] = _values(row[4:])
    empty = (0, ZERO, 0, ZERO)
    return [
        Difference(key=key, kept=found["kept"].get(key, empty), rows=found["rows"].get(key, empty))
        for key in sorted(set(found["rows"]) | set(found["kept"]))
        if found["kept"].get(key, empty) != found["rows"].get(key, empty)
    ]


def _values(row) -> tuple:
    posted_count, posted_amount, standing_count, standing_amount = row
    return (int(posted_count), _money(posted_amount), int(standing_count), _money(standing_amount))


def _money(value) -> Decimal:
    # SQLite answers a float, PostgreSQL a Decimal: both to the fen.
    return Decimal(str(value or 0)).quantize(CENT)


def rebuild() -> int:
    """Write the sums anew from the posted rows, in one transaction; returns the number of keys.

    On PostgreSQL the table is locked first (EXCLUSIVE: reads go on, posts wait): a post in progress finishes before
    the rows are read, a later one adds to the rebuilt sums after. SQLite runs one writer at a time anyway.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(fill_sql(connection.vendor))
        return cursor.rowcount
