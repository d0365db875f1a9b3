"""The aid ledger's append-only rule on SQLite (PostgreSQL has django-pgtrigger's triggers, declared on the model).

SQLite rebuilds a table for most schema changes and drops its triggers with it, so they are not written by one
migration but (re)installed after every `migrate`: `CREATE TRIGGER IF NOT EXISTS` makes that idempotent. SQLite
has no TRUNCATE; a DELETE without WHERE runs the delete trigger for every row.
"""

from django.db import connections

TABLE = "benefits_aidpayment"
MESSAGE = "posted aid payments are append-only: correct one with a reversing entry"
SQLITE_TRIGGERS = {
    "benefits_posted_payment_no_update": "BEFORE UPDATE",
    "benefits_posted_payment_no_delete": "BEFORE DELETE",
}


def install_sqlite_ledger_triggers(sender=None, using="default", **kwargs):
    connection = connections[using]
    if connection.vendor != "sqlite" or TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        for name, timing in SQLITE_TRIGGERS.items():
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {name} {timing} ON {TABLE} "
                f"FOR EACH ROW WHEN OLD.state = 'posted' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
