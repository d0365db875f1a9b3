"""Case-number counters move to the core's number sequences (key "case:<prefix>:<year>"), then go."""

from django.db import migrations


def counters_to_sequences(apps, schema_editor):
    CaseNumber = apps.get_model("disputes", "CaseNumber")
    Sequence = apps.get_model("union_portal", "Sequence")
    for counter in CaseNumber.objects.all():
        sequence, _ = Sequence.objects.get_or_create(key=f"case:{counter.prefix}:{counter.year}")
        sequence.last = max(sequence.last, counter.last)
        sequence.save(update_fields=["last"])


def sequences_to_counters(apps, schema_editor):
    CaseNumber = apps.get_model("disputes", "CaseNumber")
    Sequence = apps.get_model("union_portal", "Sequence")
    for sequence in Sequence.objects.filter(key__startswith="case:"):
        _, prefix, year = sequence.key.split(":")
        CaseNumber.objects.update_or_create(prefix=prefix, year=int(year), defaults={"last": sequence.last})


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0004_history_of_reference_data"),
        ("union_portal", "0002_sequence"),
    ]

    operations = [
        migrations.RunPython(counters_to_sequences, sequences_to_counters),
        migrations.DeleteModel(name="CaseNumber"),
    ]
