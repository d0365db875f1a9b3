"""The staff venue list in its order by an index (stations.models.staff_list_order), when towns' keys follow their order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0006_desk_step_indexes"),
        ("union_portal", "0007_importjob"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="venue",
            index=models.Index(fields=["town", "kind", "name", "id"], name="stations_venue_list_order"),
        ),
    ]
