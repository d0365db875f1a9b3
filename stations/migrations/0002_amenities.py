"""The amenities venues commonly offer (DOMAIN.md §3); admins may add more."""

from django.db import migrations

AMENITIES = [
    ("bed", "床"),
    ("newspaper_rack", "报刊架"),
    ("water_dispenser", "饮水机"),
    ("air_conditioning", "空调"),
    ("microwave", "微波炉"),
    ("fridge", "冰箱"),
    ("steriliser", "消毒柜"),
    ("charging", "充电"),
    ("toilet", "卫生间"),
    ("table", "桌子"),
    ("socket", "电源插座"),
    ("first_aid", "医药箱"),
    ("wifi", "无线网络"),
    ("lockers", "储物柜"),
]


def add_amenities(apps, schema_editor):
    Amenity = apps.get_model("stations", "Amenity")
    for order, (code, name) in enumerate(AMENITIES, start=1):
        Amenity.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]

    operations = [migrations.RunPython(add_amenities, migrations.RunPython.noop)]
