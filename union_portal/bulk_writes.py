"""Bulk writes the ORM makes slow: history rows of records written in bulk, many-to-many links.

History. django-simple-history records a save through a signal, and bulk writes send none. Its
own helper (`bulk_history_create`, behind `bulk_create_with_history` and
`bulk_update_with_history`) builds one historical model instance per record in Python: 0.6 s
for 5,000 venues here, more than writing the venues themselves, and it leaves out the history of
many-to-many links. `history_copy` has the database copy the rows instead, one INSERT ... SELECT
per batch for the records and one per many-to-many field that the model's
`HistoricalRecords(m2m_fields=...)` tracks, so the history holds exactly what was written, in the
tables and columns simple-history made.

Links. `bulk_create()` of a through model builds a model instance per link (10,000 for 5,000
venues with two amenities each: a fifth of a second); `links_add` inserts the id pairs as they are.
"""

import datetime
from collections.abc import Sequence

from django.db import connection
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

BATCH_SIZE = 1000  # primary keys (or links) per statement: inside the bound parameters SQLite and PostgreSQL take


def history_copy(
    *,
    model,
    pks: Sequence[int],
    history_type: str,
    user=None,
    reason: str = "",
    date: datetime.datetime | None = None,
) -> None:
    """Write a history row ("+" created, "~" changed) for each record `pks` of `model`, as it is stored now.

    Every row gets the same `date`, `user` (history_user) and change `reason`, as a save through
    the admin would give them; the links of each tracked many-to-many field are recorded with it.
    Call it inside the transaction that wrote the records.
    """
    history = get_history_model_for_model(model)
    date = date or timezone.now()
    stamp = [connection.ops.adapt_datetimefield_value(date), reason[:100], history_type, getattr(user, "pk", None)]
    for start in range(0, len(pks), BATCH_SIZE):
        batch = list(pks[start : start + BATCH_SIZE])
        _copy_records(model, history, batch, stamp)
        for field in history._history_m2m_fields:
            _copy_links(model, history, field, batch, stamp[0])


def _copy_records(model, history, pks, stamp) -> None:
    quote = connection.ops.quote_name
    tracked = history.tracked_fields
    columns = [history._meta.get_field(field.name).column for field in tracked]
    columns += [history._meta.get_field(name).column for name in _STAMP_FIELDS]
    sql = "INSERT INTO {history} ({columns}) SELECT {values}, %s, %s, %s, %s FROM {table} WHERE {pk} IN ({pks})".format(
        history=quote(history._meta.db_table),
        columns=", ".join(quote(column) for column in columns),
        values=", ".join(quote(field.column) for field in tracked),
        table=quote(model._meta.db_table),
        pk=quote(model._meta.pk.column),
        pks=", ".join(["%s"] * len(pks)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*stamp, *pks])


_STAMP_FIELDS = ("history_date", "history_change_reason", "history_type", "history_user")


def _copy_links(model, history, field, pks, date) -> None:
    """The links of `field` of each record, under the history row just written (same record, same date)."""
    quote = connection.ops.quote_name
    through = field.remote_field.through
    link_history = getattr(history, field.name).model  # the manager of the links' history
    copied = [link.column for link in through._meta.concrete_fields]
    owner = through._meta.get_field(field.m2m_field_name()).column
    sql = (
        "INSERT INTO {links} ({history_id}, {columns}) SELECT h.{history_pk}, {values} FROM {through} l"
        " JOIN {history} h ON h.{record_id} = l.{owner}"
        " WHERE h.{date} = %s AND h.{record_id} IN ({pks})"
    ).format(
        links=quote(link_history._meta.db_table),
        history_id=quote(link_history._meta.get_field("history").column),
        columns=", ".join(
            quote(link_history._meta.get_field(link.name).column) for link in through._meta.concrete_fields
        ),
        history_pk=quote(history._meta.pk.column),
        values=", ".join(f"l.{quote(column)}" for column in copied),
        through=quote(through._meta.db_table),
        history=quote(history._meta.db_table),
        record_id=quote(history._meta.get_field(model._meta.pk.name).column),
        owner=quote(owner),
        date=quote(history._meta.get_field("history_date").column),
        pks=", ".join(["%s"] * len(pks)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [date, *pks])


def links_add(*, field, pairs: Sequence[tuple[int, int]]) -> None:
    """Insert the links (owner id, target id) of the many-to-many `field`, one statement per batch."""
    quote = connection.ops.quote_name
    through = field.remote_field.through
    columns = [
        through._meta.get_field(name).column for name in (field.m2m_field_name(), field.m2m_reverse_field_name())
    ]
    for start in range(0, len(pairs), BATCH_SIZE):
        batch = pairs[start : start + BATCH_SIZE]
        sql = "INSERT INTO {table} ({columns}) VALUES {values}".format(
            table=quote(through._meta.db_table),
            columns=", ".join(quote(column) for column in columns),
            values=", ".join(["(%s, %s)"] * len(batch)),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for pair in batch for value in pair])
