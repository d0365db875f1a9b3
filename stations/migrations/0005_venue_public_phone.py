"""A public contact phone for venues: shown on the public page, unlike the contact person's phone; coordinates
say they are WGS-84 (the map links and the distance sort read them so)."""

import django.core.validators
from django.db import migrations, models

import union_portal.validators


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0004_venue_code_sequences"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalvenue",
            name="public_phone",
            field=models.CharField(
                blank=True,
                help_text="Shown to the public on the venue's page: the venue's own landline or duty phone, not a person's.",
                max_length=20,
                validators=[union_portal.validators.validate_phone],
                verbose_name="public contact phone",
            ),
        ),
        migrations.AddField(
            model_name="venue",
            name="public_phone",
            field=models.CharField(
                blank=True,
                help_text="Shown to the public on the venue's page: the venue's own landline or duty phone, not a person's.",
                max_length=20,
                validators=[union_portal.validators.validate_phone],
                verbose_name="public contact phone",
            ),
        ),
        migrations.AlterField(
            model_name="historicalvenue",
            name="latitude",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                help_text="Decimal degrees in WGS-84, as a phone's GPS gives them (maps of Chinese apps use shifted ones).",
                max_digits=9,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(-90),
                    django.core.validators.MaxValueValidator(90),
                ],
                verbose_name="latitude",
            ),
        ),
        migrations.AlterField(
            model_name="historicalvenue",
            name="longitude",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                help_text="Decimal degrees in WGS-84, as a phone's GPS gives them (maps of Chinese apps use shifted ones).",
                max_digits=9,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(-180),
                    django.core.validators.MaxValueValidator(180),
                ],
                verbose_name="longitude",
            ),
        ),
        migrations.AlterField(
            model_name="venue",
            name="latitude",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                help_text="Decimal degrees in WGS-84, as a phone's GPS gives them (maps of Chinese apps use shifted ones).",
                max_digits=9,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(-90),
                    django.core.validators.MaxValueValidator(90),
                ],
                verbose_name="latitude",
            ),
        ),
        migrations.AlterField(
            model_name="venue",
            name="longitude",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                help_text="Decimal degrees in WGS-84, as a phone's GPS gives them (maps of Chinese apps use shifted ones).",
                max_digits=9,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(-180),
                    django.core.validators.MaxValueValidator(180),
                ],
                verbose_name="longitude",
            ),
        ),
    ]
