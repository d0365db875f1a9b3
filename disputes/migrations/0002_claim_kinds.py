"""The six standard kinds of claim (DOMAIN.md §3); labels come from ClaimKindCode, translated."""

from django.db import migrations

CODES = ["wage_arrears", "social_insurance", "termination", "work_injury", "overtime", "other"]


def add_kinds(apps, schema_editor):
    ClaimKind = apps.get_model("disputes", "ClaimKind")
    for order, code in enumerate(CODES, start=1):
        ClaimKind.objects.get_or_create(code=code, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
