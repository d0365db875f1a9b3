"""The kept sums of the posted ledger (benefits/sums.py), filled once from the rows already posted.

The fill is a copy of `benefits.sums.fill_sql` as it was written with this migration, so that a later change there
does not change what this migration did: one INSERT ... SELECT ... GROUP BY on either database.
"""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models


def year_of(column, vendor):
    if vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS integer)"
    return f"CAST(strftime('%Y', {column}) AS integer)"


def fill_sums(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    columns = "year, town_id, programme, funding_source, posted_count, posted_amount, standing_count, standing_amount"
    sql = f"""
        INSERT INTO benefits_paymentsum ({columns})
        SELECT year, town_id, programme, funding_source, SUM(posted_count) AS posted_count,
               ROUND(SUM(posted_amount), 2) AS posted_amount, SUM(standing_count) AS standing_count,
               ROUND(SUM(standing_amount), 2) AS standing_amount
        FROM (
            SELECT {year_of("entry.paid_on", vendor)} AS year, entry.town_id AS town_id, entry.programme AS programme,
                   entry.funding_source AS funding_source, 1 AS posted_count, entry.amount AS posted_amount,
                   CASE WHEN entry.reverses_id IS NULL THEN 1 ELSE 0 END AS standing_count,
                   CASE WHEN entry.reverses_id IS NULL THEN entry.amount ELSE 0 END AS standing_amount
            FROM benefits_aidpayment entry
            WHERE entry.state = 'posted'
            UNION ALL
            SELECT {year_of("payment.paid_on", vendor)}, payment.town_id, payment.programme, payment.funding_source,
                   0, 0, -1, -payment.amount
            FROM benefits_aidpayment entry JOIN benefits_aidpayment payment ON payment.id = entry.reverses_id
            WHERE entry.state = 'posted'
        ) AS entries
        GROUP BY year, town_id, programme, funding_source
    """
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)  # no parameters: the '%' of strftime is literal


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0003_payment_list_indexes"),
        ("union_portal", "0007_importjob"),
    ]

    operations = [
        migrations.CreateModel(
            name="PaymentSum",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "programme",
                    models.CharField(
                        choices=[
                            ("festival", "festival condolence"),
                            ("medical", "emergency medical aid"),
                            ("student", "autumn student aid"),
                            ("summer", "summer cooling"),
                            ("winter", "winter warmth"),
                            ("temporary", "temporary aid"),
                        ],
                        max_length=12,
                        verbose_name="programme",
                    ),
                ),
                (
                    "funding_source",
                    models.CharField(
                        choices=[
                            ("district", "district federation funds"),
                            ("city", "city federation funds"),
                            ("assistance_fund", "assistance fund"),
                            ("donation", "donations"),
                        ],
                        max_length=20,
                        verbose_name="funding source",
                    ),
                ),
                ("posted_count", models.IntegerField(default=0, verbose_name="posted entries")),
                (
                    "posted_amount",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("0.00"), max_digits=14, verbose_name="posted amount (yuan)"
                    ),
                ),
                ("standing_count", models.IntegerField(default=0, verbose_name="standing payments")),
                (
                    "standing_amount",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("0.00"), max_digits=14, verbose_name="standing amount (yuan)"
                    ),
                ),
                (
                    "town",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="union_portal.town",
                        verbose_name="town",
                    ),
                ),
            ],
            options={
                "verbose_name": "posted ledger sum",
                "verbose_name_plural": "posted ledger sums",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("year", "town", "programme", "funding_source"), name="benefits_paymentsum_one_per_key"
                    )
                ],
            },
        ),
        migrations.RunPython(fill_sums, migrations.RunPython.noop, elidable=True),
    ]
