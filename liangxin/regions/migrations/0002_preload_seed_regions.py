"""Preload the regions of the two seed plans with their official codes (GB/T 2260)."""

from django.db import migrations

SEED_REGIONS = [
    ("370000", "山东省", "province", None),
    ("370400", "枣庄市", "city", "370000"),
    ("370406", "山亭区", "county", "370400"),
    ("370800", "济宁市", "city", "370000"),
    ("370828", "金乡县", "county", "370800"),
]


def preload(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    for code, name, level, parent_code in SEED_REGIONS:
        if Region.objects.filter(code=code).exists():
            continue  # re-runnable: an operator may have added it already
        parent = Region.objects.get(code=parent_code) if parent_code else None
        path = f"{parent.path}/{code}" if parent else code
        Region.objects.create(code=code, name=name, level=level, parent=parent, path=path)


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(preload, migrations.RunPython.noop)]
