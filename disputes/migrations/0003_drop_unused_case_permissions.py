"""Exporting and importing cases is decided by role (union_portal.access.can_export_personal_data and
can_edit_records), as every other portal page is: the two declared permissions were never checked, so
they go, with the rows `migrate` had created for them (a permission shown in the admin must mean something)."""

from django.db import migrations

DROPPED = ["import_dossiers", "export_case"]


def drop_permission_rows(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="disputes", content_type__model="case", codename__in=DROPPED
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("disputes", "0002_claim_kinds"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="case",
            options={
                "ordering": ["-received_on", "-pk"],
                "verbose_name": "dispute case",
                "verbose_name_plural": "dispute cases",
            },
        ),
        migrations.RunPython(drop_permission_rows, migrations.RunPython.noop),
    ]
