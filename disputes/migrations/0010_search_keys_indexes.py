"""Search keys (CaseQuerySet.search, issue 10): the cases of the employers a search names, read with the list's order
and sums (before the employer's own index goes: this one begins with it); the last character of case numbers and of
workers' names, for one-character queries."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0009_case_tallies"),
        ("union_portal", "0007_importjob"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["employer", "received_on", "id"],
                include=("headcount", "amount_claimed"),
                name="disputes_case_employer_list",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                django.db.models.functions.text.Right(django.db.models.functions.text.Upper("number"), 1),
                name="disputes_case_number_last",
            ),
        ),
        # The employer's own index goes: disputes_case_employer_list begins with its column. (Not by AlterField,
        # which on SQLite remakes the table with every index of the model, the PostgreSQL-only ones included.)
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="employer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="dispute_cases",
                        to="union_portal.enterprise",
                        verbose_name="employer",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "disputes_case_employer_id_119769b3"',
                    reverse_sql='CREATE INDEX "disputes_case_employer_id_119769b3" ON "disputes_case" ("employer_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="caseworker",
            index=models.Index(
                django.db.models.functions.text.Right(django.db.models.functions.text.Upper("name"), 1),
                name="disputes_worker_name_last",
            ),
        ),
    ]
