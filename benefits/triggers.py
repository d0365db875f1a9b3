"""The aid ledger's append-only rule on SQLite (PostgreSQL has django-pgtrigger's triggers, declared on the model).

SQLite rebuilds a table for most schema changes and drops its triggers with it, so they are not written by one
migration but (re)installed after every `migrate`: dropping and creating them again makes that idempotent and
brings an older database's triggers up to date. SQLite has no TRUNCATE; a DELETE without WHERE runs the delete
trigger for every row.

Django's test flush (after a browser journey) empties tables with DELETE, which the trigger refuses for posted
rows. As PostgreSQL's TRUNCATE trigger gives way to the session switch `portal.ledger_maintenance`, the delete
trigger here gives way while the one-row table MAINTENANCE_TABLE holds a row: a test writes it, empties the ledger
and removes it again in one transaction (tests/benefits/test_ledger.py, `ledger_emptied`). Nothing in the portal
writes it, and it is not a model, so no flush, admin or ORM path touches it.
"""

from django.db import connections

TABLE = "benefits_aidpayment"
MAINTENANCE_TABLE = "benefits_ledger_maintenance"
MESSAGE = "posted aid payments are append-only: correct one with a reversing entry"
SQLITE_TRIGGERS = {
    "benefits_posted_payment_no_update": ("BEFORE UPDATE", "OLD.state = 'posted'"),
    "benefits_posted_payment_no_delete": (
        "BEFORE DELETE",
        f"OLD.state = 'posted' AND NOT EXISTS (SELECT 1 FROM {MAINTENANCE_TABLE})",
    ),
}


def install_sqlite_ledger_triggers(sender=None, using="default", **kwargs):
    connection = connections[using]
    if connection.vendor != "sqlite" or TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MAINTENANCE_TABLE} (switched_on INTEGER NOT NULL)")
        for name, (timing, condition) in SQLITE_TRIGGERS.items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(
                f"CREATE TRIGGER {name} {timing} ON {TABLE} "
                f"FOR EACH ROW WHEN {condition} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
