import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("subsidies", "0011_backfill_transfers_and_acceptance"),
    ]

    operations = [
        migrations.AlterField(
            model_name="paymentitem",
            name="transfer",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="items", to="subsidies.paymenttransfer"),
        ),
    ]
