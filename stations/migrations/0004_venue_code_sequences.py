"""Venue codes come from the core's number sequences ("venue:<prefix>"): each starts after the highest code in use."""

from django.db import migrations

# The code prefixes as they stand at this migration (stations.models.CODE_PREFIX).
PREFIXES = ("WH", "WS", "PS", "MB", "AC")


def sequences_from_highest_codes(apps, schema_editor):
    Venue = apps.get_model("stations", "Venue")
    Sequence = apps.get_model("union_portal", "Sequence")
    for prefix in PREFIXES:
        highest = (
            Venue.objects.filter(code__startswith=f"{prefix}-").order_by("-code").values_list("code", flat=True).first()
        )
        if highest:
            sequence, _ = Sequence.objects.get_or_create(key=f"venue:{prefix}")
            sequence.last = max(sequence.last, int(highest.split("-")[1]))
            sequence.save(update_fields=["last"])


def forget_venue_sequences(apps, schema_editor):
    apps.get_model("union_portal", "Sequence").objects.filter(key__startswith="venue:").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0003_history_of_reference_data"),
        ("union_portal", "0002_sequence"),
    ]

    operations = [
        migrations.RunPython(sequences_from_highest_codes, forget_venue_sequences),
    ]
